import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveOldLinks } from '../../src/storage/link-move';
import { findLink } from '../../src/storage/link-keys';
import { AuthorityGraphBuilder, buildAuthorityGraphs, rankGraph } from '../../src/core/authority';
import { AUTHORITY_DISPLAY_STEP, authorityRecords } from '../../src/core/authority-job';
import { DB_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import {
  AUTHORITY_WRITE_CHUNK,
  clearAuthority,
  loadAuthorityCache,
  loadAuthorityChanges,
  loadAuthorityMeta,
  loadAuthorityRun,
  loadDataEpoch,
  noteAuthorityChanges,
  readAuthorityGraphs,
  readAuthorityInput,
  saveAuthorityRun,
  writeAuthority,
  writeAuthorityUpdate,
} from '../../src/storage/authority';
import { loadLiveScores } from '../../src/storage/authority-live';
import { loadAuthority, loadBacklinks } from '../../src/storage/queries';
import type { AuthorityRecord } from '../../src/core/types';
import { clearAll, forgetSite, importAll, recordPage } from '../../src/storage/records';
import {
  closeTestDbs,
  dumpDb,
  makeLink,
  makePage,
  makeRedirect,
  makeSnapshot,
  openLegacyDb,
  rawLink,
  openTestDb,
  T0,
} from './helpers';

/** Scores in any generation, or in the store from before generations. */
const scoresStored = async (db: BacklinkDb) =>
  (await db.count('authority')) + (await db.count('authority-scores'));

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const HUB = 'https://hub.com/';
/** Leaves that each link to the hub; the first is robots nofollow, the last links nofollow. */
function storedGraph(leaves: number) {
  const pages = Array.from({ length: leaves }, (_, i) =>
    makePage(`https://leaf${i}.com/`, { robotsNofollow: i === 0 }),
  );
  const links = pages.map((p, i) =>
    makeLink(p.url, HUB, { rel: i === leaves - 1 ? ['nofollow'] : [] }),
  );
  return { pages, links };
}

async function store(db: BacklinkDb, { pages, links }: ReturnType<typeof storedGraph>) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  await Promise.all([
    ...pages.map((p) => tx.objectStore('pages').put(p)),
    ...links.map((l) => tx.objectStore('links').put(l)),
    tx.done,
  ]);
}

describe('readAuthorityInput', () => {
  it('reads every page and link in batches, into the same graphs as one read', async () => {
    const graph = storedGraph(25);
    await store(db, graph);
    const builder = new AuthorityGraphBuilder();
    expect(await readAuthorityInput(db, builder, 7)).toEqual({ pages: 25, links: 25 });
    const batched = builder.build();
    const whole = buildAuthorityGraphs(
      [...graph.links].sort((a, b) => a.source.localeCompare(b.source)),
      [...graph.pages].sort((a, b) => a.url.localeCompare(b.url)),
    );
    expect(batched.pages.keys).toEqual(whole.pages.keys);
    expect([...batched.pages.targets]).toEqual([...whole.pages.targets]);
    expect([...batched.domains.offsets]).toEqual([...whole.domains.offsets]);
    // The robots-nofollow page and the nofollow link pass nothing: 23 edges into the hub.
    expect(batched.pages.targets.length).toBe(23);
  });

  it('reads an exact multiple of the batch, and an empty store', async () => {
    await store(db, storedGraph(6));
    expect(await readAuthorityInput(db, new AuthorityGraphBuilder(), 3)).toEqual({
      pages: 6,
      links: 6,
    });
    const empty = await openTestDb();
    expect(await readAuthorityInput(empty, new AuthorityGraphBuilder(), 3)).toEqual({
      pages: 0,
      links: 0,
    });
  });
});

