/** What the popup and report show of the stored authority scores, and how they word it. */

/** Scores for one report: display values (0–100), null where a node was never scored. */
export interface AuthorityView {
  /** When the scores were computed; null before the first computation. */
  computedAt: number | null;
  page: number | null;
  domain: number | null;
  /** By source page URL. */
  sources: Record<string, number>;
  /** By source registrable domain, when they were asked for (loadAuthority's sourceDomains). */
  sourceDomains?: Record<string, number>;
}

/** Shown on hover wherever an authority number is. */
export const AUTHORITY_EXPLANATION =
  'Authority, 0–100: PageRank over the links you have seen while browsing (on this machine ' +
  'only), on a log scale where the most linked page or site you know reads highest. Links ' +
  'marked nofollow, sponsored or ugc, and links of pages whose robots meta says nofollow, ' +
  'pass nothing.';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "computed 5 min ago", or "not computed yet". */
export function freshnessLabel(computedAt: number | null, now: number): string {
  if (computedAt === null) return 'not computed yet';
  const age = Math.max(0, now - computedAt);
  if (age < MINUTE) return 'computed just now';
  if (age < HOUR) return `computed ${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `computed ${Math.floor(age / HOUR)} h ago`;
  const days = Math.floor(age / DAY);
  return `computed ${days} ${days === 1 ? 'day' : 'days'} ago`;
}

/** A display value as shown: a whole number. */
export const authorityLabel = (display: number): string => String(Math.round(display));
