import type { LinkRegion, RawLink } from './types';

/** rel tokens that tell search engines not to pass authority through the link. */
export const QUALIFYING_RELS = ['nofollow', 'sponsored', 'ugc'] as const;

/** True when a link with these rel tokens passes authority (no nofollow, sponsored or ugc). */
export function passesAuthority(rel: readonly string[]): boolean {
  return !rel.some((r) => (QUALIFYING_RELS as readonly string[]).includes(r));
}

/**
 * Placements from the most editorial to the least. 'other' (no landmark) ranks second: on a page
 * without landmarks it is where the article is.
 */
const REGION_RANK: Record<LinkRegion, number> = {
  main: 0,
  other: 1,
  aside: 2,
  header: 3,
  nav: 4,
  footer: 5,
  comments: 6,
};

export function byPlacement(a: LinkRegion, b: LinkRegion): number {
  return REGION_RANK[a] - REGION_RANK[b];
}

/** One place a link stands on a page, before folding. */
export type Occurrence = Pick<RawLink, 'href' | 'anchor' | 'rel' | 'region' | 'context' | 'image'>;

/** What folding keeps of a link's occurrences (RawLink and LinkRecord both carry it). */
export type Folded = Pick<
  RawLink,
  'rel' | 'region' | 'regions' | 'rels' | 'occurrences' | 'context' | 'image'
>;

/** The words around the link and its image flag, only where known (absent stays absent). */
export function capturedOf(
  o: Pick<RawLink, 'context' | 'image'>,
): Pick<RawLink, 'context' | 'image'> {
  return {
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
  };
}

export function foldedOf(o: Pick<RawLink, 'rel' | 'region' | 'context' | 'image'>): Folded {
  return {
    rel: o.rel,
    region: o.region,
    regions: [o.region],
    rels: o.rel,
    occurrences: 1,
    ...capturedOf(o),
  };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return b.every((x) => a.includes(x)) ? [...a] : [...new Set([...a, ...b])];
}

/**
 * Fold `b` into `a`: the best placement, followed if any side is, every region and rel seen.
 * Occurrence counts add up ('sum', two parts of one page) or the larger is kept ('max', a later
 * report of the same occurrences).
 */
export function mergeFolded<T extends Folded>(a: T, b: Folded, count: 'sum' | 'max' = 'sum'): T {
  const aPasses = passesAuthority(a.rel);
  const bPasses = passesAuthority(b.rel);
  // The rel that counts is a followed occurrence's; among equals, the better placed one's.
  const rel =
    aPasses !== bPasses
      ? aPasses
        ? a.rel
        : b.rel
      : byPlacement(b.region, a.region) < 0
        ? b.rel
        : a.rel;
  const regions = union(a.regions, b.regions).sort(byPlacement);
  // Context and image flag are those of the best placed occurrence (the first among equals,
  // so page order decides a tie): the words a reader sees around the link where it counts.
  // An image link repeated as text elsewhere is an image link only if the image is the
  // better placed one. A side that never captured them (an old record) does not erase them.
  const [counting, other] = byPlacement(b.region, a.region) < 0 ? [b, a] : [a, b];
  const context = counting.context ?? other.context;
  const image = counting.image ?? other.image;
  return {
    ...a,
    ...(context !== undefined ? { context } : {}),
    ...(image !== undefined ? { image } : {}),
    rel,
    region: regions[0] ?? a.region,
    regions,
    rels: union(a.rels, b.rels),
    occurrences:
      count === 'sum' ? a.occurrences + b.occurrences : Math.max(a.occurrences, b.occurrences),
  };
}

/** The key links are folded by on a page: the same href with the same words. */
export const occurrenceKey = (o: Pick<Occurrence, 'href' | 'anchor'>): string =>
  `${o.href}\u0000${o.anchor}`;

/** Folds occurrences as they are read, by href and anchor, keeping page order. */
export class LinkFolder {
  readonly links = new Map<string, RawLink>();

  /** Fold one more occurrence in; returns the key it was folded under. */
  add(o: Occurrence): string {
    const key = occurrenceKey(o);
    const known = this.links.get(key);
    const one = { href: o.href, anchor: o.anchor, ...foldedOf(o) };
    this.links.set(key, known ? mergeFolded(known, one) : one);
    return key;
  }
}

/** Links of a page with every repeat of the same href and anchor folded into one, in page order. */
export function foldOccurrences(occurrences: Iterable<Occurrence>): RawLink[] {
  const folder = new LinkFolder();
  for (const o of occurrences) folder.add(o);
  return [...folder.links.values()];
}
