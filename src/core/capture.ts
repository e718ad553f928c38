/**
 * What the content script reads of a page besides its links, for relevance and spam signals:
 * the words around each link, whether a link is an image, the page's topical terms and its
 * on-page signals. Pure DOM reading (no browser API), every read capped, so a huge or hostile
 * page costs a bounded amount; used by core/extract.ts.
 */
import type { PageSignals, PageTerms } from './types';
import { countWords as wordsIn, forEachTerm, MAX_PAGE_TERMS, topTerms } from './terms';

/** Words kept before the link, and after it; the anchor's own words at most as many. */
export const CONTEXT_WORDS = 12;
/** A link's context is at most this long (characters), in extraction, messages and import. */
export const MAX_CONTEXT_LENGTH = 400;
/** Words counted in a page's body; past this a page is simply long (thin is a few hundred). */
export const MAX_COUNTED_WORDS = 3_000;
/** Characters of meta description counted; past this it is simply long. */
export const MAX_DESCRIPTION_LENGTH = 1_000;
/** Characters of main text read for the page's terms (about 2,000 words). */
export const MAX_SAMPLE_CHARS = 15_000;
/** h1–h3 headings read for the page's terms, and characters read of each. */
const MAX_HEADINGS = 60;
const MAX_HEADING_CHARS = 300;
/** Characters of one block's text read for its links' contexts (a paragraph is far less). */
const MAX_BLOCK_CHARS = 50_000;
/** Characters looked at on each side of a link for its context words. */
const WINDOW_CHARS = CONTEXT_WORDS * 32;

/** How much more a word counts in the title or a heading than in the text (it counts there too). */
export const TERM_WEIGHTS = { title: 3, h1: 3, h2: 2, h3: 2, text: 1 } as const;

/**
 * Phrasing elements: a link's block is its nearest ancestor that is none of these. Custom
 * elements (a dash in the name) are inline by default too.
 */
const INLINE = new Set(
  (
    'a abbr area b bdi bdo big br cite code data del dfn em font i img ins kbd label map mark ' +
    'nobr q s samp small span strike strong sub sup time tt u var wbr picture'
  ).split(' '),
);
/** Elements whose text is not prose a person reads. */
const NOT_TEXT = new Set(
  'script style noscript template textarea select option svg math iframe object canvas video audio'.split(
    ' ',
  ),
);
/** Page parts left out of the main-text sample: the same on every page of a site. */
const NOT_MAIN = new Set(['nav', 'aside', 'footer', 'header', 'form', 'button']);
const NOT_MAIN_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search']);

const isInline = (name: string) => INLINE.has(name) || name.includes('-');

type Container = Element | Document | DocumentFragment;

/** Whether a walk reads inside an element, told its local name (read once per element). */
type Enter = (el: Element, name: string) => boolean;

/**
 * Walk the text under `root` in document order, calling `onText` for each text node until it
 * returns false; `enter` says whether to read inside an element. Iterative, so a page nested
 * a hundred thousand deep does not overflow the stack; by firstChild and nextSibling, which
 * allocate nothing (childNodes makes a list object per element in Chromium). Each DOM
 * property is read once per node: the walk is most of what the terms and word count cost.
 */
function walkText(root: Container, onText: (text: string) => boolean, enter: Enter): void {
  let node: Node | null = root.firstChild;
  while (node) {
    const type = node.nodeType;
    if (type === 3) {
      if (!onText((node as Text).data)) return;
    } else if (type === 1 && enter(node as Element, (node as Element).localName)) {
      const child: Node | null = node.firstChild;
      if (child) {
        node = child;
        continue;
      }
    }
    let next: Node | null = node.nextSibling;
    while (!next) {
      node = node.parentNode;
      if (!node || node === root) return;
      next = node.nextSibling;
    }
    node = next;
  }
}

/**
 * At most `max` characters of the text under `root`, the parts `enter` refuses left out. A
 * block or a line break between two texts stands as a space: "<h1>A</h1><h2>B</h2>" is "A B".
 */
function textOf(root: Container, max: number, enter: Enter = isProse): string {
  let text = '';
  walkText(
    root,
    (t) => {
      text += t;
      return text.length < max;
    },
    (el, name) => {
      if (name === 'br' || !isInline(name)) text += ' ';
      return enter(el, name);
    },
  );
  return text.slice(0, max);
}

const isProse: Enter = (_el, name) => !NOT_TEXT.has(name);

/** The link's block: its nearest ancestor that is not inline (or the root of its tree). */
function blockOf(link: Element): Node | null {
  let node = link.parentNode;
  while (node && node.nodeType === 1 && isInline((node as Element).localName)) {
    node = node.parentNode;
  }
  return node;
}

