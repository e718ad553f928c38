import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, OPTIONS, POPUP, REPORT } from '../support/extension-pages';
import type { WorkerHooks } from '../../src/background/worker';
import type { Settings } from '../../src/core/types';

/**
 * A page with links to a guide (one straight, one through an old address that 301s there),
 * the guide itself, a site excluded from recording linking to the guide, and for link
 * intersect two rival pages: a directory links to both, a magazine to one.
 */
const SOURCE = 'http://ref-source.test/post';
const TARGET = 'http://ref-target.test/guide';
const OLD = 'http://ref-target.test/old';
const EXCLUDED = 'http://ref-excluded.test/';
const RIVAL_A = 'http://rival-a.test/page';
const RIVAL_B = 'http://rival-b.test/page';
const DIRECTORY = 'http://dir.test/';
const MAGAZINE = 'http://mag.test/';

const page = (title: string, links: string) =>
  `<!doctype html><title>${title}</title><main><h1>${title}</h1>${links}</main>`;

const s = useExtensionSession();
let popup: Page;

beforeAll(async () => {
  s.server.setPage(
    'ref-source.test',
    '/post',
    page(
      'Source post',
      `<p>Read <a id="to-target" href="${TARGET}">the brewing guide</a>.</p>
       <p>Or <a id="to-old" href="${OLD}">the old guide</a>.</p>`,
    ),
  );
  s.server.setPage('ref-target.test', '/guide', page('The guide', ''));
  s.server.setRedirect('ref-target.test', '/old', 301, TARGET);
  s.server.setPage(
    'ref-excluded.test',
    '/',
    page('Excluded', `<a id="to-target" href="${TARGET}">guide</a>`),
  );
  s.server.setPage('rival-a.test', '/page', page('Rival A', ''));
  s.server.setPage('rival-b.test', '/page', page('Rival B', ''));
  s.server.setPage(
    'dir.test',
    '/',
    page('Directory', `<a href="${RIVAL_A}">Rival A</a> <a href="${RIVAL_B}">Rival B</a>`),
  );
  s.server.setPage('mag.test', '/', page('Magazine', `<a href="${RIVAL_A}">Rival A</a>`));
  await browse(s.ext, s.page, [SOURCE, EXCLUDED, DIRECTORY, MAGAZINE]);
  popup = await s.ext.context.newPage();
});

afterAll(async () => {
  await popup?.close();
});

type Counts = WorkerHooks['referrals'];

