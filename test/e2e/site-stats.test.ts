import { expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { OPTIONS } from '../support/extension-pages';
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
