import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { GUIDE } from '../support/demo-site';
import { findings } from '../support/axe';
import {
  browse,
  OPTIONS,
  openPopupFor,
  REPORT,
  shownLinks,
  shownProvenance,
} from '../support/extension-pages';
import { byPath, fixture, startFakeApi, type FakeApi, type Reply } from '../unit/providers-server';

/*
 * A bring-your-own-key provider end to end: a fake Ahrefs API v3 on 127.0.0.1 answering with
 * the recorded fixtures (test/fixtures/providers/ahrefs), added in the options page as a person
 * would, then asked by the popup and the report.
 */

const THREAD = 'http://forum.test/thread-42';
const KEY = 'ahrefs-e2e-key-7f3a9c2d41';
const SOURCE = 'provider:ahrefs';

const s = useExtensionSession();
let api: FakeApi;
let options: Page;
/** The key the fake API accepts; anything else gets Ahrefs' documented 401. */
let acceptedKey = KEY;

/**
 * The recorded backlinks, pointed at the demo guide; its news-daily row becomes the demo's
 * news-daily page, which this browser also records, so one link is known to both.
 */
const backlinks = fixture('ahrefs/all-backlinks.json')
  .replaceAll('https://coffee-blog.example/brewing-guide', GUIDE)
  .replaceAll('https://news-daily.example/2026/11/best-coffee', 'http://news-daily.test/');

const routes = byPath({
  '/v3/site-explorer/all-backlinks': { body: backlinks },
  '/v3/site-explorer/domain-rating': { body: fixture('ahrefs/domain-rating.json') },
  '/v3/site-explorer/url-rating-history': { body: fixture('ahrefs/url-rating-history.json') },
  '/v3/subscription-info/limits-and-usage': { body: fixture('ahrefs/limits-and-usage.json') },
});

const unauthorized: Reply = { status: 401, body: fixture('ahrefs/error-unauthorized.json') };

/** Requests the fake API received, by path. */
const paths = () => api.requests.map((r) => r.url.split('?')[0]);

/**
 * The worker's counts of provider lookups, by outcome, leaving out 'off': the answers of the
 * providers that have no key.
 */
const lookups = () =>
  s.ext.worker.evaluate(() => {
    const { off: _off, ...asked } = (
      globalThis as unknown as { backlinkLens: { providerLookups: Record<string, number> } }
    ).backlinkLens.providerLookups;
    return asked;
  });

const noticeText = () =>
  options
    .locator('#providers-notice')
    .innerText({ timeout: 1000 })
    .catch(() => '');

beforeAll(async () => {
  api = await startFakeApi();
  api.route((request) =>
    request.headers.authorization === `Bearer ${acceptedKey}` ? routes(request) : unauthorized,
  );
  await browse(s.ext, s.page, ['http://news-daily.test/', THREAD]);
  options = await s.ext.context.newPage();
});

afterAll(() => api?.close());

test('a person adds Ahrefs with the keyboard: the key is tested and the units left shown', async () => {
  // The test-only endpoint, written where the options page reads the provider's settings
  // (storage.local "providers", read only for loopback addresses): the one thing a person
  // does not do. The key itself is added through the form below.
  await s.ext.worker.evaluate(
    (endpoint) => chrome.storage.local.set({ providers: { ahrefs: { endpoint } } }),
    api.origin,
  );
  await options.goto(s.ext.extensionUrl(OPTIONS));
  await options.waitForSelector('#provider-choice');
  expect(await options.locator('#providers-privacy').innerText()).toContain(
    'sees the address of each page whose popup or full report you open',
  );
  await options.focus('#provider-choice');
  await options.selectOption('#provider-choice', 'ahrefs');
  await options.keyboard.press('Tab');
  expect(await options.evaluate(() => document.activeElement?.id)).toBe('provider-key');
  await options.keyboard.type(KEY);
  await options.keyboard.press('Enter');
  await expect
    .poll(noticeText)
    .toBe(
      'Added Ahrefs: the key works. It is asked when you open the popup or the full report of a page. 126,250 API units left.',
    );
  expect(await options.locator('[data-provider="ahrefs"]').count()).toBe(1);
  expect(await options.inputValue('#provider-key')).toBe('');
  // Only the free key check was made, with the key as Ahrefs documents it.
  expect(paths()).toEqual(['/v3/subscription-info/limits-and-usage']);
  expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  // The section with a provider listed and its notice: labelled, readable, in both schemes.
  for (const colorScheme of ['light', 'dark'] as const) {
    await options.emulateMedia({ colorScheme });
    expect(await findings(options)).toEqual([]);
  }
});

test('loading pages asks no provider', async () => {
  await browse(s.ext, s.page, [GUIDE, 'http://deals.test/']);
  expect(paths()).toEqual(['/v3/subscription-info/limits-and-usage']);
  expect(await lookups()).toEqual({});
});

