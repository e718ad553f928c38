import { foldChoices } from '../core/variants';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { loadHead, type HeadRows } from '../storage/head';
import type { BacklinkReport } from '../storage/queries';
import { ensureTargetStats } from '../storage/target-stats';
import type { ReportState } from './state';

/**
 * The popup's first render for a hot page (storage/head.ts): its counts and the rows of the
 * groups shown, ready as the full report will be, without the profile (which needs every
 * link). Null for a page without aggregates: the full read is as quick then.
 */
export async function loadHeadState(url: string, rows: HeadRows): Promise<ReportState | null> {
  const head = await loadHead(await getDb(), url, (await loadSettings()).folds, rows);
  if (!head) return null;
  return {
    status: 'ready',
    url: head.url,
    page: head.page,
    summary: head.summary,
    profile: null,
    redirect: head.redirect,
    variants: head.variants,
    folded: head.folded,
    choices: foldChoices(head.url, head.variants, head.folded),
    head: { groups: head.groups, liveGroups: head.liveGroups },
  };
}

/**
 * After a full read: build the aggregates the page's hot targets lack, so that the next popup
 * reads only what it shows. An optimisation: when it fails, the next popup reads in full again.
 */
export function prepareHead(report: BacklinkReport): void {
  const targets = [...report.aliases, ...Object.keys(report.via)];
  void getDb()
    .then((db) => ensureTargetStats(db, targets))
    .catch(() => undefined);
}