describe('stored scores', () => {
  async function computeAndWrite(at: number) {
    const builder = new AuthorityGraphBuilder();
    await readAuthorityInput(db, builder);
    const { pages, domains } = builder.build();
    const p = authorityRecords('page', pages, rankGraph(pages).scores, at);
    const d = authorityRecords('domain', domains, rankGraph(domains).scores, at);
    await writeAuthority(db, [...p.records, ...d.records], {
      computedAt: at,
      pages: p.scale,
      domains: d.scale,
    });
  }

  it('answers for the page, its domain and its sources, with when they were computed', async () => {
    await store(db, storedGraph(10));
    expect(await loadAuthority(db, HUB, 'hub.com', ['https://leaf3.com/'])).toEqual({
      computedAt: null,
      page: null,
      domain: null,
      sources: {},
      sourceDomains: {},
    });
    await computeAndWrite(T0);
    const view = await loadAuthority(db, HUB, 'hub.com', [
      'https://leaf3.com/',
      'https://unknown.com/',
    ]);
    expect(view.computedAt).toBe(T0);
    expect(view.page).toBeGreaterThan(view.sources['https://leaf3.com/']!);
    expect(view.domain).toBeGreaterThan(0);
    // A page the last computation did not see has no score, rather than a zero.
    expect(Object.keys(view.sources)).toEqual(['https://leaf3.com/']);
  });

  it("answers for the sources' domains when asked, the hub's above a leaf's", async () => {
    await store(db, storedGraph(10));
    await computeAndWrite(T0);
    const view = await loadAuthority(
      db,
      HUB,
      'hub.com',
      [],
      ['hub.com', 'leaf3.com', 'nowhere.com'],
    );
    expect(Object.keys(view.sourceDomains!).sort()).toEqual(['hub.com', 'leaf3.com']);
    expect(view.sourceDomains!['hub.com']).toBe(view.domain);
    expect(view.sourceDomains!['hub.com']).toBeGreaterThan(view.sourceDomains!['leaf3.com']!);
  });

  it('replaces the earlier scores and drops the finished run', async () => {
    await store(db, storedGraph(10));
    await saveAuthorityRun(db, {
      startedAt: T0,
      pages: rankGraph(buildAuthorityGraphs([]).pages),
      domains: rankGraph(buildAuthorityGraphs([]).domains),
    });
    await computeAndWrite(T0);
    await db.delete(
      'links',
      (await findLink(db, 'https://leaf3.com/', HUB, `to ${HUB}`))!.key as number,
    );
    await db.delete('pages', 'https://leaf3.com/');
    await computeAndWrite(T0 + 1);
    const keys = (await loadLiveScores(db)).map((r) => r.key);
    expect(keys).not.toContain('https://leaf3.com/');
    expect(new Set((await loadLiveScores(db)).map((r) => r.computedAt))).toEqual(new Set([T0 + 1]));
    expect(await loadAuthorityRun(db)).toBeNull();
    expect((await loadAuthorityMeta(db))?.computedAt).toBe(T0 + 1);
  });

  it('stores scores in several chunks, all of them', async () => {
    const records = Array.from({ length: AUTHORITY_WRITE_CHUNK * 2 + 7 }, (_, i) => ({
      kind: 'page' as const,
      key: `https://p${i}.com/`,
      score: 1 / (i + 1),
      display: i % 100,
      computedAt: T0,
    }));
    const meta = {
      computedAt: T0,
      pages: { nodes: records.length, top: 1 },
      domains: { nodes: 0, top: 0 },
    };
    await writeAuthority(db, records, meta);
    expect((await loadLiveScores(db)).length).toBe(records.length);
    expect(await loadAuthorityMeta(db)).toEqual({ ...meta, gen: 1 });
  });

  it('stores nothing when a put fails part-way', async () => {
    await computeAndWriteEmptyScores();
    const records = Array.from({ length: AUTHORITY_WRITE_CHUNK + 3 }, (_, i) => ({
      kind: 'page' as const,
      key:
        i === AUTHORITY_WRITE_CHUNK + 1 ? (undefined as unknown as string) : `https://p${i}.com/`,
      score: 0.1,
      display: 1,
      computedAt: T0 + 1,
    }));
    await expect(
      writeAuthority(db, records, {
        computedAt: T0 + 1,
        pages: { nodes: 1, top: 1 },
        domains: { nodes: 0, top: 0 },
      }),
    ).rejects.toThrow();
    expect((await loadLiveScores(db)).length).toBe(1);
    expect((await loadAuthorityMeta(db))?.computedAt).toBe(T0);
  });

  async function computeAndWriteEmptyScores() {
    await writeAuthority(
      db,
      [{ kind: 'domain', key: 'kept.com', score: 1, display: 20, computedAt: T0 }],
      { computedAt: T0, pages: { nodes: 0, top: 0 }, domains: { nodes: 1, top: 1 } },
    );
  }

  it('keeps a run in progress as it was, typed arrays included', async () => {
    const { pages, domains } = buildAuthorityGraphs(storedGraph(5).links);
    const run = {
      startedAt: T0,
      pages: rankGraph(pages, { maxIterations: 2 }),
      domains: rankGraph(domains, { maxIterations: 1 }),
    };
    await saveAuthorityRun(db, run);
    const loaded = await loadAuthorityRun(db);
    expect(loaded).toEqual(run);
    expect(loaded?.pages.scores).toBeInstanceOf(Float64Array);
  });

  it('forgets the pages and the domain of a forgotten site, and nothing else', async () => {
    await store(db, storedGraph(4));
    await computeAndWrite(T0);
    await forgetSite(db, 'leaf1.com');
    const keys = (await loadLiveScores(db)).map((r) => `${r.kind} ${r.key}`);
    expect(keys.filter((k) => k.includes('leaf1'))).toEqual([]);
    expect(keys).toContain('page https://leaf2.com/');
    expect(keys).toContain('domain leaf2.com');
    expect(keys).toContain(`page ${HUB}`);
  });

  it('goes when all data is cleared', async () => {
    await store(db, storedGraph(4));
    await computeAndWrite(T0);
    await clearAll(db);
    expect(await scoresStored(db)).toBe(0);
    expect(await loadAuthorityMeta(db)).toBeNull();
    await computeAndWrite(T0);
    await clearAuthority(db);
    expect(await scoresStored(db)).toBe(0);
  });
});

