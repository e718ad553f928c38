import { beforeAll, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import {
  activity,
  browse,
  OPTIONS,
  REPORT,
  openPopupFor,
  shownLinks,
  waitForLinks,
} from '../support/extension-pages';

const GUIDE = 'http://coffee-blog.test/brewing-guide';

const s = useExtensionSession();
let options: Page;

beforeAll(async () => {
  options = await s.ext.context.newPage();
  await options.goto(s.ext.extensionUrl(OPTIONS));
});

async function sourcesOfGuide(): Promise<string[]> {
  await openPopupFor(s.ext, s.page, GUIDE);
  return (await shownLinks(s.page)).map((l) => l.source).sort();
}

test('paused recording stores nothing', async () => {
  await options.locator('#paused').check();
  await expect
    .poll(() => s.ext.worker.evaluate(() => chrome.storage.local.get('settings')))
    .toEqual({
      settings: {
        paused: true,
        excludedSites: [],
        folds: {},
        relatedPages: [],
        retentionMonths: 12,
      },
    });
  const before = (await activity(s.ext)).paused ?? 0;
  await browse(s.ext, s.page, ['http://news-daily.test/', 'http://deals.test/']);
  expect((await activity(s.ext)).paused).toBe(before + 2);
  expect(await sourcesOfGuide()).toEqual([]);
  await options.reload();
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('0 pages and 0 links stored on this machine.');

  await options.locator('#paused').uncheck();
  await browse(s.ext, s.page, ['http://news-daily.test/']);
  expect(await sourcesOfGuide()).toEqual(['http://news-daily.test/']);
});

test('excluding a site forgets what it recorded, and it is never recorded again', async () => {
  await browse(s.ext, s.page, ['http://forum.test/thread-42']);
  expect(await sourcesOfGuide()).toEqual([
    'http://forum.test/thread-42',
    'http://news-daily.test/',
  ]);

  await options.locator('#site-input').fill('https://Forum.test/some/page');
  await options.locator('#add-site').click();
  await expect
    .poll(() => options.locator('#excluded-sites li').allInnerTexts())
    .toEqual([expect.stringContaining('forum.test')]);
  await expect
    .poll(() => options.locator('#notice').innerText())
    .toBe(
      'forum.test and its subdomains will not be recorded. Deleted 1 page already stored from it.',
    );
  expect(await sourcesOfGuide()).toEqual(['http://news-daily.test/']);

  const before = (await activity(s.ext)).excluded ?? 0;
  await browse(s.ext, s.page, [
    'http://forum.test/thread-42',
    'http://www.forum.test/thread-42',
    'http://deals.test/',
  ]);
  expect((await activity(s.ext)).excluded).toBe(before + 2);
  expect(await sourcesOfGuide()).toEqual(['http://deals.test/', 'http://news-daily.test/']);
});

test('every settings change says what it did; a name that is no host is refused', async () => {
  const notice = () => options.locator('#notice').innerText();
  const excluded = () => options.locator('#excluded-sites li').allInnerTexts();
  // Chromium's URL parser keeps this as the host "not%20a%20site!!".
  await options.locator('#site-input').fill('not a site!!');
  await options.locator('#add-site').click();
  await expect.poll(notice).toBe('“not a site!!” is not a site name or address.');
  await options.locator('#site-input').fill(' ');
  await options.locator('#add-site').click();
  await expect.poll(notice).toBe('Type the site to exclude first, such as example.com.');
  expect(await excluded()).toEqual([expect.stringContaining('forum.test')]);

  // An address pasted from the address bar excludes its site, www. or not.
  await options.locator('#site-input').fill('https://www.Example.org/x?y');
  await options.locator('#add-site').click();
  await expect.poll(notice).toBe('example.org and its subdomains will not be recorded.');
  await options.locator('#excluded-sites li[data-site="example.org"] button').click();
  await expect.poll(notice).toBe('example.org will be recorded again.');
  await options.locator('#site-input').fill('192.0.2.7');
  await options.locator('#add-site').click();
  await expect.poll(notice).toBe('192.0.2.7 will not be recorded.');
  await options.locator('#excluded-sites li[data-site="192.0.2.7"] button').click();
  await expect.poll(notice).toBe('192.0.2.7 will be recorded again.');
  // Its Remove button went with it: focus stays in the list's section, not back at the top.
  await expect
    .poll(() => options.evaluate(() => document.activeElement?.closest('fieldset') !== null))
    .toBe(true);
  expect(await excluded()).toEqual([expect.stringContaining('forum.test')]);

  await options.locator('#paused').check();
  await expect.poll(notice).toMatch(/^Recording paused/);
  await options.locator('#paused').uncheck();
  await expect.poll(notice).toMatch(/^Recording resumed/);
  const { settings } = await s.ext.worker.evaluate(() => chrome.storage.local.get('settings'));
  expect(settings).toMatchObject({ paused: false, excludedSites: ['forum.test'] });
});

test('the settings fit a narrow window: nothing scrolls sideways', async () => {
  const narrow = await s.ext.context.newPage();
  await narrow.setViewportSize({ width: 360, height: 800 });
  await narrow.goto(s.ext.extensionUrl(OPTIONS));
  await narrow.locator('#counts').waitFor();
  expect(await narrow.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBe(0);
  await narrow.close();
});

test('incognito is never recorded: the extension is not allowed there', async () => {
  const allowed = await options.evaluate(() => chrome.extension.isAllowedIncognitoAccess());
  expect(allowed).toBe(false);
  const manifest = await options.evaluate(() => chrome.runtime.getManifest());
  expect(manifest.incognito).toBe('not_allowed');
});

test('pages cannot probe for the extension: it exposes no web-accessible files', async () => {
  const manifest = await options.evaluate(() => chrome.runtime.getManifest());
  expect(manifest.web_accessible_resources).toBeUndefined();
  const probe = await s.page.goto('http://deals.test/').then(() =>
    s.page.evaluate(
      (url) =>
        fetch(url).then(
          (r) => r.status,
          () => 'blocked',
        ),
      // The content script is the file a loader would have had to expose to pages.
      s.ext.extensionUrl(manifest.content_scripts![0]!.js![0]!),
    ),
  );
  expect(probe).toBe('blocked');
});

test('export as JSON and CSV, clear all, import the JSON back', async () => {
  await options.reload();
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('2 pages and 5 links stored on this machine.');

  const [jsonDownload] = await Promise.all([
    options.waitForEvent('download'),
    options.locator('#export-json').click(),
  ]);
  const jsonPath = await jsonDownload.path();
  const exported = JSON.parse(await readFile(jsonPath, 'utf8'));
  expect(exported.format).toBe('backlink-lens');
  expect(exported.pages.map((p: { url: string }) => p.url).sort()).toEqual([
    'http://deals.test/',
    'http://news-daily.test/',
  ]);
  // news-daily: /world, the guide, the forum, the blog (its link to itself is not kept); deals: 1.
  expect(exported.links).toHaveLength(5);

  const [csvDownload] = await Promise.all([
    options.waitForEvent('download'),
    options.locator('#export-csv').click(),
  ]);
  const csvText = await readFile(await csvDownload.path(), 'utf8');
  expect(csvText.startsWith('\ufeffsource,')).toBe(true); // the byte order mark Excel reads UTF-8 by
  const csv = csvText.trim().split('\r\n');
  expect(csv[0]).toBe(
    'source,target,anchor,rel,region,also_in,occurrences,source_domain,target_domain,first_seen,last_seen,lost_at',
  );
  expect(csv).toHaveLength(6);
  expect(csv).toContainEqual(
    expect.stringMatching(
      /^http:\/\/deals\.test\/,http:\/\/coffee-blog\.test\/brewing-guide,Brewing guide banner,sponsored,aside,,1,deals\.test,coffee-blog\.test,/,
    ),
  );

  options.once('dialog', (d) => void d.accept());
  await options.locator('#clear').click();
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('0 pages and 0 links stored on this machine.');
  expect(await sourcesOfGuide()).toEqual([]);

  await options.locator('#import').setInputFiles(jsonPath);
  await expect
    .poll(() => options.locator('#notice').innerText())
    .toBe('Imported 2 pages and 5 links.');
  await expect(options.locator('#counts').innerText()).resolves.toBe(
    '2 pages and 5 links stored on this machine.',
  );
  expect(await sourcesOfGuide()).toEqual(['http://deals.test/', 'http://news-daily.test/']);
});

test('a file that is not an export is refused and loses nothing', async () => {
  // Chosen at the settings' foot, as a person scrolls there to it: the outcome shows there too.
  await options.locator('#import').scrollIntoViewIfNeeded();
  await options.locator('#import').setInputFiles({
    name: 'evil.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"something-else","pages":[],"links":[]}'),
  });
  await expect
    .poll(() => options.locator('#notice').innerText())
    .toBe('The file is not a Backlink Lens export.');
  const shown = await options
    .locator('#notice')
    .evaluate(
      (el) =>
        el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= innerHeight,
    );
  expect(shown).toBe(true);
  const links = await waitForLinks(s.ext, s.page, GUIDE, (l) => l.length === 2);
  expect(links.map((l) => l.source).sort()).toEqual([
    'http://deals.test/',
    'http://news-daily.test/',
  ]);
});

/** Click an export button of the options page and wait for the file it saves. */
async function exported(button: '#export-json' | '#export-csv'): Promise<Download> {
  const [download] = await Promise.all([
    options.waitForEvent('download'),
    options.locator(button).click(),
  ]);
  return download;
}

/** The guide's sources once the import below added one. */
const SOURCES_WITH_IMPORTED = [
  'http://deals.test/',
  'http://imported.test/',
  'http://news-daily.test/',
];

test('an import with an impossible date and a too-long URL skips those rows, says so, and keeps the rest', async () => {
  await options.reload();
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('2 pages and 5 links stored on this machine.');
  const T = Date.UTC(2024, 0, 1);
  const page = (url: string, lastSeen = T) => ({ url, title: url, firstSeen: T, lastSeen });
  const link = (source: string, target: string) => ({
    source,
    target,
    anchor: 'a guide',
    rel: [],
    region: 'main',
    firstSeen: T,
    lastSeen: T,
    lostAt: null,
  });
  const tooLong = `http://imported.test/${'x'.repeat(1_000_000)}`;
  const file = {
    format: 'backlink-lens',
    version: 4,
    exportedAt: new Date(T).toISOString(),
    pages: [
      page('http://imported.test/'),
      page('http://imported.test/future', 1e20),
      page(tooLong),
    ],
    links: [link('http://imported.test/', GUIDE), link('http://imported.test/', tooLong)],
    redirects: [],
    referrals: [],
  };
  await options.locator('#import').setInputFiles({
    name: 'mixed.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(file)),
  });
  await expect
    .poll(() => options.locator('#notice').innerText())
    .toBe(
      'Imported 1 page and 1 link, 3 invalid rows skipped (an address that is too long, not a web page or a one-time secret, or an impossible date).',
    );
  await expect
    .poll(() => options.locator('#counts').innerText())
    .toBe('3 pages and 6 links stored on this machine.');
  expect(await sourcesOfGuide()).toEqual(SOURCES_WITH_IMPORTED);

  // Export ends in a notice too.
  const download = await exported('#export-csv');
  expect(download.suggestedFilename()).toMatch(/^backlink-lens-links-\d{4}-\d\d-\d\d\.csv$/);
  await expect
    .poll(() => options.locator('#notice').innerText())
    .toBe(`Saved 6 links as ${download.suggestedFilename()}.`);
});

test('a page visited with a session id in its address is stored, shown and exported without it', async () => {
  await browse(s.ext, s.page, [
    'http://news-daily.test/?sessionid=8f14e45fceea167a5a36dedd4bea2543',
  ]);
  expect(await sourcesOfGuide()).toEqual(SOURCES_WITH_IMPORTED);
  const json = await readFile(await (await exported('#export-json')).path(), 'utf8');
  expect(json).toContain('"url":"http://news-daily.test/"');
  expect(json).not.toContain('8f14e45fceea167a5a36dedd4bea2543');
});

test('a report asked for an address with a token names the page without it', async () => {
  const report = await s.ext.context.newPage();
  // As a bookmark, or the context menu on such a tab, asks for it.
  const tab = 'http://coffee-blog.test/brewing-guide?session_id=5a36dedd4bea2543&ref=ok#step-2';
  await report.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(tab)}`));
  await report.waitForSelector('.report');
  const canonical = 'http://coffee-blog.test/brewing-guide?ref=ok';
  expect(await report.title()).toBe(`Links to ${canonical} · Backlink Lens`);
  expect(new URL(report.url()).searchParams.get('url')).toBe(canonical);

  // A reset link's path is the secret: not recorded, and the popup says why in those words.
  await openPopupFor(s.ext, report, 'http://coffee-blog.test/reset-password/5a36dedd4bea2543');
  expect(await report.locator('.status').innerText()).toMatch(/sign-in, password-reset/);
  await report.close();
});
