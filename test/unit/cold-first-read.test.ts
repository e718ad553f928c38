import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { loadFirstRead, type HeadRows } from '../../src/storage/head';
import { hintHotTargets, listHotTargets } from '../../src/storage/hot-targets';
import { oldStoreDrained } from '../../src/storage/link-keys';
import { recordPage } from '../../src/storage/records';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';
import { POPUP_ROWS } from '../../src/core/first-view';
import { countRequests, type RequestCount } from '../support/idb-requests';
import { recordPages } from '../../src/storage/bulk';
import {
  at,
  closeTestDbs,
  makeLink,
  makeSnapshot,
  openLegacyDb,
  openTestDb,
  rawLink,
} from './helpers';

// A cold page's first read (storage/head.ts) on a new connection, the popup's every time
// (issue 7: a cold lookup is one round trip; a raw read of its rows takes two rounds).

let db: BacklinkDb;
const screens: BacklinkDb[] = [];
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => {
  for (const s of screens.splice(0)) s.close();
  closeTestDbs();
});

const PAGE = 'https://cold.com/page';
const TABLE_ROWS: HeadRows = { domains: 0, rows: 3 };
/** Linking pages: two domains of two pages each, and two domains of one page. */
const SOURCES = [
  'https://www.s0.com/p0',
  'https://www.s0.com/p1',
  'https://www.s1.com/p0',
  'https://www.s1.com/p1',
  'https://one.org/a',
  'https://two.net/b',
];

async function recordLinks(): Promise<void> {
  for (const [p, url] of SOURCES.entries()) {
    await recordPage(db, makeSnapshot(url, [rawLink(PAGE)]), at(p));
  }
}

/** A connection opened as a screen opens one, told `hot` of the pages with an aggregate. */
async function screenTold(hot: readonly string[] | null): Promise<BacklinkDb> {
  const screen = await openBacklinkDb(db.name);
  screens.push(screen);
  expect(oldStoreDrained(screen)).toBe(false);
  if (hot) {
    const hint = parseHotTargets(storedHotTargets(hot));
    hintHotTargets(screen, () => hint);
  }
  return screen;
}

async function counted<T>(read: () => Promise<T>): Promise<{ count: RequestCount; result: T }> {
  const counting = countRequests();
  let count: RequestCount | undefined;
  const result = await read().finally(() => (count = counting.stop()));
  return { count: count!, result };
}

const linkReads = (count: RequestCount) =>
  Object.keys(count.byName).filter((name) => name.startsWith('links'));

describe("a cold page's first read on a new connection", () => {
  it('takes two rounds when told the page has no aggregate, three untold, the same read', async () => {
    await recordLinks();
    const told = await counted(async () =>
      loadFirstRead(await screenTold([]), PAGE, {}, POPUP_ROWS),
    );
    const untold = await counted(async () =>
      loadFirstRead(await screenTold(null), PAGE, {}, POPUP_ROWS),
    );
    // As a raw read of its rows: its links with the lookup, then their pages.
    expect(told.count.rounds).toBe(2);
    // Untold, its links wait for its aggregate's answer (a hot page then reads none).
    expect(untold.count.rounds).toBe(3);
    expect(told.result).toEqual(untold.result);
    expect(told.result.kind === 'report' && told.result.report?.links).toHaveLength(6);
  });

  it('reads a page of up to 200 links with the first round when told it is cold', async () => {
    // 60 linking pages: past the 50 links a first round asks for untold.
    const many = Array.from({ length: 60 }, (_, i) => `https://www.m${i}.com/`);
    for (const [p, url] of many.entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(PAGE)]), at(p));
    }
    const told = await counted(async () =>
      loadFirstRead(await screenTold([]), PAGE, {}, POPUP_ROWS),
    );
    // Untold on a connection that knows the old store empty: its rest in a round of its own.
    const known = await screenTold(null);
    await loadFirstRead(known, 'https://other.com/', {}, POPUP_ROWS);
    const untold = await counted(() => loadFirstRead(known, PAGE, {}, POPUP_ROWS));
    expect(told.result).toEqual(untold.result);
    expect(told.result.kind === 'report' && told.result.report?.links).toHaveLength(60);
    expect(told.count.rounds).toBe(2);
    expect(untold.count.rounds).toBe(3);
  });

  it('reads the same when the hint is wrong either way, as slowly as untold at worst', async () => {
    await recordLinks();
    const untold = await loadFirstRead(await screenTold(null), PAGE, {}, POPUP_ROWS);
    const namedHot = await counted(async () =>
      loadFirstRead(await screenTold([PAGE]), PAGE, {}, POPUP_ROWS),
    );
    expect(namedHot.result).toEqual(untold);
    expect(namedHot.count.rounds).toBe(3);
    // Hot since the hint was written: read as a hot page, its links read for nothing.
    await ensureTargetStats(db, [PAGE], 1);
    const head = await loadFirstRead(await screenTold(null), PAGE, {}, POPUP_ROWS);
    expect(head.kind).toBe('head');
    expect(await loadFirstRead(await screenTold([]), PAGE, {}, POPUP_ROWS)).toEqual(head);
  });
});

