import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import {
  badgeFor,
  browse,
  openPopupFor,
  redirectActivity,
  REPORT,
  shownLinks,
  stat,
} from '../support/extension-pages';

/** One row of the report as a person reads it: who links, with what words, to which URL, how. */
interface Row {
  source: string;
  anchor: string;
  target: string;
  /** The via badge's text, '' for a link to the page itself. */
  via: string;
}

async function rows(page: Page): Promise<Row[]> {
  await shownLinks(page); // settled
  const found = await page.$$eval('li.link', (items) =>
    items.map((li) => ({
      source: li.getAttribute('data-source') ?? '',
      anchor: li.querySelector('.anchor')?.getAttribute('data-anchor') ?? '',
      target: li.getAttribute('data-target') ?? '',
      via: li.querySelector('[data-via]')?.textContent ?? '',
    })),
  );
  return found.sort((a, b) => `${a.source}|${a.anchor}`.localeCompare(`${b.source}|${b.anchor}`));
}

const html = (title: string, body: string) =>
  `<!doctype html><title>${title}</title><main><h1>${title}</h1>${body}</main>`;
const link = (href: string, text: string) => `<p><a href="${href}">${text}</a></p>`;

const OLD = 'http://moved.test/old';
const START = 'http://moved.test/start';
const MIDDLE = 'http://moved.test/middle';
const NEW = 'http://moved.test/new';
const LOOP_A = 'http://loop.test/a';
const LOOP_B = 'http://loop.test/b';
const LINKER_ONE = 'http://linker-one.test/';
const LINKER_TWO = 'http://linker-two.test/post';

const s = useExtensionSession();

