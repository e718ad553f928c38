import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, REPORT } from '../support/extension-pages';

const s = useExtensionSession();
let helper: Page;

beforeAll(async () => {
  // An extension page from which the real popup's window can be read (chrome.extension.getViews).
  helper = await s.ext.context.newPage();
  await helper.goto(s.ext.extensionUrl(`${REPORT}?url=about:blank`));
});

/** Click-equivalent of the toolbar icon, then read what the popup shows. */
async function openToolbarPopup(): Promise<{
  url: string | null;
  text: string;
  sources: string[];
}> {
  await s.ext.worker.evaluate(() => chrome.action.openPopup());
  const read = () =>
    helper.evaluate(() => {
      const view = chrome.extension.getViews({ type: 'popup' })[0];
      const report = view?.document.querySelector('.report');
      if (!view || !report) return null;
      return {
        url: report.getAttribute('data-url'),
        // Text, not innerText: a row may not be rendered yet (content-visibility: auto).
        text: view.document.body.textContent ?? '',
        sources: Array.from(view.document.querySelectorAll('li.link')).map(
          (li) => li.getAttribute('data-source') ?? '',
        ),
      };
    });
  await expect.poll(read, { timeout: 10_000 }).not.toBeNull();
  return (await read())!;
}

test('the toolbar popup shows the backlinks of the active tab', async () => {
  const tab = await s.ext.context.newPage();
  await browse(s.ext, tab, ['http://news-daily.test/', 'http://linkfarm.test/']);
  await tab.goto('http://forum.test/thread-42');
  await tab.bringToFront();
  const popup = await openToolbarPopup();
  expect(popup.url).toBe('http://forum.test/thread-42');
  expect(popup.sources.sort()).toEqual(['http://linkfarm.test/', 'http://news-daily.test/']);
  expect(popup.text).toContain('Best way to brew?');
  await tab.close();
});

test('the popup of a page nobody links to explains how the cache grows', async () => {
  const tab = await s.ext.context.newPage();
  await tab.goto('http://coffee-blog.test/about');
  await tab.bringToFront();
  const popup = await openToolbarPopup();
  expect(popup.url).toBe('http://coffee-blog.test/about');
  expect(popup.sources).toEqual([]);
  expect(popup.text).toContain('No links to this page yet');
  expect(popup.text).toContain('As you browse');
  await tab.close();
});
