import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ExportScanner,
  importStream,
  importSummary,
  ImportStoppedError,
  type ImportProgress,
} from '../../src/core/import-stream';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  ImportError,
  MAX_ROW_CHARS,
  parseExport,
  type ImportRows,
  type ParsedImport,
} from '../../src/core/transfer';
import { MAX_RELATED_PAGES, withMarkedPages, type MarkedMerge } from '../../src/core/settings';
import type { BacklinkDb } from '../../src/storage/db';
import { importAll } from '../../src/storage/records';
import {
  at,
  closeTestDbs,
  dumpDb,
  makeLink,
  makePage,
  makeRedirect,
  makeVisit,
  openTestDb,
  T0,
} from './helpers';

/** A file's bytes in pieces of `size` bytes, as File.stream() hands them out. */
async function* piecesOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

const exportText = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(T0).toISOString(),
    pages: [makePage('https://a.com/x', { title: 'Brackets ] } { [ and "quotes" \\ ✓ 🎉' })],
    links: [
      makeLink('https://a.com/x', 'https://b.com/', { anchor: 'a "quoted", {braced} anchor 🎉' }),
      makeLink('https://c.com/later', 'https://b.com/'), // its page comes in another batch
      null,
      42,
      'not a row',
      { source: 'javascript:alert(1)', target: 'https://b.com/' },
      makeLink('https://a.com/x', 'https://d.com/', { firstSeen: 1e20 }),
    ],
    redirects: [makeRedirect('https://old.com/', 'https://a.com/x')],
    referrals: [makeVisit('https://a.com/x', 'https://b.com/', at(1))],
    unknownList: [{ pages: [1, 2] }],
    ...overrides,
  });

/** For an import whose file marks no page: the settings are never asked. */
const noMarks = (): Promise<MarkedMerge> => Promise.reject(new Error('no marked pages expected'));

/** Read a whole file through the scanner and the row parser, as importStream does. */
async function scanAll(text: string, size: number): Promise<ParsedImport> {
  const batches: ImportRows[] = [];
  const marked: string[][] = [];
  await importStream({
    bytes: piecesOf(text, size),
    totalBytes: text.length,
    write: async (b) => void batches.push(b),
    markRelated: async (pages) => {
      marked.push([...pages]);
      return { pages: [...pages], added: pages.length, leftOut: 0 };
    },
    excludedSites: [],
    now: at(10),
    batchSize: 1,
  });
  // Handed over once, whole, or not at all when the file marks none.
  expect(marked.length).toBeLessThanOrEqual(1);
  const all: ParsedImport = {
    relatedPages: marked[0] ?? [],
    pages: [],
    links: [],
    redirects: [],
    referrals: [],
    skipped: 0,
  };
  for (const b of batches) {
    all.pages.push(...b.pages);
    all.links.push(...b.links);
    all.redirects.push(...b.redirects);
    all.referrals.push(...b.referrals);
    all.skipped += b.skipped;
  }
  return all;
}

describe('ExportScanner through importStream', () => {
  it.each([1, 2, 3, 7, 64, 100_000])(
    'reads the same rows as parseExport, in pieces of %i bytes (multi-byte characters split)',
    async (size) => {
      const text = exportText();
      expect(await scanAll(text, size)).toEqual(parseExport(text, at(10)));
    },
  );

  it('reads a pretty-printed file and older versions the same as parseExport', async () => {
    const pretty = JSON.stringify(JSON.parse(exportText()), null, 2);
    expect(await scanAll(pretty, 5)).toEqual(parseExport(pretty, at(10)));
    // Version 3 had no referrals: a list under that name is not read.
    const v3 = exportText({ version: 3 });
    expect(await scanAll(v3, 9)).toEqual(parseExport(v3, at(10)));
    expect((await scanAll(v3, 9)).referrals).toEqual([]);
  });

  it('refuses what is not an export with the words parseExport uses', async () => {
    const cases = [
      'hello',
      '[1, 2]',
      JSON.stringify({ format: 'other', version: 1, pages: [], links: [] }),
      exportText({ version: 99 }),
      JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, pages: [] }),
    ];
    for (const text of cases) {
      let expected = '';
      try {
        parseExport(text);
      } catch (e) {
        expected = (e as Error).message;
      }
      await expect(scanAll(text, 4), text).rejects.toThrow(expected);
    }
    await expect(scanAll('', 4)).rejects.toThrow('The file is empty.');
  });

  it('skips a row over the length cap unread and reads on', async () => {
    const huge = {
      source: 'https://a.com/x',
      target: 'https://b.com/',
      anchor: 'x'.repeat(MAX_ROW_CHARS),
    };
    const text = exportText({ links: [huge, makeLink('https://a.com/x', 'https://e.com/')] });
    const read = await scanAll(text, 64 * 1024);
    expect(read.links.map((l) => l.target)).toEqual(['https://e.com/']);
    expect(read.skipped).toBe(1);
  });

  it('needs the header before the lists', async () => {
    const late = `{"pages":[],"links":[],"format":"${EXPORT_FORMAT}","version":${EXPORT_VERSION}}`;
    await expect(scanAll(late, 8)).rejects.toThrow('not a Backlink Lens export');
  });

  it('hands out list elements as they complete, keeping only the unfinished one', () => {
    const scanner = new ExportScanner();
    const seen: string[] = [];
    const head = `{"format":"${EXPORT_FORMAT}","version":${EXPORT_VERSION},"pages":[],"links":[{"a":"}`;
    scanner.push(head, (_list, raw) => seen.push(String(raw)));
    expect(seen).toEqual([]);
    scanner.push('"},{"b":[1,2]},3', (list, raw) => seen.push(`${list}:${raw}`));
    expect(seen).toEqual(['links:{"a":"}"}', 'links:{"b":[1,2]}']);
    scanner.push('],"redirects":[],"referrals":[]}', (list, raw) => seen.push(`${list}:${raw}`));
    expect(seen.at(-1)).toBe('links:3');
    expect(() => scanner.end()).not.toThrow();
  });
});

