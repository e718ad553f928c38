import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import {
  browse,
  openPopupFor,
  REPORT,
  shownLinks,
  stat,
  waitForLinks,
} from '../support/extension-pages';

const TARGET = 'http://kettle.test/guide';
const SHOP = 'http://kettle.test/shop';
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const PAGES: Array<[host: string, path: string, html: string]> = [
  ['kettle.test', '/guide', page('Kettle guide', '<main>How to pour.</main>')],
  ['alpha.test', '/a', page('Alpha review', `<main><a href="${TARGET}">kettle guide</a></main>`)],
  [
    'alpha.test',
    '/b',
    page('Alpha links', `<footer><a rel="nofollow" href="${TARGET}">click here</a></footer>`),
  ],
  [
    'beta.test',
    '/',
    page('Beta', `<main><a rel="sponsored" href="${TARGET}">=SUM(1,2) best kettles</a></main>`),
  ],
  ['gamma.test', '/x', page('Gamma', `<aside><a href="${TARGET}">pouring tips</a></aside>`)],
  // Another page of the target's site, linked from a site that does not link to the target, and
  // a link between the site's own pages, which the site's report leaves out.
  ['delta.test', '/', page('Delta', `<main><a href="${SHOP}">kettle shop</a></main>`)],
  ['kettle.test', '/shop', page('Shop', `<nav><a href="${TARGET}">Guide</a></nav>`)],
];

const s = useExtensionSession();

beforeAll(async () => {
  for (const [host, path, html] of PAGES) s.server.setPage(host, path, html);
  await browse(
    s.ext,
    s.page,
    PAGES.map(([host, path]) => `http://${host}${path}`),
  );
  await waitForLinks(s.ext, s.page, TARGET, (links) => links.length === 5);
});

const reportUrl = (query = '') =>
  s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}${query}`);

/** The table's rows as shown, top to bottom. */
async function tableRows(p: Page): Promise<Array<{ source: string; anchor: string }>> {
  await p.waitForSelector('.link-table');
  return p.$$eval('tr.table-link', (rows) =>
    rows.map((r) => ({
      source: r.getAttribute('data-source') ?? '',
      anchor: r.getAttribute('data-anchor') ?? '',
    })),
  );
}

const query = (p: Page) => new URL(p.url()).searchParams;

describe('the full report as a table', () => {
  test('lists every link, and filters by region and rel from the controls', async () => {
    await s.page.goto(reportUrl());
    expect((await tableRows(s.page)).map((r) => r.source).sort()).toEqual([
      'http://alpha.test/a',
      'http://alpha.test/b',
      'http://beta.test/',
      'http://gamma.test/x',
      'http://kettle.test/shop',
    ]);
    await s.page.selectOption('select[name="region"]', 'main');
    expect((await tableRows(s.page)).map((r) => r.source).sort()).toEqual([
      'http://alpha.test/a',
      'http://beta.test/',
    ]);
    await s.page.selectOption('select[name="rel"]', 'followed');
    expect(await tableRows(s.page)).toEqual([
      { source: 'http://alpha.test/a', anchor: 'kettle guide' },
    ]);
    expect(await s.page.locator('[data-table-count]').getAttribute('data-table-count')).toBe('1');
    // The view is in the address, so it can be bookmarked.
    expect(query(s.page).get('region')).toBe('main');
    expect(query(s.page).get('rel')).toBe('followed');
    expect(query(s.page).get('url')).toBe(TARGET);
  });

  test('a bookmarked view opens filtered, and "Clear filters" shows everything again', async () => {
    await s.page.goto(reportUrl('&domain=alpha&sort=anchor&dir=asc'));
    expect(await tableRows(s.page)).toEqual([
      { source: 'http://alpha.test/b', anchor: 'click here' },
      { source: 'http://alpha.test/a', anchor: 'kettle guide' },
    ]);
    expect(await s.page.inputValue('input[name="domain"]')).toBe('alpha');
    expect(await s.page.locator('th[aria-sort]').innerText()).toContain('Anchor');
    await s.page.click('[data-clear-filters]');
    expect(await tableRows(s.page)).toHaveLength(5);
    // The order stays, the filter goes.
    expect(query(s.page).get('domain')).toBeNull();
    expect(query(s.page).get('sort')).toBe('anchor');
  });

  test('keeps only what it shows in its address, as it opens', async () => {
    await s.page.goto(reportUrl('&foo=bar&sort=bogus&list=grid&region=main'));
    expect((await tableRows(s.page)).map((r) => r.source).sort()).toEqual([
      'http://alpha.test/a',
      'http://beta.test/',
    ]);
    // The target and the filter stay; the unknown parameter and the invalid values go.
    expect([...query(s.page)]).toEqual([
      ['url', TARGET],
      ['region', 'main'],
    ]);
  });

  test('sorts by a column from its header, by keyboard too', async () => {
    await s.page.goto(reportUrl());
    await s.page.focus('th button[data-sort="domain"]');
    await s.page.keyboard.press('Enter');
    const ascending = (await tableRows(s.page)).map((r) => r.source);
    expect(ascending[ascending.length - 1]).toBe('http://kettle.test/shop');
    expect(await s.page.getAttribute('th:has([data-sort="domain"])', 'aria-sort')).toBe(
      'ascending',
    );
    await s.page.keyboard.press('Enter');
    expect((await tableRows(s.page))[0]!.source).toBe('http://kettle.test/shop');
    expect(query(s.page).get('dir')).toBe('desc');
  });

  test('exports the rows shown as CSV, formulas defused, and says so', async () => {
    await s.page.goto(reportUrl('&region=main'));
    await tableRows(s.page);
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      s.page.click('[data-export="csv"]'),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.startsWith('\ufeffsource,')).toBe(true); // the byte order mark Excel reads UTF-8 by
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3); // header and the two links in main content
    expect(csv).toContain(`'=SUM(1,2) best kettles`);
    expect(csv).not.toContain('http://gamma.test/x');
    expect(await s.page.locator('[data-export-notice]').innerText()).toBe('Saved 2 links as CSV.');
  });

  test('exports JSON with the view that chose the rows', async () => {
    await s.page.goto(reportUrl('&rel=nofollow'));
    await tableRows(s.page);
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      s.page.click('[data-export="json"]'),
    ]);
    const json = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(json.filters).toEqual({ rel: 'nofollow' });
    expect(json.links.map((l: { source: string }) => l.source)).toEqual(['http://alpha.test/b']);
  });

  test('switches to the list grouped by domain and back, remembered in the address', async () => {
    await s.page.goto(reportUrl());
    await s.page.click('[data-list="domains"]');
    await s.page.waitForSelector('.groups');
    expect(await s.page.locator('li.link').count()).toBe(5);
    expect(query(s.page).get('list')).toBe('domains');
    await s.page.reload();
    await s.page.waitForSelector('.groups');
    await s.page.click('[data-list="table"]');
    expect(await tableRows(s.page)).toHaveLength(5);
  });
});

