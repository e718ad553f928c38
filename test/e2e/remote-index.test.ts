import { expect, test } from 'vitest';
import { ingestPages } from '../../server/src/store';
import type { IndexedPage } from '../../server/src/model';
import { useExtensionSession } from '../support/session';
import { useReferenceIndex } from '../support/reference-index';
import {
  browse,
  OPTIONS,
  openPopupFor,
  REPORT,
  shownLinks,
  stat,
} from '../support/extension-pages';

const GUIDE = 'http://coffee-blog.test/brewing-guide';
const THREAD = 'http://forum.test/thread-42';
const NAME = 'Team index';

// Pages of the index's crawl that this browser never opened, and one it did (news-daily).
const now = Date.now();
const ABOUT = 'http://coffee-blog.test/about';
// Five pages of one site linking to the guide from their footers: a sitewide-link flag that
// only the index's links can raise (this browser never saw roasters.test).
const ROASTER_FOOTERS = [2, 3, 4, 5].map((n) => `http://roasters.test/guides/${n}`);
const CRAWL: IndexedPage[] = [
  {
    url: 'http://roasters.test/guides',
    seenAt: now,
    links: [
      { url: GUIDE, anchor: 'The best brewing guide', rel: [], region: 'main' },
      // Into another page of the guide's site: in the whole site's report only.
      { url: ABOUT, anchor: 'About the blog', rel: [], region: 'main' },
    ],
  },
  ...ROASTER_FOOTERS.map((url) => ({
    url,
    seenAt: now,
    links: [{ url: GUIDE, anchor: 'Brewing guide', rel: [], region: 'footer' as const }],
  })),
  {
    url: 'http://tea-forum.test/t/9',
    seenAt: now,
    // Markup in an anchor is text: the popup must show it, never run it.
    links: [{ url: GUIDE, anchor: '<img src=x onerror="window.pwned=1">', rel: ['ugc'] }],
  },
  {
    url: 'http://news-daily.test/',
    seenAt: now,
    links: [{ url: `${GUIDE}?utm_source=news`, anchor: 'A guide to brewing', rel: [] }],
  },
];

const s = useExtensionSession();
const ref = useReferenceIndex(s, { INDEX_NAME: NAME, INDEX_MIN_PREFIX: '1' }, (db) =>
  ingestPages(db, CRAWL),
);

/** The worker's counts of remote lookups, by outcome. */
const lookups = () =>
  s.ext.worker.evaluate(() => ({
    ...(globalThis as unknown as { backlinkLens: { remoteLookups: Record<string, number> } })
      .backlinkLens.remoteLookups,
  }));

/** The options section's notice, '' until there is one. */
const noticeText = () =>
  ref.options
    .locator('#remote-index-notice')
    .innerText({ timeout: 1000 })
    .catch(() => '');

test('the remote index is off until added; adding it shows what it is and what it sees', async () => {
  await browse(s.ext, s.page, ['http://news-daily.test/']);
  await ref.options.goto(s.ext.extensionUrl(OPTIONS));
  await ref.options.waitForSelector('#remote-index-url');
  await ref.options.fill('#remote-index-url', ref.index.url);
  await ref.options.click('#remote-index-add');
  await expect
    .poll(() => noticeText())
    .toBe(`Added ${NAME}. It is asked when you open the popup or the full report of a page.`);
  const info = ref.options.locator('#remote-index-info');
  expect(await info.getAttribute('data-index-name')).toBe(NAME);
  expect(await info.innerText()).toContain('never its address');
  // Nothing was looked up: not while browsing, not while adding the index.
  expect(await lookups()).toEqual({});
});

