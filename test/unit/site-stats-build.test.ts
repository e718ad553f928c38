import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from 'idb';
import type { BacklinkDb } from '../../src/storage/db';
import { BUILD_CHUNK, ensureSiteStats } from '../../src/storage/site-stats';
import { clearAll } from '../../src/storage/records';
import { siteStatsOf } from '../../src/core/site-stats';
import { loadFirstRead } from '../../src/storage/head';
import { POPUP_ROWS } from '../../src/core/first-view';
import { closeTestDbs, makeLink, openTestDb } from './helpers';

// The worker builds a site's aggregate on a badge refresh of a tab (background/badge.ts): it
// reads the site's links in read-only chunks and writes over the aggregate's stores only, so a
// popup opened meanwhile does not wait for it (review s17: it was one read-write transaction over
// the link stores), and stays exact: a change that lands between chunks voids the build.

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
}, 60_000);
afterEach(() => closeTestDbs());

it("a popup's first read asked while a site aggregate is built does not wait for the build", async () => {
  const tx = db.transaction('links', 'readwrite');
  for (let i = 0; i < 3000; i++) {
    void tx.store.put(makeLink(`https://d${i % 40}.com/${i}`, `https://shop.com/${i % 50}`));
  }
  await tx.done;
  const order: string[] = [];
  // The popup is opened as the build's read-write transaction begins (hooked on the raw
  // database: idb's proxy forwards its calls there).
  const raw = unwrap(db) as unknown as IDBDatabase;
  const proto = Object.getPrototypeOf(raw) as IDBDatabase;
  let popup: Promise<unknown> | null = null;
  let built = 0;
  raw.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const t = proto.transaction.apply(this, args);
    if (args[1] === 'readwrite' && !popup) {
      popup = loadFirstRead(db, 'https://shop.com/7', {}, POPUP_ROWS).then(() =>
        order.push('popup'),
      );
    }
    return t;
  } as IDBDatabase['transaction'];
  await ensureSiteStats(db, 'https://shop.com/7').then((site) => {
    built = site ? 1 : 0;
    order.push('build');
  });
  await popup;
  expect(built).toBe(1);
  expect(order).toEqual(['popup', 'build']);
}, 60_000);

describe('the chunked build', () => {
  it('reads every link into the site once, from both link stores, over several chunks', async () => {
    // More than a chunk in the new store, some in the old one (keyed by [source, target, anchor]).
    const tx = db.transaction(['links', 'links-v1'], 'readwrite');
    const links = Array.from({ length: BUILD_CHUNK * 2 + 7 }, (_, i) =>
      makeLink(`https://d${i % 70}.com/${i}`, `https://shop.com/${i % 90}`, {
        lostAt: i % 9 === 0 ? 1 : null,
      }),
    );
    links.forEach((link, i) => {
      void tx.objectStore(i % 5 === 0 ? 'links-v1' : 'links').put(link);
    });
    await tx.done;
    expect(await ensureSiteStats(db, 'https://shop.com/')).toBe('shop.com');
    const built = siteStatsOf('shop.com', links);
    expect(await db.get('site-stats', 'shop.com')).toEqual(built.head);
    const byPart = (a: { part: string }, b: { part: string }) => (a.part < b.part ? -1 : 1);
    expect((await db.getAll('site-tallies')).sort(byPart)).toEqual(built.tallies.sort(byPart));
  }, 60_000);

  it('writes nothing when a bulk change dropped the aggregates while it read', async () => {
    const tx = db.transaction('links', 'readwrite');
    for (let i = 0; i < BUILD_CHUNK + 50; i++) {
      void tx.store.put(makeLink(`https://d${i % 40}.com/${i}`, `https://shop.com/${i % 50}`));
    }
    await tx.done;
    // The options page clears the data (no write gate there) between two chunks.
    const raw = unwrap(db) as unknown as IDBDatabase;
    const proto = Object.getPrototypeOf(raw) as IDBDatabase;
    let cleared: Promise<unknown> | null = null;
    raw.transaction = function (
      this: IDBDatabase,
      ...args: Parameters<IDBDatabase['transaction']>
    ) {
      const t = proto.transaction.apply(this, args);
      const scope = [args[0]].flat();
      if (!cleared && args[1] !== 'readwrite' && scope.includes('meta')) cleared = clearAll(db);
      return t;
    } as IDBDatabase['transaction'];
    expect(await ensureSiteStats(db, 'https://shop.com/')).toBeNull();
    await cleared;
    // Not the first chunk's 2,000 links over a cleared store.
    expect(await db.count('site-stats')).toBe(0);
    expect(await db.count('site-tallies')).toBe(0);
  }, 60_000);
});
