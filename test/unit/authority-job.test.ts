import { describe, expect, it } from 'vitest';
import {
  buildAuthorityGraphs,
  rankGraph,
  startRank,
  type RankState,
} from '../../src/core/authority';
import {
  AUTHORITY_CHECKPOINT_MS,
  AUTHORITY_DEBOUNCE_MS,
  AUTHORITY_FULL_EVERY_MS,
  AUTHORITY_INCREMENTAL_MAX_PAGES,
  NO_CHANGES,
  noteChanges,
  planAuthority,
  settleChanges,
  AUTHORITY_MIN_INTERVAL_MS,
  authorityDueAt,
  authorityRetryDelay,
  AUTHORITY_MAX_RETRY_MS,
  AUTHORITY_RETRY_MS,
  authorityRecords,
  authorityRecordsUpTo,
  carryStored,
  rankInSlices,
  resumeRank,
} from '../../src/core/authority-job';
import { makeLink, T0 } from './helpers';

/** A hub every leaf links to, and the hub linking back to one leaf. */
function hubGraph(leaves = 30) {
  const links = Array.from({ length: leaves }, (_, i) =>
    makeLink(`https://leaf${i}.com/`, 'https://hub.com/'),
  );
  links.push(makeLink('https://hub.com/', 'https://leaf0.com/'));
  return buildAuthorityGraphs(links);
}

/** A fake clock that moves `step` ms each time it is read. */
function tickingClock(step: number) {
  let t = 0;
  return () => (t += step);
}

describe('authorityDueAt', () => {
  it('waits out the debounce after the last recording', () => {
    expect(authorityDueAt(T0, null)).toBe(T0 + AUTHORITY_DEBOUNCE_MS);
    expect(authorityDueAt(T0, T0 - 3_600_000)).toBe(T0 + AUTHORITY_DEBOUNCE_MS);
  });

  it('runs at most once per minimum interval', () => {
    expect(authorityDueAt(T0, T0 - 1_000)).toBe(T0 - 1_000 + AUTHORITY_MIN_INTERVAL_MS);
  });
});

describe('authorityRetryDelay', () => {
  it('waits a minute after one failure, doubling after each more, up to an hour', () => {
    expect(authorityRetryDelay(1)).toBe(AUTHORITY_RETRY_MS);
    expect(authorityRetryDelay(2)).toBe(2 * AUTHORITY_RETRY_MS);
    expect(authorityRetryDelay(4)).toBe(8 * AUTHORITY_RETRY_MS);
    expect(authorityRetryDelay(7)).toBe(AUTHORITY_MAX_RETRY_MS);
    expect(authorityRetryDelay(10_000)).toBe(AUTHORITY_MAX_RETRY_MS);
    expect(authorityRetryDelay(0)).toBe(AUTHORITY_RETRY_MS);
  });
});

describe('rankInSlices', () => {
  it('gives the scores of one uninterrupted walk, pausing between slices', async () => {
    const { pages } = hubGraph();
    let pauses = 0;
    const sliced = await rankInSlices(pages, startRank(pages), {
      pause: async () => void pauses++,
      // Each read of the clock takes 20 ms, so a 50 ms slice holds one or two iterations.
      now: tickingClock(20),
      sliceMs: 50,
    });
    const whole = rankGraph(pages);
    expect(sliced.converged).toBe(true);
    expect(sliced.iterations).toBe(whole.iterations);
    expect([...sliced.scores]).toEqual([...whole.scores]);
    expect(pauses).toBeGreaterThan(1);
  });

  it('stores its progress about once per checkpoint interval, each state once', async () => {
    const { pages } = hubGraph();
    const seen: RankState[] = [];
    const step = AUTHORITY_CHECKPOINT_MS / 2;
    await rankInSlices(pages, startRank(pages), {
      pause: async () => {},
      checkpoint: async (s) => void seen.push(s),
      now: tickingClock(step),
      sliceMs: 1,
    });
    expect(seen.length).toBeGreaterThan(1);
    const iterations = seen.map((s) => s.iterations);
    expect(new Set(iterations).size).toBe(iterations.length);
  });

  it('ends at once on an empty graph', async () => {
    const { pages } = buildAuthorityGraphs([]);
    const state = await rankInSlices(pages, startRank(pages), { pause: async () => {} });
    expect(state).toMatchObject({ converged: true, iterations: 0 });
  });
});