describe('scores computed from data forgotten meanwhile', () => {
  const score = (key: string) => ({
    kind: 'page' as const,
    key,
    score: 1,
    display: 50,
    computedAt: T0,
  });
  const meta = { computedAt: T0, pages: { nodes: 1, top: 1 }, domains: { nodes: 0, top: 0 } };

  it('are not written after all data was cleared, nor after a site was excluded', async () => {
    await store(db, storedGraph(3));
    const before = await loadDataEpoch(db);
    await clearAll(db);
    expect(await writeAuthority(db, [score('https://leaf1.com/')], meta, before)).toBe(false);
    expect(await scoresStored(db)).toBe(0);
    expect(await loadAuthorityMeta(db)).toBeNull();

    const afterClear = await loadDataEpoch(db);
    expect(afterClear).toBe(before + 1);
    await forgetSite(db, 'leaf2.com');
    expect(await loadDataEpoch(db)).toBe(afterClear + 1);
    expect(await writeAuthority(db, [score('https://leaf2.com/')], meta, afterClear)).toBe(false);
    expect(await scoresStored(db)).toBe(0);
  });

  it('are written when nothing was forgotten since the links were read', async () => {
    const epoch = await loadDataEpoch(db);
    expect(await writeAuthority(db, [score('https://leaf1.com/')], meta, epoch)).toMatchObject({
      swept: 0,
    });
    expect((await loadLiveScores(db)).length).toBe(1);
  });
});

