/**
 * Streaming import and export through the options page, in real Chromium, against raw
 * baselines measured in the same run: raw IndexedDB puts of the file's own records into stores
 * laid out like the extension's, and JSON.parse of the whole file (what the old import began
 * with). Time, the page's peak JS heap (CDP Performance.getMetrics) and the peak resident
 * memory of the extension's process (/proc), sampled every 100 ms. 100,000 links;
 * BENCH_SCALE=1m adds 1,000,000, BENCH_TRANSFER_LINKS=n (or a list, 100000,300000) runs those
 * sizes. One run per row: a 1M import takes many minutes.
 *
 * The export runs in a browser launched afresh on the imported profile, against a raw batched
 * read of the same stores; BENCH_BEFORE_DIST=<dir of another build> (e.g. main's dist)
 * exports the same profile with that build too, loaded from the same path so that it has the
 * same extension id and database. BENCH_TRANSFER_EXPORT_ONLY=1 leaves out the import's raw
 * baselines (raw puts, JSON.parse); BENCH_TRANSFER_IMPORT_ONLY=1 leaves out the export.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { cp } from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { OPTIONS } from '../support/extension-pages';
import { ensureExtensionBuilt } from './built-extension';
import { check, heading, info, printTable, step, type Timing } from './measure';
import { TopLevelJsonReader } from '../../src/core/json-stream';

const SOURCES_PER_LINK = 20;
/** The raw baseline puts at most this many links (see benchSize). */
const RAW_PUTS_MAX_LINKS = 100_000;
const NOW = Date.now();
/**
 * The README's bound on the extension process's resident memory over an import or an export
 * of any size (its pages and worker share the process, about 150 MB before either starts).
 */
const PROCESS_BOUND_MB = 512;

/** Said as a check: a peak over the bound is a failure of the row, not only a number. */
function checkBound(label: string, peakRssMb: number | null): void {
  if (peakRssMb === null) return;
  check(
    `${label}: extension process peak under ${PROCESS_BOUND_MB} MB`,
    peakRssMb < PROCESS_BOUND_MB,
    `${peakRssMb.toFixed(0)} MB`,
  );
}

const pageRow = (i: number) => ({
  url: `https://source${i}.example${i % 997}.com/articles/${i}`,
  title: `Source page ${i} about things`,
  canonical: null,
  lang: 'en',
  robotsNoindex: false,
  robotsNofollow: false,
  firstSeen: NOW - 90 * 86_400_000,
  lastSeen: NOW - (i % 60) * 86_400_000,
  outboundCount: SOURCES_PER_LINK,
  truncated: false,
});
const linkRow = (i: number) => {
  const source = Math.floor(i / SOURCES_PER_LINK);
  return {
    source: pageRow(source).url,
    target: `https://target${i % 50_000}.site${i % 3001}.org/page/${i}`,
    anchor: `anchor text ${i % 1000}`,
    rel: i % 7 === 0 ? ['nofollow'] : [],
    region: 'main',
    regions: ['main'],
    rels: i % 7 === 0 ? ['nofollow'] : [],
    occurrences: 1,
    sourceDomain: `example${source % 997}.com`,
    targetDomain: `site${i % 3001}.org`,
    firstSeen: NOW - 90 * 86_400_000,
    lastSeen: NOW - (i % 60) * 86_400_000,
    lostAt: null,
  };
};

/** Write an export of `links` links to a file, in pieces (a 1M-link file is ~300 MB). */
async function writeExport(path: string, links: number): Promise<number> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    `{"format":"backlink-lens","version":4,"exportedAt":"${new Date(NOW).toISOString()}","pages":[`,
  );
  const pages = Math.ceil(links / SOURCES_PER_LINK);
  for (let i = 0; i < pages; i += 1000) {
    const rows = [];
    for (let j = i; j < Math.min(pages, i + 1000); j++) rows.push(JSON.stringify(pageRow(j)));
    await write((i ? ',' : '') + rows.join(','));
  }
  await write('],"links":[');
  for (let i = 0; i < links; i += 5000) {
    const rows = [];
    for (let j = i; j < Math.min(links, i + 5000); j++) rows.push(JSON.stringify(linkRow(j)));
    await write((i ? ',' : '') + rows.join(','));
  }
  await write('],"redirects":[],"referrals":[]}');
  out.end();
  await once(out, 'finish');
  return pages;
}

/** The page's JS heap now, in MB. */
async function heapMb(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
}

