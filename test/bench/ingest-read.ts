/**
 * Benchmark: the index server's ingest readers, without the database (the store's own rate is
 * the server's benchmark).
 * - WAT: readWat streamed from a file of one gzip member per record (Common Crawl's layout).
 *   Baseline: inflating the whole file at once and JSON.parse of every record's payload, the
 *   least any reader of it does.
 * - Export: readExport streamed from a file. Baseline: the extension's own import,
 *   parseExport of the whole text (JSON.parse plus the same row validation). Peak heap of both
 *   is printed too: the stream's is what stays bounded.
 *
 * Direct entry: `npx tsx test/bench/ingest-read.ts`.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseExport } from '../../src/core/transfer';
import { isSkipped, type IngestItem } from '../../server/src/model';
import { readExport } from '../../server/src/ingest/export';
import { readWat } from '../../server/src/ingest/wat';
import { pageRecord, T0 } from '../support/records';
import { exportText } from '../support/export-file';
import { makeLink } from '../unit/helpers';
import { check, collectInterleaved, heading, info, printTable, seededRandom } from './measure';

const WAT_PAGES = 3_000;
const LINKS_PER_PAGE = 60;
const EXPORT_PAGES = 1_500;
const EXPORT_LINKS_PER_PAGE = 40;

function watRecord(n: number, random: () => number): { member: Buffer; json: string } {
  const url = `https://site${n % 400}.example/post/${n}`;
  const links = Array.from({ length: LINKS_PER_PAGE }, (_, i) => ({
    path: 'A@/href',
    url: i % 3 === 0 ? `/local/${i}` : `https://other${Math.floor(random() * 5000)}.example/p/${i}`,
    text: `anchor words number ${i}`,
    ...(i % 7 === 0 ? { rel: 'nofollow' } : {}),
  }));
  const json = JSON.stringify({
    Envelope: {
      'WARC-Header-Metadata': {
        'WARC-Type': 'response',
        'WARC-Target-URI': url,
        'WARC-Date': '2024-05-18T01:58:10Z',
      },
      'Payload-Metadata': {
        'HTTP-Response-Metadata': {
          Headers: { 'Content-Type': 'text/html' },
          'HTML-Metadata': { Head: { Title: `Post ${n}`, Metas: [] }, Links: links },
        },
      },
    },
  });
  const body = Buffer.from(json);
  const header =
    `WARC/1.0\r\nWARC-Type: metadata\r\nWARC-Target-URI: ${url}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return {
    member: gzipSync(Buffer.concat([Buffer.from(header), body, Buffer.from('\r\n\r\n')])),
    json,
  };
}

function benchExportText(): string {
  const pages = [];
  const links = [];
  for (let p = 0; p < EXPORT_PAGES; p++) {
    const source = `https://source${p % 300}.example/page/${p}`;
    pages.push(pageRecord(source, { lastSeen: T0 + p }));
    for (let i = 0; i < EXPORT_LINKS_PER_PAGE; i++) {
      links.push(
        makeLink(source, `https://target${i * 31 + p}.example/x/${i}`, { lastSeen: T0 + p }),
      );
    }
  }
  return exportText(pages, links);
}

interface Read {
  pages: number;
  links: number;
  peakHeap: number;
}

async function drain(items: AsyncIterable<IngestItem>): Promise<Read> {
  const before = process.memoryUsage().heapUsed;
  let peak = 0;
  let pages = 0;
  let links = 0;
  for await (const item of items) {
    if (isSkipped(item)) continue;
    pages++;
    links += item.links.length;
    if (pages % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
  }
  return { pages, links, peakHeap: peak };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function* utf8Chunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    yield decoder.decode(chunk as Buffer, { stream: true });
  }
}

export async function runIngestRead(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  try {
    await benchWat(dir);
    await benchExport(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchWat(dir: string): Promise<void> {
  const random = seededRandom(11);
  const records = Array.from({ length: WAT_PAGES }, (_, n) => watRecord(n, random));
  const file = Buffer.concat(records.map((r) => r.member));
  const path = join(dir, 'bench.wat.gz');
  writeFileSync(path, file);
  heading(
    'Ingest: WAT reader',
    `${WAT_PAGES.toLocaleString('en')} pages × ${LINKS_PER_PAGE} links, ${mb(file.length)} gzipped ` +
      `(one member per record); baseline: gunzip of the whole file + JSON.parse of every payload.`,
  );
  let read: Read = { pages: 0, links: 0, peakHeap: 0 };
  const rows = await collectInterleaved(
    [
      {
        name: 'gunzip + JSON.parse (baseline)',
        sample: () => {
          const start = performance.now();
          gunzipSync(readFileSync(path));
          for (const r of records) JSON.parse(r.json);
          return performance.now() - start;
        },
      },
      {
        name: 'readWat (streamed from the file)',
        sample: async () => {
          const start = performance.now();
          read = await drain(readWat(createReadStream(path, { highWaterMark: 1024 * 1024 })));
          return performance.now() - start;
        },
      },
    ],
    { warmup: 1, reps: 5 },
  );
  for (const row of rows) {
    row.extra = `${Math.round(WAT_PAGES / (row.median / 1000)).toLocaleString('en')} pages/s`;
  }
  printTable(rows, rows[0]!, { extraHeader: 'throughput' });
  info(`readWat peak heap growth: ${mb(read.peakHeap)}`);
  const localShare = Math.ceil(LINKS_PER_PAGE / 3);
  check('every page read', read.pages === WAT_PAGES, `${read.pages}`);
  check(
    'every link read (local ones resolved, none folded away)',
    read.links === WAT_PAGES * LINKS_PER_PAGE,
    `${read.links}; ${localShare} local per page`,
  );
}

async function benchExport(dir: string): Promise<void> {
  const text = benchExportText();
  const path = join(dir, 'bench-export.json');
  writeFileSync(path, text);
  const links = EXPORT_PAGES * EXPORT_LINKS_PER_PAGE;
  heading(
    'Ingest: export reader',
    `${EXPORT_PAGES.toLocaleString('en')} pages, ${links.toLocaleString('en')} links, ${mb(text.length)} of JSON; ` +
      `baseline: the extension's import, parseExport of the whole text read from the file.`,
  );
  let read: Read = { pages: 0, links: 0, peakHeap: 0 };
  let wholeHeap = 0;
  let wholeLinks = 0;
  const rows = await collectInterleaved(
    [
      {
        name: 'parseExport of the whole file (baseline)',
        sample: () => {
          const before = process.memoryUsage().heapUsed;
          const start = performance.now();
          const data = parseExport(readFileSync(path, 'utf8'), T0 + 10 * EXPORT_PAGES);
          const ms = performance.now() - start;
          wholeHeap = process.memoryUsage().heapUsed - before;
          wholeLinks = data.links.length;
          return ms;
        },
      },
      {
        name: 'readExport (streamed from the file)',
        sample: async () => {
          const start = performance.now();
          read = await drain(readExport(() => utf8Chunks(path), { now: T0 + 10 * EXPORT_PAGES }));
          return performance.now() - start;
        },
      },
    ],
    { warmup: 1, reps: 5 },
  );
  printTable(rows, rows[0]!);
  info(`heap held: whole-file import ${mb(wholeHeap)}, stream peak growth ${mb(read.peakHeap)}`);
  check('same pages', read.pages === EXPORT_PAGES, `${read.pages}`);
  check(
    'same links as the import',
    read.links === wholeLinks && wholeLinks === links,
    `${read.links}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runIngestRead();
