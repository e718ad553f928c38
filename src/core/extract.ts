import type { LinkRegion, PageSnapshot } from './types';
import { foldOccurrences, type Occurrence } from './occurrences';
import { placementResolver } from './placement';
import { stripUrlEdges } from './url';
import { contextReader, isImageLink, pageSignals, pageTerms } from './capture';
import { MAX_ANCHOR_LENGTH, MAX_PAGE_LINKS, MAX_REL_TOKENS, MAX_TITLE_LENGTH } from './limits';

export interface ExtractOptions {
  /** Links kept at most; the rest are counted and the snapshot marked truncated. */
  maxLinks: number;
  maxAnchorLength: number;
  maxTitleLength: number;
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = {
  maxLinks: MAX_PAGE_LINKS,
  maxAnchorLength: MAX_ANCHOR_LENGTH,
  maxTitleLength: MAX_TITLE_LENGTH,
};

/** rel tokens kept per link; the folded rels of repeats keep at most twice as many. */
export { MAX_REL_TOKENS };

/**
 * Bidirectional overrides and isolates: a title or anchor holding U+202E shows reversed
 * ("report\u202Egnp.exe" reads "reportexe.png"), in our pages and in an export opened elsewhere.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

function collapse(text: string, max: number): string {
  // Collapse a slice at a time and stop once there is enough: a megabyte of text is not all
  // collapsed, yet a long run of indentation cannot hide the words after it.
  const step = Math.max(max * 4, 64);
  let s = '';
  for (let i = 0; i < text.length && s.length <= max + 1; i += step) {
    s = `${s}${text.slice(i, i + step)}`
      .replace(BIDI_CONTROLS, '')
      .replace(/\s+/g, ' ')
      .trimStart();
  }
  s = s.trimEnd();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Region of each link element: landmarks, id/class hints and text density (core/placement.ts).
 * Memoized per element so that a page with tens of thousands of links walks each ancestor once.
 */
export function regionResolver(): (el: Element) => LinkRegion {
  return placementResolver();
}

function relTokens(el: Element): string[] {
  const rel = el.getAttribute('rel');
  if (!rel) return [];
  return [...new Set(rel.toLowerCase().split(/\s+/).filter(Boolean))].slice(0, MAX_REL_TOKENS);
}

/**
 * What a link says, and whether it says it with an image rather than words. `text` is its
 * textContent collapsed, read once for this and for its context.
 */
function anchorOf(el: Element, text: string, max: number): { anchor: string; image: boolean } {
  if (text) return { anchor: text, image: false };
  const image = isImageLink(el, text);
  // Image links: the alt text is what the link says.
  const img = el.querySelector('img[alt]');
  const alt = img ? collapse(img.getAttribute('alt') ?? '', max) : '';
  if (alt) return { anchor: alt, image };
  const label = el.getAttribute('aria-label') ?? el.getAttribute('title') ?? '';
  return { anchor: collapse(label, max), image };
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
export interface LinkReader {
  read(el: Element): Occurrence | null;
}

export function linkReader(doc: Document, options: ExtractOptions): LinkReader {
  const baseUri = doc.baseURI || doc.URL;
  const docUrlNoFragment = withoutFragment(doc.URL);
  const regionOf = regionResolver();
  const contextOf = contextReader();
  return {
    read(el) {
      const href = resolveHref(el.getAttribute('href') ?? '', baseUri, docUrlNoFragment);
      if (!href) return null;
      const text = collapse(el.textContent ?? '', options.maxAnchorLength);
      const { anchor, image } = anchorOf(el, text, options.maxAnchorLength);
      return {
        href,
        anchor,
        rel: relTokens(el),
        region: regionOf(el),
        context: contextOf(el, text),
        image,
      };
    },
  };
}

const LINK_SELECTOR = 'a[href], area[href]';

/** True for an <a href> or <area href> element (any tree). */
export function isLinkElement(node: Node): node is Element {
  return node.nodeType === 1 && (node as Element).matches(LINK_SELECTOR);
}

/**
 * Every open shadow root at or below `root`, nested ones included. Shadow roots can only be
 * found by asking each element, so this walks the subtree once.
 */
export function shadowRootsIn(root: Document | Element | ShadowRoot): ShadowRoot[] {
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
export function* linkElements(doc: Document, shadows: readonly ShadowRoot[]): Generator<Element> {
  const anchors = doc.links; // live HTMLCollection of <a href> and <area href>
  for (let i = 0; i < anchors.length; i++) yield anchors[i] as Element;
  for (const shadow of shadows) yield* Array.from(shadow.querySelectorAll(LINK_SELECTOR));
}

/**
 * The page's own facts: everything in a snapshot but its links. `links` are the ones read
 * (extractLinks' occurrences), for the contact and about links among the page's signals.
 */
export function pageFacts(
  doc: Document,
  options: ExtractOptions = DEFAULT_EXTRACT_OPTIONS,
  links: Iterable<Pick<Occurrence, 'href' | 'anchor'>> = [],
): Omit<PageSnapshot, 'links' | 'totalLinks' | 'truncated'> {
  const baseUri = doc.baseURI || doc.URL;
  const title = collapse(doc.title ?? '', options.maxTitleLength);
  return {
    url: doc.URL,
    title,
    canonical: canonicalOf(doc, baseUri),
    lang: (doc.documentElement?.getAttribute('lang') ?? '').slice(0, 35),
    robots: robotsOf(doc),
    signals: pageSignals(doc, links),
    terms: pageTerms(doc, title),
  };
}

/** A snapshot's links and the elements they were read from (the watcher marks them seen). */
export interface ExtractedLinks {
  occurrences: Occurrence[];
  elements: Element[];
  shadows: ShadowRoot[];
  total: number;
  truncated: boolean;
}

/** Read up to maxLinks link elements of the document, open shadow trees included. */
export function extractLinks(doc: Document, options: ExtractOptions): ExtractedLinks {
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
    ...pageFacts(doc, options, occurrences),
    links: foldOccurrences(occurrences),
    totalLinks: total,
    truncated,
  };
}
