import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore } from 'fake-indexeddb';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import {
  capSourceLinks,
  pruneExpired,
  removePages,
  StorageFullError,
  writeWithRoom,
} from '../../src/storage/retention';
import {
  at,
  closeTestDbs,
  dumpDb,
  makeLink,
  makePage,
  makeRedirect,
  makeSnapshot,
  makeVisit,
  openTestDb,
} from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
});

const OLD = 'https://old.com/a';
const KEPT = 'https://kept.com/b';
const CANONICAL = 'https://old.com/canonical';

/** Two pages with links, hops, visits and scores, the first declaring a canonical alias. */
async function seed() {
  const tx = db.transaction(['pages', 'links', 'redirects', 'referrals', 'authority'], 'readwrite');
  await Promise.all([
    tx.objectStore('pages').put(makePage(OLD, { canonical: CANONICAL, lastSeen: at(1) })),
    tx.objectStore('pages').put(makePage(CANONICAL, { aliasOf: OLD, lastSeen: at(1) })),
    tx.objectStore('pages').put(makePage(KEPT, { lastSeen: at(300) })),
    tx.objectStore('links').put(makeLink(OLD, KEPT)),
    tx.objectStore('links').put(makeLink(OLD, 'https://x.com/')),
    tx.objectStore('links').put(makeLink(KEPT, OLD)),
    tx.objectStore('redirects').put(makeRedirect('https://old.com/r', OLD)),
    tx.objectStore('redirects').put(makeRedirect(OLD, 'https://y.com/')),
    tx.objectStore('redirects').put(makeRedirect('https://z.com/', KEPT)),
    tx.objectStore('referrals').put(makeVisit(OLD, KEPT, at(1))),
    tx.objectStore('referrals').put(makeVisit(KEPT, OLD, at(2))),
    tx.objectStore('referrals').put(makeVisit(KEPT, 'https://w.com/', at(3))),
    tx
      .objectStore('authority')
      .put({ kind: 'page', key: OLD, score: 0.5, display: 50, computedAt: at(1) }),
    tx
      .objectStore('authority')
      .put({ kind: 'page', key: KEPT, score: 0.5, display: 50, computedAt: at(1) }),
    tx.done,
  ]);
}

