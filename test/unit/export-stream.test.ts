import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  exportCsvPieces,
  exportJsonPieces,
  keepExportFileMs,
  piecesToBlob,
  writePieces,
  type ExportPiece,
} from '../../src/core/export-stream';
import { linksToCsv, parseExport } from '../../src/core/transfer';
import type { BacklinkDb } from '../../src/storage/db';
import { storeBatches } from '../../src/storage/batches';
import { clearAll, exportAll, importAll } from '../../src/storage/records';
import {
  at,
  closeTestDbs,
  dumpDb,
  makeLink,
  makePage,
  makeRedirect,
  openTestDb,
  T0,
} from './helpers';
import { chunksOf, importStream, importSummary } from '../../src/core/import-stream';
import { loadSettings, markRelatedPages, saveSettings } from '../../src/platform/settings-store';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { storedLocal } from './fake-browser';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

async function seed(links: number) {
  await importAll(
    db,
    parseExport(
      JSON.stringify({
        format: 'backlink-lens',
        version: 4,
        exportedAt: new Date(T0).toISOString(),
        pages: [makePage('https://a.com/'), makePage('https://b.com/', { title: 'A "title", ok' })],
        links: Array.from({ length: links }, (_, i) =>
          makeLink(`https://s${i % 3}.com/`, `https://t${i}.com/`, { anchor: `anchor, "${i}"` }),
        ),
        redirects: [makeRedirect('https://a.com/old', 'https://a.com/')],
        referrals: [],
      }),
      at(10),
    ),
  );
}

const sources = (size: number) => ({
  pages: storeBatches(db, 'pages', size),
  links: storeBatches(db, 'links', size),
  redirects: storeBatches(db, 'redirects', size),
  referrals: storeBatches(db, 'referrals', size),
});

async function textOf(pieces: AsyncIterable<ExportPiece>): Promise<{ text: string; rows: number }> {
  let text = '';
  let rows = 0;
  for await (const p of pieces) {
    text += p.text;
    rows += p.rows;
  }
  return { text, rows };
}