describe('resumeRank', () => {
  it('goes on from stored progress that fits the graph, to the same scores', () => {
    const { pages } = hubGraph();
    const partway = rankGraph(pages, { maxIterations: 3 });
    const resumed = resumeRank(pages, partway);
    expect([...resumed.scores]).toEqual([...partway.scores]);
    const final = rankGraph(pages, { initial: resumed.scores });
    const whole = rankGraph(pages);
    final.scores.forEach((s, i) => expect(s).toBeCloseTo(whole.scores[i]!, 7));
  });

  it('starts afresh when the graph has another number of nodes, or nothing stored', () => {
    const { pages } = hubGraph();
    const other = rankGraph(hubGraph(5).pages, { maxIterations: 3 });
    const n = pages.keys.length;
    expect([...resumeRank(pages, other).scores]).toEqual(new Array(n).fill(1 / n));
    expect([...resumeRank(pages, undefined).scores]).toEqual(new Array(n).fill(1 / n));
  });
});

describe('authorityRecords', () => {
  it('stores every node with its raw score, its 0–100 value and the time', () => {
    const { pages, domains } = hubGraph();
    const state = rankGraph(pages);
    const { records, scale } = authorityRecords('page', pages, state.scores, T0);
    expect(records).toHaveLength(pages.keys.length);
    expect(scale.nodes).toBe(pages.keys.length);
    const hub = records.find((r) => r.key === 'https://hub.com/')!;
    expect(hub).toMatchObject({ kind: 'page', computedAt: T0 });
    expect(hub.score).toBe(scale.top);
    // The hub tops the graph; a leaf nobody links to sits far below.
    const leaf = records.find((r) => r.key === 'https://leaf5.com/')!;
    expect(hub.display).toBeGreaterThan(leaf.display + 30);
    for (const r of records) expect(r.display).toBeGreaterThanOrEqual(0);
    for (const r of records) expect(r.display).toBeLessThanOrEqual(100);
    const byDomain = authorityRecords('domain', domains, rankGraph(domains).scores, T0);
    expect(byDomain.records.map((r) => r.kind)).toEqual(domains.keys.map(() => 'domain'));
  });
});

