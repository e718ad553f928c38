import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { browse, openPopupFor, POPUP } from '../support/extension-pages';
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
