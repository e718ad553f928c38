import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/src/db';
import { ingestPages } from '../../server/src/store';
import { ingestFiles, summaryText, type PageWriter } from '../../server/src/ingest/ingest';
import { progressReporter } from '../../server/src/ingest/progress';
import { SAMPLE, SAMPLE_PATH, type SamplePage } from '../fixtures/wat/make-sample';
import { makeLink } from '../unit/helpers';
import { pageRecord, T0 } from '../support/records';
import { exportText } from '../support/export-file';
import { describeEngines } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'ingest-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const writer =
  (db: () => Db): PageWriter =>
  (pages) =>
    ingestPages(db(), pages);

/** A store that only counts what it is given: for what does not depend on the database. */
const counting: PageWriter = async (pages) => ({
  pages: pages.length,
  links: pages.reduce((n, p) => n + p.links.length, 0),
  skipped: 0,
});

async function counts(db: Db) {
  const [row] = await db.query<{ links: number; crawled: number; updated: string | null }>(
    `SELECT (SELECT count(*)::int FROM links) AS links,
            (SELECT count(*)::int FROM pages WHERE last_seen IS NOT NULL) AS crawled,
            (SELECT value FROM index_meta WHERE key = 'updated_at') AS updated`,
  );
  return row!;
}

const declaredPages = SAMPLE.filter(
  (r): r is SamplePage => r.kind === 'response' && r.expect === 'page',
);
const declaredSkips = SAMPLE.filter((r) => r.expect !== 'page' && r.expect !== 'nothing');

describeEngines('ingest of the sample WAT file', (db) => {
  it('stores its pages and links, and counts every skipped record by reason', async () => {
    const summary = await ingestFiles([SAMPLE_PATH], writer(db), { batchSize: 2 });
    expect(summary.failed).toEqual([]);
    expect(summary.pages).toBe(declaredPages.length);
    const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    expect(skipped).toBe(declaredSkips.length);
    for (const r of declaredSkips) expect(summary.skipped[r.expect]).toBeGreaterThan(0);
    const stored = await counts(db());
    expect(stored.crawled).toBe(declaredPages.length);
    expect(stored.links).toBe(summary.links);
    // 7 + 2 + 1 + 1 + 0 + 2 links kept by the declarations (drops, repeats and jumps left out).
    expect(stored.links).toBe(13);
  });

  it('stores the fields of a link as the page declared them (rel, nofollow page, anchor)', async () => {
    await ingestFiles([SAMPLE_PATH], writer(db));
    const rows = await db().query<{
      source: string;
      anchor: string;
      rel: string[];
      nofollow: boolean;
    }>(
      `SELECT s.url AS source, l.anchor, l.rel, s.nofollow
       FROM links l JOIN pages s ON s.id = l.source_id JOIN pages t ON t.id = l.target_id
       WHERE t.url = 'https://coffee-blog.test/brewing-guide' ORDER BY s.url`,
    );
    expect(rows).toEqual([
      {
        source: 'http://news-daily.test/story/42',
        anchor: 'a guide',
        rel: ['ugc'],
        nofollow: true,
      },
      {
        source: 'https://forum.test/t/espresso',
        anchor: 'this guide',
        rel: ['nofollow', 'ugc'],
        nofollow: true,
      },
      { source: 'https://linkfarm.test/', anchor: 'coffee', rel: [], nofollow: false },
    ]);
  });

  it('changes nothing when the same file is ingested again', async () => {
    await ingestFiles([SAMPLE_PATH], writer(db));
    const first = await counts(db());
    const again = await ingestFiles([SAMPLE_PATH], writer(db), { batchSize: 3 });
    expect(await counts(db())).toEqual(first);
    expect(again.pages).toBe(declaredPages.length);
  });
});

