import { readFileSync } from 'node:fs';
import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, OPTIONS, openPopupFor, stat } from '../support/extension-pages';

const GUIDE = 'http://coffee-blog.test/brewing-guide';
const ARTICLE = 'http://news-daily.test/2026/11/best-coffee';
const GOOGLE = 'Google Search Console';
const BING = 'Bing Webmaster Tools';

/**
 * A fixture export as the engine would have written it for the served demo site: the same
 * file with its made-up *.example hosts on the *.test hosts the browser reaches here.
 */
function exportFile(path: string) {
  const text = readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8')
    .replaceAll('https://', 'http://')
    .replaceAll('.example', '.test');
  return { name: path.split('/').pop()!, mimeType: 'text/csv', buffer: Buffer.from(text) };
}

const s = useExtensionSession();
let options: Page;

beforeAll(async () => {
  // The article the Bing and Google exports both list, which this browser also read.
  s.server.setPage(
    'news-daily.test',
    '/2026/11/best-coffee',
    `<!doctype html><title>Best coffee</title><main><p>Read
     <a href="${GUIDE}">a brewing guide, with photos</a> first.</p></main>`,
  );
  await browse(s.ext, s.page, [ARTICLE]);
  options = await s.ext.context.newPage();
  await options.goto(s.ext.extensionUrl(OPTIONS));
  await options.waitForSelector('#engine-file');
});

const noticeText = () => options.locator('#engine-notice').innerText({ timeout: 5000 });
const importRows = () =>
  options.$$eval('[data-engine-import]', (rows) =>
    rows.map((r) => `${r.getAttribute('data-engine')}:${r.getAttribute('data-kind')}`).sort(),
  );

/** Each shown link's source and who knows it (names sorted: the engines answer in any order). */
async function shownProvenance(page: Page) {
  await page.waitForSelector('[data-remote-status="answered"][data-remote-source="engine-bing"]');
  await page.waitForSelector('[data-remote-status="answered"][data-remote-source="engine-google"]');
  return page.$$eval('li.link', (items) =>
    Object.fromEntries(
      items.map((li) => [
        li.getAttribute('data-source'),
        {
          from: (li.querySelector('[data-provenance]')?.getAttribute('data-provenance') ?? '')
            .split('|')
            .sort(),
          // Its text, not innerText: a row below the fold is not rendered until scrolled near
          // (content-visibility: auto), and innerText reads a row not rendered as empty.
          marks: Array.from(li.querySelectorAll('[data-confirmed]'), (m) =>
            (m.textContent ?? '').trim(),
          ).sort(),
        },
      ]),
    ),
  );
}

test('importing a Search Console and a Bing export says what each added, for which site', async () => {
  await options.fill('#engine-target', GUIDE);
  await options
    .locator('#engine-file')
    .setInputFiles([exportFile('gsc/latest-links.csv'), exportFile('bing/backlinks.csv')]);
  await expect
    .poll(noticeText)
    .toBe(
      `Imported 3 links confirmed by ${GOOGLE} for coffee-blog.test. 1 row could not be read and was left out. ` +
        `Imported 2 links confirmed by ${BING} for coffee-blog.test. 1 row could not be read and was left out.`,
    );
  expect(await importRows()).toEqual(['bing:bing-backlinks', 'google:gsc-latest-links']);
});

test('the popup shows each confirmed link once, marked in words by the engines that counted it', async () => {
  await openPopupFor(s.ext, s.page, GUIDE);
  expect(await shownProvenance(s.page)).toEqual({
    // Seen in this browser and in both exports: one row, both marks.
    [ARTICLE]: {
      from: [BING, GOOGLE, 'this browser'],
      marks: [`✓ confirmed by ${BING}`, `✓ confirmed by ${GOOGLE}`],
    },
    'http://forum.test/t/grinders/812': {
      from: [BING, GOOGLE],
      marks: [`✓ confirmed by ${BING}`, `✓ confirmed by ${GOOGLE}`],
    },
    'http://old-reviews.test/espresso': { from: [GOOGLE], marks: [`✓ confirmed by ${GOOGLE}`] },
  });
  expect(await stat(s.page, 'backlinks')).toBe(3);
});

test('the site view lists the sites Search Console counts, as figures with no made-up links', async () => {
  await options.fill('#engine-target', 'coffee-blog.test');
  await options.locator('#engine-file').setInputFiles(exportFile('gsc/top-linking-sites.csv'));
  await expect
    .poll(noticeText)
    .toBe(
      `Imported 3 linking sites counted by ${GOOGLE} for coffee-blog.test. 1 row could not be read and was left out.`,
    );
  await openPopupFor(s.ext, s.page, GUIDE);
  await s.page.click('[data-scope="site"]');
  const figures = s.page.locator('[data-confirmed-sites="coffee-blog.test"] [data-confirmed-site]');
  await figures.first().waitFor();
  expect(await figures.allInnerTexts()).toEqual([
    `Confirmed by ${GOOGLE}: 1,204 links from news-daily.test`,
    `Confirmed by ${GOOGLE}: 87 links from forum.test`,
    // blog.shop.example.co.uk, on .test hosts: a .co.uk site.
    `Confirmed by ${GOOGLE}: 5 links from test.co.uk`,
  ]);
  expect(await s.page.locator('[data-confirmed-sites] a').count()).toBe(0);
});

test('a malformed file is refused with a clear message and changes nothing', async () => {
  await options.locator('#engine-file').setInputFiles(exportFile('gsc/cut-short.csv'));
  await expect.poll(noticeText).toMatch(/^cut-short\.csv was not imported: .*quoted cell/);
  expect(await options.locator('#engine-notice').getAttribute('class')).toBe('error');
  expect(await importRows()).toEqual([
    'bing:bing-backlinks',
    'google:gsc-latest-links',
    'google:gsc-top-linking-sites',
  ]);
  await openPopupFor(s.ext, s.page, GUIDE);
  expect(Object.keys(await shownProvenance(s.page))).toHaveLength(3);
});

test('removing an import takes its links out of the popup, said so', async () => {
  await options.locator('[data-kind="gsc-latest-links"] button').click();
  await expect
    .poll(noticeText)
    .toBe('Removed the import of latest-links.csv; its links are no longer shown.');
  expect(await importRows()).toEqual(['bing:bing-backlinks', 'google:gsc-top-linking-sites']);
  await openPopupFor(s.ext, s.page, GUIDE);
  await s.page.waitForSelector('[data-remote-status="answered"][data-remote-source="engine-bing"]');
  const sources = await s.page.$$eval('li.link', (items) =>
    items.map((li) => li.getAttribute('data-source')).sort(),
  );
  expect(sources).toEqual(['http://forum.test/t/grinders/812', ARTICLE]);
});

test('excluding a site drops the confirmed links from it; clearing all data drops every import', async () => {
  await options.fill('#site-input', 'forum.test');
  await options.click('#add-site');
  await options.waitForSelector('#excluded-sites [data-site="forum.test"]');
  await openPopupFor(s.ext, s.page, GUIDE);
  await s.page.waitForSelector('[data-remote-status="answered"][data-remote-source="engine-bing"]');
  expect(
    await s.page.$$eval('li.link', (items) => items.map((li) => li.getAttribute('data-source'))),
  ).toEqual([ARTICLE]);

  options.once('dialog', (d) => void d.accept());
  await options.click('#clear');
  await options.waitForSelector('#engine-imports-none');
  await openPopupFor(s.ext, s.page, GUIDE);
  expect(await s.page.locator('li.link').count()).toBe(0);
  expect(await s.page.locator('[data-remote-source^="engine-"]').count()).toBe(0);
});
