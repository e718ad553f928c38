import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import { ensureSiteStats } from '../../src/storage/site-stats';
import { at, closeTestDbs, makeLink, makeSnapshot, openTestDb } from './helpers';

// The worker puts the tallies a page write left pending in a site's head (storage/site-stats.ts)
// once recording has been quiet a while: one fold for a burst of writes.

let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
const { FOLD_DELAY_MS } = await import('../../src/background/site-stats');

beforeEach(async () => {
  db = await openTestDb();
  // Only the fold's timer: fake-indexeddb answers on timers of its own.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  closeTestDbs();
});

it('folds the pending tallies once recording is quiet, once for a burst', async () => {
  const tx = db.transaction('links', 'readwrite');
  for (let i = 0; i < 20; i++) {
    void tx.store.put(makeLink(`https://d${i}.com/`, `https://shop.com/p${i % 4}`));
  }
  await tx.done;
  await ensureSiteStats(db, 'https://shop.com/', 1);
  const pending = async () => (await db.get('site-stats', 'shop.com'))!.pending;
  await recordPage(db, makeSnapshot('https://a.io/', ['https://shop.com/p1']), at(1));
  await vi.advanceTimersByTimeAsync(FOLD_DELAY_MS - 1_000);
  await recordPage(db, makeSnapshot('https://b.io/', ['https://shop.com/p9']), at(2));
  await vi.advanceTimersByTimeAsync(FOLD_DELAY_MS - 1_000);
  // Quiet for less than the delay since the last write: still pending.
  expect(Object.keys((await pending()) ?? {}).sort()).toEqual([
    'd:a.io',
    'd:b.io',
    't:https://shop.com/p1',
    't:https://shop.com/p9',
  ]);
  await vi.advanceTimersByTimeAsync(1_000);
  await vi.waitFor(async () => expect(await pending()).toBeUndefined(), { interval: 10 });
  expect(await db.get('site-tallies', ['shop.com', 't:https://shop.com/p1'])).toMatchObject({
    live: 6,
  });
  expect(await db.get('site-tallies', ['shop.com', 't:https://shop.com/p9'])).toMatchObject({
    live: 1,
  });
});
