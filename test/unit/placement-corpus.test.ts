import { afterEach, describe, expect, it } from 'vitest';
import {
  parseHtml,
  quarterOf,
  quartersOf,
  splitOf,
  summarizePages,
  type Score,
} from '../support/articles';
import { asciiOnly, labelPage } from '../fixtures/articles/label';
import { fullTextOf } from '../fixtures/l3s-gn1/import';
import { goldText, unwrap } from '../fixtures/cleaneval/import';
import { labelSnippets } from '../fixtures/trafilatura/import';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function docFrom(body: string): Document {
  const { doc, close } = parseHtml(
    `<!doctype html><html><head></head><body>${body}</body></html>`,
    'https://example.com/post',
  );
  closers.push(close);
  return doc;
}

const hex = '0123456789abcdef'.split('');
const score = (truePositive: number, falsePositive: number, falseNegative: number): Score => ({
  truePositive,
  falsePositive,
  falseNegative,
});

describe('held-out quarters', () => {
  it('puts every page of a corpus held out whole in one of four quarters of four digits', () => {
    const quarters = quartersOf(true);
    expect(quarters).toEqual(['0–3', '4–7', '8–b', 'c–f']);
    const counts = new Map(quarters.map((q) => [q, 0]));
    for (const d of hex) {
      const q = quarterOf(`${d}0ff`, true);
      expect(quarters).toContain(q);
      counts.set(q, counts.get(q)! + 1);
    }
    expect([...counts.values()]).toEqual([4, 4, 4, 4]);
  });

  it('splits a held-out half (first digit 8–f) into four quarters of two digits', () => {
    expect(quartersOf()).toEqual(['8–9', 'a–b', 'c–d', 'e–f']);
    const heldOut = hex.filter((d) => splitOf(d) === 'held-out');
    expect(heldOut.map((d) => quarterOf(d))).toEqual([
      '8–9',
      '8–9',
      'a–b',
      'a–b',
      'c–d',
      'c–d',
      'e–f',
      'e–f',
    ]);
  });
});

describe('summarizePages', () => {
  it('names the first page of most misses, pools the rest, and averages over pages', () => {
    const pages = [score(4, 0, 1), score(0, 2, 0), score(1, 1, 3), score(0, 0, 3), score(0, 0, 0)];
    const { worst, rest, pageAveraged } = summarizePages(pages);
    expect(worst).toBe(2);
    expect(rest).toEqual(score(4, 2, 4));
    // Precision over the pages with a link called main: 4/4, 0/2, 1/2.
    expect(pageAveraged.pages).toBe(3);
    expect(pageAveraged.precision).toBeCloseTo((1 + 0 + 0.5) / 3);
    // Recall over the pages with an editorial link: 4/5, 1/4, 0/3.
    expect(pageAveraged.pagesWithEditorial).toBe(3);
    expect(pageAveraged.recall).toBeCloseTo((0.8 + 0.25 + 0) / 3);
  });
});

describe('L3S-GN1 import', () => {
  it('keeps the text of full-text blocks only, nearest label first', () => {
    const doc = docFrom(
      '<span class="x-nc-sel1">The headline</span>' +
        '<p><span class="x-nc-sel2">First words of the story</span>' +
        '<a href="/x"><span class="x-nc-sel2">a link</span></a>' +
        '<span class="x-nc-sel2 other">, then more.</span></p>' +
        '<div class="x-nc-sel2"><span class="x-nc-sel4">Related story</span></div>' +
        '<span class="x-nc-sel3">A caption</span><span class="x-nc-sel5">A comment</span>',
    );
    expect(fullTextOf(doc)).toBe('First words of the story\na link\n, then more.');
  });

  it('matches a link against a ground truth that lost its non-ASCII characters, once folded', () => {
    const doc = docFrom(
      '<nav>Home <a href="/menu">World news</a> Politics Business</nav>' +
        '<p>No agreement was reached on Kosovo’s <a href="https://un.org/x">future status</a> — the UN’s Security Council met today.</p>',
    );
    const body =
      'No agreement was reached on Kosovo?s future status ? the UN?s Security Council met today.';
    expect(labelPage(doc, body, asciiOnly).labels).toMatchObject({
      editorial: [1],
      boilerplate: [0],
    });
    // Without the fold the apostrophe and the dash part the page from the ground truth on
    // both sides of the link: its words occur, its surroundings do not.
    expect(labelPage(doc, body).labels).toMatchObject({ editorial: [], boilerplate: [0, 1] });
  });
});

