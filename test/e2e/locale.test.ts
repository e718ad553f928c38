import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { browse, openPopupFor, OPTIONS, POPUP, REPORT } from '../support/extension-pages';
import { DEMO_SOURCES, GUIDE } from '../support/demo-site';

/*
 * The shipped German locale in a Chromium whose UI language is German: the browser picks the
 * messages, plural forms follow German rules, and the manifest's name comes from the locale.
 */
let server: SiteServer;
let ext: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  server = await startSiteServer();
  ext = await launchWithExtension({ sitePort: server.port, language: 'de' });
  page = await ext.context.newPage();
  await browse(ext, page, DEMO_SOURCES);
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

test('a German browser gets the German messages', async () => {
  expect(await ext.worker.evaluate(() => chrome.i18n.getUILanguage())).toMatch(/^de\b/);
  expect(await ext.worker.evaluate(() => chrome.runtime.getManifest().name)).toBe('Backlink Lens');
  await openPopupFor(ext, page, GUIDE);
  expect(page.url()).toContain(POPUP);
  // Named German, so that a screen reader reads it with a German voice.
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
  await page.waitForSelector('section.profile');
  expect(await page.locator('section.profile').getAttribute('aria-label')).toBe('Backlink-Profil');
  await expect(page.locator('section.profile h2').first().innerText()).resolves.toBe(
    'Wo aktive Links stehen',
  );
  await expect(page.locator('.scope-switch [data-scope="page"]').innerText()).resolves.toBe(
    'Diese Seite',
  );
  // The risk line is worded in German too (the demo web holds sites with spam signals).
  await page.waitForSelector('.flags .risk-summary');
  await expect(page.locator('.flags .risk-summary').innerText()).resolves.toMatch(
    /^\d+ Risiken zum Ansehen: .*Spam-Signale auf \d+ verlinkenden Websites?/,
  );
  // German plural forms: "Seiten auf anderen Websites" after a count other than one.
  const pages = page.locator('[data-profile="referring-pages"]');
  const count = Number(await pages.locator('.value').innerText());
  expect(count).toBeGreaterThan(1);
  await expect(pages.innerText()).resolves.toBe(`${count} Seiten auf anderen Websites`);
});

test('the full report is German, with German dates and numbers', async () => {
  await page.goto(ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(GUIDE)}`));
  await page.waitForSelector('.link-table tbody tr');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
  expect(await page.title()).toMatch(
    /^Links auf http:\/\/coffee-blog\.test\/brewing-guide · Backlink Lens$/,
  );
  await expect(page.locator('[data-stat="backlinks"] .label').innerText()).resolves.toBe(
    'Links auf diese Seite',
  );
  await expect(page.locator('[data-list="table"]').innerText()).resolves.toBe('Tabelle');
  await expect(page.locator('th button[data-sort="domain"]').innerText()).resolves.toMatch(
    /^Verlinkende Seite/,
  );
  await expect(page.locator('[data-table-count]').innerText()).resolves.toMatch(/^\d+ Links\b/);
  // Dates as Germans write them: day.month.year.
  const firstSeen = page.locator('.link-table tbody tr').first().locator('td').nth(6);
  await expect(firstSeen.innerText()).resolves.toMatch(/^\d{1,2}\.\d{1,2}\.\d{4}$/);
  await expect(
    page.locator('select[name="status"] option[value="lost"]').innerText(),
  ).resolves.toBe('verloren');
});

test('the options page is German, its notices and import errors included', async () => {
  await page.goto(ext.extensionUrl(OPTIONS));
  await page.waitForSelector('#storage-counts');
  await expect(page.locator('h1').innerText()).resolves.toBe('Backlink Lens – Einstellungen');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
  await expect(page.locator('#storage legend').innerText()).resolves.toBe('Speicher');
  await expect(page.locator('#storage-counts').innerText()).resolves.toMatch(
    /^\d+ Seiten und \d+ Links gespeichert\.$/,
  );
  // German digit grouping: "10.000", not "10,000".
  await expect(page.locator('#storage p.status').last().innerText()).resolves.toContain(
    'höchstens 10.000 Links',
  );
  await expect(page.locator('#remote-index legend').innerText()).resolves.toBe('Entfernter Index');
  await page.locator('#import').setInputFiles({
    name: 'not-an-export.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"something-else","pages":[],"links":[]}'),
  });
  await expect
    .poll(() => page.locator('#notice').innerText())
    .toBe('Die Datei ist kein Export von Backlink Lens.');
});

test('every placeholder of the German report and settings shows whole', async () => {
  // Each input's placeholder against the room its box leaves, in its own font: fixed widths
  // cut "im Anker oder auf der Seite", the competitor's address and the index token's hint.
  const cut = () =>
    page.evaluate(() => {
      const context = document.createElement('canvas').getContext('2d')!;
      return Array.from(document.querySelectorAll<HTMLInputElement>('input[placeholder]'))
        .filter((input) => {
          const style = getComputedStyle(input);
          context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const room =
            input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return context.measureText(input.placeholder).width > room;
        })
        .map((input) => input.placeholder);
    });
  await page.goto(ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(GUIDE)}`));
  await page.waitForSelector('#related-input');
  await page.waitForSelector('input[name="q"]');
  expect(await cut()).toEqual([]);
  await page.goto(ext.extensionUrl(OPTIONS));
  await page.waitForSelector('#remote-index-token');
  expect(await cut()).toEqual([]);
});
