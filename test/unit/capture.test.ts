// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { Window } from 'happy-dom';
import { DEFAULT_EXTRACT_OPTIONS, extractPage } from '../../src/core/extract';
import {
  CONTEXT_WORDS,
  MAX_CONTEXT_LENGTH,
  MAX_COUNTED_WORDS,
  MAX_DESCRIPTION_LENGTH,
  pageTerms,
  siteLinks,
  TERM_WEIGHTS,
} from '../../src/core/capture';
import { MAX_PAGE_TERMS } from '../../src/core/terms';

const PAGE_URL = 'https://www.example.com/blog/post';

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

function docFrom(body: string, head = '<title>Post</title>', url = PAGE_URL): Document {
  const window = new Window({ url });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.write(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
  return doc;
}

const linksOf = (body: string, head?: string) =>
  extractPage(docFrom(body, head), { ...DEFAULT_EXTRACT_OPTIONS, maxLinks: 100_000 }).links;
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `w${from + i}`).join(' ');

describe('link context', () => {
  it('keeps the words around a link in its paragraph, its own words between', () => {
    const [link] = linksOf(
      '<p>We tried every grinder in the shop, and for a first one our pick is ' +
        '<a href="/g">the Baratza <em>Encore</em></a>: consistent, quiet and cheap to fix.</p>',
    );
    expect(link?.context).toBe(
      'grinder in the shop, and for a first one our pick is ' +
        'the Baratza Encore: consistent, quiet and cheap to fix.',
    );
    expect(link?.image).toBe(false);
  });

  it('takes at most CONTEXT_WORDS words on each side, never a piece of a word', () => {
    const [link] = linksOf(`<p>${numbered(1, 30)} <a href="/x">link</a> ${numbered(31, 60)}</p>`);
    expect(link?.context).toBe(`${numbered(30 - CONTEXT_WORDS + 1, 30)} link ${numbered(31, 42)}`);
  });

  it('reads a block once for its links, each with its own place in it', () => {
    const [a, b] = linksOf(
      '<div><span>Sponsored:</span> try <a href="/a">Acme beans</a> or ' +
        '<a href="/b">Bolt roasters</a> for less.</div>',
    );
    expect(a?.context).toBe('Sponsored: try Acme beans or Bolt roasters for less.');
    expect(b?.context).toBe('Sponsored: try Acme beans or Bolt roasters for less.');
    const [c, d] = linksOf(
      `<p>${numbered(1, 20)} <a href="/c">C</a> ${numbered(21, 60)} <a href="/d">D</a> end</p>`,
    );
    expect(c?.context).toBe(`${numbered(9, 20)} C ${numbered(21, 32)}`);
    expect(d?.context).toBe(`${numbered(49, 60)} D end`);
  });

  it('stops at the block: the next paragraph and a nested list are their own', () => {
    const [first, item] = linksOf(
      '<div>Intro words <a href="/a">A</a><p>Next paragraph words</p>' +
        '<ul><li>Item <a href="/b">B</a> words</li></ul> tail</div>',
    );
    expect(first?.context).toBe('Intro words A tail');
    expect(item?.context).toBe('Item B words');
  });

  it('leaves out scripts and styles, and does not glue words across line breaks', () => {
    const [link] = linksOf(
      '<p>before<br>line<script>var x = 1;</script> <a href="/a">A</a><style>p{}</style> after</p>',
    );
    expect(link?.context).toBe('before line A after');
  });

  it('caps a context at MAX_CONTEXT_LENGTH characters', () => {
    const long = 'x'.repeat(30);
    const [link] = linksOf(
      `<p>${Array(20).fill(long).join(' ')} <a href="/a">${Array(20).fill(long).join(' ')}</a> ${Array(20).fill(long).join(' ')}</p>`,
    );
    expect(link?.context?.length).toBe(MAX_CONTEXT_LENGTH);
    expect(link?.context?.endsWith('…')).toBe(true);
  });

  it('keeps the context of the best placed occurrence when a link repeats', () => {
    const links = linksOf(
      '<nav><p>Menu <a href="/w">Widgets</a> entry</p></nav>' +
        '<main><p>Our review of <a href="/w">Widgets</a> in depth</p></main>',
    );
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({
      region: 'main',
      occurrences: 2,
      context: 'Our review of Widgets in depth',
    });
  });

  it('finds the words around links inside open shadow trees', () => {
    const doc = docFrom('<div id="host"></div>');
    const root = doc.getElementById('host')!.attachShadow({ mode: 'open' });
    root.innerHTML = 'Shadow words <a href="/s">S</a> more';
    const [link] = extractPage(doc).links;
    expect(link?.context).toBe('Shadow words S more');
  });
});