/** A process's resident memory in MB: now (VmRSS) or its peak since it began (VmHWM). */
async function residentMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

/**
 * The extension's renderer process (its pages and service worker share it; Chromium marks it
 * --extension-process), among this benchmark's own descendants: other browsers run on the
 * machine too.
 */
async function extensionProcess(): Promise<number | null> {
  for (const pid of await descendants()) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('--extension-process')) return pid;
  }
  return null;
}

/** This benchmark's own descendant processes (other browsers run on the machine too). */
async function descendants(): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The field after the command name "(…)" is the state, then the parent's pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const isMine = (pid: number): boolean => {
    for (let p = parents.get(pid); p; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...parents.keys()].filter(isMine);
}

/** What a process is, from its command line: the browser, a renderer (the extension's), gpu, … */
function processKind(cmdline: string): string {
  // Chromium rewrites its command line joined by spaces.
  const args = cmdline.split(/[\0 ]/);
  const type = args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
  if (args.includes('--extension-process')) return 'extension renderer';
  const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.slice(19);
  return sub ? `${type} (${sub.split('.').slice(-1)[0]})` : type;
}

/** Resident memory of a process now, in MB, split as /proc says: anonymous, file, shared. */
async function residentParts(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/**
 * Every process of this benchmark's browsers, sampled every 500 ms until stopped: each one's
 * peak resident memory and its parts at that peak, so a peak can be put on the process that
 * has it (the bound is on the extension's renderer, where its pages and worker run; IndexedDB
 * runs in the browser process).
 */
function watchProcesses() {
  const peaks = new Map<
    number,
    { kind: string; parts: Awaited<ReturnType<typeof residentParts>> }
  >();
  let watching = true;
  const done = (async () => {
    while (watching) {
      const pids = await descendants();
      for (const pid of pids) {
        const parts = await residentParts(pid);
        const seen = peaks.get(pid);
        if (seen && seen.parts.rss >= parts.rss) continue;
        const kind =
          seen?.kind ?? processKind(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''));
        peaks.set(pid, { kind, parts });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return async (label: string) => {
    watching = false;
    await done;
    info(`${label}: peak resident memory per process (MB: total = anonymous + file + shared)`);
    for (const [pid, { kind, parts }] of [...peaks].sort(
      (a, b) => b[1].parts.rss - a[1].parts.rss,
    )) {
      if (parts.rss < 20) continue;
      const { rss, anon, file, shmem } = parts;
      info(
        `  ${String(pid).padStart(7)} ${kind.padEnd(28)} ${rss.toFixed(0).padStart(5)} = ${anon.toFixed(0)} + ${file.toFixed(0)} + ${shmem.toFixed(0)}`,
      );
    }
  };
}

/**
 * Every 30 s until stopped: the extension process's resident memory and its parts, the
 * options page's JS heap (used/total; the worker's is in the allocator dump, v8/workers: a
 * service worker has no performance.memory) and the links stored, so growth can be told
 * from a steady level and put on a heap or outside them.
 */
function timeline(cdp: CDPSession, pid: number | null, page: Page) {
  const start = performance.now();
  let running = true;
  let ticks = 0;
  let wake = () => {};
  const done = (async () => {
    while (running) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 30_000);
      });
      if (!running) break;
      const parts = pid ? await residentParts(pid) : null;
      const heap = await cdp
        .send('Performance.getMetrics')
        .then(({ metrics }) => {
          const mb = (n: string) => (metrics.find((m) => m.name === n)?.value ?? 0) / 2 ** 20;
          return `${mb('JSHeapUsedSize').toFixed(0)}/${mb('JSHeapTotalSize').toFixed(0)}`;
        })
        .catch(() => '?');
      const links = await page
        .locator('#transfer')
        .getAttribute('data-links', { timeout: 1000 })
        .catch(() => '?');
      const rss = parts
        ? `${parts.rss.toFixed(0)} MB (${parts.anon.toFixed(0)} anon, ${parts.shmem.toFixed(0)} shared)`
        : '?';
      info(
        `  ${((performance.now() - start) / 1000).toFixed(0)} s: process ${rss}, page heap ${heap} MB; ${links} links stored`,
      );
      if (pid && ++ticks % 4 === 1) info(`    allocators (MB): ${await allocatorsMb(cdp, pid)}`);
    }
  })();
  return async () => {
    running = false;
    wake();
    await done;
  };
}

