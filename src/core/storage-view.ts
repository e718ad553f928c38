import { countLabel } from './format';

/** What the options page's storage panel shows: record counts and the browser's estimate. */
export interface StorageStats {
  pages: number;
  links: number;
  /** Bytes used and granted to the extension (navigator.storage.estimate); null if unknown. */
  usage: number | null;
  quota: number | null;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in the largest unit under 1,024 of it, with one decimal below 10: "1.5 MB", "120 GB". */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} bytes`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

export function countsText(stats: Pick<StorageStats, 'pages' | 'links'>): string {
  return `${countLabel(stats.pages, 'page', 'pages')} and ${countLabel(stats.links, 'link', 'links')} stored.`;
}

/** Space used, and how much the browser lets the extension use, in words. */
export function usageText(stats: Pick<StorageStats, 'usage' | 'quota'>): string {
  if (stats.usage === null) return 'This browser does not say how much space is used.';
  const used = `${formatBytes(stats.usage)} used on disk`;
  if (!stats.quota) return `${used}.`;
  const share = (100 * stats.usage) / stats.quota;
  const percent = share < 1 ? '<1' : String(Math.round(share));
  return `${used}, of ${formatBytes(stats.quota)} the browser allows (${percent}%).`;
}