describe('marked related pages through importStream', () => {
  const RIVAL_A = 'https://rival-a.example/page';
  const RIVAL_B = 'https://rival-b.example/page';

  /** An export with these marked pages where the extension writes them: after the header. */
  const markedFirst = (relatedPages: unknown, overrides: Record<string, unknown> = {}) => {
    const head = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: '', relatedPages };
    return JSON.stringify({ ...head, ...JSON.parse(exportText(overrides)), relatedPages });
  };

  /** Import `text` with marks merged into `marked` (the settings' list), as the options page does. */
  async function importMarks(text: string, marked: string[], options: { size?: number } = {}) {
    const calls: string[][] = [];
    const writes: string[] = [];
    const outcome = await importStream({
      bytes: piecesOf(text, options.size ?? 7),
      totalBytes: text.length,
      write: async (b) => void writes.push(`rows:${b.pages.length + b.links.length}`),
      markRelated: async (pages) => {
        calls.push([...pages]);
        writes.push('marks');
        const merge = withMarkedPages(marked, pages);
        marked.splice(0, marked.length, ...merge.pages);
        return merge;
      },
      excludedSites: ['rival-a.example'],
      now: at(10),
      batchSize: 2,
    });
    return { outcome, calls, writes };
  }

  it('hands them over once, after the first batch, merged and summed up', async () => {
    const marked = ['https://mine.example/'];
    const text = markedFirst([RIVAL_A, 'https://mine.example/', RIVAL_B]);
    const { outcome, calls, writes } = await importMarks(text, marked);
    expect(calls).toEqual([[RIVAL_A, 'https://mine.example/', RIVAL_B]]);
    expect(writes.indexOf('marks')).toBe(1);
    expect(writes.length).toBeGreaterThan(2);
    // Kept though rival-a.example is excluded: an exclusion is about recording, not marking.
    expect(marked).toEqual(['https://mine.example/', RIVAL_A, RIVAL_B]);
    expect(outcome).toMatchObject({ status: 'done', marked: 2, markedLeftOut: 0 });
    expect(importSummary(outcome)).toMatch(
      /^Imported 1 page and 2 links, 1 referral visit, 2 related pages marked, /,
    );
  });

  it(`says how many the full list (${MAX_RELATED_PAGES}) left out`, async () => {
    const marked = Array.from(
      { length: MAX_RELATED_PAGES - 1 },
      (_, i) => `https://m${i}.example/`,
    );
    const text = markedFirst([RIVAL_A, RIVAL_B, 'https://m0.example/']);
    const { outcome } = await importMarks(text, marked);
    expect(marked).toHaveLength(MAX_RELATED_PAGES);
    expect(marked.at(-1)).toBe(RIVAL_A);
    expect(outcome).toMatchObject({ marked: 1, markedLeftOut: 1 });
    expect(importSummary(outcome)).toContain(
      ', 1 related page marked, 1 related page not marked (at most 20 are kept), ',
    );
  });

  it('reads them wherever the file puts them after its format and version', async () => {
    for (const size of [1, 3, 64, 100_000]) {
      const head = `{"format":"${EXPORT_FORMAT}","version":${EXPORT_VERSION},`;
      const late = `${head}"pages":[],"links":[],"redirects":[],"referrals":[],"relatedPages":["${RIVAL_B}"]}`;
      const { calls } = await importMarks(late, [], { size });
      expect(calls).toEqual([[RIVAL_B]]);
    }
  });

  it('takes none from a version 4 file, nor from a list too long to be one, nor junk', async () => {
    for (const text of [
      markedFirst([RIVAL_A], { version: 4 }),
      markedFirst([RIVAL_A, 'x'.repeat(MAX_ROW_CHARS)]),
      markedFirst(['javascript:alert(1)', 'https://a.example/magic-link/abc', 7]),
      markedFirst({ 0: RIVAL_A }),
    ]) {
      const marked: string[] = [];
      const { outcome, calls } = await importMarks(text, marked, { size: 4096 });
      expect(calls).toEqual([]);
      expect(marked).toEqual([]);
      // The rows are read all the same.
      expect(outcome).toMatchObject({ status: 'done', pages: 1, links: 2, marked: 0 });
    }
  });

  it('a file refused whole, or cancelled before its first batch, marks nothing', async () => {
    const marked: string[] = [];
    await expect(importMarks(markedFirst([RIVAL_A], { version: 6 }), marked)).rejects.toThrow(
      /reads versions 1 to 5/,
    );
    const cancel = new AbortController();
    cancel.abort();
    const outcome = await importStream({
      bytes: piecesOf(markedFirst([RIVAL_A]), 7),
      totalBytes: 1,
      write: async () => {},
      markRelated: noMarks,
      excludedSites: [],
      signal: cancel.signal,
    });
    expect(outcome).toMatchObject({ status: 'cancelled', marked: 0 });
    expect(marked).toEqual([]);
  });
});