test('the popup merges the provider links with provenance and shows its figures', async () => {
  await openPopupFor(s.ext, s.page, GUIDE);
  await s.page.waitForSelector(`[data-remote-source="${SOURCE}"][data-remote-status="answered"]`);
  const provenance = await shownProvenance(s.page);
  // The javascript: row of the recording is not a link; news-daily counts once.
  expect(provenance).toEqual({
    'http://deals.test/': 'this browser',
    'http://forum.test/thread-42': 'this browser',
    'http://news-daily.test/': 'this browser|Ahrefs',
    'https://deals.example/coffee-gear?ref=aff': 'Ahrefs',
  });
  const metrics = await s.page.$$eval(`[data-provider-metrics="${SOURCE}"] [data-metric]`, (els) =>
    els.map((el) => [
      el.getAttribute('data-metric'),
      el.getAttribute('data-metric-subject'),
      (el as HTMLElement).innerText,
    ]),
  );
  expect(metrics).toEqual([
    ['DR', 'domain', 'DR 47/100'],
    ['UR', 'url', 'UR 19/100'],
  ]);
  expect(await s.page.locator(`[data-provider-metrics="${SOURCE}"]`).innerText()).toMatch(
    /^Ahrefs:/,
  );
  expect(await findings(s.page)).toEqual([]);
  expect(paths().slice(1).sort()).toEqual([
    '/v3/site-explorer/all-backlinks',
    '/v3/site-explorer/domain-rating',
    '/v3/site-explorer/url-rating-history',
  ]);
  // The canonical page address was asked about, as one exact URL.
  const asked = api.requests.find((r) => r.url.startsWith('/v3/site-explorer/all-backlinks'));
  expect(new URL(asked!.url, api.origin).searchParams.get('target')).toBe(GUIDE);
  expect(await lookups()).toEqual({ fetched: 1 });
});

test('the full report shows the same links and figures, from the cache', async () => {
  await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(GUIDE)}`));
  await s.page.waitForSelector(`[data-provider-metrics="${SOURCE}"] [data-metric="DR"]`);
  await s.page.waitForSelector('tr.table-link [data-provenance="Ahrefs"]');
  expect(await lookups()).toEqual({ fetched: 1, cached: 1 });
  expect(api.requests).toHaveLength(4);
});

test('a broken key is one clear line in the popup and the options page; local links stay', async () => {
  acceptedKey = 'another-key';
  await openPopupFor(s.ext, s.page, THREAD);
  const line = s.page.locator(`[data-remote-source="${SOURCE}"][data-remote-status="failed"]`);
  await line.waitFor();
  expect(await line.innerText()).toBe(
    'Ahrefs could not be used: Ahrefs did not accept the key. Check it in the settings. Ahrefs said: "Invalid API key". The links shown are this browser\'s only.',
  );
  expect((await shownLinks(s.page)).map((l) => l.source)).toEqual(['http://news-daily.test/']);
  expect(await s.page.locator('[data-provider-metrics]').count()).toBe(0);

  await options.click('#provider-test-ahrefs');
  await expect
    .poll(noticeText)
    .toBe(
      'The key of Ahrefs does not work: Ahrefs did not accept the key. Check it in the settings. Ahrefs said: "Invalid API key".',
    );
  expect(await options.locator('#providers-notice').getAttribute('class')).toBe('error');
});

test('the key is in no export and nowhere in IndexedDB', async () => {
  const [download] = await Promise.all([
    options.waitForEvent('download', { timeout: 60_000 }),
    options.locator('#export-json').click(),
  ]);
  const text = await readFile((await download.path())!, 'utf8');
  expect(JSON.parse(text).links.length).toBeGreaterThan(0);
  expect(text).not.toContain(KEY);
  // Every store of the database, cached provider answers included.
  const stored = await s.ext.worker.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const all: Record<string, unknown> = {};
          for (const name of names) {
            const read = tx.objectStore(name).getAll();
            read.onsuccess = () => (all[name] = read.result);
          }
          tx.oncomplete = () => resolve(JSON.stringify(all));
        };
      }),
  );
  expect(stored).toContain('deals.example');
  expect(stored).not.toContain(KEY);
});

test('removing the provider forgets its key and answers; the popup asks it nothing', async () => {
  await options.click('#provider-remove-ahrefs');
  await expect.poll(noticeText).toMatch(/^Removed Ahrefs, its key and its cached answers\./);
  expect(await s.ext.worker.evaluate(() => chrome.storage.local.get('providers'))).toEqual({
    providers: {},
  });
  const before = api.requests.length;
  await openPopupFor(s.ext, s.page, GUIDE);
  // The 'loading' line goes once the worker said 'off'.
  await expect.poll(() => s.page.locator(`[data-remote-source="${SOURCE}"]`).count()).toBe(0);
  const sources = (await shownLinks(s.page)).map((l) => l.source);
  expect(sources).toContain('http://news-daily.test/');
  expect(sources.filter((u) => u.includes('.example'))).toEqual([]);
  expect(await s.page.locator('[data-provenance]').count()).toBe(0);
  expect(api.requests).toHaveLength(before);
});