const isLinkName = (name: string) => name === 'a' || name === 'area';

/**
 * Read a block's own text, noting in `spans` where each link in it starts and ends. Nested
 * blocks are left to their own links (a space stands for them, so words do not run
 * together), so each text node is read for at most one block.
 */
function readBlock(block: Node, spans: Map<Element, [number, number]>): string {
  let text = '';
  let node: Node | null = block.firstChild;
  while (node) {
    let enter = false;
    if (node.nodeType === 3) {
      text += (node as Text).data;
      // Past the cap the rest of the block is not read: its links get no context.
      if (text.length > MAX_BLOCK_CHARS) break;
    } else if (node.nodeType === 1) {
      const name = (node as Element).localName;
      if (isLinkName(name)) spans.set(node as Element, [text.length, -1]);
      if (name === 'br' || !isInline(name)) text += ' ';
      else enter = !NOT_TEXT.has(name);
    }
    if (enter && node.firstChild) {
      node = node.firstChild;
      continue;
    }
    // Done with this node, and with each ancestor whose last child it is.
    for (;;) {
      if (node.nodeType === 1 && isLinkName((node as Element).localName)) {
        const span = spans.get(node as Element);
        if (span && span[1] < 0) span[1] = text.length;
      }
      if (node.nextSibling) {
        node = node.nextSibling;
        break;
      }
      node = node.parentNode;
      if (!node || node === block) return text;
    }
  }
  return text;
}

/** The \s of regular expressions, by character code: cheap on every character of a window. */
function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 160 ||
    (code > 255 && /\s/.test(String.fromCharCode(code)))
  );
}

/**
 * Where the `n`th word before `from` starts, looking no further back than `limit`. A word cut
 * by the limit (not by the text's start) is left out.
 */
function wordsBefore(text: string, from: number, n: number, limit: number): number {
  let i = from;
  for (let count = 0; count < n; count++) {
    while (i > limit && isSpace(text.charCodeAt(i - 1))) i--;
    if (i === limit) break;
    while (i > limit && !isSpace(text.charCodeAt(i - 1))) i--;
  }
  if (i === limit && limit > 0 && !isSpace(text.charCodeAt(limit - 1))) {
    while (i < from && !isSpace(text.charCodeAt(i))) i++;
  }
  return i;
}

/** Where the `n`th word after `from` ends, no further than `limit` (`hard`: a real edge). */
function wordsAfter(text: string, from: number, n: number, limit: number, hard: boolean): number {
  let i = from;
  for (let count = 0; count < n; count++) {
    while (i < limit && isSpace(text.charCodeAt(i))) i++;
    if (i === limit) break;
    while (i < limit && !isSpace(text.charCodeAt(i))) i++;
  }
  if (!hard && i === limit && limit < text.length && !isSpace(text.charCodeAt(limit))) {
    while (i > from && !isSpace(text.charCodeAt(i - 1))) i--;
  }
  return i;
}

const collapseSpaces = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Up to CONTEXT_WORDS words before [start, end) of `text`, its own first words, and after. */
function windowOf(text: string, start: number, end: number): string {
  const from = wordsBefore(text, start, CONTEXT_WORDS, Math.max(0, start - WINDOW_CHARS));
  const ownLimit = Math.min(end, start + WINDOW_CHARS);
  const ownEnd = wordsAfter(text, start, CONTEXT_WORDS, ownLimit, ownLimit === end);
  const toLimit = Math.min(text.length, end + WINDOW_CHARS);
  const to = wordsAfter(text, end, CONTEXT_WORDS, toLimit, toLimit === text.length);
  // A long anchor keeps its first words: the words after the link still follow.
  const all = collapseSpaces(
    ownEnd < end ? `${text.slice(from, ownEnd)} ${text.slice(end, to)}` : text.slice(from, to),
  );
  return all.length > MAX_CONTEXT_LENGTH ? `${all.slice(0, MAX_CONTEXT_LENGTH - 1)}…` : all;
}

/**
 * True when the link is all its block holds: it and each inline ancestor up to the block are
 * only children. Then its context is its own words, read without walking the block (menus,
 * footers and lists of links are mostly like that).
 */
function isAlone(link: Element, block: Node): boolean {
  for (let node: Node = link; node !== block; node = node.parentNode!) {
    if (node.previousSibling || node.nextSibling) return false;
  }
  return true;
}

/** True when collapsed text (single spaces) has at most CONTEXT_WORDS words. */
function fewWords(text: string): boolean {
  let spaces = 0;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) {
    if (++spaces >= CONTEXT_WORDS) return false;
  }
  return true;
}