/**
 * Chromium's own account of a process's memory (memory-infra dumps through the DevTools
 * tracing domain): per allocator (malloc, partition_alloc, blink_gc, v8, …), in MB, for the
 * process `pid`, so memory outside the JS heap can be named.
 * https://chromium.googlesource.com/chromium/src/+/main/docs/memory-infra/README.md
 */
async function allocatorsMb(cdp: CDPSession, pid: number): Promise<string> {
  const events: Array<{
    ph: string;
    pid: number;
    args?: { dumps?: { allocators?: Record<string, { attrs?: { size?: { value: string } } }> } };
  }> = [];
  const onData = ({ value }: { value: object[] }) => events.push(...(value as typeof events));
  cdp.on('Tracing.dataCollected', onData);
  try {
    const ended = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: {
        includedCategories: ['disabled-by-default-memory-infra'],
        excludedCategories: ['*'],
        // No periodic dumps: only the one asked for below.
        memoryDumpConfig: { triggers: [] } as never,
      },
    });
    await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
    await cdp.send('Tracing.end');
    await ended;
  } catch (error) {
    return `no memory dump (${String(error).slice(0, 60)})`;
  } finally {
    cdp.off('Tracing.dataCollected', onData);
  }
  const dump = events.findLast((e) => e.ph === 'v' && e.pid === pid)?.args?.dumps?.allocators;
  if (!dump) return 'no memory dump of the process';
  const sizes = Object.entries(dump)
    .filter(
      ([name]) =>
        !name.includes('/') ||
        /^(v8\/[^/]+|v8\/[^/]+\/heap|partition_alloc\/partitions\/[^/]+|blink_gc\/[^/]+)$/.test(
          name,
        ),
    )
    .map(([name, a]) => [name, parseInt(a.attrs?.size?.value ?? '0', 16) / 2 ** 20] as const)
    .filter(([, mb]) => mb >= 1)
    .sort((a, b) => b[1] - a[1]);
  return sizes.map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(', ');
}

/** The worker's finished authority computations (its test hook), or null when unreadable. */
function authorityRuns(ext: ExtensionBrowser): Promise<number | null> {
  return ext.worker
    .evaluate(
      () =>
        (globalThis as { backlinkLens?: { authority?: { runs: number } } }).backlinkLens?.authority
          ?.runs ?? null,
    )
    .catch(() => null);
}

interface Measured<T> {
  ms: number;
  /** Peak JS heap of the page doing the work (sampled). */
  peakMb: number;
  /** Peak resident memory of its renderer process (sampled), when known. */
  peakRssMb: number | null;
  result: T;
}

/**
 * Time `run` while sampling, every 100 ms, the page's JS heap and its renderer's resident
 * memory (`pid`, when known): the heap misses memory outside V8 (strings handed to Blob
 * parts, IndexedDB's buffers), the process figure sees all of it.
 */
async function measured<T>(
  label: string,
  cdp: CDPSession,
  pid: number | null,
  run: () => Promise<T>,
): Promise<Measured<T>> {
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  let peak = 0;
  let peakRss = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await heapMb(cdp).catch(() => 0));
      if (pid) peakRss = Math.max(peakRss, await residentMb(pid, 'VmRSS'));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const start = performance.now();
  try {
    const result = await run();
    const ms = performance.now() - start;
    // Said at once: a 1M run takes long enough that a table only at its end may never come.
    const rss = pid ? `, ${peakRss.toFixed(0)} MB peak process` : '';
    info(`${label}: ${(ms / 1000).toFixed(1)} s, ${peak.toFixed(0)} MB peak JS heap${rss}`);
    return { ms, peakMb: peak, peakRssMb: pid ? peakRss : null, result };
  } finally {
    sampling = false;
    await sampler;
  }
}

async function cdpFor(ext: ExtensionBrowser, page: Page): Promise<CDPSession> {
  const cdp = await ext.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.enable');
  return cdp;
}

const row = (name: string, m: Measured<unknown>, what: string): Timing => ({
  name,
  samples: [m.ms],
  median: m.ms,
  extra: `${m.peakMb.toFixed(0)} MB${m.peakRssMb === null ? '' : ` / ${m.peakRssMb.toFixed(0)} MB`}; ${what}`,
});

/** How a store is laid out: its key, and its indexes. */
export interface StoreSpec {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Array<{
    name: string;
    keyPath: string | string[];
    unique: boolean;
    multiEntry: boolean;
  }>;
}

