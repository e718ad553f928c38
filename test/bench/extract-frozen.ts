/**
 * A frozen copy of src/core/extract.ts as of commit bab383f, before issue 5: the extractor that
 * reads the light DOM only (document.links). It is the baseline of the shadow-root benchmark,
 * whose budget is stated against this extractor, so it must not follow later edits of
 * src/core/extract.ts. Types are local for the same reason. Do not change it.
 */
type LinkRegion = 'main' | 'nav' | 'header' | 'footer' | 'aside' | 'comments' | 'other';

interface RawLink {
  href: string;
  anchor: string;
  rel: string[];
  region: LinkRegion;
}

interface PageSnapshot {
  url: string;
  title: string;
  canonical: string | null;
  lang: string;
  robots: { noindex: boolean; nofollow: boolean };
  links: RawLink[];
  totalLinks: number;
  truncated: boolean;
}

interface ExtractOptions {
  /** Links kept at most; the rest are counted and the snapshot marked truncated. */
  maxLinks: number;
  maxAnchorLength: number;
  maxTitleLength: number;
}

/** Its own defaults: the baseline must not follow changes to the current extractor's options. */
export const FROZEN_EXTRACT_OPTIONS: ExtractOptions = {
  maxLinks: 5000,
  maxAnchorLength: 200,
  maxTitleLength: 300,
};

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

/**
 * Region of the nearest classified ancestor. Memoized per element so that a page with tens
 * of thousands of links walks each ancestor once, not once per link.
 */
function regionResolver(): (el: Element) => LinkRegion {
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
      el = el.parentElement;
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
  const href = raw.trim();
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

/**
 * Read a page's outbound links and its own facts. Pure DOM reading, no browser APIs, so it
 * runs the same in the content script and in unit tests.
 */
export function extractPageFrozen(
  doc: Document,
  options: ExtractOptions = FROZEN_EXTRACT_OPTIONS,
): PageSnapshot {
  const baseUri = doc.baseURI || doc.URL;
  const docUrlNoFragment = withoutFragment(doc.URL);
  const regionOf = regionResolver();
  const anchors = doc.links; // live HTMLCollection of <a href> and <area href>
  const total = anchors.length;
  const links: RawLink[] = [];
  let truncated = false;
  for (let i = 0; i < total; i++) {
    if (links.length >= options.maxLinks) {
      truncated = true;
      break;
    }
    const el = anchors[i] as Element;
    const href = resolveHref(el.getAttribute('href') ?? '', baseUri, docUrlNoFragment);
    if (!href) continue;
    links.push({
      href,
      anchor: anchorText(el, options.maxAnchorLength),
      rel: relTokens(el),
      region: regionOf(el),
    });
  }
  return {
    url: doc.URL,
    title: collapse(doc.title ?? '', options.maxTitleLength),
    canonical: canonicalOf(doc, baseUri),
    lang: (doc.documentElement?.getAttribute('lang') ?? '').slice(0, 35),
    robots: robotsOf(doc),
    links,
    totalLinks: total,
    truncated,
  };
}