/**
 * The words around a link on its page: up to CONTEXT_WORDS before it in its block, its own
 * first words, and up to CONTEXT_WORDS after, at most MAX_CONTEXT_LENGTH characters. Each
 * block is read once, for all its links (memoized per reader). `ownText`, the link's text
 * collapsed (single spaces, trimmed) if the caller has it already, spares reading a block that
 * holds only the link.
 */
export function contextReader(): (link: Element, ownText?: string) => string {
  const texts = new Map<Node, string>();
  const spans = new Map<Element, [number, number]>();
  return (link, ownText) => {
    const block = blockOf(link);
    if (!block) return '';
    if (ownText !== undefined && isAlone(link, block)) {
      // Most such links say a few words: the anchor itself, no new string.
      return ownText.length <= MAX_CONTEXT_LENGTH && fewWords(ownText)
        ? ownText
        : windowOf(ownText, 0, ownText.length);
    }
    let text = texts.get(block);
    if (text === undefined) {
      text = readBlock(block, spans);
      texts.set(block, text);
    }
    const span = spans.get(link);
    return span && span[1] >= 0 ? windowOf(text, span[0], span[1]) : '';
  };
}

/**
 * True when a link shows an image rather than words: no text of its own, and an image inside
 * (img, picture, svg), or an image-map area. Its anchor is then the alt text, or nothing.
 */
export function isImageLink(link: Element, ownText: string): boolean {
  if (ownText) return false;
  return link.localName === 'area' || link.querySelector('img, picture, svg') !== null;
}

// ---------------------------------------------------------------------------------------------
// Page terms

/** The element holding the page's main text: its main landmark, else its article, else body. */
function mainRoot(doc: Document): Element | null {
  return doc.querySelector('main, [role="main"]') ?? doc.querySelector('article') ?? doc.body;
}

const isMainText: Enter = (el, name) =>
  !NOT_TEXT.has(name) &&
  !NOT_MAIN.has(name) &&
  !NOT_MAIN_ROLES.has(el.getAttribute('role') ?? '') &&
  !el.hasAttribute('hidden');

/**
 * The first `max` h1–h3 of a document, in document order: what querySelectorAll('h1, h2, h3')
 * gives, but from the three tag collections, which Chromium fills in a fraction of the time the
 * selector list takes on a huge page (a few ms on 80,000 elements).
 */
function firstHeadings(doc: Document, max: number): Element[] {
  const lists = (['h1', 'h2', 'h3'] as const).map((tag) => doc.getElementsByTagName(tag));
  const next = [0, 0, 0];
  const found: Element[] = [];
  while (found.length < max) {
    // The earliest of the three lists' next headings.
    let pick = -1;
    for (let l = 0; l < 3; l++) {
      const h = lists[l]![next[l]!];
      if (!h) continue;
      const best = pick === -1 ? null : lists[pick]![next[pick]!]!;
      if (!best || best.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_PRECEDING) pick = l;
    }
    if (pick === -1) break;
    found.push(lists[pick]![next[pick]!++]!);
  }
  return found;
}

/**
 * The page's topical terms: the words of its title and h1–h3 headings (weighted more, see
 * TERM_WEIGHTS) and of the first MAX_SAMPLE_CHARS of its main text, stop words, numbers and
 * one- or two-letter words left out, the MAX_PAGE_TERMS heaviest kept.
 */
export function pageTerms(doc: Document, title: string): PageTerms {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number) =>
    forEachTerm(text, (t) => void weights.set(t, (weights.get(t) ?? 0) + weight));
  add(title, TERM_WEIGHTS.title);
  for (const h of firstHeadings(doc, MAX_HEADINGS)) {
    add(textOf(h, MAX_HEADING_CHARS), TERM_WEIGHTS[h.localName as 'h1' | 'h2' | 'h3'] ?? 1);
  }
  const main = mainRoot(doc);
  if (main) add(textOf(main, MAX_SAMPLE_CHARS, isMainText), TERM_WEIGHTS.text);
  return topTerms(weights, MAX_PAGE_TERMS);
}

// ---------------------------------------------------------------------------------------------
// Page signals

/** Words of text in the body (scripts and styles left out), counted up to MAX_COUNTED_WORDS. */
function countWords(doc: Document): number {
  let count = 0;
  if (!doc.body) return 0;
  walkText(doc.body, (text) => (count += wordsIn(text)) < MAX_COUNTED_WORDS, isProse);
  return Math.min(count, MAX_COUNTED_WORDS);
}

