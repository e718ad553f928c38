import { foldChoices } from '../core/variants';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { loadHead, type HeadRows } from '../storage/head';
import type { BacklinkReport } from '../storage/queries';
import { HOT_TARGET_LINKS } from '../core/target-stats';
import { send } from '../platform/messaging';
import type { ReportState } from './state';

/**
 * The first render for a hot page (storage/head.ts) in the popup or the report page's table:
 * its counts and the rows of the groups shown, ready as the full report will be, without the
 * profile (which needs every link). Null for a page without aggregates: the full read is as
 * quick then.
 */
export async function loadHeadState(url: string, rows: HeadRows): Promise<ReportState | null> {
  // Side by side: the settings read need not wait for the connection to open.
  const [db, settings] = await Promise.all([getDb(), loadSettings()]);
  const head = await loadHead(db, url, settings.folds, rows);
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
 * After a full read of a page without a head: ask the worker to build the aggregates of its hot
 * targets, so that its next popup reads only what it shows. Sent at once, before the popup can
 * close. An optimisation: when it fails, the next popup reads in full again.
 */
export function prepareHead(report: BacklinkReport): void {
  const counts = new Map<string, number>();
  for (const l of report.links) counts.set(l.target, (counts.get(l.target) ?? 0) + 1);
  const targets = [...counts].filter(([, n]) => n >= HOT_TARGET_LINKS).map(([t]) => t);
  if (targets.length === 0) return;
  void Promise.resolve()
    .then(() => send({ type: 'stats/build', targets }))
    .catch(() => undefined);
}