describe('authorityRecordsUpTo', () => {
  it('gives what authorityRecords gives while at most `max` are written, else null, built no further', () => {
    const { pages } = hubGraph();
    const scores = rankGraph(pages).scores;
    const all = authorityRecords('page', pages, scores, T0);
    const n = pages.keys.length;
    expect(authorityRecordsUpTo('page', pages, scores, T0, undefined, n)).toEqual(all);
    // Two leaves moved by more than a step: two records given what is stored.
    const next = scores.slice();
    for (const leaf of ['https://leaf3.com/', 'https://leaf7.com/']) {
      next[pages.ids.get(leaf)!]! += 1e-6;
    }
    const moved = authorityRecords('page', pages, next, T0, all.stored);
    expect(moved.records.map((r) => r.key)).toEqual(['https://leaf3.com/', 'https://leaf7.com/']);
    expect(authorityRecordsUpTo('page', pages, next, T0, all.stored, 2)).toEqual(moved);
    expect(authorityRecordsUpTo('page', pages, next, T0, all.stored, 1)).toBeNull();
    expect(authorityRecordsUpTo('page', pages, next, T0, all.stored, -1)).toBeNull();
    // Past the bound it stops: no record built after the first `max` (each reads its key).
    let keysRead = 0;
    const counting = new Proxy(pages.keys, {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) keysRead++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const graph = { ...pages, keys: counting };
    expect(authorityRecordsUpTo('page', graph, scores, T0, undefined, 5)).toBeNull();
    expect(keysRead).toBe(5);
  });
});

describe('carryStored', () => {
  it('finds what was stored for each node by key, NaN for a new one, and names the gone', () => {
    const before = buildAuthorityGraphs([
      makeLink('https://a.com/', 'https://b.com/'),
      makeLink('https://c.com/', 'https://b.com/'),
    ]);
    const { stored } = authorityRecords('page', before.pages, rankGraph(before.pages).scores, T0);
    // c.com is gone; d.com is new and comes first, so every id moved.
    const after = buildAuthorityGraphs([
      makeLink('https://d.com/', 'https://b.com/'),
      makeLink('https://a.com/', 'https://b.com/'),
    ]);
    const carried = carryStored(after.pages, before.pages, stored);
    const at = (graph: typeof before.pages, key: string) => graph.ids.get(key)!;
    for (const key of ['https://a.com/', 'https://b.com/']) {
      expect(carried.stored.scores[at(after.pages, key)]).toBe(
        stored.scores[at(before.pages, key)],
      );
      expect(carried.stored.displays[at(after.pages, key)]).toBe(
        stored.displays[at(before.pages, key)],
      );
    }
    expect(carried.stored.scores[at(after.pages, 'https://d.com/')]).toBeNaN();
    expect(carried.gone).toEqual(['https://c.com/']);
    // Given what is stored, only the new page and those whose score moved get a record.
    const next = rankGraph(after.pages).scores;
    const written = authorityRecords('page', after.pages, next, T0, carried.stored).records;
    expect(written.map((r) => r.key)).toContain('https://d.com/');
    expect(written.length).toBeLessThanOrEqual(after.pages.keys.length);
  });
});

describe('the change log', () => {
  it('numbers each note, and a page noted again takes the later number', () => {
    let log = noteChanges(NO_CHANGES, ['https://a.com/', 'https://b.com/']);
    log = noteChanges(log, ['https://a.com/']);
    expect(log.seq).toBe(2);
    expect([...log.pages]).toEqual([
      ['https://a.com/', 2],
      ['https://b.com/', 1],
    ]);
    expect(log.unknown).toBeNull();
  });

  it('settles the notes a computation read, and keeps those made while it ran', () => {
    let log = noteChanges(NO_CHANGES, ['https://a.com/', 'https://b.com/']);
    const read = log.seq;
    log = noteChanges(log, ['https://a.com/']);
    log = noteChanges(log, ['https://c.com/']);
    const settled = settleChanges(log, read);
    expect([...settled.pages.keys()]).toEqual(['https://a.com/', 'https://c.com/']);
    expect(settleChanges(settled, settled.seq).pages.size).toBe(0);
  });

  it('turns an unnamed change, or too many pages, into one that needs everything read', () => {
    const imported = noteChanges(noteChanges(NO_CHANGES, ['https://a.com/']), null);
    expect(imported).toMatchObject({ seq: 2, unknown: 2 });
    expect(imported.pages.size).toBe(0);
    // Notes after it add pages, but the unknown change stays until a full run settles it.
    const later = noteChanges(imported, ['https://b.com/']);
    expect(later.unknown).toBe(2);
    expect(settleChanges(later, 1).unknown).toBe(2);
    expect(settleChanges(later, 2).unknown).toBeNull();

    const many = Array.from(
      { length: AUTHORITY_INCREMENTAL_MAX_PAGES + 1 },
      (_, i) => `https://p${i}.com/`,
    );
    expect(noteChanges(NO_CHANGES, many)).toMatchObject({ unknown: 1 });
    expect(noteChanges(NO_CHANGES, many.slice(1)).unknown).toBeNull();
  });
});

describe('planAuthority', () => {
  const cache = { epoch: 3, fullAt: T0 };
  const changed = noteChanges(NO_CHANGES, ['https://a.com/']);

  it('patches the last graphs with the pages recorded since', () => {
    expect(planAuthority(changed, cache, 3, T0 + 1)).toEqual({
      mode: 'incremental',
      pages: ['https://a.com/'],
    });
    expect(planAuthority(NO_CHANGES, cache, 3, T0 + 1)).toEqual({ mode: 'incremental', pages: [] });
  });

  it.each([
    ['requested', () => planAuthority(changed, cache, 3, T0 + 1, true)],
    ['no-cache', () => planAuthority(changed, null, 3, T0 + 1)],
    ['data-forgotten', () => planAuthority(changed, cache, 4, T0 + 1)],
    ['unknown-change', () => planAuthority(noteChanges(changed, null), cache, 3, T0 + 1)],
    ['due', () => planAuthority(changed, cache, 3, T0 + AUTHORITY_FULL_EVERY_MS)],
    ['due', () => planAuthority(changed, cache, 3, T0 - 1)],
  ] as const)('reads everything when %s', (reason, plan) => {
    expect(plan()).toEqual({ mode: 'full', reason });
  });

  it('reads everything when more pages changed than patching is worth', () => {
    const many = { ...changed, pages: new Map<string, number>() };
    for (let i = 0; i <= AUTHORITY_INCREMENTAL_MAX_PAGES; i++)
      many.pages.set(`https://p${i}.com/`, 1);
    expect(planAuthority(many, cache, 3, T0 + 1)).toEqual({ mode: 'full', reason: 'many-changes' });
  });
});