function descriptionLength(doc: Document): number {
  // Both belong in <head>: looking there only spares a search of a huge body.
  for (const meta of Array.from((doc.head ?? doc).querySelectorAll('meta[name]'))) {
    if (meta.getAttribute('name')?.toLowerCase() !== 'description') continue;
    const content = (meta.getAttribute('content') ?? '').slice(0, 4 * MAX_DESCRIPTION_LENGTH);
    return Math.min(content.replace(/\s+/g, ' ').trim().length, MAX_DESCRIPTION_LENGTH);
  }
  return 0;
}

const ICON_RELS = new Set(['icon', 'apple-touch-icon', 'mask-icon']);

function declaresIcon(doc: Document): boolean {
  return Array.from((doc.head ?? doc).querySelectorAll('link[rel][href]')).some((link) =>
    (link.getAttribute('rel') ?? '')
      .toLowerCase()
      .split(/\s+/)
      .some((r) => ICON_RELS.has(r)),
  );
}

/** Anchors and last path segments naming a contact page (an imprint names who to contact). */
const CONTACT_ANCHOR =
  /^(contact( us| me)?|get in touch|kontakt|impressum|imprint|contacto|contáctanos|contatti|contato|fale conosco|nous contacter|contactez-nous)$/i;
const CONTACT_PATH =
  /^(contact|contact[-_]?us|contact[-_]?me|kontakt|impressum|imprint|contacto|contatti|contato|nous-contacter|contactez-nous)$/i;
const ABOUT_ANCHOR =
  /^(about|about us|about me|who we are|our story|über uns|ueber uns|à propos|a propos|qui sommes-nous|quiénes somos|sobre nosotros|sobre nós|chi siamo|over ons)$/i;
const ABOUT_PATH =
  /^(about|about[-_]?us|about[-_]?me|who-we-are|our-story|ueber-uns|uber-uns|über-uns|a-propos|qui-sommes-nous|quienes-somos|sobre-nosotros|sobre-nos|chi-siamo|over-ons)$/i;

/** Every word the patterns above look for, in an anchor or a URL: most links fail this at once. */
const SITE_PAGE_HINT =
  /contact|about|kontakt|impressum|imprint|touch|our.story|who.we|propos|sommes|quién|quien|sobre|siamo|over.ons|ber.uns|conosco|cont[aá]t/i;

const siteOf = (host: string) => host.toLowerCase().replace(/^www\./, '');
const URL_PARTS = /^https?:\/\/(?:[^@/?#]*@)?([^:/?#]+)[^/?#]*([^?#]*)/i;

/** The host and last path segment (extension dropped) of an absolute http(s) URL. */
function hostAndLeaf(href: string): [string, string] | null {
  const m = URL_PARTS.exec(href);
  if (!m) return null;
  const segments = m[2]!.split('/').filter(Boolean);
  let leaf = segments[segments.length - 1] ?? '';
  try {
    leaf = decodeURIComponent(leaf);
  } catch {
    // A malformed escape: compare it as written.
  }
  return [siteOf(m[1]!), leaf.replace(/\.[a-z]{2,5}$/i, '')];
}

/**
 * Whether the page links to its own site's contact and about pages, told by the link's words
 * ("Contact us", "Impressum") or its path (/about-us, /kontakt). Own site: the same host, www
 * aside, or one a subdomain of the other (the PSL is not in the content script).
 */
export function siteLinks(
  pageUrl: string,
  links: Iterable<{ href: string; anchor: string }>,
): Pick<PageSignals, 'contactLinked' | 'aboutLinked'> {
  const page = hostAndLeaf(pageUrl)?.[0] ?? '';
  const ownSite = (host: string) =>
    host === page || host.endsWith(`.${page}`) || page.endsWith(`.${host}`);
  let contactLinked = false;
  let aboutLinked = false;
  for (const { href, anchor } of links) {
    if (!SITE_PAGE_HINT.test(anchor) && !SITE_PAGE_HINT.test(href)) continue;
    const parts = hostAndLeaf(href);
    if (!parts || !ownSite(parts[0])) continue;
    const words = anchor.trim();
    const [, leaf] = parts;
    contactLinked ||= CONTACT_ANCHOR.test(words) || CONTACT_PATH.test(leaf);
    aboutLinked ||= ABOUT_ANCHOR.test(words) || ABOUT_PATH.test(leaf);
    if (contactLinked && aboutLinked) break;
  }
  return { contactLinked, aboutLinked };
}

/** The page's on-page spam signals (core/types PageSignals), its links read already. */
export function pageSignals(
  doc: Document,
  links: Iterable<{ href: string; anchor: string }>,
): PageSignals {
  return {
    words: countWords(doc),
    descriptionLength: descriptionLength(doc),
    favicon: declaresIcon(doc),
    ...siteLinks(doc.URL, links),
  };
}
