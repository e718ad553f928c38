/**
 * What the risk line shows before any flag is built (core/flags.ts builds them): the kinds of
 * flag, their counts and names, the spam rules' names, and the counts of a stored line at show
 * time, its bursts counted again. Apart from the detectors so that a screen's first render and
 * its risk line load this much, and the detectors only after it (issue 7, popup first render).
 */
import type { LinkRecord } from './types';
import { DAY_MS } from './profile-basics';
import { t, tn, type MessageKey, type PluralKey } from './i18n';

export type FlagKind =
  | 'reciprocal'
  | 'link-farm'
  | 'link-hub'
  | 'sitewide'
  | 'paid-undeclared'
  | 'paid-declared'
  | 'anchor-over-optimization'
  | 'burst'
  | 'spam-signals';

export const FLAG_KINDS: readonly FlagKind[] = [
  'reciprocal',
  'link-farm',
  'link-hub',
  'sitewide',
  'paid-undeclared',
  'paid-declared',
  'anchor-over-optimization',
  'burst',
  'spam-signals',
];

export type SpamRule =
  | 'no-https'
  | 'domain-name'
  | 'abused-tld'
  | 'no-favicon'
  | 'no-contact-about'
  | 'many-outbound'
  | 'thin-text'
  | 'short-title'
  | 'short-description';

export const SPAM_RULES: readonly SpamRule[] = [
  'no-https',
  'domain-name',
  'abused-tld',
  'no-favicon',
  'no-contact-about',
  'many-outbound',
  'thin-text',
  'short-title',
  'short-description',
];

export interface BurstWindow {
  scope: 'page' | 'site';
  /** The window (start excluded, end included). */
  start: number;
  end: number;
  count: number;
  /** Average new links a week before the window, and over how many weeks. */
  baselineWeekly: number;
  baselineWeeks: number;
}

/** Bursts: a week of new links against the weeks before it. */
export const BURST_WINDOW_DAYS = 7;
/** At least this many new links in the window: two or three new links are not a burst. */
export const BURST_MIN_LINKS = 5;
/** And this many times the average weekly rate before it. */
export const BURST_FACTOR = 3;
/** The baseline: at most this many weeks before the window. */
export const BURST_BASELINE_WEEKS = 8;
/** Windows looked at, the current one last (the span of the profile's timeline). */
export const BURST_SCAN_WEEKS = 12;

const WINDOW_MS = BURST_WINDOW_DAYS * DAY_MS;

/**
 * Windows of BURST_WINDOW_DAYS (ending at `now`, then a week earlier each, over the last
 * BURST_SCAN_WEEKS) whose new links (by first sighting) are at least BURST_MIN_LINKS and
 * BURST_FACTOR times the weekly average of the weeks before. The baseline starts at the first
 * link ever seen: "first seen" is when the user saw it, so the week someone starts browsing
 * would otherwise look like a burst of everything.
 */
export function detectBursts(
  links: readonly Pick<LinkRecord, 'firstSeen'>[],
  now: number,
): Array<Omit<BurstWindow, 'scope'>> {
  if (links.length === 0) return [];
  const earliest = Math.min(...links.map((l) => l.firstSeen));
  const bursts: Array<Omit<BurstWindow, 'scope'>> = [];
  for (let w = 0; w < BURST_SCAN_WEEKS; w++) {
    const end = now - w * WINDOW_MS;
    const start = end - WINDOW_MS;
    // Whole weeks seen before the window, up to the baseline's length.
    const baselineWeeks = Math.min(BURST_BASELINE_WEEKS, Math.ceil((start - earliest) / WINDOW_MS));
    if (baselineWeeks < 1) continue;
    const baseStart = start - baselineWeeks * WINDOW_MS;
    let count = 0;
    let before = 0;
    for (const { firstSeen: t } of links) {
      if (t > start && t <= end) count++;
      else if (t > baseStart && t <= start) before++;
    }
    const baselineWeekly = before / baselineWeeks;
    if (count >= BURST_MIN_LINKS && count >= BURST_FACTOR * baselineWeekly) {
      bursts.push({ start, end, count, baselineWeekly, baselineWeeks });
    }
  }
  return bursts;
}

const SPAM_RULE_LABELS: Record<SpamRule, MessageKey> = {
  'no-https': 'spam_rule_no_https',
  'domain-name': 'spam_rule_domain_name',
  'abused-tld': 'spam_rule_abused_tld',
  'no-favicon': 'spam_rule_no_favicon',
  'no-contact-about': 'spam_rule_no_contact_about',
  'many-outbound': 'spam_rule_many_outbound',
  'thin-text': 'spam_rule_thin_text',
  'short-title': 'spam_rule_short_title',
  'short-description': 'spam_rule_short_description',
};

