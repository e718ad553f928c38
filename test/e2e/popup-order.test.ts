import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useExtensionSession } from '../support/session';
import { exportText } from '../support/export-file';
import { browse, OPTIONS, POPUP, REPORT } from '../support/extension-pages';
import { T0 } from '../support/records';
import { POPUP_ROWS } from '../../src/core/first-view';
import type { WorkerHooks } from '../../src/background/worker';

/**
 * A page without an aggregate (under 200 links) linked once from each of 40 domains, more than
 * the popup shows (30): groups of equal counts come strongest first in the first paint, as a
 * hot page's do, whether the popup shows the worker's first view or reads for itself, and the
 * report page's list by domain agrees.
 */
const TARGET = 'http://kettle.test/strong';
const DOMAINS = 40;
const domain = (d: number) => `d${String(d).padStart(2, '0')}.test`;
/**
 * The last eight by name are linked from others, d39 from the most: d32 from one domain, d33
 * from two, … d39 from eight (each of those domains links to nothing else), so their authority
 * rises in that order; the others are linked from nobody, scored alike, ranked by name.
 */
const STRONG = 8;
const EXPECTED = [
  ...Array.from({ length: STRONG }, (_, i) => domain(DOMAINS - 1 - i)),
  ...Array.from({ length: DOMAINS - STRONG }, (_, i) => domain(i)),
].slice(0, POPUP_ROWS.domains);

const link = (source: string, target: string) => ({
  source,
  target,
  anchor: `to ${target}`,
  rel: [],
  region: 'main',
  regions: ['main'],
  rels: [],
  occurrences: 1,
  firstSeen: T0,
  lastSeen: T0,
  lostAt: null,
});

async function strongExport(): Promise<string> {
  const links = Array.from({ length: DOMAINS }, (_, d) => link(`http://${domain(d)}/post`, TARGET));
  let booster = 0;
  for (let s = 0; s < STRONG; s++) {
    for (let k = 0; k <= s; k++) {
      links.push(link(`http://b${booster++}.test/`, `http://${domain(DOMAINS - STRONG + s)}/`));
    }
  }
  const file = join(await mkdtemp(join(tmpdir(), 'backlink-lens-popup-order-')), 'strong.json');
  await writeFile(file, exportText([], links));
  return file;
}

/**
 * The groups of each render that changed them, from the page's start: `first` the first one
 * with groups, `entry` the first while the worker's first view is shown.
 */
