/** What the popup and report show of the stored authority scores, and how they word it. */
import { t, tn } from './i18n';

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
export const authorityExplanation = (): string => t('authority_explanation');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "computed 5 min ago", or "not computed yet". */
export function freshnessLabel(computedAt: number | null, now: number): string {
  if (computedAt === null) return t('authority_not_computed');
  const age = Math.max(0, now - computedAt);
  if (age < MINUTE) return t('authority_just_now');
  if (age < HOUR) return t('authority_minutes_ago', { count: Math.floor(age / MINUTE) });
  if (age < DAY) return t('authority_hours_ago', { count: Math.floor(age / HOUR) });
  return tn('authority_days_ago', Math.floor(age / DAY));
}

/** A display value as shown: a whole number. */
export const authorityLabel = (display: number): string => String(Math.round(display));
