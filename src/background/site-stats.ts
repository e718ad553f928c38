import { getDb } from '../platform/db-connection';
import { gatedWrite } from '../platform/write-gate';
import { HOT_SITE_LINKS } from '../core/site-stats';
import { ensureSiteStats, foldSiteStats, whenSitesPending } from '../storage/site-stats';

/**
 * Build the aggregate of a tab's site (storage/site-stats.ts) in the background, before its
 * popup is opened; a failure only leaves that popup reading the site's links for its site line.
 * Through the recording gate: no page is recorded while the build reads the site's links.
 */
export async function buildSiteStatsQuietly(url: string): Promise<void> {
  try {
    await ensureSiteStats(await getDb(), url, HOT_SITE_LINKS, gatedWrite);
  } catch (error) {
    console.error('Backlink Lens could not build the aggregate of a site:', error);
  }
}

/** Quiet time after the last write that left a site's tallies pending in its head. */
export const FOLD_DELAY_MS = 5_000;

const toFold = new Set<string>();
let timer: ReturnType<typeof setTimeout> | null = null;

/**
 * Put the pending tallies once recording is quiet (debounced: a burst of page loads into a site
 * costs one fold), through the gate, so that no screen's first read waits for it. A worker
 * stopped first leaves them pending: readers merge them, and the next write into the site
 * queues its fold again (past MAX_PENDING, that write puts them itself).
 */
whenSitesPending((sites) => {
  for (const site of sites) toFold.add(site);
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    const sites = [...toFold];
    toFold.clear();
    void gatedWrite(async () => foldSiteStats(await getDb(), sites)).catch((error: unknown) =>
      console.error('Backlink Lens could not fold the tallies of a site:', error),
    );
  }, FOLD_DELAY_MS);
});
