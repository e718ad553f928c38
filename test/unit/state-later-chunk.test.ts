import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeTestDbs, makeLink, openTestDb } from './helpers';
import type { BacklinkDb } from '../../src/storage/db';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { hintHotTargets } from '../../src/storage/hot-targets';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';

vi.mock('webextension-polyfill', () => ({
  default: {
    storage: { local: { get: async () => ({}), set: async () => undefined } },
    runtime: { sendMessage: async () => undefined },
  },
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
/** The screen's state at each fetch of the later chunk that loadReport asked for. */
const fetchedAt: string[] = [];
vi.mock('../../src/ui/later', async (original) => {
  const later = await original<typeof import('../../src/ui/later')>();
  return {
    ...later,
    loadLater: () => {
      const shown = state.reportState.value;
      fetchedAt.push(shown.status === 'ready' && shown.head ? 'head shown' : shown.status);
      return later.loadLater();
    },
  };
});

const state = await import('../../src/ui/state');

const HOT = 'https://hot.com/page';

beforeEach(async () => {
  db = await openTestDb();
  const tx = db.transaction('links', 'readwrite');
  for (let i = 0; i < 220; i++) void tx.store.put(makeLink(`https://s${i}.com/p`, HOT));
  await tx.done;
  await ensureTargetStats(db, [HOT]);
  fetchedAt.length = 0;
  state.reportState.value = { status: 'loading' };
  state.showRows({ domains: 30, perDomain: 5 });
});

afterEach(() => closeTestDbs());

describe("loadReport's fetch of the later chunk (scoring, flags, the profile)", () => {
  it('waits for the rows of a page the hint names hot: its one get is answered first', async () => {
    const hint = parseHotTargets(storedHotTargets([HOT]));
    hintHotTargets(db, () => hint);
    await state.loadReport(HOT);
    expect(fetchedAt[0]).toBe('head shown');
  });

  it('is asked during the first read of a page without the hint, as before', async () => {
    hintHotTargets(db, () => null);
    await state.loadReport(HOT);
    expect(fetchedAt[0]).toBe('loading');
  });
});
