import {
  LINK_REGIONS,
  type PageDelta,
  type PageSignals,
  type PageSnapshot,
  type PageTerms,
  type RawLink,
} from './types';
import { DEFAULT_EXTRACT_OPTIONS } from './extract';
import { asCount, asObject, asString, asStringArray, asUrlString, oneOf } from './guards';
import {
  MAX_ANCHOR_LENGTH,
  MAX_LANG_LENGTH,
  MAX_REL_TOKEN_LENGTH,
  MAX_REL_TOKENS,
  MAX_TITLE_LENGTH,
} from './limits';
import { byPlacement } from './occurrences';
import { MAX_CONTEXT_LENGTH, MAX_COUNTED_WORDS, MAX_DESCRIPTION_LENGTH } from './capture';
import { isTerm, MAX_PAGE_TERMS, MAX_TERM_WEIGHT, topTerms } from './terms';

const MAX_OCCURRENCES = 100_000;
const { maxLinks } = DEFAULT_EXTRACT_OPTIONS;

/**
 * A page's signals as captured (core/capture#pageSignals), within the capture's bounds; null
 * when absent or not an object (unknown, never "missing").
 */
export function parsePageSignals(value: unknown): PageSignals | null {
  const v = asObject(value);
  if (!v) return null;
  return {
    words: asCount(v.words, MAX_COUNTED_WORDS) ?? 0,
    descriptionLength: asCount(v.descriptionLength, MAX_DESCRIPTION_LENGTH) ?? 0,
    favicon: v.favicon === true,
    contactLinked: v.contactLinked === true,
    aboutLinked: v.aboutLinked === true,
  };
}

/**
 * A page's terms: only keys that are single terms as the capture makes them (lower case, no
 * stop words), positive weights capped, the MAX_PAGE_TERMS heaviest. Null when not an object.
 */
export function parsePageTerms(value: unknown): PageTerms | null {
  const v = asObject(value);
  if (!v) return null;
  const weights = new Map<string, number>();
  let looked = 0;
  // A hostile object may have a million keys: look at a bounded number of them.
  for (const key in v) {
    if (++looked > 4 * MAX_PAGE_TERMS) break;
    const weight = v[key];
    if (!Object.hasOwn(v, key) || typeof weight !== 'number' || !(weight > 0)) continue;
    if (isTerm(key)) weights.set(key, Math.min(weight, MAX_TERM_WEIGHT));
  }
  return topTerms(weights, MAX_PAGE_TERMS);
}

/** The optional capture fields of a link (context, image), kept only when well typed. */
export function parseCaptured(v: Record<string, unknown>): Pick<RawLink, 'context' | 'image'> {
  return {
    ...(typeof v.context === 'string' ? { context: v.context.slice(0, MAX_CONTEXT_LENGTH) } : {}),
    ...(typeof v.image === 'boolean' ? { image: v.image } : {}),
  };
}

function parseLink(value: unknown): RawLink | null {
  const v = asObject(value);
  // A link whose href is over the limit is left out, not cut into an address nobody linked to.
  const href = v && asUrlString(v.href);
  if (!v || !href) return null;
  const rel = asStringArray(v.rel, MAX_REL_TOKENS, MAX_REL_TOKEN_LENGTH);
  const region = oneOf(v.region, LINK_REGIONS, 'other');
  const regions = Array.isArray(v.regions)
    ? [...new Set([region, ...v.regions.map((r) => oneOf(r, LINK_REGIONS, region))])]
    : [region];
  const occurrences = Number.isInteger(v.occurrences) ? (v.occurrences as number) : 1;
  return {
    href,
    anchor: asString(v.anchor, MAX_ANCHOR_LENGTH) ?? '',
    rel,
    // The best placement is the first region by rank, whatever the sender claimed.
    region: regions.sort(byPlacement)[0] ?? region,
    regions,
    rels: [
      ...new Set([...rel, ...asStringArray(v.rels, 2 * MAX_REL_TOKENS, MAX_REL_TOKEN_LENGTH)]),
    ],
    occurrences: Math.min(Math.max(occurrences, 1), MAX_OCCURRENCES),
    ...parseCaptured(v),
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
  const url = v && asUrlString(v.url);
  if (!v || !url || !Array.isArray(v.links)) return null;
  const links = parseLinks(v.links);
  const robots = asObject(v.robots) ?? {};
  const signals = parsePageSignals(v.signals);
  const terms = parsePageTerms(v.terms);
  return {
    url,
    title: asString(v.title, MAX_TITLE_LENGTH) ?? '',
    canonical: asUrlString(v.canonical),
    lang: asString(v.lang, MAX_LANG_LENGTH) ?? '',
    robots: { noindex: robots.noindex === true, nofollow: robots.nofollow === true },
    links,
    totalLinks: typeof v.totalLinks === 'number' ? v.totalLinks : links.length,
    truncated: v.truncated === true || v.links.length > maxLinks,
    ...(signals ? { signals } : {}),
    ...(terms ? { terms } : {}),
  };
}

/** The same checks for links that appeared after the snapshot. */
export function parseDelta(value: unknown): PageDelta | null {
  const v = asObject(value);
  const url = v && asUrlString(v.url);
  if (!v || !url || !Array.isArray(v.links)) return null;
  return { url, links: parseLinks(v.links) };
}