/** A rule's name as shown. */
export const spamRuleLabel = (rule: SpamRule): string => t(SPAM_RULE_LABELS[rule]);

/**
 * How many flags of each kind a page has: what the one-line summary says. Counted before any
 * flag's evidence or wording is built, so the line can be shown first (it equals the counts of
 * findFlags for the same input).
 */
export interface FlagCounts {
  kinds: Partial<Record<FlagKind, number>>;
  /** Flags of severity 'risk'. */
  risks: number;
}

/** How each kind reads in the one-line summary, given its number of flags. */
const kindPhrase = (kind: FlagKind, n: number): string =>
  tn(`risk_${kind.replaceAll('-', '_')}` as PluralKey, n);

/** A flag kind's name as shown; what each means is in its summary sentence. */
export const flagLabel = (kind: FlagKind): string =>
  t(`flag_label_${kind.replaceAll('-', '_')}` as MessageKey);

/** "3 risks to look at: reciprocal links with 1 site, a sitewide link, …", or no risk seen. */
export function describeRisks({ kinds, risks }: FlagCounts): string {
  if (risks === 0) return t('risks_none');
  const perKind = FLAG_KINDS.filter((k) => k !== 'paid-declared' && (kinds[k] ?? 0) > 0).map((k) =>
    kindPhrase(k, kinds[k]!),
  );
  return tn('risks_line', risks, { list: perKind.join(', ') });
}

/** The notes (seen and fine) in one line, or null when there is none. */
export function describeNotes({ kinds }: FlagCounts): string | null {
  const declared = kinds['paid-declared'] ?? 0;
  if (declared === 0) return null;
  return t('risks_notes', { phrase: kindPhrase('paid-declared', declared) });
}

// ---- the stored risk line ---------------------------------------------------------------

/**
 * What the one-line risk summary needs, kept per page (storage/risk-summary.ts) so that a popup
 * shows it without reading the page's links: the counts of every kind but bursts, and for
 * bursts, which move with the clock, the first sightings they are counted from.
 */
export interface RiskSummary {
  /** Flags of each kind but 'burst' (counted at show time from `firstSeen`). */
  kinds: Partial<Record<FlagKind, number>>;
  complete: boolean;
  /**
   * First sightings of the links from other sites: to the page, and to its whole site (null
   * when the site's links were not read). Only those recent enough to fall in a window still to
   * come, and the earliest (the baseline starts there); see burstTimes.
   */
  firstSeen: { page: number[]; site: number[] | null };
}

/** How far back a burst window or its baseline can reach from the time it is counted at. */
const BURST_REACH_MS = (BURST_SCAN_WEEKS + BURST_BASELINE_WEEKS) * WINDOW_MS;

/**
 * The first sightings detectBursts needs from `since` on, sorted: every one from
 * `since - BURST_REACH_MS`, and the earliest. An older one can never be in a window or its
 * baseline again, as the clock only moves on; the earliest still says where the baseline starts.
 */
export function burstTimes(
  links: readonly Pick<LinkRecord, 'firstSeen'>[],
  since: number,
): number[] {
  const times = links.map((l) => l.firstSeen).sort((a, b) => a - b);
  const from = since - BURST_REACH_MS;
  const recent = times.filter((t) => t > from);
  return times.length > recent.length ? [times[0]!, ...recent] : recent;
}

/** The counts of a stored risk line at `now` (≥ when it was stored): its bursts counted now. */
export function riskCountsAt(summary: RiskSummary, now: number): FlagCounts {
  const asLinks = (times: readonly number[]) => times.map((firstSeen) => ({ firstSeen }));
  const page = detectBursts(asLinks(summary.firstSeen.page), now);
  const site = summary.firstSeen.site ? detectBursts(asLinks(summary.firstSeen.site), now) : [];
  // As siteBurstsOf: a site window made of the page's links only is the page's again.
  const siteOnly = site.filter((s) => !page.some((p) => p.start === s.start && p.count >= s.count));
  const kinds = { ...summary.kinds };
  const bursts = page.length + siteOnly.length;
  if (bursts > 0) kinds.burst = bursts;
  const ordered: Partial<Record<FlagKind, number>> = {};
  for (const kind of FLAG_KINDS) if (kinds[kind]) ordered[kind] = kinds[kind];
  const all = Object.values(ordered).reduce((a, n) => a + n, 0);
  return { kinds: ordered, risks: all - (ordered['paid-declared'] ?? 0) };
}
