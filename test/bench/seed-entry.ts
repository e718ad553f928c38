// Bundled into one IIFE (global BacklinkSeed) and run in an extension page: the worker's own
// write path (recordPage's write, many page loads per transaction), so a benchmark's store is
// filled the way browsing fills it.
import { openBacklinkDb } from '../../src/storage/db';
import { recordPages, type PageLoad } from '../../src/storage/bulk';

/** One page load to record: its snapshot, and when it happened. */
export type SeedVisit = PageLoad;

/**
 * Record a chunk of page loads in one transaction (storage/bulk.ts), each as the worker stores
 * it; the number of links recorded.
 */
export async function recordVisits(visits: readonly SeedVisit[]): Promise<number> {
  const db = await openBacklinkDb();
  try {
    const results = await recordPages(db, visits);
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