describe('storeBatches', () => {
  it('reads every record once, in key order, a batch at a time', async () => {
    await seed(25);
    const sizes: number[] = [];
    const urls: string[] = [];
    for await (const batch of storeBatches(db, 'links', 10)()) {
      sizes.push(batch.length);
      urls.push(...batch.map((l) => `${l.source} ${l.target}`));
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(urls).toEqual((await db.getAll('links')).map((l) => `${l.source} ${l.target}`));
  });
});

const RELATED = ['https://rival-a.com/p', 'https://rival-b.com/q?x=1'];

describe('exportJsonPieces', () => {
  it.each([1, 4, 1000])(
    'writes, in batches of %i, the same text as the whole export in one piece',
    async (size) => {
      await seed(11);
      const exportedAt = new Date(at(20)).toISOString();
      const { text, rows } = await textOf(exportJsonPieces(sources(size), exportedAt, RELATED));
      expect(text).toBe(JSON.stringify(await exportAll(db, at(20), RELATED)));
      // The marked pages are settings, not records: they add no rows.
      expect(rows).toBe(2 + 11 + 1);
    },
  );

  it('writes the marked pages once, whole, in the header piece before any record', async () => {
    await seed(5);
    const pieces: ExportPiece[] = [];
    for await (const p of exportJsonPieces(sources(2), new Date(T0).toISOString(), RELATED)) {
      pieces.push(p);
    }
    expect(pieces[0]!.text).toMatch(
      /^\{"format":"backlink-lens","version":5,"exportedAt":"[^"]+","relatedPages":\["https:\/\/rival-a\.com\/p","https:\/\/rival-b\.com\/q\?x=1"\],"pages":\[/,
    );
    expect(pieces.filter((p) => p.text.includes('relatedPages'))).toHaveLength(1);
    expect(parseExport(pieces.map((p) => p.text).join('')).relatedPages).toEqual(RELATED);
  });

  it('writes an empty store as a valid export', async () => {
    const { text } = await textOf(exportJsonPieces(sources(5), new Date(T0).toISOString(), []));
    expect(parseExport(text)).toEqual({
      relatedPages: [],
      pages: [],
      links: [],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
  });
});

describe('export, clear, import: the marked pages go with the data', () => {
  afterEach(() => {
    for (const key of Object.keys(storedLocal)) delete storedLocal[key];
  });

  /** Import an export text through the stream, its marks into the stored settings. */
  async function importText(text: string) {
    return importStream({
      bytes: chunksOf(new Blob([text]).stream()),
      totalBytes: text.length,
      write: (batch) => importAll(db, batch),
      markRelated: markRelatedPages,
      excludedSites: [],
      now: at(30),
      batchSize: 3,
    });
  }

  it('restores them merged with the ones marked since, pause and exclusions untouched', async () => {
    await seed(7);
    await saveSettings({ ...DEFAULT_SETTINGS, relatedPages: RELATED });
    const before = await dumpDb(db);
    const { relatedPages } = await loadSettings();
    const { text } = await textOf(
      exportJsonPieces(sources(4), new Date(at(20)).toISOString(), relatedPages),
    );

    // "Clear all data" as the options page does it: the store, then the marks.
    await clearAll(db);
    await saveSettings({ ...(await loadSettings()), relatedPages: [] });
    // Meanwhile: paused, a site excluded, another page marked.
    const mine = 'https://mine.com/';
    await saveSettings({
      ...(await loadSettings()),
      paused: true,
      excludedSites: ['elsewhere.com'],
      relatedPages: [mine],
    });

    const outcome = await importText(text);
    expect(outcome).toMatchObject({ status: 'done', marked: 2, markedLeftOut: 0 });
    expect(importSummary(outcome)).toBe('Imported 2 pages and 7 links, 2 related pages marked.');
    expect(await loadSettings()).toEqual({
      ...DEFAULT_SETTINGS,
      paused: true,
      excludedSites: ['elsewhere.com'],
      relatedPages: [mine, ...RELATED],
    });
    expect(await dumpDb(db)).toEqual(before);

    // The same file again adds nothing, and says nothing of marks.
    const again = await importText(text);
    expect(again).toMatchObject({ marked: 0, markedLeftOut: 0 });
    expect((await loadSettings()).relatedPages).toEqual([mine, ...RELATED]);
  });

  it('a version 4 export imports as before: its rows, no marks, the marked pages kept', async () => {
    await seed(3);
    const v4 = JSON.parse(JSON.stringify(await exportAll(db, at(20), RELATED)));
    v4.version = 4;
    await clearAll(db);
    await saveSettings({ ...DEFAULT_SETTINGS, relatedPages: ['https://mine.com/'] });
    const outcome = await importText(JSON.stringify(v4));
    expect(outcome).toMatchObject({ status: 'done', pages: 2, links: 3, marked: 0 });
    expect((await loadSettings()).relatedPages).toEqual(['https://mine.com/']);
  });
});

describe('exportCsvPieces', () => {
  it('writes the same CSV as linksToCsv, whatever the batch size', async () => {
    await seed(7);
    for (const size of [1, 3, 100]) {
      const { text, rows } = await textOf(exportCsvPieces(storeBatches(db, 'links', size)));
      expect(text).toBe(linksToCsv(await db.getAll('links')));
      expect(rows).toBe(7);
    }
  });
});

const MB = 1024 * 1024;

/** Pieces of `chars` characters each, counting how many the consumer asked for. */
function counted(count: number, chars: number) {
  const read = { pieces: 0, closed: false };
  async function* pieces(): AsyncGenerator<ExportPiece> {
    try {
      for (let i = 0; i < count; i++) {
        read.pieces++;
        yield { text: String(i % 10).repeat(chars), rows: 1 };
      }
    } finally {
      read.closed = true;
    }
  }
  return { pieces: pieces(), read };
}

describe('writePieces', () => {
  it('writes the pieces in order, in parts of a few megabytes each awaited in turn', async () => {
    const { pieces } = counted(17, MB / 2);
    const parts: string[] = [];
    let writing = false;
    const rows: number[] = [];
    const written = await writePieces(
      pieces,
      {
        write: async (text) => {
          expect(writing).toBe(false);
          writing = true;
          await new Promise((r) => setTimeout(r, 1));
          parts.push(text);
          writing = false;
        },
      },
      { onRows: (n) => rows.push(n) },
    );
    expect(written).toBe(17);
    expect(rows).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    // Eight half-megabyte pieces to a part, and what is left at the end.
    expect(parts.map((p) => p.length / MB)).toEqual([4, 4, 0.5]);
    const expected = Array.from({ length: 17 }, (_, i) => String(i % 10).repeat(MB / 2));
    // Compared as a yes/no: a diff of megabytes of text would take longer than the test.
    expect(parts.join('') === expected.join('')).toBe(true);
  });

  it('writes nothing for no text, and small pieces in one part at the end', async () => {
    const parts: string[] = [];
    const write = async (text: string) => void parts.push(text);
    expect(await writePieces(counted(0, 1).pieces, { write })).toBe(0);
    expect(parts).toEqual([]);
    await writePieces(counted(3, 2).pieces, { write });
    expect(parts).toEqual(['001122']);
  });

  it('stops between pieces once cancelled, closing the source and writing no more', async () => {
    const { pieces, read } = counted(40, MB);
    const stop = new AbortController();
    const parts: string[] = [];
    const done = writePieces(
      pieces,
      { write: async (text) => void parts.push(text) },
      { signal: stop.signal, onRows: (n) => n === 10 && stop.abort() },
    );
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(read.pieces).toBe(11);
    expect(read.closed).toBe(true);
    expect(parts.map((p) => p.length)).toEqual([4 * MB, 4 * MB]);
  });

  it('passes on a failed write and reads no further', async () => {
    const { pieces, read } = counted(40, MB);
    const full = new Error('disk full');
    await expect(
      writePieces(pieces, {
        write: async () => {
          throw full;
        },
      }),
    ).rejects.toBe(full);
    expect(read.pieces).toBe(4);
    expect(read.closed).toBe(true);
  });
});

describe('piecesToBlob', () => {
  it('joins the pieces in order and reports the rows written', async () => {
    async function* pieces() {
      yield { text: 'a'.repeat(5 * MB), rows: 2 };
      yield { text: 'é', rows: 1 };
    }
    const seen: number[] = [];
    const blob = await piecesToBlob(pieces(), 'application/json', {
      onRows: (r) => seen.push(r),
    });
    expect(blob.type).toBe('application/json');
    expect(blob.size).toBe(5 * MB + 2);
    expect((await blob.text()).endsWith('aé')).toBe(true);
    expect(seen).toEqual([2, 3]);
  });
});

describe('keepExportFileMs', () => {
  it('keeps a small file two minutes, and a big one a second longer per megabyte', () => {
    expect(keepExportFileMs(0)).toBe(120_000);
    expect(keepExportFileMs(1000)).toBe(121_000);
    expect(keepExportFileMs(300 * MB)).toBe(420_000);
  });
});
