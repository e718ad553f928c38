import { signal } from '@preact/signals';
import {
  summarizeBacklinks,
  summarizeSite,
  type BacklinkSummary,
  type SiteSummary,
} from '../core/summary';
import type { PageRecord } from '../core/types';
import { loadBacklinks, loadSiteLinks } from '../storage/queries';
import { getDb } from '../platform/db-connection';

export type ReportState =
  | { status: 'loading' }
  | { status: 'unsupported'; url: string }
  | { status: 'error'; message: string }
  | {
      status: 'ready';
      url: string;
      page: PageRecord | null;
      summary: BacklinkSummary;
    };

export const reportState = signal<ReportState>({ status: 'loading' });
/** Links into the page's whole site: loaded after the page's own report, null until then. */
export const siteState = signal<SiteSummary | null>(null);

/** Read the backlinks of one URL straight from IndexedDB: no worker round trip. */
export async function loadReport(url: string): Promise<void> {
  try {
    const db = await getDb();
    const report = await loadBacklinks(db, url);
    reportState.value = report
      ? {
          status: 'ready',
          url: report.url,
          page: report.page,
          summary: summarizeBacklinks(report.links, report.sources),
        }
      : { status: 'unsupported', url };
    // The site-wide view can be large (a popular site): it must not delay the page's own list.
    const site = report && (await loadSiteLinks(db, url));
    if (site) siteState.value = summarizeSite(site.domain, site.links, 10, site.complete);
  } catch (error) {
    reportState.value = { status: 'error', message: String(error) };
  }
}
