import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HOT_TARGETS_KEY,
  hotTargetHash,
  parseHotTargets,
  storedHotTargets,
} from '../../src/core/hot-targets';
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { hotByHint } from '../../src/storage/hot-targets';
import { recordPage } from '../../src/storage/records';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { storedLocal } from './fake-browser';
import { at, closeTestDbs, makeSnapshot, openTestDb, rawLink } from './helpers';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
const connection = vi.hoisted(() => ({ db: null as unknown }));
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => connection.db }));

const HOT = 'https://hot.com/page';
const COLD = 'https://cold.com/page';

describe('the stored hint (core/hot-targets.ts)', () => {
  it('names the pages given, and no other', () => {
    const hot = parseHotTargets(storedHotTargets([HOT, 'https://b.org/']))!;
    expect(hot(HOT)).toBe(true);
    expect(hot('https://b.org/')).toBe(true);
    expect(hot(COLD)).toBe(false);
    expect(hot(`${HOT}/`)).toBe(false);
    expect(parseHotTargets(storedHotTargets([]))!(HOT)).toBe(false);
  });

  it('is the same value for the same set, in any order, and small', () => {
    const urls = Array.from({ length: 400 }, (_, i) => `https://site${i}.example/some/page-${i}`);
    const stored = storedHotTargets(urls);
    expect(storedHotTargets([...urls].reverse())).toEqual(stored);
    expect(storedHotTargets([...urls, urls[0]!])).toEqual(stored);
    expect(stored.hashes.length).toBeLessThanOrEqual(urls.length * 8);
    expect(hotTargetHash(HOT)).toMatch(/^[0-9a-z]{1,7}$/);
  });

  it('is no hint when missing, of another version or not a hint', () => {
    for (const value of [undefined, null, 'x', [], { v: 2, hashes: '' }, { v: 1, hashes: 3 }]) {
      expect(parseHotTargets(value)).toBeNull();
    }
  });
});

describe("the worker's hint (background/hot-targets.ts)", () => {
  let db: BacklinkDb;
  beforeEach(async () => {
    db = await openTestDb();
    connection.db = db;
  });
  afterEach(() => {
    delete storedLocal[HOT_TARGETS_KEY];
    vi.restoreAllMocks();
    closeTestDbs();
  });

  it('stores the pages with an aggregate, again only when they change, and hints its own reads', async () => {
    const { syncHotTargets } = await import('../../src/background/hot-targets');
    const { fakeBrowser } = await import('./fake-browser');
    const set = vi.spyOn(fakeBrowser.storage.local, 'set');
    for (const p of [0, 1]) {
      await recordPage(
        db,
        makeSnapshot(`https://s${p}.com/`, [rawLink(HOT), rawLink(COLD)]),
        at(p),
      );
    }
    await syncHotTargets();
    expect(parseHotTargets(storedLocal[HOT_TARGETS_KEY])!(HOT)).toBe(false);
    await ensureTargetStats(db, [HOT], 1);
    await syncHotTargets();
    const hint = parseHotTargets(storedLocal[HOT_TARGETS_KEY])!;
    expect([hint(HOT), hint(COLD)]).toEqual([true, false]);
    expect([hotByHint(db, HOT), hotByHint(db, COLD)]).toEqual([true, false]);
    expect(set).toHaveBeenCalledTimes(2);
    await syncHotTargets();
    expect(set).toHaveBeenCalledTimes(2);
  });

  it('hints the connection the worker opens next, after the browser closed its last', async () => {
    const { syncHotTargets } = await import('../../src/background/hot-targets');
    await recordPage(db, makeSnapshot('https://s0.com/', [rawLink(HOT), rawLink(COLD)]), at(0));
    await ensureTargetStats(db, [HOT], 1);
    await syncHotTargets();
    const next = await openBacklinkDb(db.name);
    try {
      expect([hotByHint(next, HOT), hotByHint(next, COLD)]).toEqual([true, false]);
    } finally {
      next.close();
    }
  });

  it('syncs when a page with an aggregate built elsewhere is not in it', async () => {
    const { noteHotTargets, syncHotTargets } = await import('../../src/background/hot-targets');
    await recordPage(db, makeSnapshot('https://s0.com/', [rawLink(HOT)]), at(0));
    await syncHotTargets();
    // Built by a page (the bench's), not by this worker: its next badge notes it.
    await ensureTargetStats(db, [HOT], 1);
    expect(parseHotTargets(storedLocal[HOT_TARGETS_KEY])!(HOT)).toBe(false);
    noteHotTargets([HOT], 0);
    await vi.waitFor(() => expect(parseHotTargets(storedLocal[HOT_TARGETS_KEY])!(HOT)).toBe(true));
  });
  it('syncs once, not at every badge, for a page its badge counts hot but that has no aggregate', async () => {
    const { noteHotTargets, syncHotTargets } = await import('../../src/background/hot-targets');
    const { fakeBrowser } = await import('./fake-browser');
    await syncHotTargets();
    // Its links spread over aliases: the badge counts enough, no aggregate is built.
    const get = vi.spyOn(fakeBrowser.storage.local, 'get');
    noteHotTargets([COLD], 0);
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let badge = 0; badge < 3; badge++) noteHotTargets([COLD], 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(get).toHaveBeenCalledTimes(1);
    // Once one is built, it is noted again.
    await recordPage(db, makeSnapshot('https://s0.com/', [rawLink(COLD)]), at(0));
    await ensureTargetStats(db, [COLD], 1);
    noteHotTargets([COLD], 1);
    await vi.waitFor(() => expect(parseHotTargets(storedLocal[HOT_TARGETS_KEY])!(COLD)).toBe(true));
  });
  it('names no page whose aggregate the retention rule dropped with its links, once it ran', async () => {
    const { syncHotTargets } = await import('../../src/background/hot-targets');
    const { recordWithinBounds } = await import('../../src/background/retention');
    const hint = () => parseHotTargets(storedLocal[HOT_TARGETS_KEY]);
    // Seen long ago (2024: past the default 12 months), its aggregate built and noted.
    await recordPage(db, makeSnapshot('https://old.com/', [rawLink(HOT)]), at(0));
    await ensureTargetStats(db, [HOT], 1);
    await syncHotTargets();
    expect(hint()!(HOT)).toBe(true);
    try {
      // A page recorded now: the retention rule is due and deletes the old page, its link into
      // HOT and every aggregate (storage/retention.ts#removePages).
      await recordWithinBounds(() =>
        recordPage(db, makeSnapshot('https://new.com/', [rawLink(COLD)]), Date.now()),
      );
      await vi.waitFor(async () =>
        expect(await db.get('pages', 'https://old.com/')).toBeUndefined(),
      );
      expect(await db.count('target-stats')).toBe(0);
      // The hint must not outlive the aggregates (as after clear all, import or forget).
      await vi.waitFor(() => expect(hint()!(HOT)).toBe(false), { timeout: 3_000 });
    } finally {
      delete storedLocal['retention-pruned-at'];
      delete storedLocal['storage-alert'];
    }
  });
});
