import { expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { browse, OPTIONS } from '../support/extension-pages';
import { T0 } from '../support/records';
import type { LinkRecord } from '../../src/core/types';
import { siteStatsOf, type SiteHead } from '../../src/core/site-stats';
import { BUILD_CHUNK } from '../../src/storage/site-stats';

const s = useExtensionSession();

const SITE = 'shop.test';

// The worker builds a site's aggregate in Chromium's IndexedDB as in fake-indexeddb: its
// chunked read (an index cursor resumed past the last key, storage/site-stats.ts) counts every
// link into the site once, through the recording gate.
test("the worker builds a big site's aggregate from every link, over several chunks", async () => {
  const links = Array.from({ length: BUILD_CHUNK * 2 + 3 }, (_, i): LinkRecord => ({
    source: `http://d${i % 60}.test/${i}`,
    target: `http://${SITE}/p${i % 80}`,
    anchor: 'a',
    rel: [],
    region: 'main',
    regions: ['main'],
    rels: [],
    occurrences: 1,
    sourceDomain: `d${i % 60}.test`,
    targetDomain: SITE,
    firstSeen: T0,
    lastSeen: T0,
    lostAt: i % 7 === 0 ? T0 : null,
  }));
  const screen = await s.ext.context.newPage();
  await screen.goto(s.ext.extensionUrl(OPTIONS));
  await screen.waitForSelector('body');
  const head = await screen.evaluate(
    async ({ links, site }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction('links', 'readwrite');
      for (const link of links) tx.objectStore('links').put(link);
      await new Promise((resolve) => (tx.oncomplete = resolve));
      await chrome.runtime.sendMessage({ type: 'stats/build', targets: [`http://${site}/`] });
      // The build runs after the reply: wait for its head.
      for (let i = 0; i < 200; i++) {
        const found = await new Promise<unknown>((resolve) => {
          const get = db.transaction('site-stats').objectStore('site-stats').get(site);
          get.onsuccess = () => resolve(get.result);
        });
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return null;
    },
    { links, site: SITE },
  );
  expect(head as SiteHead | null).toEqual(siteStatsOf(SITE, links).head);
  await screen.close();
}, 60_000);

// A recorded page puts only the head of the site it links into, its changed tallies pending
// in it; the worker puts them once recording has been quiet (background/site-stats.ts).
test('a page recorded into the site leaves its tallies pending, and the worker folds them', async () => {
  s.server.setPage(
    'partner.test',
    '/',
    '<!doctype html><html lang="en"><head><title>Partner</title></head><body><main>' +
      `<a href="http://${SITE}/p1">one</a> <a href="http://${SITE}/fresh">fresh</a>` +
      '</main></body></html>',
  );
  const screen = await s.ext.context.newPage();
  await screen.goto(s.ext.extensionUrl(OPTIONS));
  await screen.waitForSelector('body');
  const read = () =>
    screen.evaluate(async (site) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction(['site-stats', 'site-tallies']);
      const ask = (request: IDBRequest) =>
        new Promise<unknown>((resolve) => (request.onsuccess = () => resolve(request.result)));
      const [head, fresh] = await Promise.all([
        ask(tx.objectStore('site-stats').get(site)),
        ask(tx.objectStore('site-tallies').get([site, `t:http://${site}/fresh`])),
      ]);
      db.close();
      return { head: head as SiteHead, fresh: fresh as { live: number } | undefined };
    }, SITE);
  const before = (await read()).head;
  await browse(s.ext, s.page, ['http://partner.test/']);
  const recorded = await read();
  expect(recorded.head).toMatchObject({ live: before.live + 2, pending: expect.any(Object) });
  expect(recorded.fresh).toBeUndefined();
  const deadline = Date.now() + 20_000;
  let folded = recorded;
  while (folded.head.pending && Date.now() < deadline) {
    await screen.waitForTimeout(250);
    folded = await read();
  }
  expect(folded.head).toEqual({
    ...before,
    live: before.live + 2,
    referringDomains: before.referringDomains + 1,
  });
  expect(folded.fresh).toMatchObject({ live: 1 });
  await screen.close();
}, 60_000);
