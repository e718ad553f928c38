import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { browse, REPORT } from '../support/extension-pages';

let server: SiteServer;
let ext: ExtensionBrowser;
let helper: Page;

beforeAll(async () => {
  server = await startSiteServer();
  ext = await launchWithExtension({ sitePort: server.port });
  // An extension page from which the real popup's window can be read (chrome.extension.getViews).
  helper = await ext.context.newPage();
  await helper.goto(ext.extensionUrl(`${REPORT}?url=about:blank`));
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** Click-equivalent of the toolbar icon, then read what the popup shows. */
async function openToolbarPopup(): Promise<{ url: string | null; text: string; sources: string[] }> {
  await ext.worker.evaluate(() => chrome.action.openPopup());
  const read = () =>
    helper.evaluate(() => {
      const view = chrome.extension.getViews({ type: 'popup' })[0];
      const report = view?.document.querySelector('.report');
      if (!view || !report) return null;
      return {
        url: report.getAttribute('data-url'),
        text: view.document.body.innerText,
        sources: Array.from(view.document.querySelectorAll('li.link')).map(
          (li) => li.getAttribute('data-source') ?? '',
        ),
      };
    });
  await expect.poll(read, { timeout: 10_000 }).not.toBeNull();
  return (await read())!;
}

test('the toolbar popup shows the backlinks of the active tab', async () => {
  const page = await ext.context.newPage();
  await browse(ext, page, ['http://news-daily.test/', 'http://linkfarm.test/']);
  await page.goto('http://forum.test/thread-42');
  await page.bringToFront();
  const popup = await openToolbarPopup();
  expect(popup.url).toBe('http://forum.test/thread-42');
  expect(popup.sources.sort()).toEqual(['http://linkfarm.test/', 'http://news-daily.test/']);
  expect(popup.text).toContain('Best way to brew?');
  await page.close();
});

test('the popup of a page nobody links to explains how the cache grows', async () => {
  const page = await ext.context.newPage();
  await page.goto('http://coffee-blog.test/about');
  await page.bringToFront();
  const popup = await openToolbarPopup();
  expect(popup.url).toBe('http://coffee-blog.test/about');
  expect(popup.sources).toEqual([]);
  expect(popup.text).toContain('No links to this page yet');
  expect(popup.text).toContain('As you browse');
  await page.close();
});
