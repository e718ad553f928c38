import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  AUTHORITY_WRITE_CHUNK,
  loadAuthorityMeta,
  loadAuthorityRun,
} from '../../src/storage/authority';
import { loadLiveScores } from '../../src/storage/authority-live';
import { storeLeaves, stoppingAfter } from './authority-fixtures';
import { recordPage } from '../../src/storage/records';
import { closeTestDbs, makeSnapshot, openTestDb, rawLink } from './helpers';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { loadHead } from '../../src/storage/head';

vi.mock('webextension-polyfill', () => ({
  default: { alarms: { create: async () => {}, clear: async () => true } },
}));
/** The connection the job is given: the worker's database, or one that stops mid-write. */
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

/** The targets whose tabs' first views the job dropped (their order may have changed). */
const dropped: string[][] = [];
vi.mock('../../src/background/first-view', () => ({
  dropFirstViewsOf: async (targets: string[]) => void dropped.push([...targets]),
}));

const { computeAuthorityNow } = await import('../../src/background/authority-job');

beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}));
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
});

/** Each score by kind and key, without the time it was computed. */
const scoresOf = async (db: BacklinkDb) =>
  Object.fromEntries(
    (await loadLiveScores(db)).map((r) => [`${r.kind} ${r.key}`, [r.score, r.display]]),
  );

describe('the authority job stopped while it writes the scores', () => {
  it('writes on in the next worker, without walking again, to the scores of a run in one go', async () => {
    // 1,202 scores: three chunks.
    const oneGo = (db = await openTestDb());
    await storeLeaves(oneGo, 600);
    await computeAuthorityNow();

    const worker = await openTestDb();
    await storeLeaves(worker, 600);
    db = stoppingAfter(worker, 1);
    await expect(computeAuthorityNow()).rejects.toThrow('stopped');
    const stopped = await loadAuthorityRun(worker);
    expect(stopped?.write).toBeDefined();

    db = worker;
    const resumed = await computeAuthorityNow();
    expect(resumed.resumedWrite).toBe(true);
    expect(resumed.iterations).toEqual({
      pages: stopped!.pages.iterations,
      domains: stopped!.domains.iterations,
    });
    expect(resumed.written.generation?.from).toBe(AUTHORITY_WRITE_CHUNK);
    expect(resumed.computedAt).toBe(stopped!.write!.computedAt);
    expect((await loadAuthorityMeta(worker))?.computedAt).toBe(stopped!.write!.computedAt);
    expect(await scoresOf(worker)).toEqual(await scoresOf(oneGo));
    expect(await loadAuthorityRun(worker)).toBeNull();
  }, 60_000);
});

describe('the authority job stopped while it writes, and a page recorded before it goes on', () => {
  it('walks the changed links again rather than writing the scores of the links before', async () => {
    // leaf0 links to leaf1 instead of the hub: the same pages and sites, other links.
    const changed = makeSnapshot('https://leaf0.com/', ['https://leaf1.com/']);
    const oneGo = (db = await openTestDb());
    await storeLeaves(oneGo, 600);
    await recordPage(oneGo, changed);
    await computeAuthorityNow();

    const worker = await openTestDb();
    await storeLeaves(worker, 600);
    db = stoppingAfter(worker, 1);
    await expect(computeAuthorityNow()).rejects.toThrow('stopped');
    expect((await loadAuthorityRun(worker))?.write).toBeDefined();
    await recordPage(worker, changed);

    db = worker;
    const resumed = await computeAuthorityNow();
    expect(resumed.resumedWrite).toBe(false);
    const expected = await scoresOf(oneGo);
    const got = await scoresOf(worker);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, [score, display]] of Object.entries(expected)) {
      expect(got[key]![0]).toBeCloseTo(score!, 6);
      expect(got[key]![1]).toBeCloseTo(display!, 4);
    }
  }, 60_000);
});

describe('the authority job and the aggregates of hot pages', () => {
  it("keeps each referring domain's new score with them, and drops the first views they show", async () => {
    db = await openTestDb();
    const hot = 'https://hot.com/page';
    // Six domains of one link each into the hot page; c.com is linked from the others.
    const domains = ['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com'];
    for (const d of domains) {
      const links = [rawLink(hot), ...(d === 'c.com' ? [] : [rawLink('https://c.com/')])];
      await recordPage(db, makeSnapshot(`https://${d}/`, links));
    }
    await ensureTargetStats(db, [hot], 1);
    const order = async () =>
      (await loadHead(db, hot, {}, { domains: 30 }))!.summary.groups.map((g) => g.domain);
    expect(await order()).toEqual(domains);
    dropped.length = 0;
    await computeAuthorityNow();
    // The most linked domain first; the others, scored alike, by name.
    expect(await order()).toEqual(['c.com', 'a.com', 'b.com', 'd.com', 'e.com', 'f.com']);
    expect(dropped).toEqual([[hot]]);
    // A computation that moves no score puts nothing and drops nothing.
    await computeAuthorityNow();
    expect(dropped).toEqual([[hot]]);
  }, 60_000);

  it('drops the first view of each aggregate it put, though the refresh of the next fails', async () => {
    db = await openTestDb();
    const hot = ['https://hot.com/a', 'https://hot.com/b'];
    for (const d of ['a.com', 'b.com', 'c.com', 'd.com']) {
      const links = [
        ...hot.map((h) => rawLink(h)),
        ...(d === 'c.com' ? [] : [rawLink('https://c.com/')]),
      ];
      await recordPage(db, makeSnapshot(`https://${d}/`, links));
    }
    expect(await ensureTargetStats(db, hot, 1)).toEqual(hot);
    dropped.length = 0;
    // The refresh's put of the second aggregate fails, as a worker stopped after the first.
    const transaction = db.transaction.bind(db);
    let refreshPuts = 0;
    vi.spyOn(db, 'transaction').mockImplementation(((stores: string[], mode?: string) => {
      if (mode === 'readwrite' && String(stores) === 'target-stats') {
        if (++refreshPuts === 2) throw new Error('stopped');
      }
      return transaction(stores as never, mode as never);
    }) as typeof db.transaction);
    await computeAuthorityNow();
    expect(refreshPuts).toBe(2);
    // The first is stored in the new order: its tabs' entries in the old one are gone.
    const order = (await loadHead(db, hot[0]!, {}, { domains: 30 }))!.summary.groups;
    expect(order[0]!.domain).toBe('c.com');
    expect(dropped).toEqual([[hot[0]]]);
  }, 60_000);
});
