// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { Window } from 'happy-dom';
import { DEFAULT_EXTRACT_OPTIONS, extractPage, type ExtractOptions } from '../../src/core/extract';

const PAGE_URL = 'https://example.com/dir/page?x=1';

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

/** A document at `url` (an http URL, so doc.URL and baseURI are real) with the given markup. */
function docFrom(body: string, { url = PAGE_URL, head = '', lang = '' } = {}): Document {
  const window = new Window({ url });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.write(
    `<!doctype html><html${lang ? ` lang="${lang}"` : ''}><head>${head}</head><body>${body}</body></html>`,
  );
  return doc;
}

function extract(
  body: string,
  opts: Parameters<typeof docFrom>[1] = {},
  options?: Partial<ExtractOptions>,
) {
  return extractPage(docFrom(body, opts), { ...DEFAULT_EXTRACT_OPTIONS, ...options });
}

const hrefs = (body: string, opts: Parameters<typeof docFrom>[1] = {}) =>
  extract(body, opts).links.map((l) => l.href);

describe('extractPage: test document sanity', () => {
  it('has an http URL and base', () => {
    const doc = docFrom('');
    expect(doc.URL).toBe(PAGE_URL);
    expect(doc.baseURI).toBe(PAGE_URL);
  });
});

describe('extractPage: hrefs', () => {
  it('resolves relative hrefs against the page URL', () => {
    expect(
      hrefs(
        '<a href="other">1</a><a href="/root?q=1">2</a><a href="../up">3</a><a href="//cdn.example.org/x">4</a><a href="?y=2">5</a>',
      ),
    ).toEqual([
      'https://example.com/dir/other',
      'https://example.com/root?q=1',
      'https://example.com/up',
      'https://cdn.example.org/x',
      'https://example.com/dir/page?y=2',
    ]);
  });

  it('resolves relative hrefs against <base href>', () => {
    const snap = extract('<a href="a.html">A</a><a href="/b">B</a>', {
      head: '<base href="https://static.example.org/sub/">',
    });
    expect(snap.links.map((l) => l.href)).toEqual([
      'https://static.example.org/sub/a.html',
      'https://static.example.org/b',
    ]);
    // The snapshot's own URL is still the document's.
    expect(snap.url).toBe(PAGE_URL);
  });

  it("keeps absolute hrefs as they are (canonicalization is the store's job), trimming whitespace", () => {
    expect(hrefs('<a href="  https://other.example/a?utm_source=x#f  ">x</a>')).toEqual([
      'https://other.example/a?utm_source=x#f',
    ]);
  });

  it('includes <area href> links and ignores <a> without href', () => {
    expect(
      hrefs(
        '<a name="anchor">no href</a><map name="m"><area href="/area-target" alt="Area"></map>',
      ),
    ).toEqual(['https://example.com/area-target']);
  });

  it('skips non-http schemes', () => {
    expect(
      hrefs(
        [
          '<a href="javascript:void(0)">js</a>',
          '<a href=" JavaScript:alert(1)">js2</a>',
          '<a href="mailto:me@example.com">mail</a>',
          '<a href="tel:+123">tel</a>',
          '<a href="data:text/html,hi">data</a>',
          '<a href="ftp://example.com/f">ftp</a>',
          '<a href="https://kept.example/">kept</a>',
        ].join(''),
      ),
    ).toEqual(['https://kept.example/']);
  });

  it('skips fragment-only and same-document fragment links, keeps other documents with fragments', () => {
    expect(
      hrefs(
        [
          '<a href="#top">top</a>',
          '<a href="#">hash</a>',
          '<a href="">empty</a>',
          '<a href="   ">blank</a>',
          `<a href="${PAGE_URL}#section">same doc</a>`,
          '<a href="?x=1#section">same doc, relative</a>',
          '<a href="?x=2#section">other query</a>',
          '<a href="https://other.example/#frag">other doc</a>',
        ].join(''),
      ),
    ).toEqual(['https://example.com/dir/page?x=2#section', 'https://other.example/#frag']);
  });

  it('treats a link as same-document even when the page URL itself has a fragment', () => {
    expect(hrefs(`<a href="${PAGE_URL}#b">b</a>`, { url: `${PAGE_URL}#a` })).toEqual([]);
  });

  it('keeps a link to the same page without a fragment (the store drops self-links later)', () => {
    expect(hrefs(`<a href="${PAGE_URL}">reload</a><a href="/dir/page?x=1">again</a>`)).toEqual([
      PAGE_URL,
      PAGE_URL,
    ]);
  });
});

