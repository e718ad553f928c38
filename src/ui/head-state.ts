import { foldChoices } from '../core/variants';
import type { BacklinkDb } from '../storage/db';
import { loadFirstRead, type HeadRows } from '../storage/head';
import type { BacklinkReport, Folds } from '../storage/queries';
import { HOT_TARGET_LINKS } from '../core/target-stats';
import { send } from '../platform/messaging';
import type { ReportState } from './state';

/**
 * A screen's first read (storage/head.ts): for a hot page, in the popup or the report page's
 * table, its counts and the rows of the groups shown, ready as the full report will be, without
 * the profile (which needs every link); for a page without aggregates, its whole report, read
 * in the same transaction. `folds`: the user's folded variants, as the load read them once.
 */
export async function loadFirstState(
  db: BacklinkDb,
  url: string,
  folds: Folds,
  rows: HeadRows,
): Promise<{ head: ReportState } | { report: BacklinkReport | null; variantsLater: boolean }> {
  const first = await loadFirstRead(db, url, folds, rows);
  if (first.kind === 'report') return { report: first.report, variantsLater: first.variantsLater };
  const { head } = first;
  return {
    head: {
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
    },
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
