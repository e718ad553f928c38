import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import {
  launchFirefoxWithExtension,
  nextDownload,
  type FirefoxExtension,
} from '../support/firefox';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { DEMO_SOURCES, GUIDE, LINKS_TO_GUIDE } from '../support/demo-site';
import { LATE_LINKS_PAGE, SPA_PAGE } from '../support/discovery-pages';
import {
  browseWith,
  OPTIONS,
  POPUP,
  REPORT,
  shownLinks,
  sortLinks,
  stat,
  waitForLinksWith,
  type ShownLink,
} from '../support/extension-pages';

/*
 * The journeys the Chromium suite runs, in Debian's Firefox ESR with the Firefox build: links
 * found on served pages, the popup for a target with exactly the expected links, a lost link,
 * pause and exclusions, export, clear and import. One browser for the file: Firefox takes
 * tens of seconds to start on a busy machine.
 */

let server: SiteServer;
let ff: FirefoxExtension;
let popup: Page;
let options: Page;

/** Visit pages as a user would, staying on each until the background has handled it. */
const browse = (urls: readonly string[]) =>
  browseWith((url) => ff.page.goto(url, { waitUntil: 'load' }), ff.activity, urls);

async function openPopupFor(url: string): Promise<void> {
  await ff.openExtensionPage(popup, `${POPUP}?url=${encodeURIComponent(url)}`);
  await popup.waitForSelector('.report, .status:not(.loading)');
}

/** The popup's links for `url`, re-read until `until` holds (recording is asynchronous). */
const linksOf = (url: string, until: (links: ShownLink[]) => boolean = () => true) =>
  waitForLinksWith(openPopupFor, popup, url, until);

const sourcesOf = async (url: string) => (await linksOf(url)).map((l) => l.source).sort();

const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (el) => (el as HTMLElement).innerText);

async function openOptions(): Promise<void> {
  await ff.openExtensionPage(options, OPTIONS);
  await options.waitForSelector('#counts');
}

beforeAll(async () => {
  server = await startSiteServer();
  ff = await launchFirefoxWithExtension({ sitePort: server.port });
  popup = await ff.browser.newPage();
  options = await ff.browser.newPage();
}, 180_000);

afterAll(async () => {
  await ff?.close();
  await server?.close();
});

describe('Firefox: installing', () => {
  test('host access to every site is granted with the add-on, as the install prompt lists it', async () => {
    await openOptions();
    const granted = await options.evaluate(() =>
      (globalThis as unknown as { browser: typeof chrome }).browser.permissions.getAll(),
    );
    expect(granted.origins).toEqual(['http://*/*', 'https://*/*']);
    // Firefox runs the background as a page of its own, not a service worker.
    expect(
      await options.evaluate(async () => {
        const runtime = (globalThis as unknown as { browser: typeof chrome }).browser.runtime;
        return (await runtime.getBackgroundPage()) !== null;
      }),
    ).toBe(true);
  });
});

