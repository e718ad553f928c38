import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rankGraph } from '../../src/core/authority';
import { resumableWrite, type AuthorityRun } from '../../src/core/authority-job';
import type { AuthorityRecord } from '../../src/core/types';
import { GENERATIONS_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import {
  AUTHORITY_WRITE_CHUNK,
  loadAuthorityCache,
  loadAuthorityMeta,
  loadAuthorityRun,
  loadDataEpoch,
  readAuthorityGraphs,
  saveAuthorityRun,
  writeAuthority,
  writeAuthorityUpdate,
} from '../../src/storage/authority';
import { loadLiveScores } from '../../src/storage/authority-live';
import { loadAuthority } from '../../src/storage/queries';
import { clearAll, forgetSite } from '../../src/storage/records';
import { storeLeaves, stoppingAfter } from './authority-fixtures';
import { closeTestDbs, openTestDb, T0 } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

/** Five chunks and a bit of page scores, all with one 0–100 value and time. */
function scores(display: number, computedAt: number): AuthorityRecord[] {
  return Array.from({ length: AUTHORITY_WRITE_CHUNK * 5 + 3 }, (_, i) => ({
    kind: 'page',
    key: `https://p${i}.com/`,
    score: display / 1000,
    display,
    computedAt,
  }));
}
const metaAt = (computedAt: number, nodes: number) => ({
  computedAt,
  pages: { nodes, top: 1 },
  domains: { nodes: 0, top: 0 },
});

/** Scores in any generation, or in the store from before generations. */
const scoresStored = async (db: BacklinkDb) =>
  (await db.count('authority')) + (await db.count('authority-scores'));

/** Every stored key, of every generation and of the store from before them. */
async function storedKeys(db: BacklinkDb): Promise<string[]> {
  const [legacy, scores] = await Promise.all([
    db.getAllKeys('authority'),
    db.getAllKeys('authority-scores'),
  ]);
  return [...legacy.map(([, key]) => key), ...scores.map(([, , key]) => key)];
}

describe('a write of every score', () => {
  it('lets the popup read the old scores, whole, while it runs, and the new ones after', async () => {
    const old = scores(10, T0);
    await writeAuthority(db, old, metaAt(T0, old.length));
    const fresh = scores(90, T0 + 1);
    // Keys in the first chunk, a middle one and the last: a reader must never see them differ.
    const url = old[0]!.key;
    const sources = [old[AUTHORITY_WRITE_CHUNK * 2 + 1]!.key, old[old.length - 1]!.key];
    let done = false;
    const writing = writeAuthority(db, fresh, metaAt(T0 + 1, fresh.length)).then(
      () => (done = true),
    );
    const reads: { during: boolean; values: (number | null)[]; computedAt: number | null }[] = [];
    while (!done) {
      const view = await loadAuthority(db, url, null, sources);
      reads.push({
        during: !done,
        values: [view.page, ...sources.map((s) => view.sources[s] ?? null)],
        computedAt: view.computedAt,
      });
    }
    await writing;
    for (const read of reads) {
      const expected = read.computedAt === T0 ? 10 : 90;
      expect(read.values).toEqual([expected, expected, expected]);
    }
    // Read between the chunks, not held until the last: the old scores, several times over.
    expect(reads.filter((r) => r.during && r.computedAt === T0).length).toBeGreaterThanOrEqual(3);
    const after = await loadAuthority(db, url, null, sources);
    expect([after.computedAt, after.page]).toEqual([T0 + 1, 90]);
    // The old generation is gone once the new one is read.
    expect(await scoresStored(db)).toBe(fresh.length);
  });

  it('stored under no generation by the version before, is read until the first write', async () => {
    const name = `generations-${Math.random()}`;
    const before = await openBacklinkDb(name, () => {}, GENERATIONS_VERSION - 1);
    const old = scores(10, T0).slice(0, 3);
    for (const record of old) await before.put('authority', record);
    await before.put('meta', { id: 'authority', ...metaAt(T0, old.length) });
    before.close();

    const upgraded = await openBacklinkDb(name);
    const url = old[1]!.key;
    expect(await loadAuthority(upgraded, url, null, [])).toMatchObject({
      computedAt: T0,
      page: 10,
    });
    expect(await loadLiveScores(upgraded)).toEqual(old);
    const fresh = scores(90, T0 + 1).slice(0, 2);
    await writeAuthority(upgraded, fresh, metaAt(T0 + 1, fresh.length));
    expect(await loadAuthority(upgraded, url, null, [])).toMatchObject({
      computedAt: T0 + 1,
      page: 90,
    });
    expect(await loadLiveScores(upgraded)).toEqual(fresh);
    // The earlier store is emptied: only the live generation stays.
    expect(await upgraded.count('authority')).toBe(0);
    expect(await scoresStored(upgraded)).toBe(fresh.length);
    upgraded.close();
  });
});

/**
 * The job's first computation on `db`, its write stopped with the worker after one chunk (the
 * run and where its write stands saved, as the job saves them).
 */
async function stoppedAfterOneChunk(db: BacklinkDb): Promise<void> {
  const first = await firstRun(db);
  await expect(
    writeAuthorityUpdate(stoppingAfter(db, 1), first.input, first.run, T0 + 5, {
      started: (write) => saveAuthorityRun(db, { ...first.run, write }),
    }),
  ).rejects.toThrow('stopped');
}

/** The job's first computation: every record read, a walk from uniform. */
async function firstRun(db: BacklinkDb) {
  const input = await readAuthorityGraphs(db, { now: T0 });
  const run: AuthorityRun = {
    startedAt: T0,
    pages: rankGraph(input.graphs.pages),
    domains: rankGraph(input.graphs.domains),
  };
  return { input, run };
}

describe('a write stopped with the worker', () => {
  // 1,202 scores (pages and domains): three chunks.
  const LEAVES = 600;

  it('goes on in the next worker from the chunks stored, to what a write in one go stores', async () => {
    const oneGo = await openTestDb();
    await storeLeaves(oneGo, LEAVES);
    const reference = await firstRun(oneGo);
    await writeAuthorityUpdate(oneGo, reference.input, reference.run, T0 + 5);

    await storeLeaves(db, LEAVES);
    await stoppedAfterOneChunk(db);
    // Nothing live yet; one chunk of the new generation stored.
    expect(await loadAuthorityMeta(db)).toBeNull();
    expect(await db.count('authority-scores')).toBe(AUTHORITY_WRITE_CHUNK);

    // The next worker reads the graphs again (from the rows the first one built) and goes on.
    const stored = await loadAuthorityRun(db);
    const input = await readAuthorityGraphs(db, { now: T0 });
    const resume = resumableWrite(stored, input.graphs, input.epoch);
    expect(resume).toMatchObject({ gen: 1, computedAt: T0 + 5 });
    const written = await writeAuthorityUpdate(db, input, stored!, resume!.computedAt, {
      resume,
    });
    expect(written?.generation).toMatchObject({ from: AUTHORITY_WRITE_CHUNK, swept: 0 });
    expect(written?.scores).toBe(LEAVES * 2 + 2 - AUTHORITY_WRITE_CHUNK);

    expect(await loadLiveScores(db)).toEqual(await loadLiveScores(oneGo));
    expect(await loadAuthorityMeta(db)).toEqual(await loadAuthorityMeta(oneGo));
    expect(await loadAuthorityCache(db)).toEqual(await loadAuthorityCache(oneGo));
    expect(await loadAuthorityRun(db)).toBeNull();
    expect(await scoresStored(db)).toBe(LEAVES * 2 + 2);
  }, 60_000);

  it('starts a new generation when the graphs changed, and deletes the stopped one', async () => {
    await storeLeaves(db, LEAVES);
    await stoppedAfterOneChunk(db);
    await storeLeaves(db, LEAVES + 1);
    const input = await readAuthorityGraphs(db, { rebuild: true });
    expect(resumableWrite(await loadAuthorityRun(db), input.graphs, input.epoch)).toBeNull();
    const again = await firstRun(db);
    const written = await writeAuthorityUpdate(db, again.input, again.run, T0 + 6);
    expect(written?.generation).toMatchObject({ from: 0, swept: AUTHORITY_WRITE_CHUNK });
    expect((await loadAuthorityMeta(db))?.gen).toBe(2);
    expect(await scoresStored(db)).toBe((LEAVES + 1) * 2 + 2);
  }, 60_000);
});

describe('data forgotten while a write runs', () => {
  /** Starts writing `fresh` and, once its first chunk is stored, runs `forget`. */
  async function forgetDuring(fresh: AuthorityRecord[], forget: () => Promise<unknown>) {
    const epoch = await loadDataEpoch(db);
    const writing = writeAuthority(db, fresh, metaAt(T0 + 1, fresh.length), epoch);
    while ((await db.count('authority-scores')) <= scores(10, T0).length) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await forget();
    return writing;
  }

  it('leaves no score of a site forgotten meanwhile, and the old scores live', async () => {
    const old = scores(10, T0);
    await writeAuthority(db, old, metaAt(T0, old.length));
    // The site's page is in the last chunk, not yet written when the site is forgotten.
    const site = old[old.length - 2]!.key;
    expect(await forgetDuring(scores(90, T0 + 1), () => forgetSite(db, new URL(site).host))).toBe(
      false,
    );
    expect((await storedKeys(db)).filter((k) => k === site)).toEqual([]);
    expect((await loadAuthorityMeta(db))?.computedAt).toBe(T0);
    const view = await loadAuthority(db, old[0]!.key, null, []);
    expect([view.computedAt, view.page]).toEqual([T0, 10]);
  });

  it('leaves no score at all when all data is cleared meanwhile', async () => {
    const old = scores(10, T0);
    await writeAuthority(db, old, metaAt(T0, old.length));
    expect(await forgetDuring(scores(90, T0 + 1), () => clearAll(db))).toBe(false);
    expect(await scoresStored(db)).toBe(0);
    expect(await loadAuthorityMeta(db)).toBeNull();
  });
});
