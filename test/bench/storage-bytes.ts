/**
 * Where the bytes of a stored link go, in real Chromium (issue 7, item 2). The same links (the
 * storage-scale bench's) are written under several layouts, each into a page origin of its own
 * (so each has its own LevelDB directory), 1,000 per transaction, with no overwrite. Each
 * directory is counted twice: 2 s after the writes, as the storage-scale bench counts it, and
 * once LevelDB has turned its write-ahead log (.log, uncompressed) into tables (.ldb,
 * prefix-compressed keys, snappy-compressed blocks): pushed out by a filler, then the browser
 * closed and opened again. Layouts that differ by one thing give its cost by difference.
 *
 * Run: npx tsx test/bench/storage-bytes.ts  (BYTES_LINKS=20000 by default; ~1 min a layout
 * per 10k links on a loaded 2-core machine). storage-scale.ts prints the old schema against
 * the current one, compacted, at 100k (compactedBytesRow).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, chromiumArgs } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { pageSnapshot, type ScaleOptions } from './storage-scale-entry';
import { registrableDomain } from '../../src/core/domain';
import { hostOf } from '../../src/core/url';
import type { LinkRecord } from '../../src/core/types';
import type { ScaleRow } from './storage-scale';

/**
 * A candidate compact value: the fields the key and indexes read keep their names, the rest is
 * one array (token lists joined by spaces), lostAt only when lost. Measured only: not the
 * extension's layout (the full codec is on branch s7-compact-wip, storage/link-codec.ts).
 */
const compact = (l: LinkRecord) => ({
  source: l.source,
  target: l.target,
  anchor: l.anchor,
  sourceDomain: l.sourceDomain,
  targetDomain: l.targetDomain,
  ...(l.lostAt !== null ? { lostAt: l.lostAt } : {}),
  v: [
    l.rels.join(' '),
    l.rel.join(' ') === l.rels.join(' ') ? 0 : l.rel.join(' '),
    l.regions.join(' '),
    l.region === l.regions[0] ? 0 : l.region,
    l.occurrences,
    l.firstSeen,
    l.lastSeen,
    ...(l.context !== undefined ? [l.context] : []),
  ],
});

const LINKS = Number(process.env.BYTES_LINKS ?? 20_000);
const PER_PAGE = 10;

type Index = [name: string, keyPath: string | string[]];
interface Layout {
  name: string;
  /** Inline key path, or null for a key given with each value (numbers from 1). */
  keyPath: string[] | null;
  indexes: Index[];
  value: (l: LinkRecord) => unknown;
}

const MAIN_INDEXES: Index[] = [
  ['by_target', 'target'],
  ['by_target_domain', 'targetDomain'],
  ['by_source', 'source'],
  ['by_target_lost', ['target', 'lostAt']],
];
const MAIN_KEY = ['source', 'target', 'anchor'];
/** The links store's indexes today (storage/db.ts): the old four and by_target_source_domain. */
const CURRENT_INDEXES: Index[] = [
  ...MAIN_INDEXES,
  ['by_target_source_domain', ['target', 'sourceDomain']],
];
const whole = (l: LinkRecord) => l;

const FILLER: Layout = {
  name: 'filler only (subtracted)',
  keyPath: MAIN_KEY,
  indexes: [],
  value: whole,
};
/** The links store before the number keys (db.ts: numberKeyedLinks). */
const OLD_SCHEMA: Layout = {
  name: 'main: [s,t,a] key, record, 4 indexes',
  keyPath: MAIN_KEY,
  indexes: MAIN_INDEXES,
  value: whole,
};
/** The links store now: a number key, the record, five indexes. */
const CURRENT_SCHEMA: Layout = {
  name: 'number key, record, 5 indexes (current schema)',
  keyPath: null,
  indexes: CURRENT_INDEXES,
  value: whole,
};

