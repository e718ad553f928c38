// Bundled into one IIFE (global BacklinkSeed) and run in an extension page: the worker's own
// write path (recordPage), so a benchmark's store is filled the way browsing fills it.
import { openBacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import type { PageSnapshot } from '../../src/core/types';

/** One page load to record: its snapshot, and when it happened. */
export interface SeedVisit {
  snapshot: PageSnapshot;
  at: number;
}

/**
 * Record a chunk of page loads, each in its own transaction as the worker does, all issued at
 * once (IndexedDB runs them one after another); the number of links recorded.
 */
export async function recordVisits(visits: readonly SeedVisit[]): Promise<number> {
  const db = await openBacklinkDb();
  try {
    const results = await Promise.all(visits.map((v) => recordPage(db, v.snapshot, v.at)));
    return results.reduce((sum, r) => sum + (r?.added ?? 0), 0);
  } finally {
    db.close();
  }
}

/** How many pages and links the store holds. */
export async function countStored(): Promise<{ pages: number; links: number }> {
  const db = await openBacklinkDb();
  try {
    const [pages, links] = await Promise.all([db.count('pages'), db.count('links')]);
    return { pages, links };
  } finally {
    db.close();
  }
}
