/**
 * The huge page both extraction benchmarks read (happy-dom in Node, and real Chromium), and
 * the baseline extractor they compare extractPage with. No DOM library here: it runs in both.
 */
import type { LinkRegion, PageSnapshot, RawLink } from '../../src/core/types';
import { pick, seededRandom } from './random';
import { foldedOf } from '../../src/core/occurrences';

export const PAGE_URL = 'https://www.example-news.com/2024/05/the-big-roundup';
export const TOTAL_LINKS = 20_000;

// ---------------------------------------------------------------------------------------------
// The document: a news/blog page blown up to 20,000 links. Each section sits under a few layout
// wrappers, and each link under a card/list/item chain, so links are 11–15 elements deep.

interface SectionSpec {
  /** Opening tags from the section element down, closed in reverse. */
  open: string[];
  links: number;
  /** Wrappers of each block of links (a card, a comment, a paragraph). */
  block: string[];
  perBlock: number;
  /** Wrappers of each link inside a block. */
  item: string[];
  rel?: string;
}

const tagName = (open: string) => /^<([a-z0-9]+)/.exec(open)![1]!;
const close = (opens: readonly string[]) =>
  [...opens]
    .reverse()
    .map((o) => `</${tagName(o)}>`)
    .join('');

const SECTIONS: SectionSpec[] = [
  {
    // Mega menu: nav > ul > li > div.panel > div.col > ul > li > a
    open: ['<header class="site-header">', '<div class="container">', '<nav class="primary-menu">'],
    links: 2_000,
    block: ['<ul class="menu">', '<li class="menu-item has-children">', '<div class="mega-panel">'],
    perBlock: 20,
    item: ['<div class="mega-col">', '<ul class="sub-menu">', '<li class="menu-item">'],
  },
  {
    // Header utility links (no nav): header > div > div.row > div.col > ul > li > span > a
    open: [
      '<div class="top-strip">',
      '<header role="banner" class="masthead">',
      '<div class="row">',
    ],
    links: 500,
    block: ['<div class="col">', '<ul class="utility">'],
    perBlock: 10,
    item: ['<li>', '<span class="label">'],
  },
  {
    // Breadcrumbs / section tabs via role=navigation
    open: [
      '<div class="subnav-wrap">',
      '<div class="container">',
      '<div role="navigation" class="tabs">',
    ],
    links: 500,
    block: ['<ol class="breadcrumbs">'],
    perBlock: 25,
    item: ['<li class="crumb">', '<span>'],
  },
  {
    // The article body: main > article > div.entry > section > div > p > span > a
    open: [
      '<div class="layout">',
      '<main id="content" class="site-main">',
      '<article class="post">',
      '<div class="entry-content">',
    ],
    links: 8_500,
    block: ['<section class="chapter">', '<div class="prose">', '<div class="para-group">'],
    perBlock: 15,
    item: ['<p>', '<span class="ref">', '<em>'],
  },
  {
    // Sidebar widgets: aside > div.widget > div.body > ul > li > div > a
    open: ['<div class="layout">', '<div class="sidebar-wrap">', '<aside class="sidebar">'],
    links: 2_000,
    block: ['<div class="widget">', '<div class="widget-body">', '<ul class="widget-list">'],
    perBlock: 20,
    item: ['<li class="widget-item">', '<div class="entry">'],
    rel: 'sponsored',
  },
  {
    // Related posts in role=complementary
    open: ['<div class="layout">', '<div role="complementary" class="related">'],
    links: 500,
    block: ['<div class="grid">', '<div class="card">', '<div class="card-body">'],
    perBlock: 4,
    item: ['<h4 class="card-title">', '<span>'],
  },
  {
    // Comments (inside nothing landmark-ish): div#comments > ol > li > div > div > p > a
    open: [
      '<div class="layout">',
      '<div class="below-post">',
      '<div id="comments" class="comments-area">',
    ],
    links: 1_500,
    block: [
      '<ol class="comment-list">',
      '<li class="thread">',
      '<div class="comment-body">',
      '<div class="comment-content">',
    ],
    perBlock: 6,
    item: ['<p>', '<span class="text">'],
    rel: 'nofollow ugc',
  },
  {
    // WordPress-style comments, one <article class="comment"> each, below the post in <main>
    open: ['<div class="layout">', '<main class="site-main">', '<section class="discussion">'],
    links: 1_500,
    block: ['<ol class="thread-list">', '<li class="depth-1">', '<article class="comment">'],
    perBlock: 5,
    item: ['<div class="body">', '<div class="text">', '<p>'],
    rel: 'ugc',
  },
  {
    // Promotions with no landmark at all: region "other"
    open: ['<div class="promo-band">', '<div class="container">', '<div class="promo-grid">'],
    links: 1_000,
    block: ['<div class="promo">', '<div class="promo-inner">', '<ul class="promo-links">'],
    perBlock: 10,
    item: ['<li>', '<div class="tile">', '<span class="tile-text">'],
  },
  {
    // Footer: footer > div > div.row > div.col > ul > li > a
    open: [
      '<footer class="site-footer">',
      '<div class="container">',
      '<div class="footer-widgets">',
    ],
    links: 2_000,
    block: ['<div class="row">', '<div class="col">', '<ul class="footer-links">'],
    perBlock: 25,
    item: ['<li class="footer-item">', '<span>'],
  },
];

