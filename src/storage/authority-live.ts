/**
 * The scores of the generation the meta record names live (storage/authority.ts#writeAuthority),
 * read in one read-only transaction so that a write of the next one is never seen half done.
 * Kept apart from storage/authority.ts so that the popup's chunk does not take in the worker's
 * computation to read them.
 */
import type { AuthorityKind, AuthorityRecord } from '../core/types';
import type { BacklinkDb } from './db';

/** The keys of one generation's scores. */
export const generation = (gen: number) => IDBKeyRange.bound([gen], [gen + 1], false, true);

/** Every live score, or those of one kind. */
export async function loadLiveScores(
  db: BacklinkDb,
  kind?: AuthorityKind,
): Promise<AuthorityRecord[]> {
  const tx = db.transaction(['authority', 'authority-scores', 'meta'], 'readonly');
  const meta = await tx.objectStore('meta').get('authority');
  const gen = meta?.id === 'authority' ? meta.gen : undefined;
  // No generation named: the scores an earlier version stored, in the store it kept them in.
  // Array keys sort after strings: [..., kind, []] comes after every [..., kind, key].
  const records =
    gen === undefined
      ? await tx
          .objectStore('authority')
          .getAll(kind === undefined ? undefined : IDBKeyRange.bound([kind], [kind, []]))
      : (
          await tx
            .objectStore('authority-scores')
            .getAll(
              kind === undefined
                ? generation(gen)
                : IDBKeyRange.bound([gen, kind], [gen, kind, []]),
            )
        ).map(({ gen: _gen, ...record }) => record);
  await tx.done;
  return records;
}