const LAYOUTS: Layout[] = [
  FILLER,
  OLD_SCHEMA,
  CURRENT_SCHEMA,
  { name: 'main key, record, no index', keyPath: MAIN_KEY, indexes: [], value: whole },
  {
    name: 'main key, compact value, 4 indexes',
    keyPath: MAIN_KEY,
    indexes: MAIN_INDEXES,
    value: compact,
  },
  { name: 'number key, record, 4 indexes', keyPath: null, indexes: MAIN_INDEXES, value: whole },
  {
    name: 'number key, compact value, 4 indexes',
    keyPath: null,
    indexes: MAIN_INDEXES,
    value: compact,
  },
  { name: 'number key, compact value, no index', keyPath: null, indexes: [], value: compact },
];

/** `count` of the bench's links (storage-scale's generator), as the worker would store them. */
function links(count: number): LinkRecord[] {
  const pages = Math.ceil(count / PER_PAGE);
  const options: ScaleOptions = {
    seed: 7,
    pages,
    linksPerPage: PER_PAGE,
    targets: Math.max(1_000, Math.floor(count / 4)),
    hotLinks: Math.min(10_000, pages),
  };
  const out: LinkRecord[] = [];
  for (let p = 0; p < pages; p++) {
    const snapshot = pageSnapshot(options, p);
    const sourceDomain = registrableDomain(hostOf(snapshot.url));
    for (const raw of snapshot.links) {
      const { href, ...rest } = raw;
      const at = Date.UTC(2024, 0, 1) + p * 60_000;
      out.push({
        source: snapshot.url,
        target: href,
        ...rest,
        sourceDomain,
        targetDomain: registrableDomain(hostOf(href)),
        firstSeen: at,
        lastSeen: at,
        lostAt: null,
      });
    }
  }
  return out;
}

function sizeOf(path: string, ext: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(ext) ? stat.size : 0;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry), ext), 0);
}

const dirBytes = (dir: string) => sizeOf(dir, '.ldb') + sizeOf(dir, '.log');

const originDir = (profile: string, host: string) =>
  join(profile, 'Default', 'IndexedDB', `http_${host}_0.indexeddb.leveldb`);

async function launch(profile: string, port: number): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(port),
  });
}

/**
 * Write `values` into a fresh database of the page's origin, 1,000 per transaction; returns the
 * bytes of its directory 2 s later, then pushes the log out (see the filler below).
 */
async function writeLayout(
  context: BrowserContext,
  url: string,
  dir: string,
  layout: Layout,
  values: unknown[],
): Promise<number> {
  const page = await context.newPage();
  await page.goto(url);
  const spec = { keyPath: layout.keyPath, indexes: layout.indexes };
  await page.evaluate(
    (s) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('bytes', 1);
        open.onupgradeneeded = () => {
          const store = open.result.createObjectStore(
            'links',
            s.keyPath ? { keyPath: s.keyPath } : {},
          );
          for (const [name, keyPath] of s.indexes) store.createIndex(name, keyPath);
        };
        open.onsuccess = () => {
          open.result.close();
          resolve();
        };
        open.onerror = () => reject(open.error);
      }),
    spec,
  );
  for (let from = 0; from < values.length; from += 1_000) {
    await page.evaluate(
      ([s, chunk, first]) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('bytes', 1);
          open.onsuccess = () => {
            const tx = open.result.transaction('links', 'readwrite');
            const store = tx.objectStore('links');
            chunk.forEach((v, i) => (s.keyPath ? store.put(v) : store.put(v, first + i)));
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onabort = () => reject(tx.error);
          };
        }),
      [spec, values.slice(from, from + 1_000), from + 1] as const,
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const written = dirBytes(dir);
  // The write-ahead log holds the last writes uncompressed: push them into tables with a
  // filler of cheap-to-compress bytes in another database, then delete it. Every origin gets
  // the same filler, and the "filler only" row is subtracted from the others.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('filler', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('f');
        open.onsuccess = () => {
          const tx = open.result.transaction('f', 'readwrite');
          for (let i = 0; i < 100; i++) tx.objectStore('f').put('x'.repeat(100_000), i);
          tx.oncomplete = () => {
            open.result.close();
            const gone = indexedDB.deleteDatabase('filler');
            gone.onsuccess = () => resolve();
            gone.onerror = () => reject(gone.error);
          };
          tx.onabort = () => reject(tx.error);
        };
      }),
  );
  await page.close();
  return written;
}

