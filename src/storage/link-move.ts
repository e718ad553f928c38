import { nextChunkSize, type ChunkSizing } from '../core/chunk-size';
import type { LinkRecord } from '../core/types';
import type { BacklinkDb } from './db';
import { abortQuietly } from './requests';
import { LINK_STORES, settle, storesOf } from './link-keys';

/**
 * The second half of the upgrade to number-keyed links (db.ts): the old store's records moved
 * to the new one after the database is open, in short transactions, instead of in the upgrade
 * (a million links there took minutes with everything blocked, and started again from nothing
 * whenever the browser stopped the worker part-way).
 */

/** Links moved per transaction by a fixed-size move (the bench's raw baseline uses it too). */
export const LINK_MOVE_CHUNK = 500;

/**
 * The worker's chunks, sized by time: a screen that opens while one runs waits for it (its
 * read is queued behind it), so each should take about as long as the popup's own read,
 * whatever the machine's load; on a quiet machine that is a thousand links or more per commit.
 * Not fewer than 250: on a loaded machine (load 40 on 2 cores) a transaction costs about half a
 * second whatever it holds, and 110-link chunks made the move 2.2x a raw one of 500.
 */
export const LINK_MOVE_SIZING: ChunkSizing = {
  first: LINK_MOVE_CHUNK,
  min: 250,
  max: 4_000,
  targetMs: 300,
};

/** Where a move's time went, for the bench and the worker's console. */
export interface MoveProgress {
  moved: number;
  chunks: number;
  /** The size of the last chunk asked for. */
  size: number;
  /** Time spent waiting for the gate (screens reading) and inside the chunks' transactions. */
  gateMs: number;
  chunkMs: number;
  done: boolean;
}

export const newMoveProgress = (): MoveProgress => ({
  moved: 0,
  chunks: 0,
  size: 0,
  gateMs: 0,
  chunkMs: 0,
  done: false,
});

/**
 * Move the first `chunk` links of the old store to the new one in one read-write transaction:
 * deleted there and added here together, so that a link is in exactly one store whether the
 * transaction commits or not. Resolves with how many were moved (0: nothing left).
 */
export async function moveLinkChunk(tx: object, chunk = LINK_MOVE_CHUNK): Promise<number> {
  return (await moveChunkAfter(tx, chunk, undefined)).moved;
}

/**
 * The same for the first `chunk` links after the key `after` (undefined: from the start): the
 * read starts past the links moved before rather than at the store's beginning, where the
 * database must step over the deleted entries of every earlier chunk until it compacts them.
 * Nothing is ever added to the old store, so no link can come to lie before `after`.
 */
async function moveChunkAfter(
  tx: object,
  chunk: number,
  after: IDBValidKey | undefined,
): Promise<{ moved: number; last: IDBValidKey | undefined }> {
  const [fresh, old] = storesOf(tx);
  const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
  const { links, keys } = await readChunk(old, range, chunk);
  const last = keys[keys.length - 1];
  if (last === undefined) return { moved: 0, last: after };
  // Plain requests: a failure aborts the transaction, and tx.done reports it.
  old.delete(IDBKeyRange.bound(keys[0]!, last));
  for (const link of links) fresh.put(link);
  return { moved: links.length, last };
}

/** One entry of IDBObjectStore.getAllRecords (not yet in TypeScript's DOM types). */
interface StoreRecord {
  key: IDBValidKey;
  value: LinkRecord;
}
type RecordsStore = IDBObjectStore & {
  getAllRecords(options: { query: IDBKeyRange | null; count: number }): IDBRequest<StoreRecord[]>;
};

/**
 * The first `count` records of `range` with their keys: one getAllRecords request where the
 * browser has it (Chromium 141+), which walks the range once; else getAll and getAllKeys,
 * which walk it twice and list the same records in the same order.
 */
async function readChunk(
  old: IDBObjectStore,
  range: IDBKeyRange | null,
  count: number,
): Promise<{ links: LinkRecord[]; keys: IDBValidKey[] }> {
  if (typeof (old as Partial<RecordsStore>).getAllRecords === 'function') {
    const records = await settle((old as RecordsStore).getAllRecords({ query: range, count }));
    return { links: records.map((r) => r.value), keys: records.map((r) => r.key) };
  }
  const [links, keys] = await Promise.all([
    settle(old.getAll(range, count) as IDBRequest<LinkRecord[]>),
    settle(old.getAllKeys(range, count)),
  ]);
  return { links, keys };
}

/**
 * One chunk in a transaction over the two link stores only: the popup's reads of pages, aggregates
 * and redirects need not wait for it, nor it for them. Aborted whole on any failure, so nothing of
 * a failed chunk lands.
 */
async function moveChunkNow(
  db: BacklinkDb,
  chunk: number,
  after: IDBValidKey | undefined,
): Promise<{ moved: number; last: IDBValidKey | undefined }> {
  const tx = db.transaction(LINK_STORES, 'readwrite');
  try {
    const moved = await moveChunkAfter(tx, chunk, after);
    await tx.done;
    return moved;
  } catch (error) {
    abortQuietly(tx);
    throw error;
  }
}

/**
 * Move every link of the old store, a chunk per transaction, each started through `gate` (the
 * worker's: no chunk starts while a screen reads for its first render, nor while a page is
 * recorded). `sizing`: a fixed number of links per chunk, or chunks sized by time. Stopped
 * anywhere (the browser ends the worker), it continues where it stopped when called again: what
 * is left is what the old store still holds, since writers only ever delete there. Resolves
 * with how many links were moved; `progress` is kept up to date on the way.
 */
export async function moveOldLinks(
  db: BacklinkDb,
  sizing: number | ChunkSizing = LINK_MOVE_SIZING,
  gate: <T>(write: () => Promise<T>) => Promise<T> = (write) => write(),
  progress: MoveProgress = newMoveProgress(),
): Promise<number> {
  const fixed = typeof sizing === 'number';
  let size = fixed ? sizing : sizing.first;
  let moved = 0;
  // The last key moved by this call: a failed chunk left it where it was.
  let after: IDBValidKey | undefined;
  for (;;) {
    progress.size = size;
    const asked = performance.now();
    let started = asked;
    const chunk = await gate(() => {
      started = performance.now();
      return moveChunkNow(db, size, after);
    });
    const n = chunk.moved;
    after = chunk.last;
    const took = performance.now() - started;
    progress.gateMs += started - asked;
    progress.chunkMs += took;
    progress.chunks += 1;
    progress.moved += n;
    moved += n;
    // Fewer than asked: the old store is empty (nothing is ever added to it).
    if (n < size) {
      progress.done = true;
      return moved;
    }
    if (!fixed) size = nextChunkSize(size, took, sizing);
  }
}