describe('Firefox: backlinks discovered while browsing', () => {
  beforeAll(async () => {
    await browse([...DEMO_SOURCES, GUIDE]);
  }, 120_000);

  test('the popup shows exactly the links the visited pages contain', async () => {
    const links = await linksOf(GUIDE, (l) => l.length >= LINKS_TO_GUIDE.length);
    expect(sortLinks(links)).toEqual(sortLinks(LINKS_TO_GUIDE));
    expect(await stat(popup, 'backlinks')).toBe(7);
    expect(await stat(popup, 'domains')).toBe(4);
  });

  test('"Find links to this page" is in the context menu and opens the report for a link', async () => {
    const target = 'http://forum.test/thread-42';
    await openOptions();
    const menus = await options.evaluate(async (target) => {
      const api = (globalThis as unknown as { browser: typeof chrome }).browser;
      // No API lists an add-on's menu items; updating one fails when it does not exist.
      const exists = (id: string) =>
        api.contextMenus.update(id, {}).then(
          () => true,
          () => false,
        );
      const found = {
        page: await exists('find-links-to-page'),
        link: await exists('find-links-to-link'),
      };
      const [tab] = await api.tabs.query({ url: 'http://coffee-blog.test/*' });
      const background = (await api.runtime.getBackgroundPage()) as unknown as {
        backlinkLens: { onMenuClick(info: object, tab: object): Promise<void> };
      };
      // What Firefox hands the listener when the item is chosen on a link.
      await background.backlinkLens.onMenuClick(
        { menuItemId: 'find-links-to-link', linkUrl: target, pageUrl: tab!.url, editable: false },
        tab!,
      );
      return found;
    }, target);
    expect(menus).toEqual({ page: true, link: true });
    const reportUrl = ff.extensionUrl(`${REPORT}?url=${encodeURIComponent(target)}`);
    // BiDi does not report an extension page's URL to puppeteer: ask each tab's document.
    const showing = async (page: Page) =>
      (await page.evaluate(() => location.href).catch(() => '')) === reportUrl;
    let report: Page | undefined;
    await expect
      .poll(
        async () => {
          for (const page of await ff.browser.pages()) if (await showing(page)) report = page;
          return report;
        },
        { timeout: 15_000 },
      )
      .toBeDefined();
    await report!.waitForSelector('[data-list="domains"]');
    await report!.click('[data-list="domains"]');
    await report!.waitForSelector('.groups');
    expect((await shownLinks(report!)).map((l) => l.source).sort()).toEqual([
      'http://linkfarm.test/',
      'http://news-daily.test/',
    ]);
    await report!.close();
  });

  test("the week chart's table for screen readers is not drawn over the page", async () => {
    await ff.openExtensionPage(popup, `${REPORT}?url=${encodeURIComponent(GUIDE)}`);
    await popup.waitForSelector('.week-chart caption');
    // Firefox draws a table's caption outside the table's clip: it showed over the profile's
    // edge, where a click would land on it.
    const hit = await popup.$eval('.week-chart caption', (caption) => {
      caption.scrollIntoView({ block: 'center' });
      const box = caption.getBoundingClientRect();
      const found = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return { onScreen: found !== null, caption: caption.contains(found) };
    });
    expect(hit).toEqual({ onScreen: true, caption: false });
  });

  test("a new tab's popup says why it lists no links, and its Settings button opens the settings", async () => {
    await ff.openExtensionPage(popup, `${POPUP}?url=${encodeURIComponent('about:newtab')}`);
    await popup.waitForSelector('.status:not(.loading)');
    expect(await textOf(popup, '.status')).toBe(
      'Backlinks are kept for web pages (http and https) only.',
    );
    expect(await popup.$('#open-report')).toBeNull();
    await popup.click('#open-options');
    // Firefox opens the settings in a tab, or brings forward the one showing them.
    const activeTab = () =>
      popup.evaluate(async () => {
        const api = (globalThis as unknown as { browser: typeof chrome }).browser;
        return (await api.tabs.query({ active: true, currentWindow: true }))[0]?.url;
      });
    await expect.poll(activeTab, { timeout: 10_000 }).toBe(ff.extensionUrl(OPTIONS));
    await ff.page.bringToFront();
  });

  test('a removed link shows as lost after the page is revisited', async () => {
    server.setPage(
      'news-daily.test',
      '/',
      '<!doctype html><title>News Daily</title><main><p>Story withdrawn.</p>' +
        '<a href="http://forum.test/thread-42">the forum</a></main>',
    );
    await browse(['http://news-daily.test/']);
    const links = await linksOf(GUIDE, (l) => l.some((x) => x.lost));
    expect(links.filter((l) => l.source === 'http://news-daily.test/')).toEqual([
      { ...LINKS_TO_GUIDE[3], lost: true },
    ]);
    expect(await stat(popup, 'lost')).toBe(1);
  });
});

