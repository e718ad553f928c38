import { DEFAULT_SETTINGS, type Settings } from './types';
import { parseHttpUrl } from './url';

/**
 * Turn what a user typed for an excluded site ("example.com", "*.example.com",
 * "https://www.Example.com/path") into the hostname we match on; null if it is not one.
 */
export function normalizeSitePattern(input: string): string | null {
  const trimmed = input.trim().toLowerCase().replace(/^\*\./, '');
  if (!trimmed || trimmed.includes('*')) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = parseHttpUrl(withScheme);
  if (!url) return null;
  const host = url.hostname.replace(/\.+$/, '');
  return host.length > 0 && !host.includes(' ') ? host : null;
}

/** True when the URL's host is an excluded site or a subdomain of one. */
export function isExcludedUrl(url: string, excludedSites: readonly string[]): boolean {
  const parsed = parseHttpUrl(url);
  if (!parsed) return false;
  const host = parsed.hostname.replace(/\.+$/, '');
  return excludedSites.some((site) => host === site || host.endsWith(`.${site}`));
}

/** Settings read from storage are untrusted shapes: keep what is valid, default the rest. */
export function coerceSettings(value: unknown): Settings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const sites = Array.isArray(v.excludedSites) ? v.excludedSites : [];
  const excludedSites = [
    ...new Set(
      sites
        .filter((s): s is string => typeof s === 'string')
        .map(normalizeSitePattern)
        .filter((s): s is string => s !== null),
    ),
  ];
  return {
    paused: typeof v.paused === 'boolean' ? v.paused : DEFAULT_SETTINGS.paused,
    excludedSites,
  };
}

export type RecordDecision = { record: true } | { record: false; reason: string };

/** Whether a page load may be recorded: the single privacy gate the worker applies. */
export function shouldRecord(
  url: string,
  settings: Settings,
  context: { incognito: boolean },
): RecordDecision {
  if (context.incognito) return { record: false, reason: 'incognito' };
  if (settings.paused) return { record: false, reason: 'paused' };
  if (!parseHttpUrl(url)) return { record: false, reason: 'not-http' };
  if (isExcludedUrl(url, settings.excludedSites)) return { record: false, reason: 'excluded' };
  return { record: true };
}
