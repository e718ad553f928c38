import { t, tn, uiLanguage } from './i18n';

/** What the options page's storage panel shows: record counts and the browser's estimate. */
export interface StorageStats {
  pages: number;
  links: number;
  /** Bytes used and granted to the extension (navigator.storage.estimate); null if unknown. */
  usage: number | null;
  quota: number | null;
}

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in the largest unit under 1,024 of it, with one decimal below 10: "1.5 MB", "120 GB". */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return tn('bytes', Math.round(value));
  const digits = value < 10 ? 1 : 0;
  const shown = value.toLocaleString(uiLanguage(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${shown} ${UNITS[unit - 1]}`;
}

export function countsText(stats: Pick<StorageStats, 'pages' | 'links'>): string {
  return tn('storage_counts', stats.pages, { links: tn('count_links', stats.links) });
}

/** Space used, and how much the browser lets the extension use, in words. */
export function usageText(stats: Pick<StorageStats, 'usage' | 'quota'>): string {
  if (stats.usage === null) return t('storage_usage_unknown');
  const used = formatBytes(stats.usage);
  if (!stats.quota) return t('storage_usage', { used });
  const share = (100 * stats.usage) / stats.quota;
  const percent = share < 1 ? '<1' : String(Math.round(share));
  return t('storage_usage_quota', { used, quota: formatBytes(stats.quota), percent });
}