describe('CleanEval import', () => {
  it("reads a gold file's address and text, its block marks and entities undone", () => {
    const gold =
      'URL: http://bbc.co.uk/news/business-1\n\n<h>Japan&#039;s Nikkei tops 13,000\n\n' +
      '<p>The Bank of Japan said &ldquo;more&rdquo;.\n<l>A list item</P>';
    const { url, text } = goldText(gold);
    expect(url).toBe('http://bbc.co.uk/news/business-1');
    expect(text).not.toMatch(/<[phl]>|URL:|&/i);
    expect(text.replace(/\s+/g, ' ').trim()).toBe(
      "Japan's Nikkei tops 13,000 The Bank of Japan said \u201cmore\u201d. A list item",
    );
  });

  it('takes off the <text> wrapper of a saved page and keeps its address, the bytes between kept', () => {
    const page = '<html><body><a href="/x">x</a></body></html>';
    const { html, id } = unwrap(
      Buffer.from(`<text id="http://example.com/a" title="A">\n${page}\n</text>\n`),
    );
    expect(id).toBe('http://example.com/a');
    expect(html.toString()).toBe(`\n${page}\n`);
    const bare = unwrap(Buffer.from(page));
    expect(bare).toEqual({ html: Buffer.from(page), id: null });
  });
});

describe('trafilatura import', () => {
  const page =
    '<nav><a href="/imprint">Impressum</a> <a href="/home">Startseite</a></nav>' +
    '<article><p>Der Bürgermeister sagte, <a href="https://x.de/r">der Bericht</a> sei falsch. Weitere Worte folgen.</p>' +
    '<p>Ein zweiter Absatz mit <a href="https://y.de/q">einer Quelle</a>.</p>' +
    '<aside><a href="/t">Weitere Worte folgen</a></aside></article>' +
    '<footer><p>31. Mai <a href="/contact">Kontakt</a> <a href="https://z.de">Bericht sagte</a></p></footer>';
  const annotation = {
    url: 'https://example.de/x',
    with: ['Der Bürgermeister sagte, der Bericht', 'Weitere Worte folgen', 'Ein zweiter'],
    without: ['Impressum', '31. Mai Kontakt'],
  };

  it('labels the links the strings reach: in a main-text string editorial, in another not', () => {
    const { labels, withFound } = labelSnippets(docFrom(page), annotation);
    // "der Bericht" sits in a main-text string; "Impressum" and "Kontakt" in strings outside.
    expect(labels).toMatchObject({ editorial: [2], boilerplate: [0, 5] });
    // "Weitere Worte folgen" occurs twice (the aside repeats it): it marks nothing.
    expect(withFound).toEqual({ once: 2, none: 0, several: 1 });
  });

  it("with blocks, marks the links of a main-text string's paragraph, not of one holding an outside string", () => {
    const doc = docFrom(page);
    const { labels } = labelSnippets(doc, annotation, true);
    // "einer Quelle" shares its paragraph with "Ein zweiter"; the footer's paragraph holds an
    // outside string, so "Bericht sagte" there stays unlabelled whatever its words.
    expect(labels).toMatchObject({ editorial: [2, 3], boilerplate: [0, 5] });
    expect(labels.links).toBe(doc.links.length);
  });
});
