import type { LinkRecord } from '../core/types';
import type { BacklinkDb } from './db';
import { settle, storesOf } from './link-keys';
import { writeAtomically } from './records';

/**
 * The second half of the upgrade to number-keyed links (db.ts): the old store's records moved
 * to the new one after the database is open, in short transactions, instead of in the upgrade
 * (a million links there took minutes with everything blocked, and started again from nothing
 * whenever the browser stopped the worker part-way).
 */

/**
 * Links moved per transaction: short enough that the popup, which reads after the transaction
 * running when it opens, barely waits (a 2,000-link write takes over a second on a quiet machine).
 */
export const LINK_MOVE_CHUNK = 500;

/**
 * Move the first `chunk` links of the old store to the new one in one read-write transaction:
 * deleted there and added here together, so that a link is in exactly one store whether the
 * transaction commits or not. Resolves with how many were moved (0: nothing left).
 */
export async function moveLinkChunk(tx: object, chunk = LINK_MOVE_CHUNK): Promise<number> {
  const [fresh, old] = storesOf(tx);
  const [links, keys] = await Promise.all([
    settle(old.getAll(null, chunk) as IDBRequest<LinkRecord[]>),
    settle(old.getAllKeys(null, chunk)),
  ]);
  if (keys.length === 0) return 0;
  // Plain requests: a failure aborts the transaction, and tx.done reports it.
  old.delete(IDBKeyRange.bound(keys[0]!, keys[keys.length - 1]!));
  for (const link of links) fresh.put(link);
  return links.length;
}

/**
 * Move every link of the old store, a chunk per transaction, each queued with the other writes
 * (records.ts#writeAtomically) so that recording goes on in between, and each started through
 * `gate` (the worker's: no chunk starts while a screen reads for its first render). Stopped anywhere (the
 * browser ends the worker), it continues where it stopped when called again: what is left is
 * what the old store still holds. Resolves with how many links were moved.
 */
export async function moveOldLinks(
  db: BacklinkDb,
  chunk = LINK_MOVE_CHUNK,
  gate: <T>(write: () => Promise<T>) => Promise<T> = (write) => write(),
): Promise<number> {
  let moved = 0;
  for (;;) {
    const n = await gate(() => writeAtomically(db, (tx) => moveLinkChunk(tx, chunk)));
    moved += n;
    if (n < chunk) return moved;
  }
}
