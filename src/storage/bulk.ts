import type { PageSnapshot } from '../core/types';
import type { BacklinkDb } from './db';
import { PAGE_STORES, pageWrite, writeAtomically, type RecordResult } from './records';

/** One page load to store: its snapshot, when it happened, and its visit id if it has one. */
export interface PageLoad {
  snapshot: PageSnapshot;
  at: number;
  visit?: string | null;
}

/**
 * Store many page loads in one transaction, each exactly as recordPage stores it: all of them
 * land or none does. A store filled this way (a benchmark's million links) pays one commit per
 * batch instead of one per page. Results in the order of `loads`; null for a load without an
 * http(s) URL.
 *
 * The loads are written one after another inside the transaction, not side by side: a write
 * reads what it changes (the page's links, and whatever the layout keeps per target or per URL),
 * and two loads sharing a target must each see the other's writes, as two recordPage calls do.
 * Requests in one transaction run in order, so awaiting each write costs only its reads.
 */
export async function recordPages(
  db: BacklinkDb,
  loads: readonly PageLoad[],
): Promise<Array<RecordResult | null>> {
  const writes = loads.map((load) => pageWrite(load.snapshot, load.at, load.visit ?? null));
  if (writes.every((write) => write === null)) return writes.map(() => null);
  return writeAtomically(db, PAGE_STORES, async (tx, pending) => {
    const results: Array<RecordResult | null> = [];
    for (const write of writes) results.push(write ? await write(tx, pending) : null);
    return results;
  });
}
