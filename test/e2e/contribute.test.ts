import { expect, test } from 'vitest';
import { DEFAULT_K, hashKey } from '../../src/core/index-protocol';
import { fetchInfo, linksOfEntry, lookupEntry } from '../../src/sources/index-client';
import { GUIDE } from '../support/demo-site';
import { useExtensionSession } from '../support/session';
import { browse, OPTIONS } from '../support/extension-pages';
import { useReferenceIndex } from '../support/reference-index';

const NAME = 'Team index';
const TOKEN = 'team-token-for-e2e-0001';

const s = useExtensionSession();
// The reference server, taking contributions with one token.
const ref = useReferenceIndex(s, { INDEX_NAME: NAME, INDEX_MIN_PREFIX: '1', INDEX_TOKENS: TOKEN });

type Hooks = {
  backlinkLens: {
    contributions: Record<string, number>;
    sendContributionsNow: () => Promise<{ pending: string[] }>;
  };
};

const contributions = () =>
  s.ext.worker.evaluate(() => ({
    ...(globalThis as unknown as Hooks).backlinkLens.contributions,
  }));

/** Send the queue now, as the alarm would a minute after browsing stops; what is left. */
const sendNow = () =>
  s.ext.worker.evaluate(() =>
    (globalThis as unknown as Hooks).backlinkLens.sendContributionsNow().then((st) => st.pending),
  );

/** The sources of the links into the guide that the index answers with, over the protocol. */
async function indexedSourcesOfGuide(): Promise<string[]> {
  const endpoint = { url: ref.index.url, token: '' };
  const plan = {
    info: await fetchInfo(endpoint),
    k: DEFAULT_K,
    decoys: 0,
    decoySecret: new Uint8Array(32),
  };
  const entry = await lookupEntry(endpoint, plan, 'url', GUIDE);
  return entry ? [...new Set(linksOfEntry(entry).map((l) => l.source))].sort() : [];
}

/** Every source page the index holds, straight from its database. */
const indexedPages = async () =>
  (
    await ref.index.db.query<{ url: string }>(
      'SELECT DISTINCT s.url FROM links l JOIN pages s ON s.id = l.source_id ORDER BY 1',
    )
  ).map((r) => r.url);

test('contribution is off by default: browsing sends nothing', async () => {
  await ref.options.goto(s.ext.extensionUrl(OPTIONS));
  await ref.options.fill('#remote-index-url', ref.index.url);
  await ref.options.fill('#remote-index-token', TOKEN);
  await ref.options.click('#remote-index-add');
  await ref.options.waitForSelector('#contribute-enabled');
  expect(await ref.options.locator('#contribute-enabled').isChecked()).toBe(false);
  expect(await ref.options.locator('#contribute .explain').innerText()).toContain(
    'nothing from excluded sites or private windows',
  );

  await browse(s.ext, s.page, ['http://news-daily.test/']);
  expect(await sendNow()).toEqual([]);
  expect(await contributions()).toEqual({ off: 1 });
  expect(await indexedPages()).toEqual([]);
  expect(await ref.options.locator('#contribute-status').count()).toBe(0);
});

test('turned on, the pages browsed since reach the index; an excluded site never does', async () => {
  await ref.options.click('#contribute-enabled');
  await expect
    .poll(() => ref.options.locator('#contribute-notice').innerText())
    .toBe(`The links of the pages you visit from now on are sent to ${NAME}.`);
  // One site excluded before browsing (never recorded), one after its page was recorded and
  // queued but before the batch went (dropped at sending).
  await s.ext.worker.evaluate(() =>
    chrome.storage.local.set({ settings: { paused: false, excludedSites: ['deals.test'] } }),
  );
  await browse(s.ext, s.page, [
    'http://news-daily.test/',
    'http://coffee-blog.test/about',
    'http://forum.test/thread-42',
    'http://deals.test/',
  ]);
  await expect.poll(async () => (await contributions()).queued).toBe(3);
  await s.ext.worker.evaluate(() =>
    chrome.storage.local.set({
      settings: { paused: false, excludedSites: ['deals.test', 'forum.test'] },
    }),
  );

  expect(await sendNow()).toEqual([]);
  expect(await contributions()).toMatchObject({ queued: 3, sent: 2, dropped: 1 });
  expect(await indexedSourcesOfGuide()).toEqual([
    'http://coffee-blog.test/about',
    'http://news-daily.test/',
  ]);
  const pages = await indexedPages();
  expect(pages.filter((u) => /deals\.test|forum\.test/.test(u))).toEqual([]);
  // The index keeps what it was sent: the news page's links, as recorded here.
  const guideHash = await hashKey(GUIDE);
  const [row] = await ref.index.db.query<{ anchor: string }>(
    `SELECT l.anchor FROM links l JOIN pages s ON s.id = l.source_id
     WHERE l.target_hash = decode($1, 'hex') AND s.url = 'http://news-daily.test/'`,
    [guideHash],
  );
  expect(row?.anchor).toBe('the definitive brewing guide');

  await expect
    .poll(() => ref.options.locator('#contribute-status').getAttribute('data-pages'))
    .toBe('2');
  expect(await ref.options.locator('#contribute-status').innerText()).toMatch(
    /^2 pages \(\d+ links\) sent so far, last at .+\.$/,
  );
});

test('turned off again, nothing more is queued or sent', async () => {
  await ref.options.click('#contribute-enabled');
  await expect
    .poll(() => ref.options.locator('#contribute-notice').innerText())
    .toBe(`Nothing more is sent to ${NAME}; pages still waiting were dropped.`);
  const before = await contributions();
  await browse(s.ext, s.page, ['http://linkfarm.test/']);
  expect(await sendNow()).toEqual([]);
  expect(await contributions()).toEqual({ ...before, off: (before.off ?? 0) + 1 });
  expect((await indexedPages()).filter((u) => u.includes('linkfarm'))).toEqual([]);
});
