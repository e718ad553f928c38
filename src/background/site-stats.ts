import { getDb } from '../platform/db-connection';
import { gatedWrite } from '../platform/write-gate';
import { HOT_SITE_LINKS } from '../core/site-stats';
import { ensureSiteStats } from '../storage/site-stats';

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
