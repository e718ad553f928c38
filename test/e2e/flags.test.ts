import { beforeAll, describe, expect, test } from 'vitest';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, openPopupFor, OPTIONS, REPORT, waitForLinks } from '../support/extension-pages';

/**
 * A web built to hold each risk pattern around one target page:
 * - an exchange: partner.test links to the target, the shop's /friends page links back;
 * - a farm: farm-a, farm-b and farm-c each link to the target and to the two others;
 * - a sitewide footer link: five pages of blogroll.test link to the target from their footer;
 * - a declared sponsored post (promo.test, rel=sponsored), and a followed link that says
 *   "partner" (review.test);
 * - a spammy linking site: hyphens piled into its name, plain HTTP, a one-word title;
 * - a burst: four links first seen over the past eight weeks (brought in with an import, as a
 *   person moving their data from another machine would), then the twelve above this week.
 * Every other linking page looks like a real site (favicon, description, about and contact
 * links, some text), so that its spam rules stay quiet once pages' signals are captured.
 */
const TARGET = 'http://shop.test/widgets';
const FARM = ['farm-a.test', 'farm-b.test', 'farm-c.test'];
const BLOGROLL = Array.from({ length: 5 }, (_, i) => `http://blogroll.test/post-${i}`);
const WEEK = 7 * 24 * 60 * 60 * 1000;
const OLD = Array.from({ length: 4 }, (_, i) => `http://old${i}.test/`);

const TEXT = 'We tried many shops and wrote down what we found about each of them. '.repeat(20);

