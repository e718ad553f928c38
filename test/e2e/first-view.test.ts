import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, POPUP } from '../support/extension-pages';

/**
 * The popup's first view (background/first-view.ts): the worker keeps the first rows of the
 * active tab's page in storage.session, and the popup renders them before its own read.
 */
const s = useExtensionSession();

const TARGET = 'http://forum.test/thread-42';
const NEWS = 'http://news-daily.test/';
const FARM = 'http://linkfarm.test/';

/** What the worker stored for a tab (storage.session, read from the extension's worker). */
function entryOf(tabId: number): Promise<{ url: string; live: number; sources: string[] } | null> {
  return s.ext.worker.evaluate(async (id) => {
    const key = `firstView:${id}`;
    const stored: unknown = (await chrome.storage.session.get(key))[key];
    if (stored === undefined) return null;
    // Stored as one JSON string (core/first-view.ts#encodeFirstView): its get is cheaper.
    if (typeof stored !== 'string') throw new Error('the entry is not stored as a string');
    const entry = JSON.parse(stored) as {
      url: string;
      state: { summary: { live: number; groups: { links: { source: string }[] }[] } };
    };
    const { summary } = entry.state;
    const sources = summary.groups.flatMap((g) => g.links.map((l) => l.source)).sort();
    return { url: entry.url, live: summary.live, sources };
  }, tabId);
}

/** Every stored first view's key. */
const storedKeys = () =>
  s.ext.worker.evaluate(async () =>
    Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('firstView:')),
  );

async function tabIdOf(url: string): Promise<number> {
  return s.ext.worker.evaluate(async (u) => {
    const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
    if (tab?.id === undefined) throw new Error(`no tab shows ${u}`);
    return tab.id;
  }, url);
}

/**
 * The rows the popup rendered while it showed the worker's entry (`data-first-view`), the last
 * such render: recorded from the page's start, before its own scripts run.
 */
const RECORD_FIRST_VIEW = `(() => {
  window.__firstView = null;
  new MutationObserver(() => {
    const app = document.getElementById('app');
    if (!app || app.getAttribute('data-first-view') !== 'entry') return;
    const items = [...app.querySelectorAll('li.link')];
    if (items.length === 0) return;
    window.__firstView = items.map((li) => li.getAttribute('data-source')).sort();
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

/** Open the popup for the tab showing TARGET; the rows of its first render from the entry. */
async function openPopup(tabId: number): Promise<{ first: string[] | null; settled: string[] }> {
  const popup = await s.ext.context.newPage();
  try {
    await popup.addInitScript(RECORD_FIRST_VIEW);
    await popup.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(TARGET)}&tab=${tabId}`));
    await popup.waitForSelector('.report:not(:has([data-rows-pending])) li.link');
    // The usual read replaced it: no longer marked provisional.
    await popup.waitForSelector('#app:not([data-first-view])');
    const settled = await popup.$$eval('li.link', (items) =>
      items.map((li) => li.getAttribute('data-source') ?? '').sort(),
    );
    const first = await popup.evaluate(
      () => (window as unknown as { __firstView: string[] | null }).__firstView,
    );
    return { first, settled };
  } finally {
    await popup.close();
  }
}

async function showTarget(): Promise<{ tab: Page; tabId: number }> {
  const tab = await s.ext.context.newPage();
  // Recorded itself (a write that touches its own entry) before the entry is looked at.
  await browse(s.ext, tab, [TARGET]);
  await tab.bringToFront();
  return { tab, tabId: await tabIdOf(TARGET) };
}

test('the popup renders the worker’s first view first, and never counts a write acknowledged before it opened', async () => {
  await browse(s.ext, s.page, [NEWS]);
  const { tab, tabId } = await showTarget();
  const entry = { url: TARGET, live: 1, sources: [NEWS] };
  await expect.poll(() => entryOf(tabId), { timeout: 10_000 }).toEqual(entry);

  const once = await openPopup(tabId);
  expect(once.first).toEqual([NEWS]);
  expect(once.settled).toEqual([NEWS]);

  // More links to the page, recorded in another tab: once the write is acknowledged, no entry
  // with the count before it is left (dropped, or built again after it).
  await browse(s.ext, s.page, [FARM]);
  const after = await entryOf(tabId);
  expect(after === null || after.live === 2).toBe(true);

  // Its tab active again: the worker prepares it again, with the new link.
  await tab.bringToFront();
  const again = { url: TARGET, live: 2, sources: [FARM, NEWS] };
  await expect.poll(() => entryOf(tabId), { timeout: 10_000 }).toEqual(again);
  const twice = await openPopup(tabId);
  expect(twice.first).toEqual([FARM, NEWS]);
  expect(twice.settled).toEqual([FARM, NEWS]);

  // The tab closed: its entry goes with it.
  await tab.close();
  await expect.poll(() => entryOf(tabId), { timeout: 10_000 }).toBeNull();
});

test('no first view of an excluded site; excluding one drops the entry it had', async () => {
  const { tab, tabId } = await showTarget();
  await expect.poll(() => entryOf(tabId), { timeout: 10_000 }).not.toBeNull();
  await s.ext.worker.evaluate(async () => {
    const { settings } = await chrome.storage.local.get('settings');
    const excludedSites = ['forum.test'];
    await chrome.storage.local.set({
      settings: { ...(settings as object | undefined), excludedSites },
    });
  });
  await expect.poll(() => entryOf(tabId), { timeout: 10_000 }).toBeNull();
  // Loaded again and active, it still gets none, while the worker did prepare (it keeps no other).
  await tab.reload({ waitUntil: 'load' });
  await tab.bringToFront();
  const other = await s.ext.context.newPage();
  await other.goto('http://coffee-blog.test/about', { waitUntil: 'load' });
  await other.bringToFront();
  const otherId = await tabIdOf('http://coffee-blog.test/about');
  await expect.poll(() => entryOf(otherId), { timeout: 10_000 }).not.toBeNull();
  await tab.bringToFront();
  // The activation is handled after the other tab's (one worker, events in order): a moment.
  await new Promise((r) => setTimeout(r, 500));
  expect(await storedKeys()).not.toContain(`firstView:${tabId}`);
  await other.close();
  await tab.close();
});