test('the popup of a page merges the index links with their provenance, each link once', async () => {
  await openPopupFor(s.ext, s.page, GUIDE);
  await s.page.waitForSelector('[data-remote-status="answered"]');
  const provenance = await s.page.$$eval('li.link', (items) =>
    Object.fromEntries(
      items.map((li) => [
        li.getAttribute('data-source'),
        li.querySelector('[data-provenance]')?.getAttribute('data-provenance'),
      ]),
    ),
  );
  expect(provenance).toEqual({
    'http://news-daily.test/': `this browser|${NAME}`,
    'http://roasters.test/guides': NAME,
    ...Object.fromEntries(ROASTER_FOOTERS.map((u) => [u, NAME])),
    'http://tea-forum.test/t/9': NAME,
  });
  // Seven links, not eight: the one known to both counts once.
  expect(await stat(s.page, 'backlinks')).toBe(7);
  expect(await stat(s.page, 'domains')).toBe(3);
  const links = await shownLinks(s.page);
  expect(links.find((l) => l.source === 'http://tea-forum.test/t/9')).toMatchObject({
    anchor: '<img src=x onerror="window.pwned=1">',
    rel: ['ugc'],
  });
  expect(await s.page.evaluate(() => document.querySelectorAll('.anchor img').length)).toBe(0);
  expect(await s.page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  expect(await s.page.locator('[data-remote-status]').innerText()).toContain(
    `${NAME} knows 7 links to this page`,
  );
  expect(await lookups()).toEqual({ fetched: 1 });
});

test("the whole site's report merges the index's links into any page of the site", async () => {
  await s.page.click('[data-scope="site"]');
  await s.page.waitForSelector(`li.link[data-target="${ABOUT}"] [data-provenance]`);
  const rows = await s.page.$$eval('li.link', (items) =>
    items.map((li) => [
      `${li.getAttribute('data-source')} -> ${li.getAttribute('data-target')}`,
      li.querySelector('[data-provenance]')?.getAttribute('data-provenance'),
    ]),
  );
  expect(Object.fromEntries(rows)).toMatchObject({
    [`http://news-daily.test/ -> ${GUIDE}`]: `this browser|${NAME}`,
    [`http://roasters.test/guides -> ${ABOUT}`]: NAME,
    [`http://tea-forum.test/t/9 -> ${GUIDE}`]: NAME,
  });
  expect(rows.filter(([k]) => k === `http://news-daily.test/ -> ${GUIDE}`)).toHaveLength(1);
  // Nine links into the site: the index's eight (the page's seven, one to the about page), the
  // one known to both counted once, and news-daily's link to the blog's home, known here only.
  expect(await stat(s.page, 'backlinks')).toBe(9);
  expect(await lookups()).toEqual({ fetched: 2 });
  // The index's line speaks of the site's links now, not the page's.
  const line = s.page.locator('[data-remote-status="answered"][data-remote-source="remote-index"]');
  expect(await line.innerText()).toMatch(new RegExp(`^${NAME} knows \\d+ links? into this site`));
});

test('the full report lists the merged links with their provenance, from the cache', async () => {
  await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(GUIDE)}`));
  await s.page.waitForSelector('tr.table-link [data-provenance]');
  // A flag only the index's links raise: five pages of roasters.test link from their footers.
  await s.page.waitForSelector('li[data-flag="sitewide"][data-flag-domain="roasters.test"]');
  const rows = await s.page.$$eval('tr.table-link', (trs) =>
    trs.map((tr) => [
      tr.getAttribute('data-source'),
      tr.querySelector('[data-provenance]')?.getAttribute('data-provenance'),
    ]),
  );
  expect(Object.fromEntries(rows)).toEqual({
    'http://news-daily.test/': `this browser|${NAME}`,
    'http://roasters.test/guides': NAME,
    ...Object.fromEntries(ROASTER_FOOTERS.map((u) => [u, NAME])),
    'http://tea-forum.test/t/9': NAME,
  });
  expect(await lookups()).toEqual({ fetched: 2, cached: 1 });
});

test('with the index down, the popup shows the local links and says what went wrong', async () => {
  ref.index.server.closeAllConnections();
  await ref.index.close();
  await openPopupFor(s.ext, s.page, THREAD);
  await s.page.waitForSelector('[data-remote-status="failed"]');
  expect((await shownLinks(s.page)).map((l) => l.source)).toEqual(['http://news-daily.test/']);
  expect(await s.page.locator('[data-remote-status]').innerText()).toMatch(
    /^Team index could not be used: The index could not be reached .*The links shown are this browser's only\.$/,
  );
  expect(await s.page.locator('[data-provenance]').count()).toBe(0);
});

test('removing the index deletes its cached answers and asks nothing any more', async () => {
  await ref.options.click('#remote-index-remove');
  await expect.poll(() => noticeText()).toMatch(new RegExp(`^Removed ${NAME}`));
  expect(
    await s.ext.worker.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('backlink-lens');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const count = open.result
              .transaction('remote-cache')
              .objectStore('remote-cache')
              .count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    ),
  ).toBe(0);
  await openPopupFor(s.ext, s.page, GUIDE);
  expect((await shownLinks(s.page)).map((l) => l.source)).toEqual(['http://news-daily.test/']);
  expect(await s.page.locator('[data-remote-status]').count()).toBe(0);
  // The popup reads that the index is off and does not ask the worker at all.
  await s.page.waitForSelector('[data-risk-count]');
  const counts = await lookups();
  expect(counts).toMatchObject({ fetched: 2, failed: 1 });
  expect(counts.off).toBeUndefined();
});
