/**
 * Benchmark 1: link extraction on a huge page. extractPage resolves each link's region with
 * a resolver memoized per element; the baseline is the obvious extractor that asks every link
 * `closest(<landmarks>)` and walks its ancestors' id/class for comment hints, remembering
 * nothing between links.
 */
import { PropertySymbol, Window } from 'happy-dom';
import { DEFAULT_EXTRACT_OPTIONS, extractPage } from '../../src/core/extract';
import type { LinkRegion, PageSnapshot, RawLink } from '../../src/core/types';
import { check, heading, info, measure, pick, printTable, seededRandom, step } from './measure';

const PAGE_URL = 'https://www.example-news.com/2024/05/the-big-roundup';
const TOTAL_LINKS = 20_000;

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

export function buildDocumentHtml(): string {
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
    for (let done = 0; done < section.links;) {
      parts.push(section.block.join(''));
      for (let i = 0; i < section.perBlock && done < section.links; i++, done++) {
        const rel = section.rel && random() < 0.5 ? ` rel="${section.rel}"` : '';
        parts.push(
          `${section.item.join('')}<a href="${href()}"${rel}>${anchor()}</a>${close(section.item)}`,
        );
      }
      parts.push(close(section.block));
    }
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
function naiveExtract(doc: Document, { regions = true } = {}): PageSnapshot {
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
    links.push({
      href: url.href,
      anchor: text || squash(el.querySelector('img[alt]')?.getAttribute('alt') ?? '', 200),
      rel: [...new Set(rel)],
      region: regions ? naiveRegion(el) : 'other',
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

// ---------------------------------------------------------------------------------------------

/**
 * happy-dom memoizes querySelector(All), matches() (so closest()) and tag lookups per node
 * until the DOM changes. A content script reads each page once, so every repetition starts
 * from cold caches, as on a freshly parsed page; otherwise the naive side would be served
 * from happy-dom's own memo after the first run. (Untimed: done in setup.)
 */
function coldCaches(doc: Document): void {
  const clear = (node: Node) => {
    (node as unknown as Record<symbol, () => void>)[PropertySymbol.clearCache]?.();
    for (let child = node.firstChild; child; child = child.nextSibling) clear(child);
  };
  clear(doc);
}

export async function runExtraction(): Promise<void> {
  heading(
    'extraction',
    `extractPage on a ${TOTAL_LINKS.toLocaleString('en')}-link page (happy-dom), maxLinks raised to ${TOTAL_LINKS}, ` +
      `vs a naive extractor\n(per-link closest(<landmarks>) + id/class ancestor walk, no memo).\n` +
      'happy-dom query caches are cleared before every run, as on a freshly parsed page.',
  );
  const html = buildDocumentHtml();
  const window = new Window({ url: PAGE_URL });
  try {
    const doc = window.document as unknown as Document;
    await step(`parse ${(html.length / 1e6).toFixed(1)} MB of HTML (untimed)`, () =>
      doc.write(html),
    );
    const depths = Array.from(doc.querySelectorAll('a[href]')).map((a) => {
      let d = 0;
      for (let el: Element | null = a; el; el = el.parentElement) d++;
      return d;
    });
    info(
      `${depths.length} <a href> elements, depth ${Math.min(...depths)}–${Math.max(...depths)} (html = 1)`,
    );

    const options = { ...DEFAULT_EXTRACT_OPTIONS, maxLinks: TOTAL_LINKS };
    const fast = extractPage(doc, options);
    coldCaches(doc);
    const slow = naiveExtract(doc);
    const counts: Record<string, number> = {};
    for (const l of fast.links) counts[l.region] = (counts[l.region] ?? 0) + 1;
    info(
      `regions: ${Object.entries(counts)
        .map(([r, c]) => `${r} ${c}`)
        .join(', ')}`,
    );
    check(
      'both extractors keep the same links',
      fast.links.length === slow.links.length &&
        fast.links.every((l, i) => l.href === slow.links[i]?.href),
      `${fast.links.length} vs ${slow.links.length} of ${fast.totalLinks}, truncated: ${fast.truncated}`,
    );
    const agree = fast.links.filter((l, i) => l.region === slow.links[i]?.region).length;
    check(
      'both extractors find the same regions',
      agree === fast.links.length,
      `${agree}/${fast.links.length}`,
    );
    const facts = (s: PageSnapshot) =>
      JSON.stringify([s.title, s.canonical, s.lang, s.robots, s.totalLinks]);
    check('both extractors read the same page facts', facts(fast) === facts(slow), facts(fast));

    const repeat = { warmup: 1, reps: 5, setup: () => coldCaches(doc) };
    const baseline = await measure(
      'naive extractor (closest + walk)',
      () => naiveExtract(doc),
      repeat,
    );
    const floor = await measure(
      'naive extractor, regions skipped',
      () => naiveExtract(doc, { regions: false }),
      repeat,
    );
    const memo = await measure(
      'extractPage (memoized regions)',
      () => extractPage(doc, options),
      repeat,
    );
    const rows = [baseline, floor, memo];
    for (const row of rows) row.extra = (fast.links.length / row.median).toFixed(1);
    printTable(rows, baseline, { extraHeader: 'links/ms' });
    info(
      `region resolution is ~${(baseline.median - floor.median).toFixed(0)} ms of the naive ` +
        `extractor's ${baseline.median.toFixed(0)} ms (baseline minus the regions-skipped row).`,
    );
  } finally {
    await window.happyDOM.close();
  }
}