function writeExport(name: string, text: string, gzip = false): string {
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

const A = 'https://a.com/post';
const exportJson = exportText(
  [pageRecord(A, { lastSeen: T0 + 5 }), pageRecord('https://b.com/')],
  [
    makeLink(A, 'https://x.com/1', { anchor: 'one', firstSeen: T0 - 100, lastSeen: T0 + 5 }),
    makeLink(A, 'https://x.com/2', { anchor: 'two', lastSeen: T0 + 5 }),
    makeLink(A, 'https://x.com/gone', { lastSeen: T0 + 1, lostAt: T0 + 5 }),
  ],
);

describeEngines('ingest of an extension export', (db) => {
  it('stores the live links with their first sighting, gzipped or not, idempotently', async () => {
    const plain = writeExport('export.json', exportJson);
    const gzipped = writeExport('export.json.gz', exportJson, true);
    const summary = await ingestFiles([plain], writer(db));
    expect(summary).toMatchObject({ pages: 2, links: 2, skipped: { 'lost link': 1 }, failed: [] });
    const rows = await db().query<{ anchor: string; first_seen: number }>(
      'SELECT anchor, first_seen FROM links ORDER BY anchor',
    );
    expect(rows).toEqual([
      { anchor: 'one', first_seen: T0 - 100 },
      { anchor: 'two', first_seen: T0 },
    ]);
    const before = await counts(db());
    const again = await ingestFiles([gzipped], writer(db));
    expect(again).toMatchObject({ pages: 2, links: 2, failed: [] });
    expect(await counts(db())).toEqual(before);
  });
});

describe('ingest of several files', () => {
  it('reports a file that is not an export and goes on with the next file', async () => {
    const wrong = writeExport('wrong.json', '{"hello": "world"}');
    const plainWarc = writeExport('plain.warc', 'WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n');
    const text = writeExport('notes.txt', 'just some notes');
    const missing = join(dir, 'missing.json');
    const summary = await ingestFiles([wrong, missing, plainWarc, text, SAMPLE_PATH], counting);
    expect(summary.failed).toEqual([
      { file: wrong, message: 'The file is not a Backlink Lens export.' },
      { file: missing, message: 'The file does not exist.' },
      { file: plainWarc, message: expect.stringMatching(/^This is an uncompressed WARC file/) },
      {
        file: text,
        message: 'This is neither a WAT file (gzipped WARC) nor a Backlink Lens export.',
      },
    ]);
    expect(summary.pages).toBe(declaredPages.length);
  });

  it('stops at a store that refuses a batch, saying so, without reading further files', async () => {
    const failing: PageWriter = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    };
    const summary = await ingestFiles([SAMPLE_PATH, SAMPLE_PATH], failing);
    expect(summary.failed).toEqual([
      {
        file: SAMPLE_PATH,
        message: 'The index database refused a batch: connect ECONNREFUSED 127.0.0.1:5432',
      },
    ]);
    expect(summary.pages).toBe(0);
  });
});

describe('ingest progress and summary', () => {
  const output = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, out: { isTTY, columns: 200, write: (t: string) => writes.push(t) } };
  };

  it('redraws one line with a bar on a terminal, and prints plain lines elsewhere', async () => {
    const tty = output(true);
    await ingestFiles([SAMPLE_PATH], counting, { progress: progressReporter(tty.out) });
    const last = tty.writes.filter((w) => w.startsWith('\r')).at(-1) ?? '';
    expect(last).toMatch(
      /^\rsample\.wat\.gz \[#{24}\] 100% of 0\.0 MB, [\d,]+ records\/s, 6 pages, 13 links, 7 skipped/,
    );
    expect(tty.writes.at(-1)).toBe('\n');

    const log = output(false);
    await ingestFiles([SAMPLE_PATH], counting, { progress: progressReporter(log.out) });
    expect(log.writes.every((w) => !w.includes('\r') && w.endsWith('\n'))).toBe(true);
    expect(log.writes.at(-1)).toMatch(
      /^sample\.wat\.gz: 100% of 0\.0 MB, .* 6 pages, 13 links, 7 skipped\n$/,
    );
  });

  it('sums up pages, links, skips by reason and failures in plain words', () => {
    const text = summaryText({
      files: 2,
      records: 1200,
      pages: 1000,
      links: 25000,
      skipped: { 'malformed JSON': 3, 'lost link': 197 },
      failed: [{ file: 'b.json', message: 'The file is not JSON.' }],
      seconds: 2,
    });
    expect(text.split('\n')).toEqual([
      'Ingested 1,000 pages with 25,000 links from 1 of 2 files (1,200 records in 2.0 s, 600 records/s).',
      'Skipped 200:',
      '  lost link       197',
      '  malformed JSON  3',
      'Failed: b.json: The file is not JSON.',
    ]);
  });
});