describe('extractPage: anchor text', () => {
  it('collapses whitespace across nested elements', () => {
    const [link] = extract('<a href="/a">\n  Read   <b>the\t\tfull</b>\n\n story  </a>').links;
    expect(link?.anchor).toBe('Read the full story');
  });

  it('drops bidirectional overrides from anchors, alts and the title (no reversed "exe.png")', () => {
    const snap = extract(
      '<a href="/a">invoice\u202egnp.exe</a><a href="/b"><img alt="\u2067logo\u2069"></a>',
      { head: '<title>Report \u202dX\u202c</title>' },
    );
    expect(snap.links.map((l) => l.anchor)).toEqual(['invoicegnp.exe', 'logo']);
    expect(snap.title).toBe('Report X');
  });

  it('caps long anchors at maxAnchorLength with an ellipsis', () => {
    const snap = extract(
      `<a href="/a">${'abcdefghij'.repeat(3)}</a><a href="/b">short</a>`,
      {},
      {
        maxAnchorLength: 10,
      },
    );
    expect(snap.links[0]?.anchor).toBe('abcdefghi…');
    expect(snap.links[0]?.anchor).toHaveLength(10);
    expect(snap.links[1]?.anchor).toBe('short');
  });

  it('caps a huge anchor to the default maximum', () => {
    const [link] = extract(`<a href="/a">${'word '.repeat(100_000)}</a>`).links;
    expect(link?.anchor.length).toBe(DEFAULT_EXTRACT_OPTIONS.maxAnchorLength);
    expect(link?.anchor.endsWith('…')).toBe(true);
  });

  it('finds the text even after a long run of leading whitespace (deeply indented markup)', () => {
    const indent = '\n' + ' '.repeat(2000);
    const [link] = extract(
      `<a href="/a">${indent}<span>${indent}Visible text${indent}</span></a>`,
    ).links;
    expect(link?.anchor).toBe('Visible text');
  });

  it('keeps words on both sides of a long whitespace run, and caps exactly', () => {
    const gap = ' '.repeat(5000);
    const snap = extract(
      `<a href="/a">Read${gap}more</a><a href="/b">abcd${gap}efghi${gap}</a><a href="/c">abcd${gap}efghij</a>`,
      {},
      { maxAnchorLength: 10 },
    );
    expect(snap.links.map((l) => l.anchor)).toEqual(['Read more', 'abcd efghi', 'abcd efgh…']);
  });

  it('uses the image alt when the link wraps only an image', () => {
    const [link] = extract(
      '<a href="/a">\n  <img src="/logo.png" alt="  Company   logo ">\n</a>',
    ).links;
    expect(link?.anchor).toBe('Company logo');
  });

  it('prefers visible text over the image alt', () => {
    const [link] = extract('<a href="/a"><img src="/i.png" alt="icon"> Home</a>').links;
    expect(link?.anchor).toBe('Home');
  });

  it('falls back to aria-label, then title', () => {
    const snap = extract(
      [
        '<a href="/a" aria-label="Open  settings" title="ignored"><svg></svg></a>',
        '<a href="/b" title="Just a title"></a>',
        '<a href="/c"><img src="/x.png" alt=""></a>',
      ].join(''),
    );
    expect(snap.links.map((l) => l.anchor)).toEqual(['Open settings', 'Just a title', '']);
  });
});