describe('Firefox: links that come late, and a single-page app', () => {
  const row = (source: string, anchor: string): ShownLink => ({
    source,
    anchor,
    rel: [],
    region: 'main',
    lost: false,
  });
  const linksTo = (target: string) => linksOf(target, (l) => l.length > 0);

  test('links added at 300 ms and at 3 s are recorded', async () => {
    server.setPage('late.test', '/', LATE_LINKS_PAGE);
    await browse(['http://late.test/']);
    for (const [target, anchor] of [
      ['http://target.test/first', 'a link from the start'],
      ['http://target.test/at-300ms', 'added at 300 ms'],
      ['http://target.test/at-3s', 'added at 3 s'],
    ] as const) {
      expect(await linksTo(target)).toEqual([row('http://late.test/', anchor)]);
    }
  });

  test('an in-app navigation starts a visit of the new URL with the links then on screen', async () => {
    server.setPage('spa.test', '/', SPA_PAGE);
    server.setPage('spa.test', '/about', SPA_PAGE);
    await browse(['http://spa.test/']);
    expect(await linksTo('http://target.test/from-home')).toEqual([
      row('http://spa.test/', 'Our supplier'),
    ]);
    const before = (await ff.activity()).recorded ?? 0;
    await ff.page.click('a[href="/about"]');
    await expect
      .poll(async () => (await ff.activity()).recorded ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(before);
    expect(new URL(ff.page.url()).pathname).toBe('/about');
    expect(await linksTo('http://target.test/from-about')).toEqual([
      row('http://spa.test/about', 'Our roaster'),
    ]);
    expect(await linksTo('http://target.test/about-late')).toEqual([
      row('http://spa.test/about', 'Press kit'),
    ]);
  });
});

describe('Firefox: pause, exclusions, export and import', () => {
  test('paused recording stores nothing; resumed, it records again', async () => {
    await openOptions();
    await options.click('#paused');
    await expect
      .poll(() => options.$eval('#paused', (el) => (el as HTMLInputElement).checked))
      .toBe(true);
    const before = (await ff.activity()).paused ?? 0;
    await browse(['http://deals.test/']);
    expect((await ff.activity()).paused).toBe(before + 1);

    await options.click('#paused');
    await expect
      .poll(() => options.$eval('#paused', (el) => (el as HTMLInputElement).checked))
      .toBe(false);
    const recorded = (await ff.activity()).recorded ?? 0;
    await browse(['http://deals.test/']);
    expect((await ff.activity()).recorded).toBe(recorded + 1);
  });

  test('excluding a site forgets what it recorded, and it is not recorded again', async () => {
    expect(await sourcesOf('http://forum.test/thread-42')).toContain('http://linkfarm.test/');
    await openOptions();
    await options.type('#site-input', 'linkfarm.test');
    await options.click('#add-site');
    await expect.poll(() => textOf(options, '#notice')).toContain('linkfarm.test');
    expect(await sourcesOf('http://forum.test/thread-42')).not.toContain('http://linkfarm.test/');
    const before = (await ff.activity()).excluded ?? 0;
    await browse(['http://linkfarm.test/']);
    expect((await ff.activity()).excluded).toBe(before + 1);
    expect(await sourcesOf(GUIDE)).not.toContain('http://linkfarm.test/');
  });

  test('export as JSON, clear all, import the JSON back', async () => {
    await openOptions();
    const stored = await textOf(options, '#counts');
    expect(stored).toMatch(/^\d+ pages and \d+ links stored on this machine\.$/);
    const guideSources = await sourcesOf(GUIDE);
    expect(guideSources.length).toBeGreaterThan(0);

    await openOptions();
    const known = await readdir(ff.downloads);
    await options.click('#export-json');
    const file = await nextDownload(ff.downloads, known);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    expect(exported.format).toBe('backlink-lens');
    expect(exported.links.some((l: { target: string }) => l.target === GUIDE)).toBe(true);

    options.once('dialog', (dialog) => void dialog.accept());
    await options.click('#clear');
    await expect
      .poll(() => textOf(options, '#counts'))
      .toBe('0 pages and 0 links stored on this machine.');
    expect(await sourcesOf(GUIDE)).toEqual([]);

    await openOptions();
    const input = await options.$('input#import');
    await input!.uploadFile(file);
    await expect.poll(() => textOf(options, '#notice'), { timeout: 15_000 }).toMatch(/^Imported /);
    await expect.poll(() => textOf(options, '#counts')).toBe(stored);
    expect(await sourcesOf(GUIDE)).toEqual(guideSources);
  });
});
