import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore } from 'fake-indexeddb';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import { recordPages, type PageLoad } from '../../src/storage/bulk';
import { at, closeTestDbs, dumpDb, makeSnapshot, openTestDb } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
// Spies are restored by the tests that set them, before their checks read the store.
afterEach(closeTestDbs);

/**
 * Loads that depend on each other: a page visited twice (a link lost, one added), two pages
 * sharing targets, a page declaring a same-site canonical, one visit delivered twice, and a
 * page that is not http(s).
 */
const LOADS: PageLoad[] = [
  { snapshot: makeSnapshot('https://a.com/post', ['https://t.com/', 'https://u.com/']), at: at(0) },
  {
    snapshot: makeSnapshot('https://b.com/post', ['https://t.com/', 'https://a.com/post']),
    at: at(1),
    visit: 'visit-b',
  },
  { snapshot: makeSnapshot('https://a.com/post', ['https://t.com/', 'https://v.com/']), at: at(2) },
  {
    snapshot: makeSnapshot('https://c.com/post?page=2', ['https://t.com/'], {
      canonical: 'https://c.com/post',
    }),
    at: at(3),
  },
  {
    snapshot: makeSnapshot('https://b.com/post', ['https://t.com/', 'https://a.com/post']),
    at: at(4),
    visit: 'visit-b',
  },
  { snapshot: makeSnapshot('ftp://files.com/x', ['https://t.com/']), at: at(5) },
];

describe('recordPages', () => {
  it('stores a batch exactly as recordPage stores its loads one by one', async () => {
    const one = await openTestDb();
    const expected = [];
    for (const load of LOADS) {
      expected.push(await recordPage(one, load.snapshot, load.at, load.visit ?? null));
    }

    const results = await recordPages(db, LOADS);

    expect(results).toEqual(expected);
    expect(results[2]).toMatchObject({ added: 1, lost: 1 });
    expect(results[5]).toBeNull();
    expect(await dumpDb(db)).toEqual(await dumpDb(one));
  });

  it('adds to what is stored, as a later visit does', async () => {
    await recordPage(db, LOADS[0]!.snapshot, LOADS[0]!.at);
    const [revisit] = await recordPages(db, [LOADS[2]!]);
    expect(revisit).toEqual({ url: 'https://a.com/post', links: 2, added: 1, lost: 1 });
  });

  it('stores nothing of a batch when one of its writes fails', async () => {
    await recordPage(db, LOADS[0]!.snapshot, LOADS[0]!.at);
    const before = await dumpDb(db);
    const realPut = IDBObjectStore.prototype.put;
    let calls = 0;
    // The first load's writes are queued, then a put of a later load fails.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<typeof realPut>
    ) {
      if (++calls === 5) throw new Error('injected');
      return realPut.apply(this, args);
    });

    try {
      await expect(recordPages(db, LOADS)).rejects.toThrow('injected');
    } finally {
      put.mockRestore();
    }

    expect(await dumpDb(db)).toEqual(before);
  });

  it('opens no transaction for a batch with nothing to store', async () => {
    const opened = vi.spyOn(db, 'transaction');
    expect(await recordPages(db, [LOADS[5]!])).toEqual([null]);
    expect(await recordPages(db, [])).toEqual([]);
    expect(opened).not.toHaveBeenCalled();
    opened.mockRestore();
  });
});
