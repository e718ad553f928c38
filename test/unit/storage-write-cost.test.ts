/**
 * What a recorded page asks of IndexedDB beyond the raw puts of its records (issue 7: ingest
 * within 1.3x of raw puts), counted in requests, which no load on the machine changes; and
 * which stores each write transaction takes, since a reader waits behind every write whose
 * scope overlaps its own.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBIndex } from 'fake-indexeddb';
import type { BacklinkDb } from '../../src/storage/db';
import { forgetSite, recordPage, recordRedirect, STAGE_LINKS } from '../../src/storage/records';
import { countRequests, countRequestsOf } from '../support/idb-requests';
import { at, closeTestDbs, dumpDb, makeSnapshot, openTestDb } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
});

const SOURCE = 'https://blog.com/roundup';
const hrefs = (n: number) => Array.from({ length: n }, (_, i) => `https://t${i % 40}.com/a/${i}`);

/** Requests of a revisit of a page of `n` links, all still there and unchanged. */
async function revisitRequests(n: number) {
  const snapshot = makeSnapshot(SOURCE, hrefs(n));
  await recordPage(db, snapshot, at(0));
  const { result, count } = await countRequestsOf(() => recordPage(db, snapshot, at(1)));
  expect(result).toEqual({ url: SOURCE, links: n, added: 0, lost: 0 });
  return count;
}

describe('a revisit', () => {
  it("reads the page's links in one request, then puts its page alone: no link changed", async () => {
    const counts = await revisitRequests(400);
    // Its links are as stored, their sighting the page's (core/types#lastSeenOf). Its authority
    // row (30 kB at 500 links) holds the same as before: read, not put again.
    expect(counts.byMethod.put).toBe(1);
    expect(counts.byName['pages.put']).toBe(1);
    expect(counts.byName['graph.get']).toBe(1);
    expect(counts.byStore.links).toBe(1);
    expect(counts.byName['links.by_source.getAllRecords']).toBe(1);
    expect(counts.byMethod.getAll ?? 0).toBe(0);
  });

  it('asks the same few requests besides its puts whatever the size of the page', async () => {
    const small = await revisitRequests(20);
    closeTestDbs();
    db = await openTestDb();
    const large = await revisitRequests(STAGE_LINKS);
    const besidesPuts = (c: typeof small) => c.requests - c.byMethod.put!;
    expect(besidesPuts(large)).toBe(besidesPuts(small));
    expect(besidesPuts(large)).toBeLessThanOrEqual(8);
  });

  it('puts its authority row when a link of the page changed', async () => {
    const snapshot = makeSnapshot(SOURCE, hrefs(40));
    await recordPage(db, snapshot, at(0));
    const { count } = await countRequestsOf(() =>
      recordPage(db, makeSnapshot(SOURCE, [...hrefs(40), 'https://new.org/']), at(1)),
    );
    expect(count.byName['graph.put']).toBe(1);
    // The new link, the page and its row: the 40 others are unchanged.
    expect(count.byMethod.put).toBe(1 + 1 + 1);
  });

  it('reads everything in its first round: after it, puts alone, as a raw read-then-overwrite', async () => {
    const counts = await revisitRequests(STAGE_LINKS);
    // Its page and links, the aggregates' keys, the risk lines watching its domain or any write.
    expect(counts.readRounds).toBe(1);
    expect(counts.rounds).toBe(2);
  });

  it("walks the risk lines' index beside its pre-read, not behind its puts", async () => {
    // A line watching a target domain between the page's (t1.com < t100.com < t11.com), not
    // one of them: the walk steps over it, one round after it opened.
    await db.put('risks', {
      url: 'https://other.org/',
      folds: '',
      computedAt: at(0),
      current: true,
      watch: ['p:other.org', 't:t100.com'],
    });
    const counts = await revisitRequests(STAGE_LINKS);
    expect(counts.byName['risks.by_watch.openKeyCursor.step']).toBe(1);
    expect(counts.rounds).toBe(2);
    expect((await db.get('risks', 'https://other.org/'))?.current).toBe(true);
  });

  it('marks stale the lines watching what it wrote, the target of a link it found gone too', async () => {
    const line = (url: string, watch: string[]) =>
      db.put('risks', { url, folds: '', computedAt: at(0), current: true, watch });
    const gone = 'https://only-here.net/x';
    await recordPage(db, makeSnapshot(SOURCE, [...hrefs(30), gone]), at(0));
    await line('https://a.org/', ['t:t5.com']);
    await line('https://b.org/', ['t:only-here.net']);
    await line('https://c.org/', ['t:elsewhere.com']);
    const { result } = await countRequestsOf(() =>
      recordPage(db, makeSnapshot(SOURCE, hrefs(30)), at(1)),
    );
    expect(result).toEqual({ url: SOURCE, links: 30, added: 0, lost: 1 });
    const current = async (url: string) => (await db.get('risks', url))?.current;
    expect(await current('https://a.org/')).toBe(false);
    expect(await current('https://b.org/')).toBe(false);
    expect(await current('https://c.org/')).toBe(true);
  });

  it('asks for its commit once every request is queued, before the puts are answered', async () => {
    const snapshot = makeSnapshot(SOURCE, hrefs(40));
    await recordPage(db, snapshot, at(0));
    let answered = -1;
    let puts = 0;
    const counting = countRequests();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit').mockImplementation(function (
      this: IDBTransaction,
    ) {
      // Answers heard so far: the round of the puts is not over yet.
      answered = puts;
      commit.mockRestore();
      this.commit();
    });
    const put = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      const request = put.apply(this, args);
      request.addEventListener('success', () => puts++);
      return request;
    });
    await recordPage(db, snapshot, at(1));
    spy.mockRestore();
    expect(counting.stop().byMethod.put).toBe(1); // its page: no link changed, no row
    expect(answered).toBe(0);
    expect((await db.get('pages', SOURCE))?.lastSeen).toBe(at(1));
  });

  it('reads the same records where the browser has no getAllRecords (Firefox)', async () => {
    const first = makeSnapshot(SOURCE, hrefs(30));
    await recordPage(db, first, at(0));
    const expected = await (async () => {
      const other = await openTestDb();
      await recordPage(other, first, at(0));
      await recordPage(other, makeSnapshot(SOURCE, hrefs(30).slice(5)), at(1));
      return dumpDb(other);
    })();
    const method = Object.getOwnPropertyDescriptor(IDBIndex.prototype, 'getAllRecords')!;
    // Gone for this test: keyedLinks must fall back to getAll and getAllKeys.
    delete (IDBIndex.prototype as Partial<IDBIndex & { getAllRecords: unknown }>).getAllRecords;
    try {
      const { result, count } = await countRequestsOf(() =>
        recordPage(db, makeSnapshot(SOURCE, hrefs(30).slice(5)), at(1)),
      );
      expect(result).toEqual({ url: SOURCE, links: 25, added: 0, lost: 5 });
      expect(count.byName['links.by_source.getAll']).toBe(1);
    } finally {
      Object.defineProperty(IDBIndex.prototype, 'getAllRecords', method);
    }
    const stored = await dumpDb(db);
    expect(stored.links).toEqual(expected.links);
    expect(stored.pages).toEqual(expected.pages);
  });
});

