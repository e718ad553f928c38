import { DEFAULT_SETTINGS, type Settings, type SiteFolds } from './types';
import { asObject, asStringArray } from './guards';
import { isSecretPath } from './secrets';
import { asCanonicalUrl, canonicalizeUrl, parseHttpUrl } from './url';
import { asRetention } from './retention';

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
  return SITE_HOST.test(host) ? host : null;
}

/**
 * The site a person means by what they typed to exclude: "www.example.com", pasted from the
 * address bar, is example.com, whose subdomains go with it (the www host's would not hold it).
 */
export function siteToExclude(input: string): string | null {
  const host = normalizeSitePattern(input);
  return host !== null && /^www\.[^.]+\.[^.]/.test(host) ? host.slice(4) : host;
}

/** An excluded site that is an IP address (IPv4, or an IPv6 literal): it has no subdomains. */
export const isAddressSite = (site: string): boolean => /^(\d+\.){3}\d+$|^\[/.test(site);

/**
 * A host a site can have: letters, digits, '-' and '_' in dot-separated labels (IDN is punycode
 * by then), or an IPv6 literal. Chromium's URL parser keeps what the spec's refuses, escaped:
 * "not a site!!" parsed as the host "not%20a%20site!!" and was excluded as such.
 */
const SITE_HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/;

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
    folds: coerceFolds(v.folds),
    relatedPages: coerceRelatedPages(v.relatedPages),
    retentionMonths: asRetention(v.retentionMonths),
  };
}

/** Related or competitor pages kept at most: each costs a lookup when a report is shown. */
export const MAX_RELATED_PAGES = 20;

/**
 * Marked pages as canonical http(s) URLs (secrets stripped, a secret address dropped), once
 * each, the first MAX_RELATED_PAGES: for the stored settings and an imported file alike.
 */
export function coerceRelatedPages(value: unknown): string[] {
  const urls = (Array.isArray(value) ? value.slice(0, MAX_RELATED_PAGES * 4) : [])
    .map(asCanonicalUrl)
    .filter((u): u is string => u !== null);
  return [...new Set(urls)].slice(0, MAX_RELATED_PAGES);
}

/** Marked pages after an import: the list, how many it added, how many the cap left out. */
export interface MarkedMerge {
  pages: string[];
  added: number;
  leftOut: number;
}

/**
 * The marked pages with an import's added after them (both already coerced): the ones marked
 * here stay first and are never pushed out, so an import adds only while the list has room.
 */
export function withMarkedPages(
  current: readonly string[],
  incoming: readonly string[],
): MarkedMerge {
  const fresh = [...new Set(incoming)].filter((url) => !current.includes(url));
  const added = fresh.slice(0, Math.max(0, MAX_RELATED_PAGES - current.length));
  return {
    pages: [...current, ...added],
    added: added.length,
    leftOut: fresh.length - added.length,
  };
}

/** The related pages with `url` marked (on) or unmarked; null when it is not a web page. */
export function withRelatedPage(
  pages: readonly string[],
  url: string,
  on: boolean,
): string[] | null {
  const canonical = canonicalizeUrl(url);
  if (!canonical) return null;
  const rest = pages.filter((p) => p !== canonical);
  return on ? [...rest, canonical] : rest;
}

/** Folded sites kept at most, and query-folded paths per site. */
export const MAX_FOLD_SITES = 1000;
export const MAX_FOLD_PATHS = 200;

/** A fold is keyed by a lowercase host without "www." (core/variants.ts#siteKey). */
const FOLD_SITE = /^(?!www\.)[a-z0-9.-]{1,253}$|^\[[0-9a-f:.]{2,45}\]$/;

function coerceFolds(value: unknown): Record<string, SiteFolds> {
  const folds: Record<string, SiteFolds> = {};
  for (const [site, raw] of Object.entries(asObject(value) ?? {}).slice(0, MAX_FOLD_SITES)) {
    const v = asObject(raw);
    if (!v || !FOLD_SITE.test(site)) continue;
    const address = v.address === true;
    const queryPaths = [
      ...new Set(
        asStringArray(v.queryPaths, MAX_FOLD_PATHS, 2048).filter(
          (p) => p.startsWith('/') && !p.includes('?') && !p.includes('#'),
        ),
      ),
    ];
    if (address || queryPaths.length > 0) folds[site] = { address, queryPaths };
  }
  return folds;
}

/** 'secret': the address itself is a one-time secret (core/secrets.ts#isSecretPath). */
export type SkipReason = 'incognito' | 'paused' | 'not-http' | 'excluded' | 'secret';

export type RecordDecision = { record: true } | { record: false; reason: SkipReason };

/** Whether a page load may be recorded: the single privacy gate the worker applies. */
export function shouldRecord(
  url: string,
  settings: Settings,
  context: { incognito: boolean },
): RecordDecision {
  if (context.incognito) return { record: false, reason: 'incognito' };
  if (settings.paused) return { record: false, reason: 'paused' };
  const parsed = parseHttpUrl(url);
  if (!parsed) return { record: false, reason: 'not-http' };
  if (isExcludedUrl(url, settings.excludedSites)) return { record: false, reason: 'excluded' };
  if (isSecretPath(parsed.pathname)) return { record: false, reason: 'secret' };
  return { record: true };
}
