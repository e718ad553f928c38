/**
 * FROZEN BASELINE, bench only: the content script's extraction as it was before the capture
 * (link context, terms, signals) and placement work, i.e. src/core/extract.ts and
 * src/core/occurrences.ts of commit 29bd6fd, copied unchanged but for imports and exports.
 * The Chromium extraction bench times today's extractPage against it in the same run, for the
 * budget of issue 6 ("within 1.5x of today's"). Do not edit it to follow src/: it is the
 * yardstick.
 */
import type { LinkRegion, PageSnapshot, RawLink } from '../../src/core/types';
import { stripUrlEdges } from '../../src/core/url';

interface ExtractOptions {
  /** Links kept at most; the rest are counted and the snapshot marked truncated. */
  maxLinks: number;
  maxAnchorLength: number;
  maxTitleLength: number;
}

const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = {
  maxLinks: 5000,
  maxAnchorLength: 200,
  maxTitleLength: 300,
};

/** rel tokens kept per link; the folded rels of repeats keep at most twice as many. */
const MAX_REL_TOKENS = 8;
const COMMENT_HINT = /comment|disqus|replies/i;

function collapse(text: string, max: number): string {
  // Collapse a slice at a time and stop once there is enough: a megabyte of text is not all
  // collapsed, yet a long run of indentation cannot hide the words after it.
  const step = Math.max(max * 4, 64);
  let s = '';
  for (let i = 0; i < text.length && s.length <= max + 1; i += step) {
    s = `${s}${text.slice(i, i + step)}`.replace(/\s+/g, ' ').trimStart();
  }
  s = s.trimEnd();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function isCommentish(el: Element): boolean {
  const idAndClass = `${el.id} ${el.getAttribute('class') ?? ''}`;
  return idAndClass.length > 1 && COMMENT_HINT.test(idAndClass);
}

/** The region an element itself declares, if any (not looking at ancestors). */
function ownRegion(el: Element): LinkRegion | null {
  switch (el.localName) {
    case 'nav':
      return 'nav';
    case 'aside':
      return 'aside';
    case 'header':
      return 'header';
    case 'footer':
      return 'footer';
    case 'main':
      return 'main';
    case 'article':
      // Comment systems often mark each comment up as an <article class="comment">.
      return isCommentish(el) ? 'comments' : 'main';
  }
  switch (el.getAttribute('role')) {
    case 'navigation':
      return 'nav';
    case 'complementary':
      return 'aside';
    case 'banner':
      return 'header';
    case 'contentinfo':
      return 'footer';
    case 'main':
    case 'article':
      return 'main';
  }
  return isCommentish(el) ? 'comments' : null;
}

/** The parent element, or for the top of a shadow tree its host: landmarks outside still count. */
function parentOf(el: Element): Element | null {
  const parent = el.parentNode;
  if (!parent) return null;
  if (parent.nodeType === 1) return parent as Element;
  return parent.nodeType === 11 ? ((parent as ShadowRoot).host ?? null) : null;
}

/**
 * Region of the nearest classified ancestor (across shadow boundaries). Memoized per element so
 * that a page with tens of thousands of links walks each ancestor once, not once per link.
 */
export function regionResolver(): (el: Element) => LinkRegion {
  const memo = new Map<Element, LinkRegion>();
  return (start) => {
    const pending: Element[] = [];
    let el: Element | null = start;
    let found: LinkRegion = 'other';
    while (el) {
      const known = memo.get(el);
      if (known) {
        found = known;
        break;
      }
      const own = ownRegion(el);
      if (own) {
        found = own;
        memo.set(el, own);
        break;
      }
      pending.push(el);
      el = parentOf(el);
    }
    for (const p of pending) memo.set(p, found);
    return found;
  };
}

function relTokens(el: Element): string[] {
  const rel = el.getAttribute('rel');
  if (!rel) return [];
  return [...new Set(rel.toLowerCase().split(/\s+/).filter(Boolean))].slice(0, MAX_REL_TOKENS);
}

function anchorText(el: Element, max: number): string {
  const text = collapse(el.textContent ?? '', max);
  if (text) return text;
  // Image links: the alt text is what the link says.
  const img = el.querySelector('img[alt]');
  const alt = img ? collapse(img.getAttribute('alt') ?? '', max) : '';
  if (alt) return alt;
  return collapse(el.getAttribute('aria-label') ?? el.getAttribute('title') ?? '', max);
}

function withoutFragment(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

/** Resolve a link's href; null for non-http(s) and same-document fragment links. */
function resolveHref(raw: string, baseUri: string, docUrlNoFragment: string): string | null {
  const href = stripUrlEdges(raw);
  if (!href || href.startsWith('#')) return null;
  let url: URL;
  try {
    url = new URL(href, baseUri);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hash && withoutFragment(url.href) === docUrlNoFragment) return null;
  return url.href;
}

function robotsOf(doc: Document): { noindex: boolean; nofollow: boolean } {
  let noindex = false;
  let nofollow = false;
  for (const meta of Array.from(doc.querySelectorAll('meta[name]'))) {
    const name = meta.getAttribute('name')?.toLowerCase();
    if (name !== 'robots') continue;
    const tokens = (meta.getAttribute('content') ?? '').toLowerCase().split(/[\s,]+/);
    if (tokens.includes('noindex') || tokens.includes('none')) noindex = true;
    if (tokens.includes('nofollow') || tokens.includes('none')) nofollow = true;
  }
  return { noindex, nofollow };
}

function canonicalOf(doc: Document, baseUri: string): string | null {
  for (const link of Array.from(doc.querySelectorAll('link[rel][href]'))) {
    const rels = (link.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
    if (!rels.includes('canonical')) continue;
    try {
      const url = new URL(link.getAttribute('href') ?? '', baseUri);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** Reads link elements of one document into occurrences, sharing one region memo. */
interface LinkReader {
  read(el: Element): Occurrence | null;
}

function linkReader(doc: Document, options: ExtractOptions): LinkReader {
  const baseUri = doc.baseURI || doc.URL;
  const docUrlNoFragment = withoutFragment(doc.URL);
  const regionOf = regionResolver();
  return {
    read(el) {
      const href = resolveHref(el.getAttribute('href') ?? '', baseUri, docUrlNoFragment);
      if (!href) return null;
      return {
        href,
        anchor: anchorText(el, options.maxAnchorLength),
        rel: relTokens(el),
        region: regionOf(el),
      };
    },
  };
}

const LINK_SELECTOR = 'a[href], area[href]';

/**
 * Every open shadow root at or below `root`, nested ones included. Shadow roots can only be
 * found by asking each element, so this walks the subtree once.
 */
function shadowRootsIn(root: Document | Element | ShadowRoot): ShadowRoot[] {
  const found: ShadowRoot[] = [];
  const queue: Array<Document | Element | ShadowRoot> = [root];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (node.nodeType === 1 && (node as Element).shadowRoot) {
      const shadow = (node as Element).shadowRoot!;
      found.push(shadow);
      queue.push(shadow);
    }
    // A live collection for documents and elements (no copy); shadow roots only have qSA.
    const all: ArrayLike<Element> =
      node.nodeType === 11
        ? node.querySelectorAll('*')
        : (node as Element).getElementsByTagName('*');
    for (let i = 0; i < all.length; i++) {
      const shadow = all[i]!.shadowRoot;
      if (shadow) {
        found.push(shadow);
        queue.push(shadow);
      }
    }
  }
  return found;
}

/** Every link element of a document, light DOM first (document order), then open shadow trees. */
function* linkElements(doc: Document, shadows: readonly ShadowRoot[]): Generator<Element> {
  const anchors = doc.links; // live HTMLCollection of <a href> and <area href>
  for (let i = 0; i < anchors.length; i++) yield anchors[i] as Element;
  for (const shadow of shadows) yield* Array.from(shadow.querySelectorAll(LINK_SELECTOR));
}

/** The page's own facts: everything in a snapshot but its links. */
function pageFacts(
  doc: Document,
  options: ExtractOptions = DEFAULT_EXTRACT_OPTIONS,
): Omit<PageSnapshot, 'links' | 'totalLinks' | 'truncated'> {
  const baseUri = doc.baseURI || doc.URL;
  return {
    url: doc.URL,
    title: collapse(doc.title ?? '', options.maxTitleLength),
    canonical: canonicalOf(doc, baseUri),
    lang: (doc.documentElement?.getAttribute('lang') ?? '').slice(0, 35),
    robots: robotsOf(doc),
  };
}

/** A snapshot's links and the elements they were read from (the watcher marks them seen). */
interface ExtractedLinks {
  occurrences: Occurrence[];
  elements: Element[];
  shadows: ShadowRoot[];
  total: number;
  truncated: boolean;
}

/** Read up to maxLinks link elements of the document, open shadow trees included. */
function extractLinks(doc: Document, options: ExtractOptions): ExtractedLinks {
  const reader = linkReader(doc, options);
  const shadows = shadowRootsIn(doc);
  const occurrences: Occurrence[] = [];
  const elements: Element[] = [];
  let total = 0;
  let truncated = false;
  for (const el of linkElements(doc, shadows)) {
    total++;
    if (truncated) continue;
    if (occurrences.length >= options.maxLinks) {
      truncated = true;
      continue;
    }
    const occurrence = reader.read(el);
    if (!occurrence) continue;
    occurrences.push(occurrence);
    elements.push(el);
  }
  return { occurrences, elements, shadows, total, truncated };
}

/**
 * Read a page's outbound links and its own facts. Pure DOM reading, no browser APIs, so it
 * runs the same in the content script and in unit tests. Repeats of the same link are folded
 * into one (every region and rel kept, the best placement first).
 */
export function extractPage(
  doc: Document,
  options: ExtractOptions = DEFAULT_EXTRACT_OPTIONS,
): PageSnapshot {
  const { occurrences, total, truncated } = extractLinks(doc, options);
  return {
    ...pageFacts(doc, options),
    links: foldOccurrences(occurrences),
    totalLinks: total,
    truncated,
  };
}

// ---- src/core/occurrences.ts at 29bd6fd (folding) ----

/** rel tokens that tell search engines not to pass authority through the link. */
const QUALIFYING_RELS = ['nofollow', 'sponsored', 'ugc'] as const;

/** True when a link with these rel tokens passes authority (no nofollow, sponsored or ugc). */
function passesAuthority(rel: readonly string[]): boolean {
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

function byPlacement(a: LinkRegion, b: LinkRegion): number {
  return REGION_RANK[a] - REGION_RANK[b];
}

/** One place a link stands on a page, before folding. */
type Occurrence = Pick<RawLink, 'href' | 'anchor' | 'rel' | 'region'>;

/** What folding keeps of a link's occurrences (RawLink and LinkRecord both carry it). */
type Folded = Pick<RawLink, 'rel' | 'region' | 'regions' | 'rels' | 'occurrences'>;

function foldedOf(o: Pick<RawLink, 'rel' | 'region'>): Folded {
  return { rel: o.rel, region: o.region, regions: [o.region], rels: o.rel, occurrences: 1 };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return b.every((x) => a.includes(x)) ? [...a] : [...new Set([...a, ...b])];
}

/**
 * Fold `b` into `a`: the best placement, followed if any side is, every region and rel seen.
 * Occurrence counts add up ('sum', two parts of one page) or the larger is kept ('max', a later
 * report of the same occurrences).
 */
function mergeFolded<T extends Folded>(a: T, b: Folded, count: 'sum' | 'max' = 'sum'): T {
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
  return {
    ...a,
    rel,
    region: regions[0] ?? a.region,
    regions,
    rels: union(a.rels, b.rels),
    occurrences:
      count === 'sum' ? a.occurrences + b.occurrences : Math.max(a.occurrences, b.occurrences),
  };
}

/** The key links are folded by on a page: the same href with the same words. */
const occurrenceKey = (o: Pick<Occurrence, 'href' | 'anchor'>): string =>
  `${o.href}\u0000${o.anchor}`;

/** Folds occurrences as they are read, by href and anchor, keeping page order. */
class LinkFolder {
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
function foldOccurrences(occurrences: Iterable<Occurrence>): RawLink[] {
  const folder = new LinkFolder();
  for (const o of occurrences) folder.add(o);
  return [...folder.links.values()];
}
