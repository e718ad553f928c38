import { beforeAll, describe, expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { DEMO_SOURCES, GUIDE, LINKS_TO_GUIDE } from '../support/demo-site';
import {
  badgeFor,
  browse,
  openPopupFor,
  listByDomain,
  REPORT,
  shownLinks,
  sortLinks,
  stat,
  waitForLinks,
} from '../support/extension-pages';

const s = useExtensionSession();

beforeAll(async () => {
  await browse(s.ext, s.page, [...DEMO_SOURCES, GUIDE]);
});

describe('backlinks discovered while browsing', () => {
  test('the popup shows exactly the links the visited pages contain', async () => {
    const links = await waitForLinks(
      s.ext,
      s.page,
      GUIDE,
      (l) => l.length >= LINKS_TO_GUIDE.length,
    );
    expect(sortLinks(links)).toEqual(sortLinks(LINKS_TO_GUIDE));
    expect(await stat(s.page, 'backlinks')).toBe(7);
    // news-daily, forum, deals, linkfarm: the blog's own pages are internal.
    expect(await stat(s.page, 'domains')).toBe(4);
    // Tracking parameters and #fragments did not split the page into several URLs.
    expect(await s.page.locator('.report').getAttribute('data-url')).toBe(GUIDE);
  });

  test('external referring domains are listed before internal links', async () => {
    await openPopupFor(s.ext, s.page, GUIDE);
    const domains = await s.page.$$eval('section.group', (sections) =>
      sections.map((g) => g.getAttribute('data-domain')),
    );
    expect(domains.at(-1)).toBe('coffee-blog.test');
    expect(domains.slice(0, -1).sort()).toEqual([
      'deals.test',
      'forum.test',
      'linkfarm.test',
      'news-daily.test',
    ]);
  });

  test('the toolbar badge counts the live backlinks of the tab', async () => {
    await s.page.goto(GUIDE);
    await expect.poll(() => badgeFor(s.ext, GUIDE), { timeout: 10_000 }).toBe('7');
    await s.page.goto('http://forum.test/thread-42');
    // news-daily and linkfarm link to the forum thread.
    await expect.poll(() => badgeFor(s.ext, 'http://forum.test/thread-42')).toBe('2');
    await s.page.goto('http://linkfarm.test/');
    await expect.poll(() => badgeFor(s.ext, 'http://linkfarm.test/')).toBe('');
  });

  test('a removed link shows as lost after the page is revisited', async () => {
    s.server.setPage(
      'news-daily.test',
      '/',
      '<!doctype html><title>News Daily</title><main><p>Story withdrawn.</p>' +
        '<a href="http://forum.test/thread-42">the forum</a></main>',
    );
    await browse(s.ext, s.page, ['http://news-daily.test/']);
    const links = await waitForLinks(s.ext, s.page, GUIDE, (l) => l.some((x) => x.lost));
    const news = links.filter((l) => l.source === 'http://news-daily.test/');
    expect(news).toEqual([{ ...LINKS_TO_GUIDE[3], lost: true }]);
    expect(links.filter((l) => l.lost)).toHaveLength(1);
    expect(await stat(s.page, 'backlinks')).toBe(6);
    expect(await stat(s.page, 'lost')).toBe(1);
    // Text, not innerText: a popup row may not be rendered yet (content-visibility: auto).
    await expect(s.page.locator('li.link.lost .badge-lost').textContent()).resolves.toMatch(
      /^lost /,
    );
  });

  test('"Find links to this page" on a link opens the report for its target', async () => {
    await s.page.goto('http://news-daily.test/');
    const [tab] = await s.ext.worker.evaluate(() =>
      chrome.tabs.query({ url: 'http://news-daily.test/*' }),
    );
    const opened = s.ext.context.waitForEvent('page');
    await s.ext.worker.evaluate(
      ({ tab, target }) =>
        (globalThis as any).backlinkLens.onMenuClick(
          { menuItemId: 'find-links-to-link', linkUrl: target, pageUrl: tab.url, editable: false },
          tab,
        ),
      { tab: tab!, target: 'http://forum.test/thread-42' },
    );
    const report = await opened;
    await report.waitForLoadState();
    expect(report.url()).toBe(
      s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent('http://forum.test/thread-42')}`),
    );
    await listByDomain(report);
    const links = await shownLinks(report);
    expect(links.map((l) => l.source).sort()).toEqual([
      'http://linkfarm.test/',
      'http://news-daily.test/',
    ]);
    await report.close();
  });

  test('"Find links to this page" on a page opens the report for that page', async () => {
    await s.page.goto(GUIDE);
    const [tab] = await s.ext.worker.evaluate((u) => chrome.tabs.query({ url: u }), GUIDE);
    const opened = s.ext.context.waitForEvent('page');
    await s.ext.worker.evaluate(
      (tab) =>
        (globalThis as any).backlinkLens.onMenuClick(
          { menuItemId: 'find-links-to-page', pageUrl: tab.url, editable: false },
          tab,
        ),
      tab!,
    );
    const report = await opened;
    await report.waitForSelector('.report');
    expect(await report.locator('.report').getAttribute('data-url')).toBe(GUIDE);
    await listByDomain(report);
    expect(await shownLinks(report)).toHaveLength(LINKS_TO_GUIDE.length);
    // Site-wide: news-daily's links were removed above, so forum, deals and linkfarm remain.
    const site = report.locator('section.site[data-site="coffee-blog.test"]');
    expect(await site.locator('[data-site-stat="backlinks"]').innerText()).toBe('3');
    expect(await site.locator('[data-site-stat="domains"]').innerText()).toBe('3');
    expect(
      await site
        .locator('.top-targets li')
        .evaluateAll((lis) =>
          lis.map((li) => [
            li.getAttribute('data-target'),
            li.querySelector('.count')?.textContent,
          ]),
        ),
    ).toEqual([[GUIDE, '3']]);
    await report.close();
  });
});
