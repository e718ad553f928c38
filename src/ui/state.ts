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
      /** Links into the page's whole site; null when none are known. */
      site: SiteSummary | null;
    };

export const reportState = signal<ReportState>({ status: 'loading' });

/** Read the backlinks of one URL straight from IndexedDB: no worker round trip. */
export async function loadReport(url: string): Promise<void> {
  try {
    const db = await getDb();
    const [report, site] = await Promise.all([loadBacklinks(db, url), loadSiteLinks(db, url)]);
    reportState.value = report
      ? {
          status: 'ready',
          url: report.url,
          page: report.page,
          summary: summarizeBacklinks(report.links, report.sources),
          site: site ? summarizeSite(site.domain, site.links) : null,
        }
      : { status: 'unsupported', url };
  } catch (error) {
    reportState.value = { status: 'error', message: String(error) };
  }
}