describe('this page or the whole site', () => {
  test('the popup switches to the links into any page of the site, from other sites', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    expect(await stat(s.page, 'backlinks')).toBe(5);
    await s.page.click('[data-scope="site"]');
    await s.page.waitForSelector('[data-site-report="kettle.test"]');
    // Four links into the guide from other sites and one into the shop; the shop's own link out.
    expect(await stat(s.page, 'backlinks')).toBe(5);
    expect(await stat(s.page, 'domains')).toBe(4);
    expect((await shownLinks(s.page)).map((l) => l.source)).toContain('http://delta.test/');
    expect((await shownLinks(s.page)).map((l) => l.source)).not.toContain(SHOP);
    expect(await s.page.getAttribute('[data-scope="site"]', 'aria-pressed')).toBe('true');
    await s.page.click('[data-scope="page"]');
    await s.page.waitForSelector('header.target:not([data-site-report])');
    expect((await shownLinks(s.page)).map((l) => l.source)).toContain(SHOP);
  });

  test('the report page opens on the site from its address, with the page each link is to', async () => {
    await s.page.goto(reportUrl('&scope=site'));
    await s.page.waitForSelector('[data-site-report]');
    const targets = await s.page.$$eval('tr.table-link [data-links-to]', (cells) =>
      cells.map((c) => c.getAttribute('data-links-to')),
    );
    expect(targets.sort()).toEqual([TARGET, TARGET, TARGET, TARGET, SHOP]);
    // Named by their paths: every one is on kettle.test.
    const shown = await s.page.$$eval('tr.table-link [data-links-to]', (cells) =>
      cells.map((c) => (c as HTMLElement).innerText),
    );
    expect(shown.sort()).toEqual(['/guide', '/guide', '/guide', '/guide', '/shop']);
    await s.page.selectOption('select[name="region"]', 'main');
    expect(query(s.page).get('scope')).toBe('site');
    expect(query(s.page).get('region')).toBe('main');
  });
});

describe('a narrow window', () => {
  test('a one-word anchor or a long address does not push the page sideways', async () => {
    const wide = 'http://kettle.test/wide';
    s.server.setPage(
      'omega.test',
      '/',
      page(
        'Omega',
        `<main><a href="${wide}">${'Supercalifragilistic'.repeat(10)}</a>` +
          `<a href="http://kettle.test/${'a'.repeat(300)}">x</a></main>`,
      ),
    );
    await browse(s.ext, s.page, ['http://omega.test/']);
    const overflow = () => s.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    try {
      for (const [scope, width] of [
        ['', 1024],
        ['&scope=site', 1024],
        ['&scope=site', 360],
      ] as const) {
        await s.page.setViewportSize({ width, height: 800 });
        await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(wide)}${scope}`));
        await s.page.waitForSelector('.link-table [data-table-count]');
        expect(await overflow(), `${scope || 'page'} at ${width} px`).toBeLessThanOrEqual(0);
      }
    } finally {
      await s.page.setViewportSize({ width: 1280, height: 720 });
    }
  });
});
