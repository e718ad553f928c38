import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { OPTIONS } from '../support/extension-pages';

const s = useExtensionSession();
let options: Page;
let dir: string;

beforeAll(async () => {
  options = await s.ext.context.newPage();
  await options.goto(s.ext.extensionUrl(OPTIONS));
  dir = await mkdtemp(join(tmpdir(), 'backlink-lens-transfer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DAY = 24 * 60 * 60 * 1000;

/** A page and a link row as an export writes them (only the fields an import needs). */
const page = (url: string, lastSeen: number) => ({
  url,
  title: `Title of ${url}`,
  canonical: null,
  lang: 'en',
  firstSeen: lastSeen,
  lastSeen,
  outboundCount: 1,
});
const link = (source: string, target: string, lastSeen: number) => ({
  source,
  target,
  anchor: `to ${target}`,
  rel: [],
  region: 'main',
  firstSeen: lastSeen,
  lastSeen,
  lostAt: null,
});
const exportOf = (pages: unknown[], links: unknown[]) =>
  JSON.stringify({
    format: 'backlink-lens',
    version: 4,
    exportedAt: new Date().toISOString(),
    pages,
    links,
    redirects: [],
    referrals: [],
  });

const notice = () => options.locator('#notice').innerText();
const storedLinks = async () =>
  Number(await options.locator('#storage-counts').getAttribute('data-links'));

test('the storage panel shows what is stored and the space used, and prunes by the retention', async () => {
  const now = Date.now();
  const old = now - 700 * DAY;
  const file = exportOf(
    [page('http://old.test/a', old), page('http://old.test/b', old), page('http://new.test/', now)],
    [
      link('http://old.test/a', 'http://new.test/', old),
      link('http://old.test/b', 'http://new.test/', old),
      link('http://old.test/b', 'http://x.test/', old),
      link('http://new.test/', 'http://old.test/a', now),
    ],
  );
  await options
    .locator('#import')
    .setInputFiles({ name: 'small.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await expect.poll(notice).toBe('Imported 3 pages and 4 links.');

  const counts = options.locator('#storage-counts');
  await expect.poll(() => counts.innerText()).toBe('3 pages and 4 links stored.');
  const usage = options.locator('#storage-usage');
  expect(Number(await usage.getAttribute('data-usage'))).toBeGreaterThan(0);
  expect(Number(await usage.getAttribute('data-quota'))).toBeGreaterThan(0);
  expect(await usage.innerText()).toMatch(
    /^[\d.]+ (bytes|KB|MB) used on disk, of [\d.]+ (MB|GB|TB) the browser allows \((<1|\d+)%\)\.$/,
  );
  // The default keeps a year, so a page last seen 700 days ago is already expired.
  expect(await options.locator('#retention').inputValue()).toBe('12');

  await options.locator('#retention').selectOption('3');
  await expect.poll(notice).toBe('Pages not visited again in 3 months will be deleted once a day.');
  await options.reload();
  expect(await options.locator('#retention').inputValue()).toBe('3');

  await options.locator('#prune-now').click();
  await expect
    .poll(notice)
    .toBe('Deleted 2 pages not visited in the last 3 months, with their links.');
  // The link from the page kept to a deleted page stays: it is a fact about the page kept.
  await expect.poll(() => counts.innerText()).toBe('1 page and 1 link stored.');
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('1 page and 1 link stored on this machine.');

  await options.locator('#prune-now').click();
  await expect.poll(notice).toBe('Nothing to delete: every page was visited in the last 3 months.');

  await options.locator('#retention').selectOption('forever');
  await expect.poll(notice).toBe('Every page will be kept.');
  await expect(options.locator('#prune-now').isDisabled()).resolves.toBe(true);
});

test('a big import shows its progress, can be cancelled, and says how far it got', async () => {
  const before = await storedLinks();
  const now = Date.now();
  const LINKS = 12_000;
  const pages = Array.from({ length: 100 }, (_, i) => page(`http://src${i}.test/p`, now));
  const links = Array.from({ length: LINKS }, (_, i) =>
    link(`http://src${i % 100}.test/p`, `http://target${i}.test/page`, now),
  );
  const path = join(dir, 'big.json');
  await writeFile(path, exportOf(pages, links));

  await options.locator('#import').setInputFiles(path);
  const transfer = options.locator('#transfer[data-kind="import"]');
  await expect
    .poll(async () => Number(await transfer.getAttribute('data-links').catch(() => 0)), {
      timeout: 60_000,
    })
    .toBeGreaterThanOrEqual(2000);
  const bar = options.locator('#transfer-progress');
  expect(Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
  expect(await transfer.innerText()).toMatch(
    /Importing: 100 pages and [\d,]+ of about [\d,]+ links stored/,
  );
  // Buttons that would start another transfer wait for this one.
  await expect(options.locator('#export-json').isDisabled()).resolves.toBe(true);
  await options.locator('#cancel-import').click();

  await expect.poll(notice, { timeout: 30_000 }).toMatch(/cancelled/);
  const text = await notice();
  const match = /^Imported ([\d,]+) of about ([\d,]+) links; cancelled\. /.exec(text);
  expect(match, text).not.toBeNull();
  const imported = Number(match![1]!.replace(/,/g, ''));
  const about = Number(match![2]!.replace(/,/g, ''));
  expect(imported).toBeGreaterThanOrEqual(2000);
  expect(imported).toBeLessThan(LINKS);
  expect(about).toBeGreaterThan(LINKS * 0.9);
  expect(about).toBeLessThan(LINKS * 1.1);
  await expect(options.locator('#transfer').count()).resolves.toBe(0);
  // What was stored before stays, and what the notice says was imported is what is stored.
  // Counting may wait behind the worker's authority computation over the new links.
  await expect.poll(storedLinks, { timeout: 60_000 }).toBe(before + imported);

  // Importing the same file again, to the end, adds the rest and no duplicates.
  await options.locator('#import').setInputFiles(path);
  await expect.poll(notice, { timeout: 120_000 }).toBe('Imported 100 pages and 12,000 links.');
  await expect.poll(storedLinks, { timeout: 60_000 }).toBe(before + LINKS);
}, 240_000);

/** Links as "source target anchor" lines, sorted: what an export must hold, in any order. */
const linkLines = (links: Array<{ source: string; target: string; anchor: string }>) =>
  links.map((l) => `${l.source} ${l.target} ${l.anchor}`).sort();

/** What the two imports above left stored: one link of the first file, all of the second's. */
const expectedLinks = () =>
  linkLines([
    link('http://new.test/', 'http://old.test/a', 0),
    ...Array.from({ length: 12_000 }, (_, i) =>
      link(`http://src${i % 100}.test/p`, `http://target${i}.test/page`, 0),
    ),
  ]);

/** The export's scratch files in the origin-private file system (src/platform/scratch-files.ts). */
const scratchFiles = () =>
  options.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('export-scratch', { create: true });
    const files: Array<{ name: string; size: number }> = [];
    for await (const [name, handle] of dir.entries()) {
      if (handle instanceof FileSystemFileHandle)
        files.push({ name, size: (await handle.getFile()).size });
    }
    return files;
  });

test('an export streams to a file that holds what is stored and imports back', async () => {
  const [download] = await Promise.all([
    options.waitForEvent('download', { timeout: 120_000 }),
    options.locator('#export-json').click(),
  ]);
  await expect.poll(notice, { timeout: 60_000 }).toMatch(/^Saved 101 pages and 12,001 links as /);
  const path = await download.path();
  const text = await readFile(path, 'utf8');
  const parsed = JSON.parse(text) as {
    version: number;
    links: Array<{ source: string; target: string; anchor: string }>;
    pages: Array<{ url: string }>;
  };
  expect(parsed.version).toBe(5);
  expect(linkLines(parsed.links)).toEqual(expectedLinks());
  expect(parsed.pages.map((p) => p.url).sort()).toEqual(
    ['http://new.test/', ...Array.from({ length: 100 }, (_, i) => `http://src${i}.test/p`)].sort(),
  );
  // The download was read from a file on disk, kept while the download may still need it...
  expect((await scratchFiles()).map((f) => f.size)).toEqual([Buffer.byteLength(text)]);
  // ...and removed by the next start once its page is gone.
  await options.reload();
  await expect.poll(scratchFiles).toEqual([]);

  await options.locator('#import').setInputFiles(path);
  await expect.poll(notice, { timeout: 120_000 }).toBe('Imported 101 pages and 12,001 links.');
  await expect.poll(storedLinks, { timeout: 60_000 }).toBe(12_001);
}, 240_000);

test('a CSV export holds every stored link, one row each', async () => {
  const [download] = await Promise.all([
    options.waitForEvent('download', { timeout: 120_000 }),
    options.locator('#export-csv').click(),
  ]);
  await expect.poll(notice, { timeout: 60_000 }).toMatch(/^Saved 12,001 links as .*\.csv\.$/);
  const lines = (await readFile(await download.path(), 'utf8')).trim().split(/\r?\n/);
  expect(lines).toHaveLength(12_002);
  const [header, ...rows] = lines;
  const column = header!.split(',');
  const [source, target, anchor] = ['source', 'target', 'anchor'].map((c) => column.indexOf(c));
  // No field of these links holds a comma or a quote, so a split reads them.
  const read = rows.map((r) => r.split(','));
  expect(
    linkLines(read.map((r) => ({ source: r[source!]!, target: r[target!]!, anchor: r[anchor!]! }))),
  ).toEqual(expectedLinks());
}, 180_000);

test('a cancelled export saves nothing and leaves no file behind', async () => {
  let downloads = 0;
  options.on('download', () => downloads++);
  // The CSV export's file is still kept for its download: the cancelled export adds none.
  const kept = await scratchFiles();
  // A slow machine (CPU throttled 40x), so the export is still under way when Cancel is clicked.
  const cdp = await s.ext.context.newCDPSession(options);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 40 });
  await options.locator('#export-json').click();
  const progress = options.locator('#transfer[data-kind="export"]');
  await expect
    .poll(async () => Number(await progress.getAttribute('data-rows')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  expect((await progress.innerText()).trim()).toMatch(
    /^Exporting: [\d,]+ of 12,102 records written\./,
  );
  await options.locator('#cancel-export').click();
  await expect.poll(notice, { timeout: 60_000 }).toBe('Export cancelled; no file was saved.');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(options.locator('#transfer').count()).resolves.toBe(0);
  expect(await scratchFiles()).toEqual(kept);
  expect(downloads).toBe(0);
  // Nothing stored was touched.
  expect(await storedLinks()).toBe(12_001);
}, 120_000);