describe('updates after a few pages were recorded', () => {
  /** What the job does: read (patched or whole), rank from the carried scores, write. */
  async function update(
    options: {
      full?: boolean;
      rebuild?: boolean;
      patchMaxTargets?: number;
      inPlaceMax?: number;
    } = {},
  ) {
    const input = await readAuthorityGraphs(db, options);
    const { pages, domains } = input.graphs;
    const ranks = {
      pages: rankGraph(pages, { initial: input.warm.pages }),
      domains: rankGraph(domains, { initial: input.warm.domains }),
    };
    const at = (computedAt += 1);
    expect(await writeAuthorityUpdate(db, input, ranks, at, options)).not.toBeNull();
    return input;
  }
  let computedAt = T0;

  type Stored = Record<string, { score: number; display: number }>;
  const byKindAndKey = (records: AuthorityRecord[]): Stored =>
    Object.fromEntries(records.map((r) => [`${r.kind} ${r.key}`, r]));

  /** The records of a computation from every record, from uniform: the answer to match. */
  async function coldRecords(): Promise<Stored> {
    const builder = new AuthorityGraphBuilder();
    await readAuthorityInput(db, builder);
    const { pages, domains } = builder.build();
    return byKindAndKey([
      ...authorityRecords('page', pages, rankGraph(pages).scores, T0).records,
      ...authorityRecords('domain', domains, rankGraph(domains).scores, T0).records,
    ]);
  }

  /** Stored scores within 1e-6 of a full computation's, and 0–100 values within a step. */
  async function expectColdScores() {
    const [stored, cold] = [byKindAndKey(await loadLiveScores(db)), await coldRecords()];
    expect(Object.keys(stored).sort()).toEqual(Object.keys(cold).sort());
    for (const [key, { score, display }] of Object.entries(cold)) {
      expect(Math.abs(stored[key]!.score - score), key).toBeLessThan(1e-6);
      expect(Math.abs(stored[key]!.display - display), key).toBeLessThan(AUTHORITY_DISPLAY_STEP);
    }
  }

  async function record(url: string, links: Parameters<typeof makeSnapshot>[1], at = T0 + 1) {
    const snapshot = makeSnapshot(url, links, { robots: { noindex: false, nofollow: false } });
    await recordPage(db, snapshot, at);
    await noteAuthorityChanges(db, [url]);
  }

  it('patch the last graphs, to the scores of a full computation, change after change', async () => {
    await store(db, storedGraph(12));
    // The first computation builds the graph store's rows from the records.
    const first = await update();
    expect([first.plan, first.source]).toEqual([{ mode: 'full', reason: 'no-graph' }, 'records']);
    await expectColdScores();

    const steps: Array<[string, () => Promise<void>]> = [
      ['a page added', () => record('https://added.com/a', [HUB, 'https://leaf2.com/'])],
      ["a page's links lost on a revisit", () => record('https://leaf3.com/', [])],
      [
        'a new domain linking to another new one',
        () => record('https://brand-new.org/', ['https://another-new.net/x', HUB]),
      ],
      [
        'a link turned nofollow',
        () => record('https://leaf4.com/', [rawLink(HUB, { rel: ['nofollow'] })]),
      ],
    ];
    for (const [, change] of steps) {
      await change();
      const input = await update();
      expect(input.plan.mode).toBe('incremental');
      await expectColdScores();
    }
    expect((await loadAuthorityChanges(db)).pages.size).toBe(0);
  });

  it('store a patch of the kept graphs, not the graphs, until it grows past its bound', async () => {
    await store(db, storedGraph(12));
    await update();
    const kept = await db.get('meta', 'authority-graph');
    expect(kept?.id === 'authority-graph' && kept.savedAt).toBeGreaterThan(T0);
    await record('https://added.com/a', [HUB, 'https://new-target.net/']);
    expect((await update()).plan.mode).toBe('incremental');
    // The kept graphs' record as it was; what changed is in the patch beside it.
    expect(await db.get('meta', 'authority-graph')).toEqual(kept);
    const patch = await db.get('meta', 'authority-graph-patch');
    expect(patch).toMatchObject({
      base: kept?.id === 'authority-graph' && kept.savedAt,
      replaced: ['https://added.com/a'],
      added: {
        pages: ['https://added.com/a', 'https://new-target.net/'],
        domains: ['added.com', 'new-target.net'],
      },
    });
    await expectColdScores();

    await record('https://leaf3.com/', [HUB]);
    expect((await update()).plan.mode).toBe('incremental');
    expect(await db.get('meta', 'authority-graph')).toEqual(kept);
    await expectColdScores();

    // Past the bound, the graphs are stored whole again and the patch goes.
    await record('https://leaf4.com/', []);
    expect((await update({ patchMaxTargets: 1 })).plan.mode).toBe('incremental');
    expect(await db.get('meta', 'authority-graph')).not.toEqual(kept);
    expect(await db.get('meta', 'authority-graph-patch')).toBeUndefined();
    await expectColdScores();
    await record('https://leaf5.com/', []);
    expect((await update()).plan.mode).toBe('incremental');
    await expectColdScores();
  });

  it('read everything when the patch is not of the kept graphs', async () => {
    await store(db, storedGraph(5));
    await update();
    await record('https://leaf1.com/', [HUB, 'https://once.net/']);
    await update();
    const patch = (await db.get('meta', 'authority-graph-patch'))!;
    await db.put('meta', { ...patch, base: -1 } as typeof patch);
    expect(await loadAuthorityCache(db)).toBeNull();
    await record('https://leaf2.com/', []);
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'no-cache' });
    expect(await db.get('meta', 'authority-graph-patch')).toBeUndefined();
    await expectColdScores();
  });

  it('read only the records of the pages recorded since, and rewrite only moved scores', async () => {
    // Large enough that one page's change moves most values by less than a step.
    await store(db, storedGraph(2_000));
    await update();
    const before = byKindAndKey(await loadLiveScores(db));
    const gen = (await loadAuthorityMeta(db))?.gen;
    await record('https://leaf3.com/', [HUB, 'https://leaf4.com/']);
    const input = await update();
    // Few moved: written in place, in the generation already live.
    expect((await loadAuthorityMeta(db))?.gen).toBe(gen);
    expect(input.plan).toEqual({ mode: 'incremental', pages: ['https://leaf3.com/'] });
    expect(input.read).toEqual({ pages: 1, links: 2 });
    const after = byKindAndKey(await loadLiveScores(db));
    const rewritten = Object.keys(after).filter((k) => after[k]!.score !== before[k]?.score);
    // leaf4 gained a link: its value moved; the hub, still the top, and the leaves hardly did.
    expect(rewritten).toEqual(
      expect.arrayContaining(['page https://leaf4.com/', 'domain leaf4.com']),
    );
    expect(rewritten.length).toBeLessThan(Object.keys(after).length / 10);
    await expectColdScores();
    // 4,000 records in fake-indexeddb: slow on a busy machine, not a timing assertion.
  }, 60_000);

  it('write every score as a new generation when more moved than in place is worth', async () => {
    // Large enough that one page's change moves few scores: the generation must hold the rest.
    await store(db, storedGraph(2_000));
    await update();
    const gen = (await loadAuthorityMeta(db))!.gen!;
    await record('https://leaf3.com/', [HUB, 'https://leaf4.com/']);
    expect((await update({ inPlaceMax: 0 })).plan.mode).toBe('incremental');
    expect((await loadAuthorityMeta(db))?.gen).toBe(gen + 1);
    // Every score, not only those that moved; the last generation deleted.
    await expectColdScores();
    expect(await scoresStored(db)).toBe((await loadLiveScores(db)).length);
    // The kept scores say what this generation holds: the next update patches it in place.
    await record('https://leaf5.com/', [HUB]);
    expect((await update()).plan.mode).toBe('incremental');
    expect((await loadAuthorityMeta(db))?.gen).toBe(gen + 1);
    await expectColdScores();
  }, 60_000);

  it('read everything when asked, yet rewrite only moved scores and drop gone nodes', async () => {
    await store(db, storedGraph(300));
    await update();
    const before = byKindAndKey(await loadLiveScores(db));
    // Nothing changed: every row is read again, and no score is written again.
    const again = await update({ full: true });
    expect([again.plan, again.source]).toEqual([{ mode: 'full', reason: 'requested' }, 'packed']);
    const same = byKindAndKey(await loadLiveScores(db));
    expect(Object.keys(same).filter((k) => same[k]!.score !== before[k]?.score)).toEqual([]);
    // A page and its link removed behind the write paths' back (no row marked, no epoch step,
    // graphs kept): a rebuild from the records must still leave no score of it behind.
    await db.delete('pages', 'https://leaf7.com/');
    for (const key of await db.getAllKeysFromIndex('links', 'by_source', 'https://leaf7.com/')) {
      await db.delete('links', key);
    }
    const input = await update({ rebuild: true });
    expect(input.source).toBe('records');
    expect(input.gone).toEqual({ pages: ['https://leaf7.com/'], domains: ['leaf7.com'] });
    expect(byKindAndKey(await loadLiveScores(db))['page https://leaf7.com/']).toBeUndefined();
    await expectColdScores();
  }, 60_000);

  it('keep a page recorded while the update ran noted for the next one', async () => {
    await store(db, storedGraph(5));
    await update();
    await record('https://leaf1.com/', [HUB]);
    const input = await readAuthorityGraphs(db);
    await record('https://leaf2.com/', []);
    const ranks = {
      pages: rankGraph(input.graphs.pages),
      domains: rankGraph(input.graphs.domains),
    };
    await writeAuthorityUpdate(db, input, ranks, T0);
    expect([...(await loadAuthorityChanges(db)).pages.keys()]).toEqual(['https://leaf2.com/']);
  });

  it('read everything when the kept graphs are missing or spoilt', async () => {
    await store(db, storedGraph(5));
    await update();
    await record('https://leaf1.com/', [HUB]);
    await db.delete('meta', 'authority-graph');
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'no-cache' });
    await expectColdScores();

    const cache = (await loadAuthorityCache(db))!;
    await db.put('meta', { id: 'authority-graph', ...cache, targets: cache.targets.map(() => 99) });
    await record('https://leaf2.com/', []);
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'no-cache' });
    await expectColdScores();
  });

  it('read everything after an import, whose pages are not named', async () => {
    await store(db, storedGraph(5));
    await update();
    const imported = storedGraph(8);
    await importAll(db, { ...imported, redirects: [], referrals: [], skipped: 0 });
    await noteAuthorityChanges(db, null);
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'unknown-change' });
    await expectColdScores();
    expect((await update()).plan.mode).toBe('incremental');
  });

  it('read everything after data was cleared or a site forgotten, keeping none of it', async () => {
    await store(db, storedGraph(5));
    await update();
    await forgetSite(db, 'leaf1.com');
    // The kept graphs named the site's pages: they go with it.
    expect(await loadAuthorityCache(db)).toBeNull();
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'no-cache' });
    await expectColdScores();
    const keys = Object.keys(byKindAndKey(await loadLiveScores(db)));
    expect(keys.filter((k) => k.includes('leaf1'))).toEqual([]);

    // A computation that read the graphs before the forgetting writes nothing of them.
    const input = await readAuthorityGraphs(db);
    await forgetSite(db, 'leaf2.com');
    const ranks = {
      pages: rankGraph(input.graphs.pages),
      domains: rankGraph(input.graphs.domains),
    };
    expect(await writeAuthorityUpdate(db, input, ranks, T0)).toBeNull();
    expect(await loadAuthorityCache(db)).toBeNull();

    await clearAll(db);
    await store(db, storedGraph(3));
    expect((await update()).plan).toEqual({ mode: 'full', reason: 'no-graph' });
    await expectColdScores();
  });
});