const WORDS =
  'coffee brewing guide review best budget espresso grinder roast beans water filter kettle pour over travel recipe latte history'.split(
    ' ',
  );

/** The shadow-root variant: this many open shadow roots hold a quarter of the links. */
export const SHADOW_ROOTS = 50;
/** Of SHADOW_ROOTS, how many sit one level down, inside another host's shadow tree. */
export const NESTED_SHADOW_ROOTS = 5;
const SHADOW_LINK_SHARE = 0.25;

/** A run of blocks of one section moved into a shadow host (a web component's tree). */
interface ShadowHost {
  /** Index of the section's first block inside the host, and how many blocks it holds. */
  start: number;
  blocks: number;
  /** From this block on, the blocks sit in a second host inside the first one's tree. */
  nestedFrom: number | null;
}

/**
 * Where the hosts go: in every section in proportion to its links (largest remainder, so the
 * counts add up), spread evenly over its blocks, each holding about the same number of links.
 * Every few hosts holds a nested one, so a share of the links is two shadow roots deep.
 */
function planShadowHosts(): Map<SectionSpec, ShadowHost[]> {
  const outer = SHADOW_ROOTS - NESTED_SHADOW_ROOTS;
  const linksPerHost = (TOTAL_LINKS * SHADOW_LINK_SHARE) / outer;
  const exact = SECTIONS.map((section) => (section.links / TOTAL_LINKS) * outer);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((_e, i) => i).sort((a, b) => (exact[b]! % 1) - (exact[a]! % 1));
  let missing = outer - counts.reduce((a, b) => a + b, 0);
  for (const i of byRemainder) if (missing-- > 0) counts[i]! += 1;
  const nestEvery = Math.max(1, Math.floor(outer / NESTED_SHADOW_ROOTS));
  let index = 0;
  let nested = 0;
  const plan = new Map<SectionSpec, ShadowHost[]>();
  SECTIONS.forEach((section, s) => {
    const blocks = Math.ceil(section.links / section.perBlock);
    const hosts = counts[s]!;
    const size = Math.max(
      2,
      Math.min(
        Math.round(linksPerHost / section.perBlock),
        Math.floor(blocks / Math.max(1, hosts)),
      ),
    );
    const list: ShadowHost[] = [];
    for (let h = 0; h < hosts; h++, index++) {
      const start = Math.floor((h * blocks) / hosts);
      const nest = index % nestEvery === 0 && nested < NESTED_SHADOW_ROOTS;
      if (nest) nested++;
      list.push({ start, blocks: size, nestedFrom: nest ? start + Math.ceil(size / 2) : null });
    }
    plan.set(section, list);
  });
  return plan;
}