const RECORD_ORDER = `(() => {
  window.__order = { first: null, entry: null };
  const groups = () =>
    [...document.querySelectorAll('section.group[data-domain]')].map((g) => g.getAttribute('data-domain'));
  new MutationObserver(() => {
    const shown = groups();
    if (shown.length === 0) return;
    window.__order.first ??= shown;
    const app = document.getElementById('app');
    if (app && app.getAttribute('data-first-view') === 'entry') window.__order.entry ??= shown;
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

interface Order {
  first: string[] | null;
  entry: string[] | null;
  settled: string[];
}

async function orderIn(page: Page, path: string): Promise<Order> {
  await page.addInitScript(RECORD_ORDER);
  await page.goto(s.ext.extensionUrl(path));
  // Every group in, the usual read's (the entry, if shown, replaced).
  await page.waitForSelector('.report:not(:has([data-rows-pending])) section.group');
  await page.waitForSelector('#app:not([data-first-view])');
  const settled = await page.$$eval('section.group[data-domain]', (groups) =>
    groups.map((g) => g.getAttribute('data-domain') ?? ''),
  );
  const recorded = await page.evaluate(
    () => (window as unknown as { __order: Omit<Order, 'settled'> }).__order,
  );
  return { ...recorded, settled };
}

async function popupOrder(query: string): Promise<Order> {
  const popup = await s.ext.context.newPage();
  try {
    await popup.setViewportSize({ width: 420, height: 600 });
    return await orderIn(popup, `${POPUP}?url=${encodeURIComponent(TARGET)}${query}`);
  } finally {
    await popup.close();
  }
}

/** The groups of the worker's first view of tab `tabId`, in order (null: none stored). */
function entryOrder(tabId: number): Promise<string[] | null> {
  return s.ext.worker.evaluate(async (id) => {
    const key = `firstView:${id}`;
    const stored: unknown = (await chrome.storage.session.get(key))[key];
    if (typeof stored !== 'string') return null;
    const entry = JSON.parse(stored) as { state: { summary: { groups: { domain: string }[] } } };
    return entry.state.summary.groups.map((g) => g.domain);
  }, tabId);
}

const s = useExtensionSession();

/**
 * The popup as the toolbar opens it, for `tab` made active: each distinct order of its groups seen
 * while polling it from another extension page (chrome.extension.getViews), until all are in.
 */
async function toolbarOrders(tab: Page): Promise<string[][]> {
  const helper = await s.ext.context.newPage();
  try {
    await helper.goto(s.ext.extensionUrl(`${REPORT}?url=about:blank`));
    await tab.bringToFront();
    await s.ext.worker.evaluate(() => chrome.action.openPopup());
    return await helper.evaluate(async (all) => {
      const seen: string[][] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const view = chrome.extension.getViews({ type: 'popup' })[0];
        const groups = view
          ? [...view.document.querySelectorAll('section.group[data-domain]')].map(
              (g) => g.getAttribute('data-domain') ?? '',
            )
          : [];
        if (groups.length > 0 && seen.at(-1)?.join() !== groups.join()) seen.push(groups);
        if (groups.length >= all) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return seen;
    }, POPUP_ROWS.domains);
  } finally {
    await helper.close();
  }
}

const computeAuthorityNow = (mode?: 'full') =>
  s.ext.worker.evaluate(
    (m) =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(m),
    mode,
  );

/** A tab showing TARGET, its window's active one, and its id. */
async function showTarget(): Promise<{ tab: Page; tabId: number }> {
  const tab = await s.ext.context.newPage();
  await tab.goto(TARGET);
  await tab.bringToFront();
  const tabId = await s.ext.worker.evaluate(
    async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)!.id!,
    TARGET,
  );
  return { tab, tabId };
}

beforeAll(async () => {
  s.server.setPage('kettle.test', '/strong', '<!doctype html><title>Strong</title><p>Tea.</p>');
  await s.page.goto(s.ext.extensionUrl(OPTIONS));
  await s.page.locator('#import').setInputFiles(await strongExport());
  await s.page.locator('#notice', { hasText: 'Imported' }).waitFor();
  await computeAuthorityNow('full');
});

test('a page without an aggregate lists its one-link domains strongest first from its first paint', async () => {
  // Without the worker's first view: the popup's own read.
  const own = await popupOrder('');
  expect(own.settled).toEqual(EXPECTED);
  // Its first render holds the groups of the first viewport, already in their final order.
  expect(own.first).toEqual(EXPECTED.slice(0, own.first!.length));
  expect(own.entry).toBeNull();

  // With the worker's first view of the tab showing the page.
  const { tab, tabId } = await showTarget();
  try {
    await expect.poll(() => entryOrder(tabId), { timeout: 10_000 }).not.toBeNull();
    expect((await entryOrder(tabId))!.slice(0, POPUP_ROWS.domains)).toEqual(EXPECTED);
    const withEntry = await popupOrder(`&tab=${tabId}`);
    expect(withEntry.entry).toEqual(EXPECTED.slice(0, withEntry.entry!.length));
    expect(withEntry.first).toEqual(withEntry.entry);
    expect(withEntry.settled).toEqual(EXPECTED);
    // As the toolbar opens it: every render seen (polled) a part of the same order.
    const orders = await toolbarOrders(tab);
    expect(orders.at(-1)).toEqual(EXPECTED);
    for (const order of orders) expect(order).toEqual(EXPECTED.slice(0, order.length));
  } finally {
    await tab.close();
  }

  // The report page's list by domain: the same order from its first paint.
  const report = await s.ext.context.newPage();
  try {
    const listed = await orderIn(
      report,
      `${REPORT}?url=${encodeURIComponent(TARGET)}&list=domains`,
    );
    expect(listed.settled.slice(0, POPUP_ROWS.domains)).toEqual(EXPECTED);
    expect(listed.first).toEqual(listed.settled.slice(0, listed.first!.length));
  } finally {
    await report.close();
  }
});

test("a computation's new scores drop the first view in the old order, prepared again in the new", async () => {
  const { tab, tabId } = await showTarget();
  try {
    await expect
      .poll(async () => (await entryOrder(tabId))?.slice(0, POPUP_ROWS.domains), {
        timeout: 10_000,
      })
      .toEqual(EXPECTED);
    // Nine sites link to d00 (not to the page: its entry is not touched by these writes), one
    // more than to d39: after the next computation it is the strongest.
    const fans = Array.from({ length: STRONG + 1 }, (_, i) => `http://fan${i}.test/`);
    for (const fan of fans) {
      s.server.setPage(
        new URL(fan).host,
        '/',
        `<!doctype html><a href="http://${domain(0)}/">d</a>`,
      );
    }
    await browse(s.ext, s.page, fans);
    await computeAuthorityNow();
    const next = [domain(0), ...EXPECTED.filter((d) => d !== domain(0))];
    await expect
      .poll(async () => (await entryOrder(tabId))?.slice(0, POPUP_ROWS.domains), {
        timeout: 10_000,
      })
      .toEqual(next);
    const withEntry = await popupOrder(`&tab=${tabId}`);
    expect(withEntry.entry).toEqual(next.slice(0, withEntry.entry!.length));
    expect(withEntry.settled).toEqual(next);
  } finally {
    await tab.close();
  }
});
