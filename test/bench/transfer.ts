/**
 * Streaming import and export through the options page, in real Chromium, against raw
 * baselines measured in the same run in a plain extension page: JSON.parse of the same file's
 * bytes (what the old import began with), and raw IndexedDB puts of as many records. Time
 * and the page's peak JS heap (CDP Performance.getMetrics, sampled every 100 ms). 100,000
 * links; BENCH_SCALE=1m adds 1,000,000. One run per row: a 1M import takes minutes.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { OPTIONS } from '../support/extension-pages';
import { ensureExtensionBuilt } from './built-extension';
import { check, heading, info, printTable, step, type Timing } from './measure';

const SOURCES_PER_LINK = 20;
const NOW = Date.now();

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

/** Sample the page's JS heap every 100 ms while `run` runs; its time and the peak heap. */
async function withHeap<T>(
  cdp: CDPSession,
  run: () => Promise<T>,
): Promise<{ ms: number; peakMb: number; result: T }> {
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await heapMb(cdp).catch(() => 0));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const start = performance.now();
  try {
    const result = await run();
    return { ms: performance.now() - start, peakMb: peak, result };
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

const row = (name: string, m: { ms: number; peakMb: number }, what: string): Timing => ({
  name,
  samples: [m.ms],
  median: m.ms,
  extra: `${m.peakMb.toFixed(0)} MB peak heap; ${what}`,
});

async function benchSize(dir: string, links: number): Promise<void> {
  const path = join(dir, `export-${links}.json`);
  const pages = await step(`write a ${links.toLocaleString('en-US')}-link export (untimed)`, () =>
    writeExport(path, links),
  );
  const bytes = (await stat(path)).size;
  info(`file: ${(bytes / 2 ** 20).toFixed(1)} MB, ${pages} pages, ${links} links`);

  const server = await startSiteServer();
  const ext = await launchWithExtension({ sitePort: server.port });
  try {
    // Baselines in an extension page of their own, so a crash there leaves the options page.
    const raw = await ext.context.newPage();
    await raw.goto(ext.extensionUrl(OPTIONS));
    const rawCdp = await cdpFor(ext, raw);
    await raw.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'raw-file';
      document.body.append(input);
    });
    await raw.locator('#raw-file').setInputFiles(path);
    const parse = await withHeap(rawCdp, () =>
      raw
        .evaluate(async () => {
          const file = (document.getElementById('raw-file') as HTMLInputElement).files![0]!;
          const data = JSON.parse(await file.text()) as { links: unknown[] };
          // Kept until measured: the page is busy inside JSON.parse, so no sample lands there.
          (globalThis as { parsed?: unknown }).parsed = data;
          return data.links.length;
        })
        .catch((error: unknown) => `failed: ${String(error).slice(0, 80)}`),
    );
    parse.peakMb = Math.max(parse.peakMb, await heapMb(rawCdp));
    await raw.evaluate(() => delete (globalThis as { parsed?: unknown }).parsed);
    check('raw JSON.parse read every link', parse.result === links, String(parse.result));

    const puts = await withHeap(rawCdp, () =>
      raw.evaluate(
        async ({ links, perPage, now }) => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const open = indexedDB.open('raw-bench', 1);
            open.onupgradeneeded = () => {
              const l = open.result.createObjectStore('links', {
                keyPath: ['source', 'target', 'anchor'],
              });
              l.createIndex('by_target', 'target');
              l.createIndex('by_target_domain', 'targetDomain');
              l.createIndex('by_source', 'source');
            };
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error);
          });
          // The same batches and record shape as the import, built here: puts only.
          for (let i = 0; i < links; i += 2000) {
            const tx = db.transaction('links', 'readwrite');
            for (let j = i; j < Math.min(links, i + 2000); j++) {
              const source = `https://source${Math.floor(j / perPage)}.example.com/articles`;
              tx.objectStore('links').put({
                source,
                target: `https://target${j % 50_000}.site${j % 3001}.org/page/${j}`,
                anchor: `anchor text ${j % 1000}`,
                rel: [],
                region: 'main',
                regions: ['main'],
                rels: [],
                occurrences: 1,
                sourceDomain: 'example.com',
                targetDomain: `site${j % 3001}.org`,
                firstSeen: now,
                lastSeen: now,
                lostAt: null,
              });
            }
            await new Promise((resolve, reject) => {
              tx.oncomplete = resolve;
              tx.onerror = () => reject(tx.error);
            });
          }
          db.close();
        },
        { links, perPage: SOURCES_PER_LINK, now: NOW },
      ),
    );
    await raw.close();

    const options = await ext.context.newPage();
    await options.goto(ext.extensionUrl(OPTIONS));
    const cdp = await cdpFor(ext, options);
    const notice = options.locator('#notice');
    const imported = await withHeap(cdp, async () => {
      await options.locator('#import').setInputFiles(path);
      await notice.filter({ hasText: /^Imported/ }).waitFor({ timeout: 3_600_000 });
      return notice.innerText();
    });
    check(
      'the import stored every link',
      imported.result.startsWith(`Imported ${pages} pages and ${links} links`),
      imported.result.slice(0, 80),
    );

    const exported = await withHeap(cdp, async () => {
      const [download] = await Promise.all([
        options.waitForEvent('download', { timeout: 3_600_000 }),
        options.locator('#export-json').click(),
      ]);
      return download.path();
    });
    const out = (await stat(exported.result)).size;
    check('the export is the size of what was imported (±5%)', Math.abs(out / bytes - 1) < 0.05);
    if (links <= 100_000) {
      const back = JSON.parse(await readFile(exported.result, 'utf8')) as { links: unknown[] };
      check('the export holds every link', back.links.length === links, String(back.links.length));
    }

    const n = links.toLocaleString('en-US');
    const baseline = row(`raw JSON.parse of the file (${n} links)`, parse, 'parsed file held');
    printTable(
      [
        baseline,
        row(`raw IndexedDB puts, batches of 2,000`, puts, 'no parsing, no merging'),
        row(`streamed import (options page)`, imported, 'read, parsed, merged, written'),
        row(`streamed export (options page)`, exported, 'read in batches into a Blob'),
      ],
      baseline,
      { extraHeader: 'memory; work' },
    );
  } finally {
    await ext.close();
    await server.close();
  }
}

export async function runTransfer(): Promise<void> {
  heading(
    'transfer: streaming import and export (Chromium)',
    'Import and export through the options page against raw JSON.parse and raw puts, one run\n' +
      'each; peak JS heap of the page doing the work. BENCH_SCALE=1m adds 1,000,000 links.',
  );
  await ensureExtensionBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'backlink-lens-transfer-'));
  try {
    const sizes = process.env.BENCH_SCALE === '1m' ? [100_000, 1_000_000] : [100_000];
    for (const links of sizes) await benchSize(dir, links);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
