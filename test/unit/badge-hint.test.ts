import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import { hintHotTargets } from '../../src/storage/hot-targets';
import { countLiveBacklinks, loadBacklinks } from '../../src/storage/queries';
import { recordPage } from '../../src/storage/records';
import { recordPages } from '../../src/storage/bulk';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';
import { countRequestsOf } from '../support/idb-requests';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

// The badge (countLiveBacklinks) in the worker, whose connection knows which pages have an
// aggregate (background/hot-targets.ts): issue 7, the badge within 2x of a raw key count.

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const COLD = 'https://cold.com/page';
const HOT = 'https://hot.com/page';

/** `n` pages on their own sites linking to `target`; the first loses its link a day later. */
async function linkTo(target: string, n: number): Promise<void> {
  const source = (i: number) => `https://s${i}.to-${target.replace(/\W/g, '')}.com/p`;
  await recordPages(
    db,
    Array.from({ length: n }, (_, i) => ({
      snapshot: makeSnapshot(source(i), [target]),
      at: at(0),
    })),
  );
  await recordPage(db, makeSnapshot(source(0), ['https://elsewhere.com/']), at(1));
}

const tell = (hot: readonly string[]) => {
  const hint = parseHotTargets(storedHotTargets(hot));
  hintHotTargets(db, () => hint);
};

const live = async (url: string) =>
  (await loadBacklinks(db, url))!.links.filter((l) => l.lostAt === null).length;

const linkReads = (byName: Record<string, number>) =>
  Object.keys(byName).filter((name) => name.startsWith('links'));

describe('the badge of a page with more links than an untold first round reads', () => {
  beforeEach(async () => {
    await linkTo(COLD, 76);
    await linkTo(HOT, 230);
    expect(await ensureTargetStats(db, [HOT])).toEqual([HOT]);
  });

  it('counts a page told cold in one round, from its links; untold, in two', async () => {
    const untold = await countRequestsOf(() => countLiveBacklinks(db, COLD));
    tell([HOT]);
    const told = await countRequestsOf(() => countLiveBacklinks(db, COLD));
    expect(told.result).toBe(75);
    expect(untold.result).toBe(75);
    expect(await live(COLD)).toBe(75);
    expect(untold.count.rounds).toBe(2);
    expect(told.count.rounds).toBe(1);
    expect(linkReads(told.count.byName)).toEqual(['links.by_target.getAll']);
    // No aggregate to get: its links and the ties, two requests.
    expect(untold.count.byName['target-stats.get']).toBe(1);
    expect(told.count.byName['target-stats.get']).toBeUndefined();
    expect(told.count.requests).toBe(2);
  });

  it('reads no link of a page told hot: its aggregate answers', async () => {
    tell([HOT]);
    const told = await countRequestsOf(() => countLiveBacklinks(db, HOT));
    expect(told.result).toBe(229);
    expect(await live(HOT)).toBe(229);
    expect(told.count.rounds).toBe(1);
    expect(linkReads(told.count.byName)).toEqual([]);
  });

  it('counts the same when the hint is wrong either way', async () => {
    tell([COLD]);
    expect(await countLiveBacklinks(db, COLD)).toBe(75);
    expect(await countLiveBacklinks(db, HOT)).toBe(229);
    tell([]);
    expect(await countLiveBacklinks(db, HOT)).toBe(229);
  });
});
