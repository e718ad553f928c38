import { LINK_REGIONS, type PageSnapshot, type RawLink } from './types';
import { DEFAULT_EXTRACT_OPTIONS } from './extract';
import { asObject, asString, asStringArray, oneOf } from './guards';

const MAX_URL = 8192;
const { maxLinks, maxAnchorLength, maxTitleLength } = DEFAULT_EXTRACT_OPTIONS;

function parseLink(value: unknown): RawLink | null {
  const v = asObject(value);
  const href = v && asString(v.href, MAX_URL);
  if (!v || !href) return null;
  return {
    href,
    anchor: asString(v.anchor, maxAnchorLength) ?? '',
    rel: asStringArray(v.rel, 8, 40),
    region: oneOf(v.region, LINK_REGIONS, 'other'),
  };
}

/**
 * A snapshot arriving by message is untrusted (a content script runs beside hostile pages):
 * re-check its shape and bounds. Returns null when it is not a snapshot at all.
 */
export function parseSnapshot(value: unknown): PageSnapshot | null {
  const v = asObject(value);
  const url = v && asString(v.url, MAX_URL);
  if (!v || !url || !Array.isArray(v.links)) return null;
  const links = v.links
    .slice(0, maxLinks)
    .map(parseLink)
    .filter((l): l is RawLink => l !== null);
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