// Thousands of rows through fake-indexeddb: seconds on a loaded machine.
describe('importStream into the store', { timeout: 60_000 }, () => {
  let db: BacklinkDb;
  beforeEach(async () => {
    db = await openTestDb();
  });
  afterEach(() => closeTestDbs());

  /** An export of `n` links from `pages` pages, written the way the extension writes it. */
  function bigExport(n: number, pages: number): string {
    const pageRows = Array.from({ length: pages }, (_, i) =>
      makePage(`https://src${i}.com/p`, { lastSeen: at(i % 50) }),
    );
    const links = Array.from({ length: n }, (_, i) =>
      makeLink(`https://src${i % pages}.com/p`, `https://t${i}.com/`, { lastSeen: at(i % 30) }),
    );
    return exportText({ pages: pageRows, links, redirects: [], referrals: [] });
  }

  it('stores batch by batch exactly what one whole import stores, duplicates merged', async () => {
    const text = exportText({
      links: [
        makeLink('https://a.com/x', 'https://b.com/', { lastSeen: at(1) }),
        makeLink('https://c.com/later', 'https://b.com/'),
        makeLink('https://a.com/x', 'https://b.com/', { lastSeen: at(5), lostAt: at(6) }),
        makeLink('https://a.com/x', 'https://b.com/', { firstSeen: T0 - 1, lastSeen: at(2) }),
      ],
      pages: [makePage('https://a.com/x'), makePage('https://a.com/x', { lastSeen: at(3) })],
    });
    const whole = await openTestDb();
    await importAll(whole, parseExport(text, at(10)));
    const maxBatch: number[] = [];
    await importStream({
      bytes: piecesOf(text, 16),
      totalBytes: text.length,
      write: (b) => {
        maxBatch.push(b.pages.length + b.links.length + b.skipped);
        return importAll(db, b);
      },
      excludedSites: [],
      markRelated: noMarks,
      now: at(10),
      batchSize: 1,
    });
    expect(await dumpDb(db)).toEqual(await dumpDb(whole));
    expect(await db.getAll('referrals')).toEqual(await whole.getAll('referrals'));
    expect(maxBatch.length).toBeGreaterThan(3);
  });

  it('keeps batches bounded and reports progress with an estimate of the links', async () => {
    const text = bigExport(3000, 100);
    const progress: ImportProgress[] = [];
    let largest = 0;
    const outcome = await importStream({
      bytes: piecesOf(text, 4096),
      totalBytes: text.length,
      write: (b) => {
        largest = Math.max(largest, b.links.length + b.pages.length);
        return importAll(db, b);
      },
      excludedSites: ['src7.com'],
      markRelated: noMarks,
      now: at(100),
      batchSize: 500,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome).toMatchObject({ status: 'done', pages: 99, links: 2970, excluded: 31 });
    expect(await db.count('links')).toBe(2970);
    expect(largest).toBeLessThan(500 + 50); // a batch, plus at most one piece's rows
    const mid = progress.find((p) => p.links > 1000)!;
    expect(mid.aboutLinks).toBeGreaterThan(2700);
    expect(mid.aboutLinks).toBeLessThan(3300);
    expect(progress.at(-1)!.bytesRead).toBe(new TextEncoder().encode(text).length);
  });

  it('estimates the links well even when one piece holds the pages and many links', async () => {
    const text = bigExport(3000, 1000);
    const estimates: Array<number | null> = [];
    await importStream({
      bytes: piecesOf(text, Math.ceil(text.length / 3)),
      totalBytes: text.length,
      write: async () => {},
      excludedSites: [],
      markRelated: noMarks,
      now: at(100),
      onProgress: (p) => estimates.push(p.aboutLinks),
    });
    const first = estimates.find((e) => e !== null)!;
    expect(first).toBeGreaterThan(2850);
    expect(first).toBeLessThan(3150);
  });

  it('cancelled part-way keeps what was stored before and what it wrote, and says how far', async () => {
    await db.put('pages', makePage('https://kept.com/', { title: 'Stored before' }));
    await db.put('links', makeLink('https://kept.com/', 'https://t5.com/', { lastSeen: at(99) }));
    const before = await dumpDb(db);
    const text = bigExport(3000, 10);
    const cancel = new AbortController();
    const outcome = await importStream({
      bytes: piecesOf(text, 2048),
      totalBytes: text.length,
      write: (b) => importAll(db, b),
      excludedSites: [],
      markRelated: noMarks,
      now: at(100),
      batchSize: 300,
      signal: cancel.signal,
      onProgress: (p) => {
        if (p.links >= 900) cancel.abort();
      },
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.links).toBeGreaterThanOrEqual(900);
    expect(outcome.links).toBeLessThan(3000);
    expect(await db.count('links')).toBe(outcome.links + 1);
    const after = await dumpDb(db);
    expect(after.pages).toContainEqual(before.pages[0]);
    expect(after.links).toContainEqual(before.links[0]);
    expect(importSummary(outcome)).toMatch(
      /^Imported [\d,]+ of about 3,\d{3} links; cancelled\. What was imported stays/,
    );
  });

  it('a file cut short stores what came before the cut and says how far it got', async () => {
    const text = bigExport(2000, 10);
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const failure = await importStream({
      bytes: piecesOf(cut, 4096),
      totalBytes: cut.length,
      write: (b) => importAll(db, b),
      excludedSites: [],
      markRelated: noMarks,
      now: at(100),
      batchSize: 200,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImportStoppedError);
    expect(failure).toBeInstanceOf(ImportError);
    const stopped = failure as ImportStoppedError;
    expect(stopped.message).toMatch(
      /^Imported [\d,]+ of about [\d,]+ links; then it failed: The file ends before the export does/,
    );
    expect(await db.count('links')).toBe(stopped.progress.links);
    expect(stopped.progress.links).toBeGreaterThan(1000);
  });

  it('a failed write stops the import and names what failed', async () => {
    const text = bigExport(1000, 10);
    let calls = 0;
    const failure = await importStream({
      bytes: piecesOf(text, 1024),
      totalBytes: text.length,
      write: async (b) => {
        if (++calls === 3)
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        await importAll(db, b);
      },
      excludedSites: [],
      markRelated: noMarks,
      now: at(100),
      batchSize: 100,
    }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/then it failed: The quota has been exceeded\.$/);
    expect(await db.count('links')).toBe((failure as ImportStoppedError).progress.links);
  });

  it('sums up a finished import like the whole-file import did', () => {
    const done = {
      status: 'done' as const,
      bytesRead: 10,
      totalBytes: 10,
      pages: 2,
      links: 5,
      redirects: 0,
      referrals: 1,
      skipped: 1,
      excluded: 3,
      marked: 0,
      markedLeftOut: 0,
      aboutLinks: 5,
    };
    expect(importSummary(done)).toBe(
      'Imported 2 pages and 5 links, 1 referral visit, 1 invalid row skipped (an address that is too long, not a web page or a one-time secret, or an impossible date), 3 rows of excluded sites left out.',
    );
  });
});
