import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EngineExportError,
  parseCsv,
  parseEngineExport,
  readEngineExport,
  type EngineImport,
} from '../../src/core/engine-exports';
import { mergeProvenance } from '../../src/core/provenance';
import { canonicalizeUrl } from '../../src/core/url';

const NOW = Date.UTC(2026, 10, 26);
const PAGE = 'https://coffee-blog.example/brewing-guide';
const file = (path: string) =>
  readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8');
const parse = (path: string, target?: string): EngineImport =>
  parseEngineExport(file(path), { now: NOW, ...(target ? { target } : {}) });

/** The message a refused file gets (the test fails when the file is accepted). */
function refusal(text: string, target?: string): string {
  try {
    parseEngineExport(text, { now: NOW, ...(target ? { target } : {}) });
  } catch (error) {
    expect(error).toBeInstanceOf(EngineExportError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('Google Search Console exports', () => {
  it('reads "Top linking sites" as confirmed referring sites, counts with thousands separators', () => {
    const result = parse('gsc/top-linking-sites.csv');
    expect(result).toMatchObject({
      engine: 'google',
      name: 'Google Search Console',
      kind: 'gsc-top-linking-sites',
    });
    expect(result.sites).toEqual([
      { domain: 'news-daily.example', linkingPages: 1204, targetPages: 12 },
      { domain: 'forum.example', linkingPages: 87, targetPages: 3 },
      { domain: 'example.co.uk', linkingPages: 5, targetPages: 1 },
    ]);
    expect(result.skipped).toBe(1);
    expect(result.links).toEqual([]);
  });

  it('reads "Top linked pages" as the pages the engine counts links to, canonical', () => {
    const result = parse('gsc/top-linked-pages.csv');
    expect(result.kind).toBe('gsc-top-linked-pages');
    expect(result.pages).toEqual([
      { url: PAGE, incomingLinks: 2310, linkingSites: 41 },
      { url: 'https://coffee-blog.example/', incomingLinks: 880, linkingSites: 97 },
      {
        url: canonicalizeUrl('https://coffee-blog.example/grinders?utm_source=gsc'),
        incomingLinks: 12,
        linkingSites: 4,
      },
    ]);
  });

  it('reads "Latest links" as links to the chosen page, seen on their crawl date', () => {
    const result = parse('gsc/latest-links.csv', PAGE);
    expect(result.kind).toBe('gsc-latest-links');
    expect(result.links.map((l) => [l.source, l.target, l.lastSeen])).toEqual([
      ['https://news-daily.example/2026/11/best-coffee', PAGE, Date.UTC(2026, 10, 20)],
      ['https://forum.example/t/grinders/812', PAGE, Date.UTC(2026, 10, 18)],
      ['http://old-reviews.example/espresso', PAGE, Date.UTC(2026, 8, 10)],
    ]);
    // mailto: is not a page.
    expect(result.skipped).toBe(1);
    expect(result.links[0]).toMatchObject({
      rel: [],
      region: 'other',
      lostAt: null,
      sourceDomain: 'news-daily.example',
    });
  });

  it('reads "More sample links" (linking page only) the same way, seen at import time', () => {
    const result = parse('gsc/sample-links.csv', 'https://coffee-blog.example/');
    expect(result.kind).toBe('gsc-sample-links');
    expect(result.links.map((l) => [l.source, l.lastSeen])).toEqual([
      ['https://news-daily.example/2026/11/best-coffee', NOW],
      ['https://aggregator.example/coffee?page=2', NOW],
    ]);
  });

  it('asks for the page when an export does not name the linked page', () => {
    expect(refusal(file('gsc/latest-links.csv'))).toMatch(/choose the page or site/);
  });
});

describe('Bing Webmaster Tools backlinks export', () => {
  it('reads source, target and anchor (quoted commas and quotes); a self link is left out', () => {
    const result = parse('bing/backlinks.csv');
    expect(result).toMatchObject({
      engine: 'bing',
      name: 'Bing Webmaster Tools',
      kind: 'bing-backlinks',
      skipped: 1,
    });
    expect(result.links.map((l) => [l.source, l.target, l.anchor])).toEqual([
      ['https://news-daily.example/2026/11/best-coffee', PAGE, 'a brewing guide, with photos'],
      ['https://forum.example/t/grinders/812', PAGE, 'this "guide"'],
    ]);
  });

  it("merges with the browser's own links as the same links, confirmed by the engine", () => {
    const { links, name } = parse('bing/backlinks.csv');
    const local = { ...links[0]!, anchor: 'a brewing guide, with photos', region: 'main' as const };
    const merged = mergeProvenance([
      { name: 'this browser', links: [local] },
      { name, links },
    ]);
    expect(merged.links).toHaveLength(2);
    expect([...merged.provenance.values()]).toEqual([
      ['this browser', 'Bing Webmaster Tools'],
      ['Bing Webmaster Tools'],
    ]);
  });
});

describe('malformed files are refused whole, with a message that says why', () => {
  it.each([
    ['', /empty/],
    ['\uFEFF \r\n', /empty/],
    ['PK\u0003\u0004binary', /spreadsheet/],
    ['Linking page,Last crawled\r\n', /no rows/],
    [
      file('gsc/not-a-links-export.csv'),
      /not a Search Console or Bing .* "keyword", "impressions", "clicks"/,
    ],
    [file('gsc/cut-short.csv'), /quoted cell/],
    [
      'Source Url,Target Url\r\nnot a url,also not\r\nftp://x.example/,ftp://y.example/\r\n',
      /None of the 2 rows/,
    ],
  ])('%#: %s', (text, message) => {
    expect(refusal(text, PAGE)).toMatch(message);
  });
});

describe('parseCsv', () => {
  it('reads quoted cells, doubled quotes, CRLF and LF, and a tab-separated file', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
    expect(parseCsv('Site\tLinking pages\nx.example\t3')).toEqual([
      ['Site', 'Linking pages'],
      ['x.example', '3'],
    ]);
  });
});

describe('readEngineExport (the options page)', () => {
  it('takes a typed site name or address for the exports that do not name the page', () => {
    const byName = readEngineExport(file('gsc/latest-links.csv'), {
      target: ' coffee-blog.example ',
      now: NOW,
    });
    expect(byName.site).toBe('coffee-blog.example');
    expect(byName.parsed.links[0]!.target).toBe('https://coffee-blog.example/');
    const byPage = readEngineExport(file('gsc/latest-links.csv'), { target: PAGE, now: NOW });
    expect(byPage.parsed.links[0]!.target).toBe(PAGE);
  });

  it('finds the site from the links or pages when nothing is typed', () => {
    expect(readEngineExport(file('bing/backlinks.csv')).site).toBe('coffee-blog.example');
    expect(readEngineExport(file('gsc/top-linked-pages.csv')).site).toBe('coffee-blog.example');
  });

  it('asks for the site where neither the file nor the user names it', () => {
    expect(() => readEngineExport(file('gsc/top-linking-sites.csv'))).toThrow(
      /does not say which site/,
    );
    expect(() => readEngineExport(file('gsc/latest-links.csv'), { target: 'not a site' })).toThrow(
      EngineExportError,
    );
  });
});
