import { describe, expect, it } from 'vitest';
import { EXPORT_VERSION, ImportError } from '../../src/core/transfer';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { isSkipped, type IndexedPage, type IngestItem } from '../../server/src/model';
import { readExport } from '../../server/src/ingest/export';
import { makeLink } from '../unit/helpers';
import { pageRecord, T0 } from '../support/records';
import { exportText } from '../support/export-file';

const NOW = T0 + 10 * 24 * 60 * 60 * 1000;

/** The text in chunks of `size` characters, as a file read in pieces would give it. */
const chunked = (text: string, size: number) =>
  async function* () {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  };

async function read(text: string, size = 64): Promise<IngestItem[]> {
  const out: IngestItem[] = [];
  for await (const item of readExport(chunked(text, size), { now: NOW, origin: 'export' })) {
    out.push(item);
  }
  return out;
}

const pagesIn = (items: IngestItem[]) => items.filter((i): i is IndexedPage => !isSkipped(i));
const skipsIn = (items: IngestItem[]) =>
  items.flatMap((i) => (isSkipped(i) ? [i.skipped] : [])).sort();

const A = 'https://a.com/post';
const B = 'https://b.com/page';
const C = 'https://c.com/empty';

const sample = {
  pages: [
    pageRecord(A, { lastSeen: T0 + 5, robotsNofollow: true }),
    pageRecord(B, { lastSeen: T0 + 7, truncated: true }),
    pageRecord(C, { lastSeen: T0 + 9 }),
  ],
  // Grouped by source, as IndexedDB's [source, target, anchor] key order leaves them.
  links: [
    makeLink(A, 'https://x.com/1', {
      anchor: 'one',
      rel: ['nofollow'],
      region: 'aside',
      firstSeen: T0 - 9,
    }),
    makeLink(A, 'https://x.com/2', { anchor: 'two' }),
    makeLink(A, 'https://x.com/gone', { lostAt: T0 + 3, lastSeen: T0 + 2 }),
    makeLink(B, 'https://x.com/1', { anchor: 'from b' }),
  ],
};

describe('readExport', () => {
  it('yields each source page with its live links, then the pages without links', async () => {
    const items = await read(exportText(sample.pages, sample.links));
    expect(pagesIn(items)).toEqual([
      {
        url: A,
        seenAt: T0 + 5,
        nofollow: true,
        origin: 'export',
        links: [
          {
            url: 'https://x.com/1',
            anchor: 'one',
            rel: ['nofollow'],
            region: 'aside',
            firstSeen: T0 - 9,
          },
          { url: 'https://x.com/2', anchor: 'two', rel: [], region: 'main', firstSeen: T0 },
        ],
      },
      {
        url: B,
        seenAt: T0 + 7,
        truncated: true,
        origin: 'export',
        links: [
          { url: 'https://x.com/1', anchor: 'from b', rel: [], region: 'main', firstSeen: T0 },
        ],
      },
      { url: C, seenAt: T0 + 9, origin: 'export', links: [] },
    ]);
    expect(skipsIn(items)).toEqual(['lost link']);
  });

  it('marks a page whose row is missing as truncated: its other links are not taken as removed', async () => {
    const items = await read(
      exportText([], [makeLink(A, 'https://x.com/1', { lastSeen: T0 + 4 })]),
    );
    expect(pagesIn(items)).toMatchObject([{ url: A, seenAt: T0 + 4, truncated: true }]);
  });

  it('gives the same pages whatever the chunk size', async () => {
    const text = exportText(sample.pages, sample.links);
    const whole = await read(text, text.length);
    expect(await read(text, 1)).toEqual(whole);
    expect(await read(text, 7)).toEqual(whole);
  });

  it('skips bad rows with their reason and keeps the rest (import rules: secrets, times, schemes)', async () => {
    const text = exportText(
      [
        ...sample.pages,
        pageRecord('https://d.com/', { lastSeen: NOW + 30 * 24 * 60 * 60 * 1000 }),
        { url: 'javascript:alert(1)' } as unknown as PageRecord,
      ],
      [
        ...sample.links,
        makeLink('https://e.com/', 'ftp://x.com/file'),
        { source: A } as unknown as LinkRecord,
      ],
    ).replace('"links":[', '"links":[{"broken": tru},');
    const items = await read(text);
    expect(pagesIn(items).map((p) => p.url)).toEqual([A, B, C]);
    expect(skipsIn(items)).toEqual([
      'invalid link row',
      'invalid link row',
      'invalid page row',
      'invalid page row',
      'lost link',
      'malformed row',
    ]);
  });

  it('reads every export version the extension imports (1 to current)', async () => {
    for (let version = 1; version <= EXPORT_VERSION; version++) {
      const items = await read(exportText(sample.pages, sample.links, { version }));
      expect(pagesIn(items).map((p) => p.url)).toEqual([A, B, C]);
    }
  });

  it('refuses what is not an export, in the extension words', async () => {
    await expect(read('{"format":"other","version":1,"pages":[],"links":[]}')).rejects.toThrow(
      'The file is not a Backlink Lens export.',
    );
    await expect(read(exportText([], [], { version: 99 }))).rejects.toThrow(/newer Backlink Lens/);
    await expect(read('[1, 2]')).rejects.toThrow(ImportError);
    await expect(read(exportText([], []).slice(0, 40))).rejects.toThrow(/not valid JSON/);
    await expect(read(exportText([], [], { links: undefined }))).rejects.toThrow(
      'The export has no pages or links list.',
    );
  });

  it('reads a file whose keys were sorted (links before pages, version last) whole, to the same pages', async () => {
    const data = JSON.parse(exportText(sample.pages, sample.links)) as Record<string, unknown>;
    const sorted = JSON.stringify(Object.fromEntries(Object.entries(data).sort()));
    expect(sorted.indexOf('"links"')).toBeLessThan(sorted.indexOf('"pages"'));
    const expected = await read(exportText(sample.pages, sample.links));
    const items = await read(sorted);
    expect(pagesIn(items)).toEqual(pagesIn(expected));
    expect(skipsIn(items)).toEqual(skipsIn(expected));
  });

  it('never hands out a second, partial copy of a page whose links come out of order', async () => {
    const links = [...sample.links, makeLink(A, 'https://x.com/late')];
    const items = await read(exportText(sample.pages, links));
    expect(pagesIn(items).filter((p) => p.url === A)).toHaveLength(1);
    expect(skipsIn(items)).toContain('link out of order');
  });
});
