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
  AUTHORITY_MIN_INTERVAL_MS,
  authorityDueAt,
  authorityRetryDelay,
  AUTHORITY_MAX_RETRY_MS,
  AUTHORITY_RETRY_MS,
  authorityRecords,
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