describe('migration from a version 2 database', () => {
  it('keeps every record and adds the authority and meta stores, empty', async () => {
    const name = `v2-${Math.random()}`;
    const v2 = await openLegacyDb(name, 2);
    const graph = storedGraph(120);
    const redirect = makeRedirect('https://old.com/', HUB);
    for (const p of graph.pages) await v2.put('pages', p);
    for (const l of graph.links) await v2.put('links', l);
    await v2.put('redirects', redirect);
    v2.close();

    const upgraded = await openBacklinkDb(name);
    await moveOldLinks(upgraded); // the worker's move (storage/link-move.ts), done
    expect(upgraded.version).toBe(DB_VERSION);
    const dump = await dumpDb(upgraded);
    const byUrl = (a: { url: string }, b: { url: string }) => a.url.localeCompare(b.url);
    expect(dump.pages).toEqual([...graph.pages].sort(byUrl));
    expect(dump.links).toHaveLength(120);
    expect(new Set(dump.links)).toEqual(new Set(graph.links));
    expect(dump.redirects).toEqual([redirect]);
    expect(await upgraded.count('authority')).toBe(0);
    expect(await upgraded.count('authority-scores')).toBe(0);
    expect(await upgraded.count('meta')).toBe(0);
    expect((await loadBacklinks(upgraded, HUB))?.links).toHaveLength(120);
    expect((await loadAuthority(upgraded, HUB, 'hub.com', [])).computedAt).toBeNull();
    upgraded.close();
  });
});