describe("a hot page's first read, told it is hot", () => {
  it.each([
    ['the popup', POPUP_ROWS],
    ["the report page's table", TABLE_ROWS],
  ] as const)(
    'reads none of its links on a connection that knows the old store empty (%s)',
    async (_name, rows) => {
      await recordLinks();
      await ensureTargetStats(db, [PAGE], 1);
      // The worker's connection, say: it has read links before.
      const known = await screenTold(null);
      await loadFirstRead(known, 'https://other.com/', {}, rows);
      expect(oldStoreDrained(known)).toBe(true);
      const untold = await counted(() => loadFirstRead(known, PAGE, {}, rows));
      hintHotTargets(known, () => parseHotTargets(storedHotTargets(['https://x.com/', PAGE])));
      const told = await counted(() => loadFirstRead(known, PAGE, {}, rows));
      expect(told.result).toEqual(untold.result);
      expect(told.result.kind).toBe('head');
      // Untold, its first links are read with the aggregate, for nothing.
      expect(linkReads(untold.count)).not.toEqual([]);
      expect(linkReads(told.count)).toEqual([]);
      expect(told.count.rounds).toBe(1);
    },
  );
});

describe('the pages with an aggregate (listHotTargets)', () => {
  it('are the targets whose aggregate is stored', async () => {
    await recordLinks();
    expect(await listHotTargets(db)).toEqual([]);
    await ensureTargetStats(db, [PAGE], 1);
    expect(await listHotTargets(db)).toEqual([PAGE]);
  });
});

describe('a first read told a page is cold while the old link store still holds links', () => {
  for (const [old, fresh] of [
    [30, 20],
    [150, 120],
  ] as const) {
    it(`reads both stores, in order, as untold (${old} old links, ${fresh} new)`, async () => {
      const name = `cold-two-stores-${Math.random()}`;
      const v4 = await openLegacyDb(name, 4);
      for (let p = 0; p < old; p++) {
        await v4.put(
          'links',
          makeLink(`https://www.s${p % 20}.com/old${p}`, PAGE, { anchor: `a${p}` }),
        );
      }
      v4.close();
      db = await openBacklinkDb(name);
      const sources = Array.from({ length: fresh }, (_, p) => `https://www.n${p % 25}.com/p${p}`);
      await recordPages(
        db,
        sources.map((url, p) => ({ snapshot: makeSnapshot(url, [rawLink(PAGE)]), at: at(p) })),
      );
      const untold = await loadFirstRead(await screenTold(null), PAGE, {}, POPUP_ROWS);
      const told = await loadFirstRead(await screenTold([]), PAGE, {}, POPUP_ROWS);
      const wrong = await loadFirstRead(await screenTold([PAGE]), PAGE, {}, POPUP_ROWS);
      expect(told.kind === 'report' && told.report?.links).toHaveLength(old + fresh);
      expect(told).toEqual(untold);
      expect(wrong).toEqual(untold);
    });
  }
});