describe('write transactions take only the stores they write', () => {
  /** The sorted scope of every read-write transaction opened while `run` runs. */
  async function scopesOf(run: () => Promise<unknown>): Promise<string[][]> {
    const scopes: string[][] = [];
    const open = db.transaction.bind(db);
    const spy = vi.spyOn(db, 'transaction').mockImplementation(((
      ...args: Parameters<typeof open>
    ) => {
      if (args[1] === 'readwrite') scopes.push([...(args[0] as string[])].sort());
      return open(...args);
    }) as typeof db.transaction);
    await run();
    spy.mockRestore();
    return scopes;
  }
  // With the marks of the URLs a page ties together (storage/ties.ts).
  const PAGE = [
    'graph',
    'links',
    'links-v1',
    'pages',
    'risks',
    'site-stats',
    'site-tallies',
    'target-stats',
    'ties',
  ];

  it('a page load: its record, links and what is kept of them; no redirects, referrals or meta', async () => {
    expect(await scopesOf(() => recordPage(db, makeSnapshot(SOURCE, hrefs(3)), at(0)))).toEqual([
      PAGE,
    ]);
  });

  it('a large page: links alone while staging, the journal only where it is written', async () => {
    const scopes = await scopesOf(() =>
      recordPage(db, makeSnapshot(SOURCE, hrefs(STAGE_LINKS * 2 + 1)), at(0)),
    );
    expect(scopes).toEqual([
      ['links', 'links-v1', 'meta', 'pages'],
      ['links', 'links-v1'],
      ['links', 'links-v1'],
      ['links', 'links-v1'],
      [...PAGE, 'meta'].sort(),
    ]);
  });

  it('a redirect hop: the hops, the risk lines that read them, the marks of its ends', async () => {
    const hop = { from: 'https://a.com/', to: 'https://b.com/', status: 301 } as const;
    expect(await scopesOf(() => recordRedirect(db, hop, at(0)))).toEqual([
      ['redirects', 'risks', 'ties'],
    ]);
  });

  it('forgetting a site: every store recording keeps', async () => {
    await recordPage(db, makeSnapshot(SOURCE, hrefs(3)), at(0));
    const scopes = await scopesOf(() => forgetSite(db, 'blog.com'));
    expect(scopes[0]).toEqual([...PAGE, 'redirects', 'referrals'].sort());
  });
});
