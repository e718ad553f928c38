import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exportCsvPieces,
  exportJsonPieces,
  piecesToBlob,
  type ExportPiece,
} from '../../src/core/export-stream';
import { linksToCsv, parseExport } from '../../src/core/transfer';
import type { BacklinkDb } from '../../src/storage/db';
import { storeBatches } from '../../src/storage/batches';
import { exportAll, importAll } from '../../src/storage/records';
import { at, closeTestDbs, makeLink, makePage, makeRedirect, openTestDb, T0 } from './helpers';

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

describe('exportJsonPieces', () => {
  it.each([1, 4, 1000])(
    'writes, in batches of %i, the same text as the whole export in one piece',
    async (size) => {
      await seed(11);
      const exportedAt = new Date(at(20)).toISOString();
      const { text, rows } = await textOf(exportJsonPieces(sources(size), exportedAt));
      expect(text).toBe(JSON.stringify(await exportAll(db, at(20))));
      expect(rows).toBe(2 + 11 + 1);
    },
  );

  it('writes an empty store as a valid export', async () => {
    const { text } = await textOf(exportJsonPieces(sources(5), new Date(T0).toISOString()));
    expect(parseExport(text)).toEqual({
      pages: [],
      links: [],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
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

describe('piecesToBlob', () => {
  it('joins the pieces in order and reports the rows written', async () => {
    async function* pieces() {
      yield { text: 'a'.repeat(5 * 1024 * 1024), rows: 2 };
      yield { text: 'é', rows: 1 };
    }
    const seen: number[] = [];
    const blob = await piecesToBlob(pieces(), 'application/json', (r) => seen.push(r));
    expect(blob.type).toBe('application/json');
    expect(blob.size).toBe(5 * 1024 * 1024 + 2);
    expect((await blob.text()).endsWith('aé')).toBe(true);
    expect(seen).toEqual([2, 3]);
  });
});
