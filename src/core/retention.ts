import type { LinkRecord, RetentionMonths } from './types';
import { DEFAULT_SETTINGS, lastSeenOf } from './types';
// Not core/extract.ts itself: the popup's storage line would bring the page parser with it.
import { MAX_PAGE_LINKS } from './limits';
import { asCount, asObject, oneOf } from './guards';
import { t, tn } from './i18n';

/** The choices the options page offers, shortest first. */
export const RETENTION_CHOICES: readonly RetentionMonths[] = [3, 6, 12, 24, 60, 'forever'];

/** A stored or typed retention value, or the default when it is not one of the choices. */
export function asRetention(value: unknown): RetentionMonths {
  return RETENTION_CHOICES.includes(value as RetentionMonths)
    ? (value as RetentionMonths)
    : DEFAULT_SETTINGS.retentionMonths;
}

/** The retention in words, for the options page and notices. */
export function describeRetention(months: RetentionMonths): string {
  if (months === 'forever') return t('retention_forever');
  return months % 12 === 0 ? tn('retention_years', months / 12) : tn('retention_months', months);
}

/**
 * The time before which a page last seen is expired, or null when pages are kept forever.
 * Calendar months, so "12 months" on 2025-03-31 keeps what was seen since 2024-03-31.
 */
export function retentionCutoff(now: number, months: RetentionMonths): number | null {
  if (months === 'forever') return null;
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/** Whether a page last seen at `lastSeen` is past the cutoff (never, without one). */
export const isExpired = (lastSeen: number, cutoff: number | null): boolean =>
  cutoff !== null && lastSeen < cutoff;

/**
 * Links kept per source page, live and lost together: two full snapshots' worth, so every link
 * of the current visit stays with as much history again. A page that reloads itself with fresh
 * links would otherwise add lost links forever.
 */
export const MAX_LINKS_PER_SOURCE = 2 * MAX_PAGE_LINKS;

/**
 * Which of one source page's links to delete so that `cap` remain: lost links first, the
 * longest lost first; then live links not seen for the longest (a page that only grows by
 * deltas). Never more than the excess. `pageLastSeen`: the source page's last visit.
 */
export function linksOverCap<L extends Pick<LinkRecord, 'lostAt' | 'lastSeen'>>(
  links: readonly L[],
  cap: number,
  pageLastSeen?: number,
): L[] {
  const excess = links.length - cap;
  if (excess <= 0) return [];
  // Lost links sort before live ones (by loss time), live ones by last sighting: the page's
  // last visit for those it found unchanged (core/types#lastSeenOf).
  const rank = (l: L): [number, number] =>
    l.lostAt === null ? [1, lastSeenOf(l, pageLastSeen)] : [0, l.lostAt];
  return [...links]
    .map((l) => ({ l, r: rank(l) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1])
    .slice(0, excess)
    .map(({ l }) => l);
}

/**
 * Pages deleted when the disk is full and nothing is past the retention: the oldest 5%, at
 * least 50, so one retry has room without emptying a small store.
 */
export function quotaPruneCount(pages: number): number {
  return Math.min(pages, Math.max(50, Math.ceil(pages * 0.05)));
}

/**
 * Whether a failed write was the disk or the quota being full. IndexedDB reports it as a
 * DOMException named QuotaExceededError on the request or the transaction; an abort caused by
 * it carries it as the transaction's error.
 */
export function isQuotaError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 3; depth++) {
    if (typeof e === 'object' && (e as { name?: unknown }).name === 'QuotaExceededError') {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What the worker tells the user after the quota was hit: 'pruned' (the oldest pages were
 * deleted and recording goes on), 'full' (deleting did not make room: pages are not recorded).
 */
export interface StorageAlert {
  kind: 'pruned' | 'full';
  at: number;
  /** Pages deleted to make room. */
  removed: number;
}

export function parseStorageAlert(value: unknown): StorageAlert | null {
  const v = asObject(value);
  const at = asCount(v?.at, Number.MAX_SAFE_INTEGER);
  const removed = asCount(v?.removed, Number.MAX_SAFE_INTEGER);
  if (!v || at === null || removed === null) return null;
  return { kind: oneOf(v.kind, ['pruned', 'full'] as const, 'full'), at, removed };
}

/** A 'pruned' alert is news for a week; a 'full' one until recording works again. */
export const ALERT_DAYS = 7;

export function isCurrentAlert(alert: StorageAlert | null, now: number): alert is StorageAlert {
  if (!alert) return false;
  return alert.kind === 'full' || now - alert.at < ALERT_DAYS * 24 * 60 * 60 * 1000;
}

/** The alert in one line, for the popup, the options page and the toolbar button's title. */
export function alertText(alert: StorageAlert): string {
  return tn(alert.kind === 'full' ? 'alert_full' : 'alert_pruned', alert.removed);
}

/** What a prune did, for the notice after "Prune now". */
export function pruneText(removed: number, months: RetentionMonths): string {
  if (months === 'forever') return t('prune_forever');
  const span = describeRetention(months);
  return removed === 0 ? t('prune_none', { span }) : tn('prune_done', removed, { span });
}
