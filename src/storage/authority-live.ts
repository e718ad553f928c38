/**
 * The scores of the generation the meta record names live (storage/authority.ts#writeAuthority),
 * read in one read-only transaction so that a write of the next one is never seen half done.
 * Kept apart from storage/authority.ts so that the popup's chunk does not take in the worker's
 * computation to read them.
 */
import type { IDBPTransaction } from 'idb';
import type { AuthorityKind, AuthorityRecord } from '../core/types';
import type { AuthorityMeta } from '../core/authority-job';
import type { DomainAuthority } from '../core/summary';
import { authorityTenths } from '../core/target-stats';
import type { BacklinkDb, BacklinkSchema } from './db';
import { getMany, queued } from './requests';

/** The stores a read of the live scores needs. */
export const SCORE_STORES = ['authority', 'authority-scores', 'meta'] as const;

/** A read-only transaction over (at least) SCORE_STORES. */
export type ScoreTx = IDBPTransaction<
  BacklinkSchema,
  Array<(typeof SCORE_STORES)[number]>,
  'readonly'
>;

/** The keys of one generation's scores. */
export const generation = (gen: number) => IDBKeyRange.bound([gen], [gen + 1], false, true);

/** Reads of the live scores in `tx`: its meta record (asked at once) and keyed lookups after it. */
export interface LiveScores {
  /** The meta record of the last computation (null: none stored). */
  meta: Promise<AuthorityMeta | null>;
  /** The records of `keys` of one kind, in order (undefined: not scored). */
  get(kind: AuthorityKind, keys: readonly string[]): Promise<Array<AuthorityRecord | undefined>>;
}

export function liveScores(tx: ScoreTx): LiveScores {
  const meta = tx
    .objectStore('meta')
    .get('authority')
    .then((record) => (record?.id === 'authority' ? record : null));
  // Not awaited by a read that finds it needs no score (a hot page's): its failure is tx.done's.
  queued(meta);
  // No generation named: the scores an earlier version stored, in the store it kept them in.
  const get = async (kind: AuthorityKind, keys: readonly string[]) => {
    const gen = (await meta)?.gen;
    return gen === undefined
      ? getMany(
          tx.objectStore('authority'),
          keys.map((key): [AuthorityKind, string] => [kind, key]),
        )
      : getMany(
          tx.objectStore('authority-scores'),
          keys.map((key): [number, AuthorityKind, string] => [gen, kind, key]),
        );
  };
  return { meta, get };
}

/**
 * The live scores of `domains` as groups are ranked by them (core/summary.ts#compareGroupRanks):
 * to a tenth, as a hot page's aggregate keeps them; a domain not scored is left out.
 */
export async function domainAuthorityOf(
  scores: LiveScores,
  domains: Iterable<string>,
): Promise<DomainAuthority> {
  const keys = [...new Set(domains)];
  const records = await scores.get('domain', keys);
  const authority: Record<string, number> = {};
  keys.forEach((key, i) => {
    const display = records[i]?.display;
    if (display !== undefined) authority[key] = authorityTenths(display) / 10;
  });
  return authority;
}

/** domainAuthorityOf in a read-only transaction of its own. */
export async function loadLiveDomainAuthority(
  db: BacklinkDb,
  domains: Iterable<string>,
): Promise<DomainAuthority> {
  const tx = db.transaction([...SCORE_STORES], 'readonly');
  const authority = await domainAuthorityOf(liveScores(tx), domains);
  await tx.done;
  return authority;
}

/** Every live score, or those of one kind. */
export async function loadLiveScores(
  db: BacklinkDb,
  kind?: AuthorityKind,
): Promise<AuthorityRecord[]> {
  const tx = db.transaction([...SCORE_STORES], 'readonly');
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