describe('image links', () => {
  it('flags links that show an image, not words, with the alt text as anchor', () => {
    const links = linksOf(
      '<a href="/1"><img src="a.png" alt="Logo"></a>' +
        '<a href="/2"><img src="b.png"></a>' +
        '<a href="/3" aria-label="Share"><svg></svg></a>' +
        '<a href="/4"><img src="c.png" alt="x"> Caption</a>' +
        '<a href="/5">Plain</a>' +
        '<img usemap="#m" src="m.png"><map name="m"><area href="/6" alt="Region"></map>',
    );
    expect(links.map((l) => [l.href.slice(-2), l.anchor, l.image])).toEqual([
      ['/1', 'Logo', true],
      ['/2', '', true],
      ['/3', 'Share', true],
      ['/4', 'Caption', false],
      ['/5', 'Plain', false],
      ['/6', '', true],
    ]);
  });

  it('an image link repeated as text counts as an image only where the image is better placed', () => {
    const [link] = linksOf(
      '<footer><a href="/a">Logo</a></footer><main><a href="/a"><img alt="Logo" src="l.png"></a></main>',
    );
    expect(link).toMatchObject({ region: 'main', regions: ['main', 'footer'], image: true });
  });
});

describe('page terms', () => {
  it('weighs the title and headings over the text, lower-cased, stop words and numbers out', () => {
    const doc = docFrom(
      '<main><h1>Espresso Grinders</h1><h2>Burr sizes</h2>' +
        '<p>The grinder and the BURR: 2024 is a year of burr grinders, ok? Über Kaffee.</p>' +
        '<nav>menu menu menu menu</nav></main><footer>footer footer</footer>',
      '<title>Best Espresso</title>',
    );
    const terms = pageTerms(doc, 'Best Espresso');
    const { title, h1, h2, text } = TERM_WEIGHTS;
    // Heading words count in the text sample too: the sample is the whole of <main>.
    expect(terms).toEqual({
      best: title,
      espresso: title + h1 + text,
      grinders: h1 + 2 * text,
      burr: h2 + 3 * text,
      sizes: h2 + text,
      grinder: text,
      year: text,
      kaffee: text,
    });
  });

  it('reads the body, page furniture left out, when there is no main landmark', () => {
    const doc = docFrom(
      '<header>Brand</header><nav>Menu</nav><div class="post">Roasting coffee at home</div>' +
        '<aside>Ads</aside><footer>Legal</footer><div hidden>secret</div><script>code()</script>',
    );
    expect(Object.keys(pageTerms(doc, ''))).toEqual(['coffee', 'home', 'roasting']);
  });

  it('keeps MAX_PAGE_TERMS terms, the heaviest first, on a huge page within its caps', () => {
    const words = Array.from(
      { length: 5000 },
      (_, i) => `term${String.fromCharCode(97 + (i % 26))}${i}`,
    );
    const doc = docFrom(
      `<main><h1>${'heading '.repeat(1000)}</h1><p>${words.join(' ')} ${'often '.repeat(500)}</p></main>`,
    );
    const started = performance.now();
    const snap = extractPage(doc);
    const ms = performance.now() - started;
    const terms = snap.terms!;
    expect(Object.keys(terms)).toHaveLength(MAX_PAGE_TERMS);
    expect(Object.keys(terms)[0]).toBe('heading');
    // The heading is read up to its cap; the 500 "often" lie past the text sample's cap.
    expect(terms.heading).toBeLessThan(1000 * (TERM_WEIGHTS.h1 + 1));
    expect(terms.often).toBeUndefined();
    console.log(`page terms and signals of a 6,500-word page: ${ms.toFixed(1)} ms`);
  });

  it('reads the first 60 h1–h3 in page order, whatever their level', () => {
    // 59 h2 and an h3, then an h1 past the cap: the h1 is not read, though h1s are listed first.
    const doc = docFrom(
      `<div>${'<h2>alpha</h2>'.repeat(59)}<section><h3>beta</h3></section><h1>gamma</h1></div>`,
    );
    const { h2, h3 } = TERM_WEIGHTS;
    expect(pageTerms(doc, '')).toMatchObject({ alpha: 59 * h2 + 59, beta: h3 + 1 });
    expect(pageTerms(doc, '').gamma).toBe(1);
  });

  it('cuts Chinese and Japanese runs into bigrams', () => {
    const doc = docFrom('<main><p>咖啡豆 coffee</p></main>');
    expect(pageTerms(doc, '')).toEqual({ 咖啡: 1, 啡豆: 1, coffee: 1 });
  });
});