/** Wait until the worker has recorded `count` more redirect hops than `before`. */
async function hopsRecorded(before: number, count: number): Promise<void> {
  await expect
    .poll(async () => (await redirectActivity(s.ext)).recorded ?? 0, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(before + count);
}

/** Re-open the popup for `url` until `until` holds on it (recording is asynchronous). */
async function popupUntil(url: string, until: (page: Page) => Promise<boolean>): Promise<void> {
  await expect
    .poll(
      async () => {
        await openPopupFor(s.ext, s.page, url);
        return until(s.page);
      },
      { timeout: 10_000 },
    )
    .toBe(true);
}

beforeAll(async () => {
  s.server.setPage('moved.test', '/new', html('The new home', '<p>Moved here.</p>'));
  s.server.setRedirect('moved.test', '/old', 301, NEW);
  s.server.setRedirect('moved.test', '/start', 301, MIDDLE);
  s.server.setRedirect('moved.test', '/middle', 308, NEW);
  s.server.setRedirect('loop.test', '/a', 302, LOOP_B);
  s.server.setRedirect('loop.test', '/b', 301, LOOP_A);
  s.server.setPage(
    'linker-one.test',
    '/',
    html(
      'Linker one',
      link(OLD, 'old address') + link(START, 'chain start') + link(LOOP_A, 'loop a'),
    ),
  );
  s.server.setPage(
    'linker-two.test',
    '/post',
    html(
      'Linker two',
      link(NEW, 'new address') + link(START, 'the chain') + link(LOOP_B, 'loop b'),
    ),
  );
  await browse(s.ext, s.page, [LINKER_ONE, LINKER_TWO]);
});

describe('redirects the browser followed', () => {
  test('the content scripts already ask for every site: webRequest adds no install warning', async () => {
    await openPopupFor(s.ext, s.page, NEW);
    const [withIt, without] = await s.page.evaluate(async () => {
      const manifest = chrome.runtime.getManifest();
      const before = {
        ...manifest,
        permissions: manifest.permissions?.filter((p) => p !== 'webRequest'),
        host_permissions: undefined,
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

  test('links to a URL that 301s, or starts a 301-308 chain, count for the final page', async () => {
    const before = (await redirectActivity(s.ext)).recorded ?? 0;
    // Following the links as a person would: each ends on the new page.
    await browse(s.ext, s.page, [OLD]);
    expect(s.page.url()).toBe(NEW);
    await browse(s.ext, s.page, [START]);
    expect(s.page.url()).toBe(NEW);
    await hopsRecorded(before, 3);
    await expect.poll(() => badgeFor(s.ext, NEW), { timeout: 10_000 }).toBe('4');

    await openPopupFor(s.ext, s.page, NEW);
    expect(await rows(s.page)).toEqual([
      { source: LINKER_ONE, anchor: 'chain start', target: START, via: `via 301 → ${MIDDLE}` },
      { source: LINKER_ONE, anchor: 'old address', target: OLD, via: 'via 301' },
      { source: LINKER_TWO, anchor: 'new address', target: NEW, via: '' },
      { source: LINKER_TWO, anchor: 'the chain', target: START, via: `via 301 → ${MIDDLE}` },
    ]);
    expect(
      await s.page
        .locator('[data-via="redirect"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-via-status'))),
    ).toEqual(['301', '301', '301']);
    expect(await stat(s.page, 'backlinks')).toBe(4);
    expect(await stat(s.page, 'via-redirect')).toBe(3);
    expect(await stat(s.page, 'domains')).toBe(2);
    await expect(s.page.locator('.redirect-note').count()).resolves.toBe(0);
  });

  test("an old address's report says where it redirects, linking to that page's report", async () => {
    await openPopupFor(s.ext, s.page, START);
    const note = s.page.locator('.redirect-note');
    expect(await note.getAttribute('data-redirect-to')).toBe(NEW);
    expect(await note.innerText()).toBe(
      `This address redirects to ${NEW} (301 → 308). Links to it count for that page.`,
    );
    await note.locator('a[data-report-link]').click();
    await s.page.waitForSelector(`.report[data-url="${NEW}"]`);
    expect(await stat(s.page, 'via-redirect')).toBe(3);
  });

  test('a redirect loop is recorded, stated on both ends, and the report still ends', async () => {
    const before = (await redirectActivity(s.ext)).recorded ?? 0;
    // The browser gives up after its own limit: there is no page to read, only the hops.
    await s.page.goto(LOOP_A).catch((error: Error) => {
      expect(error.message).toContain('ERR_TOO_MANY_REDIRECTS');
    });
    await hopsRecorded(before, 2);
    await popupUntil(LOOP_A, (p) => p.locator('[data-redirect-loop]').isVisible());
    expect(await s.page.locator('[data-redirect-loop]').innerText()).toContain(
      `redirect loop: ${LOOP_A} → ${LOOP_B} → ${LOOP_A} (302 → 301)`,
    );
    expect(await rows(s.page)).toEqual([
      { source: LINKER_ONE, anchor: 'loop a', target: LOOP_A, via: '' },
      { source: LINKER_TWO, anchor: 'loop b', target: LOOP_B, via: 'via 301' },
    ]);
    expect(await stat(s.page, 'via-redirect')).toBe(1);

    await openPopupFor(s.ext, s.page, LOOP_B);
    expect(await s.page.locator('[data-redirect-loop]').innerText()).toContain(
      `redirect loop: ${LOOP_B} → ${LOOP_A} → ${LOOP_B} (301 → 302)`,
    );
    expect(await rows(s.page)).toEqual([
      { source: LINKER_ONE, anchor: 'loop a', target: LOOP_A, via: 'via 302' },
      { source: LINKER_TWO, anchor: 'loop b', target: LOOP_B, via: '' },
    ]);
  });
});

describe('URL variants', () => {
  const PAGE = 'http://x.test/page';
  const WWW_SLASH = 'http://www.x.test/page/';
  const SECURE = 'https://x.test/page';
  const REF = 'http://x.test/page?ref=1';
  const BLOG_A = 'http://blog-a.test/';
  const BLOG_B = 'http://blog-b.test/';
  const BLOG_C = 'http://blog-c.test/';

  async function variants(page: Page) {
    return page.locator('li[data-variant]').evaluateAll((lis) =>
      lis.map((li) => ({
        url: li.getAttribute('data-variant'),
        kinds: li.getAttribute('data-kinds'),
        links: Number(li.getAttribute('data-links')),
        folded: li.getAttribute('data-folded') === 'true',
      })),
    );
  }

  async function choose(group: 'address' | 'query', action: 'fold' | 'unfold', notice: string) {
    await s.page.locator(`button[data-fold="${group}"][data-action="${action}"]`).click();
    await expect.poll(() => s.page.locator('.variants [role="status"]').innerText()).toBe(notice);
  }

  beforeAll(async () => {
    s.server.setPage('x.test', '/page', html('The page', '<p>Content.</p>'));
    s.server.setPage('blog-a.test', '/', html('Blog A', link(PAGE, 'the page')));
    s.server.setPage('blog-b.test', '/', html('Blog B', link(WWW_SLASH, 'www page')));
    s.server.setPage(
      'blog-c.test',
      '/',
      html('Blog C', link(REF, 'page with ref') + link(SECURE, 'secure page')),
    );
    await browse(s.ext, s.page, [BLOG_A, BLOG_B, BLOG_C]);
  });

  test('the report lists the variants with their counts, merged into nothing', async () => {
    await openPopupFor(s.ext, s.page, PAGE);
    // None folded: listed after the rows are shown (storage/head.ts, FirstRead).
    await expect
      .poll(() => variants(s.page))
      .toEqual([
        { url: WWW_SLASH, kinds: 'www slash', links: 1, folded: false },
        { url: SECURE, kinds: 'scheme', links: 1, folded: false },
        { url: REF, kinds: 'query', links: 1, folded: false },
      ]);
    expect(await rows(s.page)).toEqual([
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: '' },
    ]);
    expect(await s.page.locator('button[data-fold="address"]').innerText()).toBe(
      'Count these 2 variants as this page',
    );
    expect(await s.page.locator('button[data-fold="query"]').innerText()).toBe(
      'Count this query-string variant as this page',
    );
  });

  test('one click folds the address variants in, remembered for the site', async () => {
    const tab = await s.ext.context.newPage();
    await tab.goto(PAGE);
    await openPopupFor(s.ext, s.page, PAGE);
    await choose('address', 'fold', '2 variants now counted as this page.');
    const folded = [
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: '' },
      { source: BLOG_B, anchor: 'www page', target: WWW_SLASH, via: `via variant ${WWW_SLASH}` },
      { source: BLOG_C, anchor: 'secure page', target: SECURE, via: `via variant ${SECURE}` },
    ];
    expect(await rows(s.page)).toEqual(folded);
    expect(await stat(s.page, 'backlinks')).toBe(3);
    await expect.poll(() => badgeFor(s.ext, PAGE), { timeout: 10_000 }).toBe('3');
    await tab.close();

    // Reopened, the popup still counts them, and says so on each variant.
    await openPopupFor(s.ext, s.page, PAGE);
    expect(await rows(s.page)).toEqual(folded);
    expect((await variants(s.page)).map((v) => v.folded)).toEqual([true, true, false]);
    expect(await s.ext.worker.evaluate(() => chrome.storage.local.get('settings'))).toEqual({
      settings: {
        paused: false,
        excludedSites: [],
        folds: { 'x.test': { address: true, queryPaths: [] } },
        relatedPages: [],
        retentionMonths: 12,
      },
    });
    // The www address of the page shares the site's choice, seen from there.
    await openPopupFor(s.ext, s.page, WWW_SLASH);
    expect(await rows(s.page)).toEqual([
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: `via variant ${PAGE}` },
      { source: BLOG_B, anchor: 'www page', target: WWW_SLASH, via: '' },
      { source: BLOG_C, anchor: 'secure page', target: SECURE, via: `via variant ${SECURE}` },
    ]);
  });

  test('query variants fold on their own, and the full report shows the same', async () => {
    await openPopupFor(s.ext, s.page, PAGE);
    await choose('query', 'fold', '1 variant now counted as this page.');
    const report = await s.ext.context.newPage();
    await report.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(PAGE)}&list=domains`));
    await report.waitForSelector('.report');
    expect((await variants(report)).map((v) => [v.url, v.folded])).toEqual([
      [WWW_SLASH, true],
      [SECURE, true],
      [REF, true],
    ]);
    expect(await rows(report)).toEqual([
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: '' },
      { source: BLOG_B, anchor: 'www page', target: WWW_SLASH, via: `via variant ${WWW_SLASH}` },
      { source: BLOG_C, anchor: 'page with ref', target: REF, via: `via variant ${REF}` },
      { source: BLOG_C, anchor: 'secure page', target: SECURE, via: `via variant ${SECURE}` },
    ]);
    await report.close();
  });

  test('unfolding undoes each choice', async () => {
    await openPopupFor(s.ext, s.page, PAGE);
    await choose('address', 'unfold', '2 variants counted apart again.');
    expect(await rows(s.page)).toEqual([
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: '' },
      { source: BLOG_C, anchor: 'page with ref', target: REF, via: `via variant ${REF}` },
    ]);
    await choose('query', 'unfold', '1 variant counted apart again.');
    expect(await rows(s.page)).toEqual([
      { source: BLOG_A, anchor: 'the page', target: PAGE, via: '' },
    ]);
    await openPopupFor(s.ext, s.page, PAGE);
    await expect
      .poll(async () => (await variants(s.page)).map((v) => v.folded))
      .toEqual([false, false, false]);
    expect(await s.ext.worker.evaluate(() => chrome.storage.local.get('settings'))).toMatchObject({
      settings: { folds: {} },
    });
  });
});

// Last in the file: it stops the worker, whose handle the helpers above evaluate in.
describe('a sleeping worker', () => {
  test('is woken by a redirect and records it', async () => {
    const FAR = 'http://moved.test/far-away';
    s.server.setRedirect('moved.test', '/far-away', 307, NEW);
    s.server.setPage('linker-three.test', '/', html('Linker three', link(FAR, 'far away')));
    await browse(s.ext, s.page, ['http://linker-three.test/']);
    // Stopped the way a person debugging it would (Chromium's page for service workers).
    const internals = await s.ext.context.newPage();
    await internals.goto('chrome://serviceworker-internals/');
    const registration = internals.locator('.serviceworker-registration', {
      hasText: `chrome-extension://${s.ext.extensionId}/`,
    });
    const running = registration.locator('.serviceworker-running-status .value');
    await registration.locator('cr-button[data-command="stop"]').click();
    await expect.poll(() => running.innerText(), { timeout: 15_000 }).toBe('STOPPED');

    const tab = await s.ext.context.newPage();
    await tab.goto(FAR);
    expect(tab.url()).toBe(NEW);
    await popupUntil(NEW, async (p) => (await rows(p)).some((r) => r.target === FAR));
    expect((await rows(s.page)).find((r) => r.target === FAR)).toEqual({
      source: 'http://linker-three.test/',
      anchor: 'far away',
      target: FAR,
      via: 'via 307',
    });
    await Promise.all([internals.close(), tab.close()]);
  });
});