/** The extension's pages and links stores as they are in this build (the layout may change). */
function storeSpecs(page: Page): Promise<StoreSpec[]> {
  return page.evaluate(async () => {
    // Opened without a version only once the extension made it, or it would be made empty.
    while (!(await indexedDB.databases()).some((d) => d.name === 'backlink-lens')) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('backlink-lens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction(['pages', 'links']);
    const specs = ['pages', 'links'].map((name) => {
      const store = tx.objectStore(name);
      return {
        name,
        keyPath: store.keyPath,
        autoIncrement: store.autoIncrement,
        indexes: [...store.indexNames].map((n) => {
          const index = store.index(n);
          return {
            name: n,
            keyPath: index.keyPath,
            unique: index.unique,
            multiEntry: index.multiEntry,
          };
        }),
      };
    });
    db.close();
    return specs;
  });
}

/** Records of one store, as the export file holds them, `size` at a time. */
function* rowBatches(store: 'pages' | 'links', count: number, size: number) {
  const make = store === 'pages' ? pageRow : linkRow;
  for (let i = 0; i < count; i += size) {
    yield Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j));
  }
}

/**
 * The raw baseline: the file's own records put into stores laid out like the extension's, in
 * batches of 2,000 (one transaction each, as the import), in a web page of its own origin (its
 * own process and database files). Records are sent to the page untimed; the time is the sum
 * of the transactions, so the gaps between batches count for the import but not here.
 */
async function rawPuts(page: Page, specs: StoreSpec[], counts: Record<string, number>) {
  await page.evaluate(async (specs) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('raw-bench', 1);
      request.onupgradeneeded = () => {
        for (const spec of specs) {
          const store = request.result.createObjectStore(spec.name, {
            keyPath: spec.keyPath,
            autoIncrement: spec.autoIncrement,
          });
          for (const { name, keyPath, ...flags } of spec.indexes)
            store.createIndex(name, keyPath, flags);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    (globalThis as { rawDb?: IDBDatabase }).rawDb = db;
  }, specs);
  let ms = 0;
  for (const store of ['pages', 'links'] as const) {
    for (const batch of rowBatches(store, counts[store]!, 2000)) {
      ms += await page.evaluate(
        async ({ store, batch }) => {
          const db = (globalThis as { rawDb?: IDBDatabase }).rawDb!;
          const start = performance.now();
          const tx = db.transaction(store, 'readwrite');
          for (const record of batch) tx.objectStore(store).put(record);
          await new Promise((resolve, reject) => {
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
          });
          return performance.now() - start;
        },
        { store, batch },
      );
    }
  }
  await page.evaluate(() => (globalThis as { rawDb?: IDBDatabase }).rawDb!.close());
  return ms;
}

/** Links in an export file, read as a stream (a 1M-link file is too big to parse whole). */
async function countLinks(path: string): Promise<number> {
  const reader = new TopLevelJsonReader({
    arrays: new Set(['links']),
    values: new Set(),
    maxValueChars: 1024 * 1024,
  });
  let links = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    for (const event of reader.push(chunk as string)) if (event.type === 'element') links++;
  }
  reader.end();
  return links;
}

/**
 * The extension's files copied to `to`, replacing what was there: every build is loaded from
 * the same path, so it gets the same extension id and reads the same database.
 */
async function stage(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}

/** A browser with the staged build on `profile`, its options page, and its process. */
async function openOptions(sitePort: number, distDir: string, userDataDir: string) {
  const ext = await launchWithExtension({ sitePort, distDir, userDataDir });
  const options = await ext.context.newPage();
  await options.goto(ext.extensionUrl(OPTIONS));
  const cdp = await cdpFor(ext, options);
  const pid = await extensionProcess();
  if (!pid) info('the extension process was not found: no process memory column');
  return { ext, options, cdp, pid };
}

/**
 * The raw floor of an export: every record of the four stores read in batches of 2,000 (as
 * the export reads them) and stringified, the text dropped. Run in the options page.
 */
function rawReadAndStringify(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('backlink-lens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    let chars = 0;
    for (const name of ['pages', 'links', 'redirects', 'referrals']) {
      let after: IDBValidKey | undefined;
      for (;;) {
        const store = db.transaction(name).objectStore(name);
        const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
        // No named helpers in here: tsx would wrap them in a __name the page does not have.
        const [keys, values] = (await Promise.all(
          [store.getAllKeys(range, 2000), store.getAll(range, 2000)].map(
            (request) =>
              new Promise((resolve, reject) => {
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
              }),
          ),
        )) as [IDBValidKey[], unknown[]];
        chars += values.map((v) => JSON.stringify(v)).join(',').length;
        if (keys.length < 2000) break;
        after = keys[keys.length - 1];
      }
    }
    db.close();
    return chars;
  });
}

