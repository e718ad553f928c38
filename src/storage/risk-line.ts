import { riskCountsAt, type FlagCounts } from '../core/flag-counts';
import { canonicalizeUrl } from '../core/url';
import type { BacklinkDb } from './db';
import type { FlagView } from './flags';
import type { Folds } from './queries';

/**
 * The popup's side of the stored risk lines (storage/risk-summary.ts keeps and builds them):
 * apart, because building needs registrable domains, and with them the Public Suffix List,
 * which the popup must not load before its first paint (test/e2e/first-paint.test.ts).
 */

/** Stored links into a page from which on its risk line is kept (as core/target-stats). */
export { HOT_TARGET_LINKS as RISK_SUMMARY_MIN_LINKS } from '../core/target-stats';

/** The popup's risk line from its stored summary. */
export interface RiskLine {
  counts: FlagCounts;
  complete: boolean;
  computedAt: number;
  /** False: an input changed since (or the folds differ); shown with its age, built again. */
  current: boolean;
}

/** The risk line as the flags show it, before their evidence is built (or without it). */
export function viewOfRiskLine(line: RiskLine): FlagView {
  return {
    flags: [],
    byLink: new Map(),
    risks: line.counts.risks,
    spam: [],
    counts: line.counts,
    complete: line.complete,
    building: true,
    stored: { computedAt: line.computedAt, current: line.current },
  };
}

/** The stored risk line of `rawUrl` under `folds`, its bursts counted at `now`; null if none. */
export async function loadRiskLine(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds,
  now: number = Date.now(),
): Promise<RiskLine | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const record = await db.get('risks', url);
  if (!record?.line) return null;
  return {
    counts: riskCountsAt(record.line, Math.max(now, record.computedAt)),
    complete: record.line.complete,
    computedAt: record.computedAt,
    current: record.current && record.folds === JSON.stringify(folds),
  };
}