/** Bytes of one layout's directory: 2 s after writing, then its tables and log compacted. */
interface LayoutBytes {
  written: number;
  ldb: number;
  log: number;
}

/**
 * Each layout written with `records` in an origin of its own, then the browser closed and
 * opened again, so that LevelDB turns each log into tables. The first layout is the filler's.
 */
async function measureLayouts(layouts: Layout[], records: LinkRecord[]): Promise<LayoutBytes[]> {
  const server = await startSiteServer();
  const profile = await mkdtemp(join(tmpdir(), 'backlink-lens-bytes-'));
  const hostOfLayout = (i: number) => `layout${i}.test`;
  try {
    let context = await launch(profile, server.port);
    const written: number[] = [];
    for (const [i, layout] of layouts.entries()) {
      const values = i === 0 ? [] : records.map(layout.value);
      const dir = originDir(profile, hostOfLayout(i));
      written.push(await writeLayout(context, `http://${hostOfLayout(i)}/`, dir, layout, values));
      process.stdout.write('.');
    }
    await context.close();
    // Opened again: LevelDB replays its log into a compressed table.
    context = await launch(profile, server.port);
    for (const i of layouts.keys()) {
      const page = await context.newPage();
      await page.goto(`http://${hostOfLayout(i)}/`);
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const open = indexedDB.open('bytes');
            open.onsuccess = () =>
              (open.result.transaction('links').objectStore('links').count().onsuccess = resolve);
          }),
      );
      await page.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await context.close();
    return layouts.map((_l, i) => {
      const dir = originDir(profile, hostOfLayout(i));
      return { written: written[i]!, ldb: sizeOf(dir, '.ldb'), log: sizeOf(dir, '.log') };
    });
  } finally {
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * Issue 7's bytes per link on disk, compacted: `count` of storage-scale's links in the links
 * store as it is now against the same links as it was before the number keys, the filler
 * subtracted from both. Budget: half.
 */
export async function compactedBytesRow(size: string, count: number): Promise<ScaleRow> {
  const [filler, old, current] = await measureLayouts(
    [FILLER, OLD_SCHEMA, CURRENT_SCHEMA],
    links(count),
  );
  const net = (b: LayoutBytes) => (b.ldb + b.log - filler!.ldb - filler!.log) / count;
  return {
    size,
    operation: 'bytes on disk per link, compacted (links store)',
    unit: 'B',
    median: net(current!),
    baseline: 'the same links, old schema ([s,t,a] key)',
    baselineMedian: net(old!),
    budget: { ratio: 0.5 },
    note: `tables and log after a restart; 2 s after writing: ${(current!.written / count).toFixed(0)} vs ${(old!.written / count).toFixed(0)} B`,
  };
}

async function main(): Promise<void> {
  const records = links(LINKS);
  const sizes = await measureLayouts(LAYOUTS, records);
  console.log(`\n${records.length.toLocaleString('en')} links, bytes per link on disk:`);
  console.log('| layout | 2 s after writing | tables (.ldb) | log | total | less filler |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const filler = sizes[0]!.ldb + sizes[0]!.log;
  for (const [i, layout] of LAYOUTS.entries()) {
    const { written, ldb, log } = sizes[i]!;
    const per = (n: number) => (n / records.length).toFixed(0);
    const net = i === 0 ? '' : per(ldb + log - filler);
    const cells = [per(written), per(ldb), per(log), per(ldb + log), net];
    console.log(`| ${layout.name} | ${cells.join(' | ')} |`);
  }
}

// Run on its own; imported by storage-scale.ts for compactedBytesRow.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