/** One JSON export through the options page of `build`, checked against the file imported. */
async function measureExport(
  label: string,
  run: Awaited<ReturnType<typeof openOptions>>,
  bytes: number,
  links: number,
): Promise<Measured<string>> {
  const { options, cdp, pid } = run;
  const startRss = pid ? await residentMb(pid, 'VmRSS') : 0;
  const exported = await measured(label, cdp, pid, async () => {
    const [download] = await Promise.all([
      options.waitForEvent('download', { timeout: 7_200_000 }),
      options.locator('#export-json').click(),
    ]);
    return download.path();
  });
  if (pid) {
    info(`${label}: the extension process held ${startRss.toFixed(0)} MB before it`);
    // The process began with this browser, so its high-water mark also catches a peak that
    // fell between two samples.
    exported.peakRssMb = Math.max(exported.peakRssMb ?? 0, await residentMb(pid, 'VmHWM'));
  }
  checkBound(label, exported.peakRssMb);
  const out = (await stat(exported.result)).size;
  check(`${label}: the size of what was imported (±5%)`, Math.abs(out / bytes - 1) < 0.05);
  const back = await countLinks(exported.result);
  check(`${label}: every link`, back === links, String(back));
  return exported;
}

async function benchSize(dir: string, links: number): Promise<void> {
  const path = join(dir, `export-${links}.json`);
  const pages = await step(`write a ${links.toLocaleString('en-US')}-link export (untimed)`, () =>
    writeExport(path, links),
  );
  const bytes = (await stat(path)).size;
  info(`file: ${(bytes / 2 ** 20).toFixed(1)} MB, ${pages} pages, ${links} links`);
  const n = links.toLocaleString('en-US');
  const exportOnly = process.env.BENCH_TRANSFER_EXPORT_ONLY === '1';
  const before = process.env.BENCH_BEFORE_DIST;
  const staged = join(dir, 'extension');
  const profile = join(dir, `profile-${links}`);

  const server = await startSiteServer();
  try {
    await stage(DIST_DIR, staged);
    const first = await openOptions(server.port, staged, profile);
    const { ext, options, cdp, pid } = first;
    const importRows: Timing[] = [];
    try {
      // Raw puts first, in a web origin of its own: the import then starts on empty stores too.
      const raw = await ext.context.newPage();
      await raw.goto(`http://raw-bench.test/`);
      const rawCdp = await cdpFor(ext, raw);
      const share = Math.min(1, RAW_PUTS_MAX_LINKS / links);
      const rawCounts = { pages: Math.ceil(pages * share), links: Math.ceil(links * share) };
      if (!exportOnly) {
        const specs = await storeSpecs(options);
        // Over 100,000 links the raw puts take the file's first tenth (pages and links alike)
        // and are scaled up: a full run would add half an hour. Later puts into a bigger store
        // cost more, so the scaled figure flatters the baseline, not the import.
        const rawWatch = watchProcesses();
        const puts = await measured('raw puts (wall time, sends included)', rawCdp, null, () =>
          rawPuts(raw, specs, rawCounts),
        );
        await rawWatch('raw puts');
        puts.ms = puts.result / share;
        info(
          `raw puts, sum of the transactions, scaled to the whole file: ${(puts.ms / 1000).toFixed(1)} s`,
        );
        await raw.evaluate(() => indexedDB.deleteDatabase('raw-bench'));
        const scaled =
          share < 1 ? `, first ${rawCounts.links.toLocaleString('en-US')} x${1 / share}` : '';
        importRows.push(
          row(`raw IndexedDB puts (${n} links${scaled})`, puts, 'puts, batches of 2,000'),
        );
      }

      const notice = options.locator('#notice');
      const importWatch = watchProcesses();
      const stopTimeline = timeline(cdp, pid, options);
      const authorityBefore = await authorityRuns(ext);
      const imported = await measured('streamed import', cdp, pid, async () => {
        await options.locator('#import').setInputFiles(path);
        await notice.filter({ hasText: /^Imported/ }).waitFor({ timeout: 7_200_000 });
        return notice.innerText();
      });
      await stopTimeline();
      await importWatch('streamed import');
      // Counted, not timed: a computation beside the import shares its process (the raw page
      // above is a page the worker records, as a person browsing meanwhile would).
      const authorityAfter = await authorityRuns(ext);
      info(
        `authority computations in the worker during the import: ${authorityAfter === null || authorityBefore === null ? 'unknown' : authorityAfter - authorityBefore}`,
      );
      check(
        'the import stored every link',
        imported.result.startsWith(
          `Imported ${pages.toLocaleString('en-US')} pages and ${n} links`,
        ),
        imported.result.slice(0, 100),
      );
      const peakEver = pid ? await residentMb(pid, 'VmHWM') : 0;
      if (pid)
        info(`extension process peak resident memory over the import: ${peakEver.toFixed(0)} MB`);
      checkBound('streamed import', pid ? Math.max(peakEver, imported.peakRssMb ?? 0) : null);

      if (!exportOnly) {
        // Last, as it may not survive: the whole file in memory, what the old import did.
        await raw.evaluate(() =>
          document.body.append(Object.assign(document.createElement('input'), { type: 'file' })),
        );
        await raw.locator('input[type=file]').setInputFiles(path);
        const parse = await measured('raw JSON.parse', rawCdp, null, () =>
          raw
            .evaluate(async () => {
              const file = document.querySelector('input')!.files![0]!;
              const data = JSON.parse(await file.text()) as { links: unknown[] };
              // Kept until measured: the page is busy inside JSON.parse, so no sample lands there.
              (globalThis as { parsed?: unknown }).parsed = data;
              return data.links.length;
            })
            .catch((error: unknown) => `failed: ${String(error).slice(0, 80)}`),
        );
        parse.peakMb = Math.max(parse.peakMb, await heapMb(rawCdp).catch(() => 0));
        check('raw JSON.parse read every link', parse.result === links, String(parse.result));
        importRows.push(row(`raw JSON.parse of the whole file`, parse, 'parsed file held'));
      }
      importRows.push(
        row(`streamed import (options page)`, imported, 'read, parsed, merged, written'),
      );
    } finally {
      await ext.close();
    }
    if (importRows.length > 1) {
      printTable(importRows, importRows[0]!, { extraHeader: 'peak JS heap / process RSS; work' });
    }

    // A 1M import alone takes most of an hour on a busy machine.
    if (process.env.BENCH_TRANSFER_IMPORT_ONLY === '1') return;
    // Each export in a browser of its own on the same profile, so each starts from a fresh
    // process: main's build first (when asked for), then this one.
    const exportRows: Timing[] = [];
    if (before) {
      await stage(before, staged);
      const run = await openOptions(server.port, staged, profile);
      try {
        const m = await measureExport('export, before', run, bytes, links);
        exportRows.push(row(`export before (${before})`, m, 'batches into a Blob'));
      } finally {
        await run.ext.close();
      }
    }
    await stage(DIST_DIR, staged);
    const run = await openOptions(server.port, staged, profile);
    try {
      const m = await measureExport('export, this build', run, bytes, links);
      const read = await measured('raw batched read + stringify', run.cdp, run.pid, () =>
        rawReadAndStringify(run.options),
      );
      exportRows.unshift(row(`raw read + stringify (${n} links)`, read, 'text dropped'));
      exportRows.push(row(`export, this build`, m, 'parts written to a file on disk'));
    } finally {
      await run.ext.close();
    }
    printTable(exportRows, exportRows[0]!, { extraHeader: 'peak JS heap / process RSS; work' });
  } finally {
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * The link counts to run: those listed in the environment variable `variable` (1000000, or
 * 100000,300000), else 100,000, and 1,000,000 too with BENCH_SCALE=1m.
 */
export function benchSizes(variable: string): number[] {
  const only = (process.env[variable] ?? '').split(',').map(Number);
  if (only.every((s) => s > 0)) return only;
  return process.env.BENCH_SCALE === '1m' ? [100_000, 1_000_000] : [100_000];
}

export async function runTransfer(): Promise<void> {
  heading(
    'transfer: streaming import and export (Chromium)',
    'Import and export through the options page against raw puts of the same records and raw\n' +
      'JSON.parse, one run each; peak JS heap of the page doing the work and peak resident memory\n' +
      'of the extension process. BENCH_SCALE=1m adds 1,000,000 links; BENCH_TRANSFER_LINKS=n\n' +
      'runs one size.',
  );
  await ensureExtensionBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'backlink-lens-transfer-'));
  try {
    // BENCH_TRANSFER_LINKS=1000000 runs one size alone (a 1M run takes most of an hour).
    for (const links of benchSizes('BENCH_TRANSFER_LINKS')) await benchSize(dir, links);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