async function referralCounts(): Promise<Counts> {
  return s.ext.worker.evaluate(() => {
    const { referrals } = (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens;
    return { clicks: { ...referrals.clicks }, visits: { ...referrals.visits } };
  });
}

/** How many redirect hops the worker has stored. */
async function redirectsRecorded(): Promise<number> {
  return s.ext.worker.evaluate(
    () =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.redirects.recorded ?? 0,
  );
}

/** The id of the tab showing `url`. */
async function tabOf(url: string): Promise<number> {
  return s.ext.worker.evaluate(async (u) => {
    const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
    if (tab?.id === undefined) throw new Error(`no tab shows ${u}`);
    return tab.id;
  }, url);
}

/** Wait until the worker has settled a navigation with `outcome` once more than `before`. */
async function settled(before: Counts, outcome: string): Promise<void> {
  await expect
    .poll(async () => (await referralCounts()).visits[outcome] ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(before.visits[outcome] ?? 0);
}

/** What the popup for `url` shows of referrals, opened for the tab `tab` (as its toolbar would). */
async function shownReferrals(url: string, tab: number) {
  await popup.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(url)}&tab=${tab}`));
  // The arrival and the per-link counts are read after the list.
  await popup.waitForSelector('.report[data-referrals-read]', { state: 'attached' });
  await popup.waitForSelector('[data-arrival-read]', { state: 'attached' });
  return {
    cameFrom: await popup
      .locator('[data-came-from]')
      .getAttribute('data-came-from', { timeout: 500 })
      .catch(() => null),
    cameFromText: await popup
      .locator('[data-came-from]')
      .innerText({ timeout: 500 })
      .catch(() => null),
    rows: await popup.$$eval('li.link', (items) =>
      items.map((li) => ({
        source: li.getAttribute('data-source'),
        target: li.getAttribute('data-target'),
        referrals: Number(
          li.querySelector('[data-referrals]')?.getAttribute('data-referrals') ?? 0,
        ),
      })),
    ),
  };
}

async function setPaused(paused: boolean): Promise<void> {
  await s.ext.worker.evaluate(async (p) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...(settings ?? {}), paused: p } });
  }, paused);
}

describe('referral visits', () => {
  test('webNavigation adds no install warning: the content scripts already ask for every site', async () => {
    await popup.goto(s.ext.extensionUrl(OPTIONS));
    const [withIt, without] = await popup.evaluate(async () => {
      const manifest = chrome.runtime.getManifest();
      const before = {
        ...manifest,
        permissions: manifest.permissions?.filter((p) => p !== 'webNavigation'),
      };
      return Promise.all(
        [manifest, before].map((m) =>
          chrome.management.getPermissionWarningsByManifest(JSON.stringify(m)),
        ),
      );
    });
    expect(withIt).toEqual(without);
    expect(withIt).toEqual(['Read and change all your data on all websites']);
  });

  test('following a link: the popup says where you came from, and its row shows 1 visit', async () => {
    await browse(s.ext, s.page, [SOURCE]);
    const before = await referralCounts();
    await s.page.click('#to-target');
    await s.page.waitForURL(TARGET);
    await settled(before, 'recorded');

    const tab = await tabOf(TARGET);
    const shown = await shownReferrals(TARGET, tab);
    expect(shown.cameFrom).toBe(SOURCE);
    expect(shown.cameFromText).toBe(
      'You came here from http://ref-source.test/post by the link “the brewing guide”.',
    );
    // The link to the old address is not known to lead here until it is followed.
    expect(shown.rows).toHaveLength(2);
    expect(shown.rows).toContainEqual({ source: SOURCE, target: TARGET, referrals: 1 });
    // The excluded site's page (recorded before it was excluded) sent no visit.
    expect(shown.rows).toContainEqual({ source: EXCLUDED, target: TARGET, referrals: 0 });

    // Typing the address again is no referral: the tab's arrival is forgotten.
    const typed = await referralCounts();
    await s.page.goto(TARGET);
    await settled(typed, 'unconfirmed');
    expect((await shownReferrals(TARGET, tab)).cameFrom).toBeNull();
  });

  test('a link to an address that redirects counts for that link, on the page it led to', async () => {
    await browse(s.ext, s.page, [SOURCE]);
    const before = await referralCounts();
    const hops = await redirectsRecorded();
    await s.page.click('#to-old');
    await s.page.waitForURL(TARGET);
    await settled(before, 'recorded');
    // The link to the old address counts for the guide once the hop is stored, which the
    // worker does on its own, not before confirming the visit.
    await expect.poll(redirectsRecorded, { timeout: 10_000 }).toBeGreaterThan(hops);
    const shown = await shownReferrals(TARGET, await tabOf(TARGET));
    expect(shown.cameFrom).toBe(SOURCE);
    expect(shown.rows).toContainEqual({ source: SOURCE, target: OLD, referrals: 1 });
    expect(shown.rows).toContainEqual({ source: SOURCE, target: TARGET, referrals: 1 });
  });

  test('a middle click opens the link in a new tab, and that counts too', async () => {
    await browse(s.ext, s.page, [SOURCE]);
    const before = await referralCounts();
    const [opened] = await Promise.all([
      s.ext.context.waitForEvent('page'),
      s.page.click('#to-target', { button: 'middle' }),
    ]);
    await opened.waitForURL(TARGET);
    await settled(before, 'recorded');
    expect(s.page.url()).toBe(SOURCE);
    const shown = await shownReferrals(TARGET, await tabOf(TARGET));
    expect(shown.cameFrom).toBe(SOURCE);
    expect(shown.rows).toContainEqual({ source: SOURCE, target: TARGET, referrals: 2 });
    await opened.close();
  });

  test('nothing is recorded while paused', async () => {
    await browse(s.ext, s.page, [SOURCE]);
    await setPaused(true);
    const before = await referralCounts();
    await s.page.click('#to-target');
    await s.page.waitForURL(TARGET);
    await expect
      .poll(async () => (await referralCounts()).clicks.paused ?? 0)
      .toBe((before.clicks.paused ?? 0) + 1);
    await setPaused(false);
    const shown = await shownReferrals(TARGET, await tabOf(TARGET));
    expect(shown.cameFrom).toBeNull();
    expect(shown.rows).toContainEqual({ source: SOURCE, target: TARGET, referrals: 2 });
  });

  test('nothing is recorded from an excluded site', async () => {
    await popup.goto(s.ext.extensionUrl(OPTIONS));
    await popup.locator('#site-input').fill('ref-excluded.test');
    await popup.locator('#add-site').click();
    await expect.poll(() => popup.locator('#notice').innerText()).toContain('ref-excluded.test');
    await s.page.goto(EXCLUDED);
    const before = await referralCounts();
    await s.page.click('#to-target');
    await s.page.waitForURL(TARGET);
    await expect
      .poll(async () => (await referralCounts()).clicks.excluded ?? 0)
      .toBe((before.clicks.excluded ?? 0) + 1);
    const visits = await s.ext.worker.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('backlink-lens');
          open.onsuccess = () => {
            const count = open.result.transaction('referrals').objectStore('referrals').count();
            count.onsuccess = () => resolve(count.result);
            count.onerror = () => reject(count.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    // The three visits from the source page only.
    expect(visits).toBe(3);
  });
});

describe('export, import and traffic senders', () => {
  test('the export carries the visits; an imported often-visited page is a likely traffic sender', async () => {
    await popup.goto(s.ext.extensionUrl(OPTIONS));
    const [download] = await Promise.all([
      popup.waitForEvent('download'),
      popup.locator('#export-json').click(),
    ]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(exported.version).toBe(5);
    expect(
      exported.referrals
        .map((v: { source: string; target: string; href: string }) => [v.source, v.target, v.href])
        .sort(),
    ).toEqual(
      [
        [SOURCE, TARGET, TARGET],
        [SOURCE, TARGET, TARGET],
        [SOURCE, TARGET, OLD],
      ].sort(),
    );

    // A page read five times (half an hour apart), with an editorial link to the guide.
    const DAILY = 'http://daily.test/';
    const now = Date.now();
    const file = {
      ...exported,
      pages: [
        { url: DAILY, title: 'Daily', firstSeen: now, lastSeen: now, visits: 5, outboundCount: 1 },
      ],
      links: [
        {
          source: DAILY,
          target: TARGET,
          anchor: 'a great guide',
          rel: [],
          region: 'main',
          firstSeen: now,
          lastSeen: now,
          lostAt: null,
        },
      ],
      redirects: [],
      referrals: [],
    };
    await popup.locator('#import').setInputFiles({
      name: 'daily.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await expect
      .poll(() => popup.locator('#notice').innerText())
      .toBe('Imported 1 page and 1 link.');

    await popup.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
    const sender = popup.locator(`[data-sender="${DAILY}"]`);
    await expect.poll(() => sender.count()).toBe(1);
    expect(await sender.locator('[data-visits]').innerText()).toBe('you visited it 5 times');
    // The source post, read once, is not one.
    expect(await popup.locator(`[data-sender="${SOURCE}"]`).count()).toBe(0);
    // The report lists where the visits came from.
    expect(
      await popup.locator(`[data-referral-source="${SOURCE}"]`).getAttribute('data-count'),
    ).toBe('3');
  });
});

/** Open the report of `url` in the popup's tab, once its outreach hints are shown. */
async function openReport(url: string) {
  await popup.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(url)}`));
  await popup.waitForSelector('[data-outreach-for]');
}