/** A page that looks like a real site's. */
const goodPage = (title: string, body: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  `<title>${title}</title><link rel="icon" href="/favicon.ico">` +
  '<meta name="description" content="A small independent site about things we like, written by people.">' +
  '</head><body><nav><a href="/about">About</a> <a href="/contact">Contact</a></nav>' +
  `<main><p>${TEXT}</p>${body}</main></body></html>`;

const PAGES: Array<[host: string, path: string, html: string]> = [
  ['shop.test', '/widgets', goodPage('Blue widgets | Shop', '<p>Our widgets.</p>')],
  [
    'shop.test',
    '/friends',
    goodPage('Friends of the shop', '<a href="http://partner.test/">Partner Co</a>'),
  ],
  ['partner.test', '/', goodPage('Partner Co home', `<a href="${TARGET}">Shop</a>`)],
  ...FARM.map((host): [string, string, string] => [
    host,
    '/',
    goodPage(
      `Welcome to ${host}`,
      `<a href="${TARGET}">a shop I like</a>` +
        FARM.filter((h) => h !== host)
          .map((h) => ` <a href="http://${h}/">friends at ${h}</a>`)
          .join(''),
    ),
  ]),
  ...BLOGROLL.map((url, i): [string, string, string] => [
    'blogroll.test',
    new URL(url).pathname,
    goodPage(`Blogroll post ${i}`, '').replace(
      '</body>',
      `<footer><a href="${TARGET}">Shop</a></footer></body>`,
    ),
  ]),
  [
    'promo.test',
    '/post',
    goodPage('Promo post of the week', `<p><a rel="sponsored" href="${TARGET}">Shop deals</a></p>`),
  ],
  [
    'review.test',
    '/post',
    goodPage(
      'Our honest review',
      `<p>Thanks to our partner: <a href="${TARGET}">partner offer at the Shop</a></p>`,
    ),
  ],
  [
    'cheap-links-4-u.test',
    '/',
    `<!doctype html><title>Links</title><body><a href="${TARGET}">cheap stuff</a></body>`,
  ],
];

/** An export holding links first seen 2, 4, 6 and 8 weeks ago: the quiet weeks before. */
async function oldExport(): Promise<string> {
  const now = Date.now();
  const links = OLD.map((source, i) => ({
    source,
    target: TARGET,
    anchor: 'Shop',
    rel: [],
    region: 'main',
    regions: ['main'],
    rels: [],
    occurrences: 1,
    firstSeen: now - 2 * (i + 1) * WEEK,
    lastSeen: now - 2 * (i + 1) * WEEK,
    lostAt: null,
  }));
  const file = join(await mkdtemp(join(tmpdir(), 'backlink-lens-flags-')), 'old.json');
  const data = { format: 'backlink-lens', version: 3, exportedAt: '', pages: [], links };
  await writeFile(file, JSON.stringify({ ...data, redirects: [] }));
  return file;
}

const s = useExtensionSession();
/** The risk line once every flag is in: the site's bursts come after the page's own flags. */
const FLAGS_READ = '[data-risk-count]:not([data-site-pending])';
const newLinks = 1 + FARM.length + BLOGROLL.length + 3;

beforeAll(async () => {
  for (const [host, path, html] of PAGES) s.server.setPage(host, path, html);
  await browse(
    s.ext,
    s.page,
    PAGES.map(([host, path]) => `http://${host}${path}`),
  );
  await s.page.goto(s.ext.extensionUrl(OPTIONS));
  await s.page.locator('#import').setInputFiles(await oldExport());
  const notice = s.page.locator('#notice', { hasText: 'Imported' });
  await notice.waitFor();
  expect(await notice.innerText()).toBe(`Imported 0 pages and ${OLD.length} links.`);
  await waitForLinks(s.ext, s.page, TARGET, (links) => links.length === newLinks + OLD.length);
});

/** The flags listed on a report page, once they have loaded. */
async function shownFlags(p: Page) {
  await p.waitForSelector(FLAGS_READ);
  return p.$$eval('[data-flag]', (items) =>
    items.map((li) => ({
      kind: li.getAttribute('data-flag')!,
      domain: li.getAttribute('data-flag-domain')!,
      severity: li.getAttribute('data-severity')!,
      evidence: Array.from(li.querySelectorAll('[data-evidence-source]')).map((e) => ({
        source: e.getAttribute('data-evidence-source')!,
        target: e.getAttribute('data-evidence-target')!,
        region: e.getAttribute('data-evidence-region')!,
        note: e.getAttribute('data-evidence-note')!,
      })),
      rules: Array.from(li.querySelectorAll('[data-rule-state="fired"]')).map((r) =>
        r.getAttribute('data-rule'),
      ),
    })),
  );
}

describe('risk flags', () => {
  test('the popup sums the risks up in one line, with their count', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const line = s.page.locator(FLAGS_READ);
    await line.waitFor();
    expect(await line.getAttribute('data-risk-count')).toBe('6');
    expect(await s.page.locator('.risk-summary').innerText()).toBe(
      '6 risks to look at: reciprocal links with 1 site, a possible link network, a sitewide link, ' +
        'possible undeclared paid links from 1 site, a burst of new links, spam signals on 1 linking site.',
    );
    expect(await s.page.locator('.risk-summary').getAttribute('title')).toMatch(
      /risk to look at, not a verdict/,
    );
    expect(await s.page.locator('[data-note-count]').innerText()).toBe(
      'Also noted: declared sponsored links from 1 site, marked as paid links should be.',
    );
    // The popup keeps to the line: the evidence is on the report page.
    expect(await s.page.locator('[data-flag]').count()).toBe(0);
    // Each row behind a flag carries a mark naming it.
    const marks = await s.page.$$eval('li.link [data-flags]', (els) =>
      Object.fromEntries(
        els.map((el) => [
          el.closest('li.link')!.getAttribute('data-source'),
          el.getAttribute('data-flags'),
        ]),
      ),
    );
    expect(marks['http://partner.test/']?.split(' ')).toContain('reciprocal');
    expect(marks['http://cheap-links-4-u.test/']?.split(' ')).toContain('spam-signals');
    expect(
      await s.page
        .locator('li.link[data-source="http://partner.test/"] .flag-badge')
        .getAttribute('title'),
    ).toMatch(/Reciprocal links/);
  });

  test("the whole site's table carries no flags: they were found for the page", async () => {
    await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
    await s.page.waitForSelector(FLAGS_READ);
    expect(await s.page.locator('tr.table-link:not([data-flags=""])').count()).toBeGreaterThan(0);
    await s.page.click('[data-scope="site"]');
    await s.page.waitForSelector('[data-site-report="shop.test"]');
    expect(await s.page.locator('tr.table-link').count()).toBeGreaterThan(0);
    expect(await s.page.locator('tr.table-link:not([data-flags=""])').count()).toBe(0);
  });

  test('the report lists each flag with the links behind it', async () => {
    await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
    const flags = await shownFlags(s.page);
    expect(flags.map((f) => [f.kind, f.domain, f.severity])).toEqual([
      ['reciprocal', 'partner.test', 'risk'],
      ['link-farm', FARM.join(' '), 'risk'],
      ['sitewide', 'blogroll.test', 'risk'],
      ['paid-undeclared', 'review.test', 'risk'],
      ['paid-declared', 'promo.test', 'note'],
      ['burst', '', 'risk'],
      ['spam-signals', 'cheap-links-4-u.test', 'risk'],
    ]);
    const byKind = Object.fromEntries(flags.map((f) => [f.kind, f]));
    const pairs = (kind: string) => byKind[kind]!.evidence.map((e) => [e.source, e.target]);

    expect(pairs('reciprocal')).toEqual([
      ['http://partner.test/', TARGET],
      ['http://shop.test/friends', 'http://partner.test/'],
    ]);
    // Each farm site links to the target and to both others: 3 × 3 links, every pair both ways.
    expect(pairs('link-farm').sort()).toEqual(
      FARM.flatMap((a) => [
        ...FARM.filter((b) => b !== a).map((b) => [`http://${a}/`, `http://${b}/`]),
        [`http://${a}/`, TARGET],
      ]).sort(),
    );
    expect(byKind.sitewide!.evidence.map((e) => [e.source, e.region]).sort()).toEqual(
      BLOGROLL.map((u) => [u, 'footer']),
    );
    expect(byKind['paid-undeclared']!.evidence).toEqual([
      expect.objectContaining({
        source: 'http://review.test/post',
        note: expect.stringMatching(/^"partner" in .*, and the link is followed$/),
      }),
    ]);
    expect(pairs('paid-declared')).toEqual([['http://promo.test/post', TARGET]]);
    // The burst is this week's links, none of the weeks before.
    const burst = byKind.burst!.evidence.map((e) => e.source);
    expect(burst).toHaveLength(newLinks);
    expect(burst.some((u) => OLD.includes(u))).toBe(false);
    expect(byKind['spam-signals']!.rules).toEqual(
      expect.arrayContaining(['no-https', 'domain-name', 'short-title']),
    );
  });

  test('each flag opens from the keyboard, and its evidence links to the pages', async () => {
    await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
    await s.page.waitForSelector(FLAGS_READ);
    const summary = s.page.locator('[data-flag="reciprocal"] summary');
    const details = s.page.locator('[data-flag="reciprocal"] details');
    expect(await details.getAttribute('open')).toBeNull();
    await summary.focus();
    await s.page.keyboard.press('Enter');
    expect(await details.getAttribute('open')).not.toBeNull();
    if (process.env.FLAGS_SCREENSHOT) {
      await s.page.screenshot({ path: process.env.FLAGS_SCREENSHOT, fullPage: true });
    }
    const link = s.page.locator(
      '[data-flag="reciprocal"] [data-evidence-source="http://shop.test/friends"] a',
    );
    expect(await link.first().getAttribute('href')).toBe('http://shop.test/friends');
    expect(await link.first().isVisible()).toBe(true);
  });

  test('the spam rules of every linking site are counted and named', async () => {
    await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
    await s.page.waitForSelector(FLAGS_READ);
    const spam = s.page.locator('[data-spam-domain="cheap-links-4-u.test"]');
    expect(Number(await spam.getAttribute('data-fired'))).toBeGreaterThanOrEqual(3);
    expect(await spam.textContent()).toMatch(
      /^cheap-links-4-u\.test: \d of 9 rules fired \(no HTTPS, hyphens or digits piled into the domain,/,
    );
    // A site that looks real fires no more than plain HTTP (the test server has no HTTPS).
    const partner = s.page.locator('[data-spam-domain="partner.test"]');
    expect(await partner.getAttribute('data-fired')).toBe('1');
  });
});
