import { signal } from '@preact/signals';
import { summarizeBacklinks, type BacklinkSummary } from '../core/summary';
import type { PageRecord } from '../core/types';
import { loadBacklinks } from '../storage/queries';
import { getDb } from '../platform/db-connection';

export type ReportState =
  | { status: 'loading' }
  | { status: 'unsupported'; url: string }
  | { status: 'error'; message: string }
  | { status: 'ready'; url: string; page: PageRecord | null; summary: BacklinkSummary };

export const reportState = signal<ReportState>({ status: 'loading' });

/** Read the backlinks of one URL straight from IndexedDB: no worker round trip. */
export async function loadReport(url: string): Promise<void> {
  try {
    const report = await loadBacklinks(await getDb(), url);
    reportState.value = report
      ? {
          status: 'ready',
          url: report.url,
          page: report.page,
          summary: summarizeBacklinks(report.links, report.sources),
        }
      : { status: 'unsupported', url };
  } catch (error) {
    reportState.value = { status: 'error', message: String(error) };
  }
}