describe('link intersect', () => {
  test('mark two rival pages: the report lists the site linking to both, with the pages to open', async () => {
    for (const rival of [RIVAL_A, RIVAL_B]) {
      await openReport(rival);
      await popup.locator('[data-mark-related="on"]').click();
      await expect
        .poll(() => popup.locator('[data-outreach-notice]').innerText())
        .toContain(`${rival} is marked as a related page`);
      await expect(
        popup.locator('[data-mark-related]').getAttribute('data-mark-related'),
      ).resolves.toBe('off');
    }

    await openReport(TARGET);
    await expect.poll(() => popup.locator('[data-outreach="intersect"]').count()).toBe(1);
    const hint = popup.locator('[data-outreach="intersect"]');
    expect(await hint.getAttribute('data-domain')).toBe('dir.test');
    expect(await hint.getAttribute('data-targets')).toBe('2');
    const pages = await hint
      .locator('li[data-source]')
      .evaluateAll((items) =>
        items.map((li) => [li.getAttribute('data-source'), li.getAttribute('data-target')]),
      );
    expect(pages).toEqual([
      [DIRECTORY, RIVAL_A],
      [DIRECTORY, RIVAL_B],
    ]);
    // The page to open is a link.
    expect(await hint.locator(`a[href="${DIRECTORY}"]`).count()).toBe(2);

    // The options page lists them, and removing one empties the intersect.
    await popup.goto(s.ext.extensionUrl(OPTIONS));
    await expect
      .poll(() =>
        popup
          .locator('#related-pages [data-related]')
          .evaluateAll((l) => l.map((x) => x.getAttribute('data-related'))),
      )
      .toEqual([RIVAL_A, RIVAL_B]);
    await popup.locator(`[data-related="${RIVAL_B}"] button`).click();
    await expect
      .poll(() => popup.locator('#notice').innerText())
      .toBe(`${RIVAL_B} is no longer a related page.`);
    await expect(popup.locator('#related-pages [data-related]').count()).resolves.toBe(1);
    await openReport(TARGET);
    await expect.poll(() => popup.locator('[data-outreach="intersect"]').count()).toBe(0);
  });

  test('the settings page marks a rival page typed in by its address, and refuses what is none', async () => {
    await popup.goto(s.ext.extensionUrl(OPTIONS));
    const listed = () =>
      popup
        .locator('#related-pages [data-related]')
        .evaluateAll((l) => l.map((x) => x.getAttribute('data-related')));
    await expect.poll(listed).toEqual([RIVAL_A]);
    await popup.locator('#related-input').fill('not a page');
    await popup.locator('#related-input').press('Enter');
    await expect
      .poll(() => popup.locator('#notice.error').innerText())
      .toBe('“not a page” is not a web address (http or https).');
    expect(await listed()).toEqual([RIVAL_A]);

    // Typed as a person copies it: the address is stored in its canonical form.
    await popup.locator('#related-input').fill(` ${RIVAL_B.replace('http://', 'HTTP://')}#top `);
    await popup.locator('#add-related').click();
    await expect
      .poll(() => popup.locator('#notice').innerText())
      .toContain(`${RIVAL_B} is marked as a related page`);
    await expect.poll(listed).toEqual([RIVAL_A, RIVAL_B]);
    await openReport(TARGET);
    await expect.poll(() => popup.locator('[data-outreach="intersect"]').count()).toBe(1);
  });
});