describe('extractPage: rel', () => {
  it('lowercases and deduplicates rel tokens', () => {
    const [link] = extract('<a href="/a" rel=" NoFollow  UGC nofollow\tExternal ">x</a>').links;
    expect(link?.rel).toEqual(['nofollow', 'ugc', 'external']);
  });

  it('gives an empty list without rel, and keeps at most 8 tokens', () => {
    const snap = extract('<a href="/a">x</a><a href="/b" rel="a b c d e f g h i j">y</a>');
    expect(snap.links[0]?.rel).toEqual([]);
    expect(snap.links[1]?.rel).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('extractPage: regions', () => {
  const regionOf = (body: string) => extract(body).links.map((l) => [l.anchor, l.region]);

  it('takes an <article> marked up as a comment for a comment, not main content', () => {
    expect(
      regionOf(
        '<main><article class="comment"><a href="/1">in a comment</a></article>' +
          '<article id="post"><a href="/2">in the post</a></article></main>',
      ),
    ).toEqual([
      ['in a comment', 'comments'],
      ['in the post', 'main'],
    ]);
  });

  it('classifies links by landmark element', () => {
    expect(
      regionOf(
        [
          '<header><a href="/1">header</a></header>',
          '<nav><ul><li><a href="/2">nav</a></li></ul></nav>',
          '<main><p><a href="/3">main</a></p></main>',
          '<article><a href="/4">article</a></article>',
          '<aside><a href="/5">aside</a></aside>',
          '<footer><a href="/6">footer</a></footer>',
          '<div><p><a href="/7">other</a></p></div>',
          '<a href="/8">body</a>',
        ].join(''),
      ),
    ).toEqual([
      ['header', 'header'],
      ['nav', 'nav'],
      ['main', 'main'],
      ['article', 'main'],
      ['aside', 'aside'],
      ['footer', 'footer'],
      ['other', 'other'],
      ['body', 'other'],
    ]);
  });

  it('classifies links by ARIA role', () => {
    expect(
      regionOf(
        [
          '<div role="navigation"><a href="/1">nav</a></div>',
          '<div role="banner"><a href="/2">header</a></div>',
          '<div role="contentinfo"><a href="/3">footer</a></div>',
          '<div role="complementary"><a href="/4">aside</a></div>',
          '<div role="main"><a href="/5">main</a></div>',
          '<div role="article"><a href="/6">article</a></div>',
          '<div role="presentation"><a href="/7">other</a></div>',
        ].join(''),
      ),
    ).toEqual([
      ['nav', 'nav'],
      ['header', 'header'],
      ['footer', 'footer'],
      ['aside', 'aside'],
      ['main', 'main'],
      ['article', 'main'],
      ['other', 'other'],
    ]);
  });

  it('detects comment sections by id or class', () => {
    expect(
      regionOf(
        [
          '<main><section id="comments"><a href="/1">by id</a></section>',
          '<div class="post-Comment-body"><a href="/2">by class</a></div>',
          '<div id="disqus_thread"><a href="/3">disqus</a></div>',
          '<ol class="replies"><li><a href="/4">replies</a></li></ol>',
          '<div class="content"><a href="/5">plain</a></div></main>',
        ].join(''),
      ),
    ).toEqual([
      ['by id', 'comments'],
      ['by class', 'comments'],
      ['disqus', 'comments'],
      ['replies', 'comments'],
      ['plain', 'main'],
    ]);
  });

  it('lets the nearest landmark win', () => {
    expect(
      regionOf(
        [
          '<main><nav><a href="/1">nav in main</a></nav><a href="/2">main</a></main>',
          // An <article> inside an aside is a card of it, not the page's main content.
          '<aside><article><a href="/3">card in aside</a></article></aside>',
          '<footer><div id="comments"><a href="/4">comments in footer</a></div><a href="/5">footer</a></footer>',
          '<div class="comments"><header><a href="/6">header in comments</a></header></div>',
          '<article><aside><div><a href="/7">aside in article</a></div></aside></article>',
        ].join(''),
      ),
    ).toEqual([
      ['nav in main', 'nav'],
      ['main', 'main'],
      ['card in aside', 'aside'],
      ['comments in footer', 'comments'],
      ['footer', 'footer'],
      ['header in comments', 'header'],
      ['aside in article', 'aside'],
    ]);
  });

  it('gives the same answer for many links sharing ancestors (memoized walk)', () => {
    const items = Array.from({ length: 50 }, (_, i) => `<li><a href="/n${i}">n${i}</a></li>`).join(
      '',
    );
    const body = `<div><nav><ul>${items}</ul></nav><div><ul>${items.replace(/\/n/g, '/o')}</ul></div></div>`;
    const regions = extract(body).links.map((l) => l.region);
    expect(regions).toEqual([...Array(50).fill('nav'), ...Array(50).fill('other')]);
  });
});

describe('extractPage: page facts', () => {
  it('reads title (collapsed and capped), lang and canonical', () => {
    const snap = extract('', {
      lang: 'de-CH',
      head: '<title>  Hello \n  world  </title><link rel="Canonical" href="/canonical-page?a=1">',
    });
    expect(snap.title).toBe('Hello world');
    expect(snap.lang).toBe('de-CH');
    expect(snap.canonical).toBe('https://example.com/canonical-page?a=1');
  });

  it('caps the title at maxTitleLength and lang at 35 characters', () => {
    const snap = extract(
      '',
      { lang: 'x'.repeat(100), head: `<title>${'t'.repeat(50)}</title>` },
      { maxTitleLength: 20 },
    );
    expect(snap.title).toBe(`${'t'.repeat(19)}…`);
    expect(snap.lang).toHaveLength(35);
  });

  it('resolves the canonical against <base> and accepts it among other rel tokens', () => {
    const snap = extract('', {
      head: '<base href="https://base.example/x/"><link rel="preload"  href="/p"><link rel="alternate canonical" href="c">',
    });
    expect(snap.canonical).toBe('https://base.example/x/c');
  });

  it('has no canonical when none is declared or it is not http(s)', () => {
    expect(extract('').canonical).toBeNull();
    expect(
      extract('', { head: '<link rel="canonical" href="javascript:alert(1)">' }).canonical,
    ).toBeNull();
  });

  it('has empty title and lang when the page declares none', () => {
    const snap = extract('');
    expect(snap.title).toBe('');
    expect(snap.lang).toBe('');
  });

  it.each([
    ['', { noindex: false, nofollow: false }],
    ['<meta name="robots" content="noindex">', { noindex: true, nofollow: false }],
    ['<meta name="robots" content="index, NOFOLLOW">', { noindex: false, nofollow: true }],
    ['<meta name="ROBOTS" content="noindex,nofollow">', { noindex: true, nofollow: true }],
    ['<meta name="robots" content="none">', { noindex: true, nofollow: true }],
    ['<meta name="googlebot" content="none">', { noindex: false, nofollow: false }],
    ['<meta name="robots" content="nofollowing noindexed">', { noindex: false, nofollow: false }],
    [
      '<meta name="robots" content="index"><meta name="robots" content="nofollow">',
      { noindex: false, nofollow: true },
    ],
  ])('robots from %j', (head, expected) => {
    expect(extract('', { head }).robots).toEqual(expected);
  });
});

describe('extractPage: caps', () => {
  const manyLinks = (n: number, prefix = 'p') =>
    Array.from({ length: n }, (_, i) => `<a href="/${prefix}${i}">link ${i}</a>`).join('');

  it('keeps maxLinks links of a bigger page and says it was truncated', () => {
    const snap = extract(manyLinks(1000), {}, { maxLinks: 100 });
    expect(snap.links).toHaveLength(100);
    expect(snap.links[0]?.href).toBe('https://example.com/p0');
    expect(snap.links[99]?.href).toBe('https://example.com/p99');
    expect(snap.truncated).toBe(true);
    expect(snap.totalLinks).toBe(1000);
  });

  it('is not truncated when the page has exactly maxLinks links', () => {
    const snap = extract(manyLinks(100), {}, { maxLinks: 100 });
    expect(snap.links).toHaveLength(100);
    expect(snap.truncated).toBe(false);
    expect(snap.totalLinks).toBe(100);
  });

  it('does not count skipped links against the cap', () => {
    const skipped = Array.from({ length: 50 }, (_, i) => `<a href="#s${i}">s</a>`).join('');
    const snap = extract(skipped + manyLinks(100), {}, { maxLinks: 100 });
    expect(snap.links).toHaveLength(100);
    expect(snap.truncated).toBe(false);
    expect(snap.totalLinks).toBe(150);
  });

  // happy-dom builds a 20,000-link page slowly on a busy machine: a generous timeout, no timing.
  it('completes on a page with 20,000 links with the default cap', { timeout: 30_000 }, () => {
    const snap = extract(`<main>${manyLinks(20_000)}</main>`);
    expect(snap.totalLinks).toBe(20_000);
    expect(snap.links).toHaveLength(DEFAULT_EXTRACT_OPTIONS.maxLinks);
    expect(snap.truncated).toBe(true);
    expect(snap.links.every((l) => l.region === 'main')).toBe(true);
  });
});

describe('extractPage: whitespace at the edges of an href', () => {
  it('strips what the URL parser strips (ASCII spaces, C0 controls) and keeps a trailing NBSP', () => {
    expect(hrefs('<a href="\t /a \n">x</a><a href="/b\u00A0">y</a>')).toEqual([
      'https://example.com/a',
      // The tab shows this page as /b%C2%A0: trimming the NBSP would key its links elsewhere.
      'https://example.com/b%C2%A0',
    ]);
  });
});

describe('extractPage: repeated links', () => {
  it('folds every occurrence of the same href and words into one link', () => {
    const snap = extract(
      '<nav><a href="/w">Widgets</a></nav><main><a href="/w">Widgets</a></main>' +
        '<div id="comments"><a href="/g" rel="nofollow">g</a></div><footer><a href="/g">g</a>' +
        '<a href="/w">Widgets</a></footer>',
    );
    expect(snap.links).toEqual([
      {
        href: 'https://example.com/w',
        anchor: 'Widgets',
        rel: [],
        region: 'main',
        regions: ['main', 'nav', 'footer'],
        rels: [],
        occurrences: 3,
        // The words around the best placed occurrence (main's).
        context: 'Widgets',
        image: false,
      },
      {
        href: 'https://example.com/g',
        anchor: 'g',
        rel: [],
        region: 'footer',
        regions: ['footer', 'comments'],
        rels: ['nofollow'],
        occurrences: 2,
        // As it reads on the page: the two links touch.
        context: 'gWidgets',
        image: false,
      },
    ]);
    expect(snap.totalLinks).toBe(5);
  });

  it('counts repeats against the cap: the cap bounds the work, not the distinct links', () => {
    const snap = extract(
      '<a href="/a">a</a>'.repeat(10) + '<a href="/b">b</a>',
      {},
      { maxLinks: 5 },
    );
    expect(snap.links).toEqual([
      expect.objectContaining({ href: 'https://example.com/a', occurrences: 5 }),
    ]);
    expect(snap.truncated).toBe(true);
  });
});

describe('extractPage: open shadow roots', () => {
  /** A document whose hosts get open shadow trees with the given markup, as components do. */
  function withShadows(
    body: string,
    shadows: Record<string, string>,
    mode: 'open' | 'closed' = 'open',
  ) {
    const doc = docFrom(body);
    for (const [selector, html] of Object.entries(shadows)) {
      for (const host of Array.from(doc.querySelectorAll(selector))) {
        const root = host.attachShadow({ mode });
        root.innerHTML = html;
        (host as Element & { testShadow?: ShadowRoot }).testShadow = root;
      }
    }
    return doc;
  }

  it('reads links inside shadow trees, after the light DOM, with the region of the host', () => {
    const doc = withShadows(
      '<main><x-card></x-card><a href="/light">light</a></main><footer><x-links></x-links></footer>',
      {
        'x-card': '<p><a href="/in-card">card</a></p>',
        'x-links': '<a href="/in-footer">footer link</a>',
      },
    );
    expect(extractPage(doc).links.map((l) => [l.href, l.region])).toEqual([
      ['https://example.com/light', 'main'],
      ['https://example.com/in-card', 'main'],
      ['https://example.com/in-footer', 'footer'],
    ]);
  });

  it('reads nested shadow trees, where a landmark inside the tree wins', () => {
    const doc = withShadows('<aside><x-outer></x-outer></aside>', {
      'x-outer': '<nav><x-inner></x-inner></nav><a href="/outer">outer</a>',
    });
    const inner = (doc.querySelector('x-outer') as Element & { testShadow: ShadowRoot }).testShadow
      .querySelector('x-inner')!
      .attachShadow({ mode: 'open' });
    inner.innerHTML = '<a href="/inner">inner</a>';
    const links = extractPage(doc).links.map((l) => [l.href, l.region]);
    expect(links).toHaveLength(2);
    expect(links).toEqual(
      expect.arrayContaining([
        ['https://example.com/outer', 'aside'],
        ['https://example.com/inner', 'nav'],
      ]),
    );
  });

  it('cannot read closed shadow trees (nor can anyone else on the page)', () => {
    const doc = withShadows(
      '<main><x-card></x-card></main>',
      { 'x-card': '<a href="/x">x</a>' },
      'closed',
    );
    expect(extractPage(doc).links).toEqual([]);
  });

  it('counts shadow links in the total and against the cap', () => {
    const doc = withShadows('<a href="/1">1</a><x-card></x-card>', {
      'x-card': '<a href="/2">2</a><a href="/3">3</a>',
    });
    const snap = extractPage(doc, { ...DEFAULT_EXTRACT_OPTIONS, maxLinks: 2 });
    expect(snap.links.map((l) => l.href)).toEqual([
      'https://example.com/1',
      'https://example.com/2',
    ]);
    expect(snap.totalLinks).toBe(3);
    expect(snap.truncated).toBe(true);
  });
});
