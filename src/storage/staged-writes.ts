/**
 * The journal of staged page writes (issue 7, item 5). A large page's new links are added in
 * short transactions before its final one (records.ts#recordPage), so that a screen opened
 * meanwhile waits for one short chunk, not for thousands of puts. Until that final transaction
 * writes the page record and drops the page's entry here, the staged links belong to no
 * recorded visit: if the worker dies in between, they are deleted by sweepStagedWrites, and a
 * later write of the same page deletes them first. A staged link is one of the entry's source
 * first seen at the entry's time: staging adds only links the page did not have, all with that
 * time, so deleting them leaves the page as it was before the write began.
 */
import type { IDBPObjectStore, StoreNames } from 'idb';
import type { BacklinkDb, BacklinkSchema } from './db';
import { deleteLinks, keyedLinks, type KeyedLink } from './link-keys';
import { markRiskStale } from './risk-summary';
import { queued } from './requests';

/** A page write whose new links are being staged. */
export interface StagedWrite {
  source: string;
  /** The write's time: every link it staged was first (and last) seen then. */
  at: number;
}

const JOURNAL = 'staged-writes' as const;

type MetaStore = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  'meta',
  'readwrite'
>;

/** Entries as stored; anything unreadable is no entry (the sweep then finds nothing to do). */
export async function readJournal(meta: Pick<MetaStore, 'get'>): Promise<StagedWrite[]> {
  const record = await meta.get(JOURNAL);
  return record?.id === JOURNAL && Array.isArray(record.writes) ? record.writes : [];
}

function writeJournal(meta: MetaStore, writes: readonly StagedWrite[]): Promise<unknown> {
  return writes.length === 0
    ? meta.delete(JOURNAL)
    : meta.put({ id: JOURNAL, writes: [...writes] });
}

/** Whether `link` is one that `write` staged. */
export const isStagedBy = (write: StagedWrite, link: KeyedLink['link']): boolean =>
  link.source === write.source && link.firstSeen === write.at && link.lastSeen === write.at;

/**
 * In a transaction over the links and meta: note `write` as begun, after deleting what any
 * earlier unfinished write of the same page staged (`stored`, its links as read in this
 * transaction). Returns the stored links that remain.
 */
export async function beginStagedWrite(
  tx: object,
  meta: MetaStore,
  write: StagedWrite,
  stored: readonly KeyedLink[],
): Promise<KeyedLink[]> {
  const journal = await readJournal(meta);
  const stale = journal.filter((w) => w.source === write.source);
  const left: KeyedLink[] = [];
  const dead: KeyedLink['key'][] = [];
  for (const k of stored) {
    if (stale.some((w) => isStagedBy(w, k.link))) dead.push(k.key);
    else left.push(k);
  }
  if (dead.length > 0) await deleteLinks(tx, dead);
  await writeJournal(meta, [...journal.filter((w) => w.source !== write.source), write]);
  return left;
}

/**
 * In the write's final transaction: the page record lands with it, its entry goes. Resolves
 * once the entry's write is queued; a failed one aborts the transaction (tx.done says so).
 */
export async function endStagedWrite(meta: MetaStore, write: StagedWrite): Promise<void> {
  const journal = await readJournal(meta);
  const left = journal.filter((w) => w.source !== write.source || w.at !== write.at);
  if (left.length < journal.length) queued(writeJournal(meta, left));
}

/**
 * Delete what unfinished writes staged and empty the journal, in one transaction: run before
 * the first write of a worker (a write it was doing died with it), or after a staged write
 * failed. Returns how many links were deleted.
 */
export async function sweepStagedWrites(
  db: BacklinkDb,
  only: StagedWrite | null = null,
): Promise<number> {
  const tx = db.transaction(['links', 'links-v1', 'meta', 'risks'], 'readwrite');
  const meta = tx.objectStore('meta');
  const journal = await readJournal(meta);
  const swept = journal.filter((w) => !only || (w.source === only.source && w.at === only.at));
  let deleted = 0;
  if (swept.length > 0) {
    const stored = await Promise.all(swept.map((w) => keyedLinks(tx, 'by_source', w.source)));
    const dead = swept.flatMap((w, i) => stored[i]!.filter((k) => isStagedBy(w, k.link)));
    deleted = dead.length;
    await Promise.all([
      deleteLinks(
        tx,
        dead.map((k) => k.key),
      ),
      // A risk line built while they were readable counted them.
      markRiskStale(tx.objectStore('risks'), {
        pages: swept.map((w) => w.source),
        links: dead.map((k) => k.link),
      }),
      writeJournal(
        meta,
        journal.filter((w) => !swept.includes(w)),
      ),
    ]);
  }
  await tx.done;
  return deleted;
}