describe('removePages', () => {
  it('deletes a page, its alias, its links, its hops and visits, and its score; links to it stay', async () => {
    await seed();
    expect(await removePages(db, [OLD, 'https://never-stored.com/'])).toBe(1);
    const { pages, links, redirects } = await dumpDb(db);
    expect(pages.map((p) => p.url)).toEqual([KEPT]);
    expect(links.map((l) => [l.source, l.target])).toEqual([[KEPT, OLD]]);
    expect(redirects.map((r) => [r.from, r.to])).toEqual([['https://z.com/', KEPT]]);
    const visits = await db.getAll('referrals');
    expect(visits.map((v) => [v.source, v.target])).toEqual([[KEPT, 'https://w.com/']]);
    expect((await db.getAll('authority')).map((a) => a.key)).toEqual([KEPT]);
  });

  it('keeps an alias that a visited page owns', async () => {
    await seed();
    await db.put('pages', makePage(CANONICAL, { lastSeen: at(1) })); // visited itself
    await removePages(db, [OLD]);
    expect((await db.getAllKeys('pages')).sort()).toEqual([KEPT, CANONICAL]);
  });

  it('still deletes the pages when the disk is too full to note that scores changed', async () => {
    await seed();
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<typeof realPut>
    ) {
      if (this.name === 'meta') throw new DOMException('full', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    expect(await removePages(db, [OLD])).toBe(1);
    expect((await db.getAllKeys('pages')).sort()).toEqual([KEPT]);
  });

  it('deletes in batches, every page of a long list', async () => {
    const urls = Array.from({ length: 450 }, (_, i) => `https://many.com/${i}`);
    for (const url of urls) await db.put('pages', makePage(url));
    expect(await removePages(db, urls)).toBe(450);
    expect(await db.count('pages')).toBe(0);
  });
});

describe('pruneExpired', () => {
  it('deletes the pages not visited since the cutoff, and nothing when kept forever', async () => {
    await seed();
    expect(await pruneExpired(db, null)).toBe(0);
    expect(await db.count('pages')).toBe(3);
    expect(await pruneExpired(db, at(100))).toBe(1);
    expect((await db.getAllKeys('pages')).sort()).toEqual([KEPT]);
  });
});

describe('capSourceLinks', { timeout: 60_000 }, () => {
  const SRC = 'https://reloads.com/feed';

  it('holds a self-reloading page with fresh links to the cap, keeping every live link', async () => {
    const cap = 120;
    for (let visit = 0; visit < 30; visit++) {
      const fresh = Array.from({ length: 50 }, (_, i) => `https://t${visit}-${i}.com/`);
      await recordPage(db, makeSnapshot(SRC, fresh), at(visit));
      await capSourceLinks(db, SRC, cap);
      const stored = await db.getAllFromIndex('links', 'by_source', SRC);
      expect(stored.length).toBe(Math.min(cap, 50 * (visit + 1)));
      const live = stored.filter((l) => l.lostAt === null).map((l) => l.target);
      expect(live.sort()).toEqual([...fresh].sort());
    }
    // The history kept is the most recent: the links lost last.
    const lost = (await db.getAllFromIndex('links', 'by_source', SRC)).filter((l) => l.lostAt);
    expect(Math.min(...lost.map((l) => l.lostAt!))).toBe(at(28));
  });

  it('reads nothing and deletes nothing under the cap', async () => {
    await recordPage(db, makeSnapshot(SRC, ['https://a.com/']), at(1));
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    expect(await capSourceLinks(db, SRC, 1)).toBe(0);
    expect(getAll).not.toHaveBeenCalled();
  });
});

describe('writeWithRoom', () => {
  /** Make IDBObjectStore.put throw QuotaExceededError on its next `times` calls of recording. */
  function quotaFullFor(times: number) {
    const realPut = IDBObjectStore.prototype.put;
    let left = times;
    return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<typeof realPut>
    ) {
      // The scores' bookkeeping (meta) is not recording, and may fail on its own (removePages).
      if (this.name !== 'meta' && left-- > 0)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
  }
  const NEW = 'https://new.com/page';
  const record = () =>
    recordPage(db, makeSnapshot(NEW, ['https://a.com/', 'https://b.com/']), at(400));

  it('writes at once when there is room, deleting nothing', async () => {
    await seed();
    const out = await writeWithRoom(db, at(100), record);
    expect(out.removed).toBeNull();
    expect(await db.count('pages')).toBe(4);
  });

  it('on a full quota deletes the expired pages and stores the page on the retry', async () => {
    await seed();
    quotaFullFor(1);
    const out = await writeWithRoom(db, at(100), record);
    expect(out).toEqual({ result: expect.objectContaining({ url: NEW, added: 2 }), removed: 1 });
    const { pages, links } = await dumpDb(db);
    expect(pages.map((p) => p.url).sort()).toEqual([KEPT, NEW]);
    expect(links.filter((l) => l.source === NEW)).toHaveLength(2);
  });

  it('with nothing expired deletes the pages not visited for longest', async () => {
    const urls = Array.from({ length: 100 }, (_, i) => `https://p.com/${i}`);
    for (const [i, url] of urls.entries()) {
      await db.put('pages', makePage(url, { lastSeen: at(i) }));
    }
    quotaFullFor(1);
    const out = await writeWithRoom(db, null, record);
    expect(out.removed).toBe(50);
    const kept = await db.getAllKeys('pages');
    expect(kept).toHaveLength(51);
    expect(kept).not.toContain(urls[49]);
    expect(kept).toContain(urls[50]);
  });

  it('when the retry is full too, fails with StorageFullError and changes nothing of the page', async () => {
    for (let i = 0; i < 100; i++) await db.put('pages', makePage(`https://p.com/${i}`));
    await recordPage(db, makeSnapshot(NEW, ['https://a.com/']), at(200));
    const before = await dumpDb(db);
    quotaFullFor(2);
    const failure = await writeWithRoom(db, null, record).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StorageFullError);
    expect((failure as StorageFullError).removed).toBe(50);
    // Neither failed attempt left a trace: the page and its link are as the last visit left them.
    const after = await dumpDb(db);
    expect(after.pages.find((p) => p.url === NEW)).toEqual(before.pages.find((p) => p.url === NEW));
    expect(after.links).toEqual(before.links);
    expect(after.pages).toHaveLength(51);
  });

  it('passes other failures through without deleting anything', async () => {
    await seed();
    await expect(
      writeWithRoom(db, at(100), () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await db.count('pages')).toBe(3);
  });
});
