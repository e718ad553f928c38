import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import {
  launchFirefoxWithExtension,
  nextDownload,
  type FirefoxExtension,
} from '../support/firefox';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { exportText } from '../support/export-file';
import { OPTIONS } from '../support/extension-pages';
import { T0 } from '../support/records';

/*
 * Export and import of a few thousand links in Debian's Firefox ESR with the Firefox build:
 * the export is written to a file in the origin-private file system and downloaded from it
 * (src/platform/scratch-files.ts), as in Chromium, and the file Firefox saves holds what is
 * stored and imports back.
 */

const PAGES = 200;
const LINKS = 4_000;

const pageRow = (i: number) => ({
  url: `http://src${i}.test/article`,
  title: `Source ${i}`,
  canonical: null,
  lang: 'en',
  firstSeen: T0,
  lastSeen: T0 + i,
  outboundCount: LINKS / PAGES,
});
const linkRow = (i: number) => ({
  source: pageRow(i % PAGES).url,
  target: `http://target${i % 37}.test/page/${i}`,
  anchor: `anchor ${i}`,
  rel: i % 5 === 0 ? ['nofollow'] : [],
  region: 'main',
  firstSeen: T0,
  lastSeen: T0 + i,
  lostAt: null,
});
type LinkLine = { source: string; target: string; anchor: string; rel: string[]; lastSeen: number };
const linkLines = (links: readonly LinkLine[]) =>
  links.map((l) => `${l.source} ${l.target} ${l.anchor} ${l.rel.join('+')} ${l.lastSeen}`).sort();
const LINK_ROWS = Array.from({ length: LINKS }, (_, i) => linkRow(i));

let server: SiteServer;
let ff: FirefoxExtension;
let options: Page;
let dir: string;
/** The JSON export the export test saved, imported back by the last test. */
let exported = '';

const notice = () => options.$eval('#notice', (el) => (el as HTMLElement).innerText);
const storedLinks = async () =>
  Number(await options.$eval('#storage-counts', (el) => el.getAttribute('data-links')));

/** The export's scratch files in the origin-private file system, as the page sees them. */
const scratchFiles = () =>
  options.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const scratch = await root.getDirectoryHandle('export-scratch', { create: true });
    const files: number[] = [];
    for await (const handle of scratch.values()) {
      if (handle.kind === 'file')
        files.push((await (handle as FileSystemFileHandle).getFile()).size);
    }
    return files;
  });

async function openOptions(): Promise<void> {
  await ff.openExtensionPage(options, OPTIONS);
  await options.waitForSelector('#counts');
}

async function importFile(path: string): Promise<void> {
  const input = await options.$('input#import');
  await input!.uploadFile(path);
}

/** Click an export button and return the file Firefox saved. */
async function exportVia(button: '#export-json' | '#export-csv'): Promise<string> {
  const known = await readdir(ff.downloads);
  await options.click(button);
  return nextDownload(ff.downloads, known, 60_000);
}

beforeAll(async () => {
  server = await startSiteServer();
  ff = await launchFirefoxWithExtension({ sitePort: server.port });
  options = await ff.browser.newPage();
  dir = await mkdtemp(join(tmpdir(), 'backlink-lens-ff-transfer-'));
}, 180_000);

afterAll(async () => {
  await ff?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('Firefox: an import of 4,000 links stores every one', async () => {
  const path = join(dir, 'seed.json');
  await writeFile(
    path,
    exportText(
      Array.from({ length: PAGES }, (_, i) => pageRow(i)),
      LINK_ROWS,
    ),
  );
  await openOptions();
  await importFile(path);
  await expect.poll(notice, { timeout: 60_000 }).toBe('Imported 200 pages and 4,000 links.');
  await expect.poll(storedLinks, { timeout: 30_000 }).toBe(LINKS);
}, 120_000);

test('Firefox: the JSON export is written to a file on disk and holds what is stored', async () => {
  const saved = await exportVia('#export-json');
  await expect.poll(notice, { timeout: 30_000 }).toMatch(/^Saved 200 pages and 4,000 links as /);
  exported = saved;
  const file = JSON.parse(await readFile(saved, 'utf8')) as {
    version: number;
    pages: Array<{ url: string }>;
    links: LinkLine[];
  };
  expect(file.version).toBe(5);
  expect(linkLines(file.links)).toEqual(linkLines(LINK_ROWS));
  expect(file.pages.map((p) => p.url).sort()).toEqual(
    Array.from({ length: PAGES }, (_, i) => pageRow(i).url).sort(),
  );
  // The download was read from the origin-private file system, not from Blob parts in memory:
  // the file is kept there, as big as what Firefox saved, until its page lets go of it...
  expect(await scratchFiles()).toEqual([(await stat(saved)).size]);
  // ...and a later start of the settings page removes it once no page holds it.
  await openOptions();
  await expect.poll(scratchFiles, { timeout: 20_000 }).toEqual([]);
}, 120_000);

test('Firefox: the CSV export holds every stored link, one row each', async () => {
  const lines = (await readFile(await exportVia('#export-csv'), 'utf8')).trim().split(/\r?\n/);
  await expect.poll(notice, { timeout: 30_000 }).toMatch(/^Saved 4,000 links as .*\.csv\.$/);
  const [header, ...rows] = lines;
  const column = header!.split(',');
  const at = (name: string) => column.indexOf(name);
  // No field of these links holds a comma or a quote, so a split reads them.
  const read = rows.map((r) => r.split(','));
  expect(
    read.map((r) => `${r[at('source')]} ${r[at('target')]} ${r[at('anchor')]}`).sort(),
  ).toEqual(LINK_ROWS.map((l) => `${l.source} ${l.target} ${l.anchor}`).sort());
}, 120_000);

test('Firefox: cleared, the store takes its JSON export back whole', async () => {
  expect(exported).not.toBe('');
  options.once('dialog', (dialog) => void dialog.accept());
  await options.click('#clear');
  await expect.poll(storedLinks, { timeout: 30_000 }).toBe(0);
  await importFile(exported);
  await expect.poll(notice, { timeout: 60_000 }).toBe('Imported 200 pages and 4,000 links.');
  await expect.poll(storedLinks, { timeout: 30_000 }).toBe(LINKS);

  const again = JSON.parse(await readFile(await exportVia('#export-json'), 'utf8')) as {
    links: LinkLine[];
  };
  expect(linkLines(again.links)).toEqual(linkLines(LINK_ROWS));
}, 180_000);
