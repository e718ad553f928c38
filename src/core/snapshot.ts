import { LINK_REGIONS, type PageDelta, type PageSnapshot, type RawLink } from './types';
import { DEFAULT_EXTRACT_OPTIONS, MAX_REL_TOKENS } from './extract';
import { asObject, asString, asStringArray, oneOf } from './guards';
import { byPlacement } from './occurrences';

export const MAX_URL = 8192;
const MAX_OCCURRENCES = 100_000;
const { maxLinks, maxAnchorLength, maxTitleLength } = DEFAULT_EXTRACT_OPTIONS;

function parseLink(value: unknown): RawLink | null {
  const v = asObject(value);
  const href = v && asString(v.href, MAX_URL);
  if (!v || !href) return null;
  const rel = asStringArray(v.rel, MAX_REL_TOKENS, 40);
  const region = oneOf(v.region, LINK_REGIONS, 'other');
  const regions = Array.isArray(v.regions)
    ? [...new Set([region, ...v.regions.map((r) => oneOf(r, LINK_REGIONS, region))])]
    : [region];
  const occurrences = Number.isInteger(v.occurrences) ? (v.occurrences as number) : 1;
  return {
    href,
    anchor: asString(v.anchor, maxAnchorLength) ?? '',
    rel,
    // The best placement is the first region by rank, whatever the sender claimed.
    region: regions.sort(byPlacement)[0] ?? region,
    regions,
    rels: [...new Set([...rel, ...asStringArray(v.rels, 2 * MAX_REL_TOKENS, 40)])],
    occurrences: Math.min(Math.max(occurrences, 1), MAX_OCCURRENCES),
  };
}

function parseLinks(value: unknown[]): RawLink[] {
  return value
    .slice(0, maxLinks)
    .map(parseLink)
    .filter((l): l is RawLink => l !== null);
}

/**
 * A snapshot arriving by message is untrusted (a content script runs beside hostile pages):
 * re-check its shape and bounds. Returns null when it is not a snapshot at all.
 */
export function parseSnapshot(value: unknown): PageSnapshot | null {
  const v = asObject(value);
  const url = v && asString(v.url, MAX_URL);
  if (!v || !url || !Array.isArray(v.links)) return null;
  const links = parseLinks(v.links);
  const robots = asObject(v.robots) ?? {};
  return {
    url,
    title: asString(v.title, maxTitleLength) ?? '',
    canonical: asString(v.canonical, MAX_URL),
    lang: asString(v.lang, 35) ?? '',
    robots: { noindex: robots.noindex === true, nofollow: robots.nofollow === true },
    links,
    totalLinks: typeof v.totalLinks === 'number' ? v.totalLinks : links.length,
    truncated: v.truncated === true || v.links.length > maxLinks,
  };
}

/** The same checks for links that appeared after the snapshot. */
export function parseDelta(value: unknown): PageDelta | null {
  const v = asObject(value);
  const url = v && asString(v.url, MAX_URL);
  if (!v || !url || !Array.isArray(v.links)) return null;
  return { url, links: parseLinks(v.links) };
}