// Declarative shadow DOM: the parser attaches an open shadow root to the host from the
// template (https://html.spec.whatwg.org/multipage/scripting.html#attr-template-shadowrootmode),
// as server-rendered web components do; no script needed, so both pages parse the same way.
const HOST_OPEN = '<link-panel><template shadowrootmode="open">';
const NESTED_HOST_OPEN = '<link-panel class="nested"><template shadowrootmode="open">';
const HOST_CLOSE = '</template></link-panel>';

export interface DocumentOptions {
  /**
   * Move about a quarter of the links into SHADOW_ROOTS open shadow roots, under the same
   * landmarks. The links (targets, anchors, rel, order) are the same as on the plain page.
   */
  shadowRoots?: boolean;
}

export function buildDocumentHtml({ shadowRoots = false }: DocumentOptions = {}): string {
  const hostPlan = shadowRoots ? planShadowHosts() : new Map<SectionSpec, ShadowHost[]>();
  const random = seededRandom(20_000);
  let n = 0;
  const href = () => {
    n++;
    const r = random();
    if (r < 0.02) return '#section-' + n; // same-document: skipped by both extractors
    if (r < 0.35) return `/category/${pick(random, WORDS)}/${n}`;
    if (r < 0.45) return `../archive/${n}.html?utm_source=x`;
    return `https://www.site${Math.floor(random() * 900)}.com/${pick(random, WORDS)}/${n}`;
  };
  const anchor = () => {
    if (random() < 0.05) return `<img src="/i/${n}.png" alt="${pick(random, WORDS)} photo">`;
    return `${pick(random, WORDS)}\n      ${pick(random, WORDS)} ${pick(random, WORDS)}`;
  };
  const parts: string[] = [
    '<!doctype html><html lang="en"><head><title>The big roundup</title>',
    // happy-dom caches a found <base> but re-walks the whole tree (and grows a per-element
    // cache list) on every doc.baseURI read when there is none: a test-DOM cost, not the
    // extractor's, that would swamp both sides. Real pages often have one anyway.
    '<base href="https://www.example-news.com/2024/05/">',
    '<meta name="robots" content="index, follow">',
    `<link rel="canonical" href="${PAGE_URL}"></head>`,
    '<body class="single"><div id="page" class="site"><div class="site-inner">',
  ];
  for (const section of SECTIONS) {
    parts.push(section.open.join(''));
    const hosts = hostPlan.get(section) ?? [];
    let openHosts = 0;
    let current: ShadowHost | undefined;
    for (let done = 0, block = 0; done < section.links; block++) {
      const host = hosts.find((h) => h.start === block);
      if (host) {
        current = host;
        parts.push(HOST_OPEN);
        openHosts = 1;
      }
      if (current && current.nestedFrom === block) {
        parts.push(NESTED_HOST_OPEN);
        openHosts = 2;
      }
      parts.push(section.block.join(''));
      for (let i = 0; i < section.perBlock && done < section.links; i++, done++) {
        const rel = section.rel && random() < 0.5 ? ` rel="${section.rel}"` : '';
        parts.push(
          `${section.item.join('')}<a href="${href()}"${rel}>${anchor()}</a>${close(section.item)}`,
        );
      }
      parts.push(close(section.block));
      if (current && block === current.start + current.blocks - 1) {
        parts.push(HOST_CLOSE.repeat(openHosts));
        openHosts = 0;
        current = undefined;
      }
    }
    if (openHosts > 0) parts.push(HOST_CLOSE.repeat(openHosts));
    parts.push(close(section.open));
  }
  parts.push('</div></div></body></html>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The baseline: a straightforward extractor with no memo.

const LANDMARKS = [
  'nav',
  'aside',
  'header',
  'footer',
  'main',
  'article',
  '[role="navigation"]',
  '[role="complementary"]',
  '[role="banner"]',
  '[role="contentinfo"]',
  '[role="main"]',
  '[role="article"]',
].join(', ');

const TAG_REGIONS: Record<string, LinkRegion> = {
  nav: 'nav',
  aside: 'aside',
  header: 'header',
  footer: 'footer',
  main: 'main',
  article: 'main',
};
const ROLE_REGIONS: Record<string, LinkRegion> = {
  navigation: 'nav',
  complementary: 'aside',
  banner: 'header',
  contentinfo: 'footer',
  main: 'main',
  article: 'main',
};
const COMMENT_HINT = /comment|disqus|replies/i;

const commentish = (el: Element) => COMMENT_HINT.test(`${el.id} ${el.getAttribute('class') ?? ''}`);

function naiveRegion(link: Element): LinkRegion {
  const landmark = link.closest(LANDMARKS);
  // A comment container nearer than the landmark wins.
  for (let el: Element | null = link; el && el !== landmark; el = el.parentElement) {
    if (commentish(el)) return 'comments';
  }
  if (!landmark) return 'other';
  const byTag = TAG_REGIONS[landmark.localName];
  // <article class="comment">: one comment of a comment system, not the main content.
  if (byTag === 'main' && landmark.localName === 'article' && commentish(landmark)) {
    return 'comments';
  }
  return byTag ?? ROLE_REGIONS[landmark.getAttribute('role') ?? ''] ?? 'other';
}

const squash = (text: string, max: number) => text.replace(/\s+/g, ' ').trim().slice(0, max);

/**
 * The same snapshot as extractPage, written the obvious way: per-link region lookups with
 * nothing remembered between links. The page-level reads (title, canonical, robots) use the
 * same queries as extractPage so that the two differ in per-link work only.
 * `regions: false` leaves every region 'other': the cost of everything but regions.
 */
export function naiveExtract(doc: Document, { regions = true } = {}): PageSnapshot {
  const base = doc.baseURI || doc.URL;
  const self = doc.URL.split('#')[0];
  const links: RawLink[] = [];
  const anchors = Array.from(doc.querySelectorAll('a[href], area[href]'));
  for (const el of anchors) {
    const raw = (el.getAttribute('href') ?? '').trim();
    if (!raw || raw.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    if (url.hash && url.href.split('#')[0] === self) continue;
    const text = squash(el.textContent ?? '', 200);
    const rel = (el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const region = regions ? naiveRegion(el) : 'other';
    links.push({
      href: url.href,
      anchor: text || squash(el.querySelector('img[alt]')?.getAttribute('alt') ?? '', 200),
      ...foldedOf({ rel: [...new Set(rel)], region }),
    });
  }
  const robots = { noindex: false, nofollow: false };
  for (const meta of Array.from(doc.querySelectorAll('meta[name]'))) {
    if (meta.getAttribute('name')?.toLowerCase() !== 'robots') continue;
    const tokens = (meta.getAttribute('content') ?? '').toLowerCase().split(/[\s,]+/);
    robots.noindex ||= tokens.includes('noindex') || tokens.includes('none');
    robots.nofollow ||= tokens.includes('nofollow') || tokens.includes('none');
  }
  const canonicalEl = Array.from(doc.querySelectorAll('link[rel][href]')).find((l) =>
    (l.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('canonical'),
  );
  return {
    url: doc.URL,
    title: squash(doc.title ?? '', 300),
    canonical: canonicalEl ? new URL(canonicalEl.getAttribute('href') ?? '', base).href : null,
    lang: (doc.documentElement?.getAttribute('lang') ?? '').slice(0, 35),
    robots,
    links,
    totalLinks: anchors.length,
    truncated: false,
  };
}