describe('page signals', () => {
  it('counts words, reads the description and the icon, finds contact and about links', () => {
    const snap = extractPage(
      docFrom(
        '<p>One two three four five.</p><script>not words at all</script>' +
          '<footer><a href="/kontakt">Kontakt</a> <a href="https://example.com/company/about-us/">Team</a></footer>',
        '<title>T</title><meta name="Description" content="  A short   description. ">' +
          '<link rel="shortcut icon" href="/favicon.ico">',
      ),
    );
    expect(snap.signals).toEqual({
      words: 7,
      descriptionLength: 'A short description.'.length,
      favicon: true,
      contactLinked: true,
      aboutLinked: true,
    });
  });

  it('reports what is missing, and caps the counts', () => {
    const snap = extractPage(
      docFrom(
        `<p>${'word '.repeat(MAX_COUNTED_WORDS + 500)}</p><a href="https://other.example/contact">Contact</a>`,
        `<title>T</title><meta name="description" content="${'d'.repeat(5000)}">`,
      ),
    );
    expect(snap.signals).toEqual({
      words: MAX_COUNTED_WORDS,
      descriptionLength: MAX_DESCRIPTION_LENGTH,
      favicon: false,
      // Another site's contact page is not this site's.
      contactLinked: false,
      aboutLinked: false,
    });
  });

  it('tells contact and about links by their words or their path, on the same site only', () => {
    const check = (href: string, anchor: string) => siteLinks(PAGE_URL, [{ href, anchor }]);
    expect(check('https://www.example.com/p?id=12', 'Contact us')).toEqual({
      contactLinked: true,
      aboutLinked: false,
    });
    expect(check('https://example.com/impressum.html', 'Legal')).toMatchObject({
      contactLinked: true,
    });
    expect(check('https://shop.example.com/pages/about', 'Our shop')).toMatchObject({
      aboutLinked: true,
    });
    expect(check('https://www.example.com/%C3%BCber-uns', 'Team')).toMatchObject({
      aboutLinked: true,
    });
    expect(check('https://www.example.com/blog/about-coffee', 'About coffee')).toEqual({
      contactLinked: false,
      aboutLinked: false,
    });
    expect(check('https://notexample.com/about', 'About')).toEqual({
      contactLinked: false,
      aboutLinked: false,
    });
  });
});

describe('cost', () => {
  it('reads each block once, however many links it holds', () => {
    const body = `<p>${Array.from({ length: 1500 }, (_, i) => `w <a href="/${i}">l${i}</a>`).join(' ')}</p>`;
    const doc = docFrom(body);
    let dataReads = 0;
    const textProto = Object.getPrototypeOf(doc.createTextNode('x')) as object;
    const descriptor = Object.getOwnPropertyDescriptor(
      Object.getPrototypeOf(textProto) as object,
      'data',
    )!;
    Object.defineProperty(textProto, 'data', {
      configurable: true,
      get(this: Text) {
        dataReads++;
        return descriptor.get!.call(this) as string;
      },
    });
    try {
      const links = extractPage(doc).links;
      expect(links).toHaveLength(1500);
      expect(links[750]?.context).toBe(
        'l744 w l745 w l746 w l747 w l748 w l749 w l750 w l751 w l752 w l753 w l754 w l755 w l756',
      );
    } finally {
      delete (textProto as Record<string, unknown>).data;
    }
    // Each of the 3,000 text nodes is read at most once by each of the three readers (the
    // contexts, the word count, the terms sample; the last two are capped): not once per link.
    expect(dataReads).toBeLessThanOrEqual(3 * 3000);
    expect(dataReads).toBeGreaterThanOrEqual(3000);
  });
});