describe('other ways of following a link', () => {
  // Pages of their own, so the counts above stay as they are.
  const MENU_SOURCE = 'http://ref-menu.test/post';
  const MENU_TARGET = 'http://ref-menu-target.test/page';
  const HOST = 'http://ref-host.test/';
  const WIDGET = 'http://ref-frame.test/widget';
  const FRAME_TARGET = 'http://ref-frame-target.test/page';

  beforeAll(async () => {
    s.server.setPage(
      'ref-menu.test',
      '/post',
      page('Menu source', `<p>See <a id="to-menu-target" href="${MENU_TARGET}">the page</a>.</p>`),
    );
    s.server.setPage('ref-menu-target.test', '/page', page('Menu target', ''));
    s.server.setPage(
      'ref-host.test',
      '/',
      page('Host', `<iframe src="${WIDGET}" width="400" height="200"></iframe>`),
    );
    s.server.setPage(
      'ref-frame.test',
      '/widget',
      page('Widget', `<a id="to-frame-target" href="${FRAME_TARGET}" target="_top">read on</a>`),
    );
    s.server.setPage('ref-frame-target.test', '/page', page('Frame target', ''));
  });

  test('the context menu, then a new tab opened from that tab: the visit counts', async () => {
    await browse(s.ext, s.page, [MENU_SOURCE]);
    const sourceTab = await tabOf(MENU_SOURCE);
    const before = await referralCounts();
    // A real right click: the page gets a trusted contextmenu event. Native menu items cannot
    // be chosen from a test, so the tab "Open link in new tab" would make is opened the way the
    // browser opens it, from the source tab; it also takes the path where no
    // onCreatedNavigationTarget comes (Firefox's menu) and the tab's opener stands in.
    await s.page.click('#to-menu-target', { button: 'right' });
    await expect
      .poll(async () => (await referralCounts()).clicks.noted ?? 0)
      .toBe((before.clicks.noted ?? 0) + 1);
    const [opened] = await Promise.all([
      s.ext.context.waitForEvent('page'),
      s.ext.worker.evaluate(([url, openerTabId]) => chrome.tabs.create({ url, openerTabId }), [
        MENU_TARGET,
        sourceTab,
      ] as const),
    ]);
    await opened.waitForURL(MENU_TARGET);
    await settled(before, 'recorded');
    const shown = await shownReferrals(MENU_TARGET, await tabOf(MENU_TARGET));
    expect(shown.cameFrom).toBe(MENU_SOURCE);
    expect(shown.rows).toContainEqual({ source: MENU_SOURCE, target: MENU_TARGET, referrals: 1 });
    await opened.close();
  });

  test('a right click alone, then typing the address in the same tab, is no referral', async () => {
    await browse(s.ext, s.page, [MENU_SOURCE]);
    const before = await referralCounts();
    await s.page.click('#to-menu-target', { button: 'right' });
    await s.page.keyboard.press('Escape');
    await s.page.goto(MENU_TARGET);
    await settled(before, 'unconfirmed');
    const shown = await shownReferrals(MENU_TARGET, await tabOf(MENU_TARGET));
    expect(shown.cameFrom).toBeNull();
    expect(shown.rows).toContainEqual({ source: MENU_SOURCE, target: MENU_TARGET, referrals: 1 });
  });

  test('a link in a frame that opens in the whole tab counts for the frame’s page', async () => {
    await s.page.goto(HOST, { waitUntil: 'load' });
    const frameLink = s.page.frameLocator('iframe').locator('#to-frame-target');
    // The frame's own links recorded under the frame's URL (discovery.test.ts), waited for as
    // such: a count of the worker's loads can be reached with a load the test before left in
    // flight in place of the frame's. A popup's read holds recording back 1 s at most
    // (platform/write-gate.ts), so one every 500 ms leaves recording going.
    await expect
      .poll(async () => (await shownReferrals(FRAME_TARGET, -1)).rows.length, {
        timeout: 15_000,
        interval: 500,
      })
      .toBe(1);
    const counts = await referralCounts();
    await frameLink.click();
    await s.page.waitForURL(FRAME_TARGET);
    await settled(counts, 'recorded');
    const shown = await shownReferrals(FRAME_TARGET, await tabOf(FRAME_TARGET));
    expect(shown.cameFrom).toBe(WIDGET);
    expect(shown.rows).toEqual([{ source: WIDGET, target: FRAME_TARGET, referrals: 1 }]);
  });
});

// Last in the file: it clears all data (and brings it back).
describe('marked pages go with export, clear and import', () => {
  /** The stored settings, as the worker reads them. */
  const storedSettings = () =>
    s.ext.worker.evaluate(
      async () => (await chrome.storage.local.get('settings')).settings as Settings,
    );
  const listed = () =>
    popup
      .locator('#related-pages [data-related]')
      .evaluateAll((l) => l.map((x) => x.getAttribute('data-related')));

  test('exported, cleared by "Clear all data", and back with an import: the intersect too', async () => {
    // Marked from their reports (the tests before may have left one marked).
    for (const rival of [RIVAL_A, RIVAL_B]) {
      await openReport(rival);
      const mark = popup.locator('[data-mark-related]');
      if ((await mark.getAttribute('data-mark-related')) === 'on') await mark.click();
      await expect.poll(() => mark.getAttribute('data-mark-related')).toBe('off');
    }
    await openReport(TARGET);
    await expect.poll(() => popup.locator('[data-outreach="intersect"]').count()).toBe(1);
    const before = await storedSettings();
    expect(before.relatedPages).toEqual([RIVAL_A, RIVAL_B]);
    expect(before.excludedSites).toEqual(['ref-excluded.test']); // excluded above

    await popup.goto(s.ext.extensionUrl(OPTIONS));
    const [download] = await Promise.all([
      popup.waitForEvent('download'),
      popup.locator('#export-json').click(),
    ]);
    const path = await download.path();
    const exported = JSON.parse(await readFile(path, 'utf8'));
    expect(exported).toMatchObject({ version: 5, relatedPages: [RIVAL_A, RIVAL_B] });

    let asked = '';
    popup.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await popup.locator('#clear').click();
    await expect
      .poll(() => popup.locator('#notice').innerText())
      .toBe('All stored data was deleted.');
    expect(asked).toBe(
      'Delete every stored page, link and referral visit, and the related pages you marked? This cannot be undone.',
    );
    await expect.poll(listed).toEqual([]);
    // Only the marks went with the data: pause and exclusions stay as they were.
    expect(await storedSettings()).toEqual({ ...before, relatedPages: [] });
    await openReport(RIVAL_A);
    expect(await popup.locator('[data-mark-related]').getAttribute('data-mark-related')).toBe('on');

    await popup.goto(s.ext.extensionUrl(OPTIONS));
    await popup.locator('#import').setInputFiles(path);
    await expect
      .poll(() => popup.locator('#notice').innerText())
      .toMatch(
        /^Imported \d+ pages? and \d+ links, \d+ referral visits?, 2 related pages marked\.$/,
      );
    // The settings page shows them at once, without a reload.
    await expect.poll(listed).toEqual([RIVAL_A, RIVAL_B]);
    expect(await storedSettings()).toEqual(before);
    await openReport(TARGET);
    await expect.poll(() => popup.locator('[data-outreach="intersect"]').count()).toBe(1);
    expect(await popup.locator('[data-outreach="intersect"]').getAttribute('data-domain')).toBe(
      'dir.test',
    );
  });
});
