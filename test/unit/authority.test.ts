import { describe, expect, it } from 'vitest';
import {
  AuthorityGraphBuilder,
  authorityScale,
  buildAuthorityGraphs,
  carryScores,
  continueRank,
  displayAuthority,
  rankGraph,
  scoresByKey,
  startRank,
  storeGraphs,
  type AuthorityGraphs,
  type LinkGraph,
  type RankState,
} from '../../src/core/authority';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { seededRandom } from '../bench/random';
import { randomLinks } from './authority-fixtures';
import { PatchingBuilder, restoreGraphs } from '../support/authority-oracle';
import { at, makeLink, makePage } from './helpers';

/** Every edge of a graph as "from -> to", sorted. */
function edgesOf(graph: LinkGraph): string[] {
  const edges: string[] = [];
  for (let i = 0; i < graph.keys.length; i++) {
    for (let e = graph.offsets[i]!; e < graph.offsets[i + 1]!; e++) {
      edges.push(`${graph.keys[i]} -> ${graph.keys[graph.targets[e]!]}`);
    }
  }
  return edges.sort();
}

/** Scores by key, for comparing rankings of graphs built in different orders. */
function byKey(graph: LinkGraph, state: RankState): Record<string, number> {
  return Object.fromEntries(scoresByKey(graph, state.scores));
}

/**
 * The textbook computation, kept deliberately naive: the dense Google matrix
 * G = d·M + (1 − d)/n, M column-stochastic with a dangling node's column uniform, and
 * x ← G·x repeated until it no longer moves.
 */
function referenceRank(nodes: readonly string[], edges: ReadonlyArray<[string, string]>) {
  const n = nodes.length;
  const d = 0.85;
  const index = new Map(nodes.map((k, i) => [k, i]));
  const out = nodes.map(() => new Set<number>());
  for (const [a, b] of edges) out[index.get(a)!]!.add(index.get(b)!);
  const g = nodes.map(() => new Array<number>(n).fill((1 - d) / n));
  out.forEach((targets, i) => {
    for (let j = 0; j < n; j++) {
      g[j]![i]! += targets.size === 0 ? d / n : targets.has(j) ? d / targets.size : 0;
    }
  });
  let x = new Array<number>(n).fill(1 / n);
  for (let k = 0; k < 2000; k++) x = g.map((row) => row.reduce((s, v, i) => s + v * x[i]!, 0));
  return Object.fromEntries(nodes.map((k, i) => [k, x[i]!]));
}

/**
 * A random graph over `pages` pages on `pages / 4` domains: some pages link nowhere, some
 * links repeat, point back at their page or stay inside their domain.
 */

function expectClose(actual: Record<string, number>, expected: Record<string, number>, tol = 1e-6) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    expect(Math.abs(actual[key]! - value), key).toBeLessThan(tol);
  }
}

const sum = (scores: Float64Array) => scores.reduce((s, v) => s + v, 0);

describe('buildAuthorityGraphs: page graph', () => {
  it('interns every URL once, counts a repeated link once and drops self-links', () => {
    const { pages } = buildAuthorityGraphs([
      makeLink('https://a.com/', 'https://b.com/', { anchor: 'one' }),
      makeLink('https://a.com/', 'https://b.com/', { anchor: 'two' }),
      makeLink('https://a.com/', 'https://a.com/'),
      makeLink('https://b.com/', 'https://a.com/'),
    ]);
    expect(pages.keys).toEqual(['https://a.com/', 'https://b.com/']);
    expect(pages.ids.get('https://b.com/')).toBe(1);
    expect(edgesOf(pages)).toEqual([
      'https://a.com/ -> https://b.com/',
      'https://b.com/ -> https://a.com/',
    ]);
    expect(pages.offsets).toBeInstanceOf(Int32Array);
    expect(pages.targets).toBeInstanceOf(Int32Array);
  });

  it('leaves out links that pass no authority, and lost links, but keeps their pages', () => {
    const source = 'https://src.com/post';
    const { pages } = buildAuthorityGraphs(
      [
        makeLink(source, 'https://followed.com/'),
        makeLink(source, 'https://nofollow.com/', { rel: ['nofollow'] }),
        makeLink(source, 'https://sponsored.com/', { rel: ['sponsored'] }),
        makeLink(source, 'https://ugc.com/', { rel: ['ugc'] }),
        makeLink(source, 'https://lost.com/', { lostAt: at(3) }),
        makeLink(source, 'https://noopener.com/', { rel: ['noopener', 'noreferrer'] }),
        makeLink('https://robots.com/', 'https://followed.com/x'),
      ],
      [makePage('https://robots.com/', { robotsNofollow: true })],
    );
    expect(edgesOf(pages)).toEqual([
      `${source} -> https://followed.com/`,
      `${source} -> https://noopener.com/`,
    ]);
    expect(pages.keys).toHaveLength(9);
  });

  it("honours a page's robots nofollow whether the page comes before or after its links", () => {
    const link = makeLink('https://a.com/', 'https://b.com/');
    const page = makePage('https://a.com/', { robotsNofollow: true });
    const pageFirst = new AuthorityGraphBuilder().addPage(page).addLink(link).build();
    const linkFirst = new AuthorityGraphBuilder().addLink(link).addPage(page).build();
    for (const { pages, domains } of [pageFirst, linkFirst]) {
      expect(pages.keys).toEqual(['https://a.com/', 'https://b.com/']);
      expect(edgesOf(pages)).toEqual([]);
      expect(edgesOf(domains)).toEqual([]);
    }
  });

  it('gives a visited page without recorded links a node of its own', () => {
    const { pages, domains } = buildAuthorityGraphs([], [makePage('https://alone.com/')]);
    expect(pages.keys).toEqual(['https://alone.com/']);
    expect(domains.keys).toEqual(['alone.com']);
    expect(Array.from(pages.offsets)).toEqual([0, 0]);
  });
});

describe('buildAuthorityGraphs: domain graph', () => {
  it('keeps one edge per linking domain pair and leaves internal links out', () => {
    const { domains } = buildAuthorityGraphs([
      makeLink('https://a.com/1', 'https://b.com/x'),
      makeLink('https://a.com/2', 'https://b.com/y'),
      makeLink('https://www.a.com/3', 'https://blog.b.com/z'),
      makeLink('https://a.com/1', 'https://a.com/2'),
      makeLink('https://blog.a.com/', 'https://a.com/'),
      makeLink('https://b.com/x', 'https://c.com/'),
      makeLink('https://c.com/', 'https://a.com/1', { rel: ['nofollow'] }),
    ]);
    expect(domains.keys).toEqual(['a.com', 'b.com', 'c.com']);
    expect(edgesOf(domains)).toEqual(['a.com -> b.com', 'b.com -> c.com']);
  });

  it('drops a domain edge only when no page of the source domain passes authority', () => {
    const links = [
      makeLink('https://a.com/robots', 'https://b.com/'),
      makeLink('https://a.com/open', 'https://c.com/'),
      makeLink('https://a.com/open', 'https://d.com/', { lostAt: at(2) }),
    ];
    const pages = [makePage('https://a.com/robots', { robotsNofollow: true })];
    expect(edgesOf(buildAuthorityGraphs(links, pages).domains)).toEqual(['a.com -> c.com']);
    links.push(makeLink('https://a.com/open', 'https://b.com/other'));
    expect(edgesOf(buildAuthorityGraphs(links, pages).domains)).toEqual([
      'a.com -> b.com',
      'a.com -> c.com',
    ]);
  });
});

describe('rankGraph', () => {
  const graphOf = (...pairs: Array<[string, string]>) =>
    buildAuthorityGraphs(pairs.map(([a, b]) => makeLink(`https://${a}/`, `https://${b}/`))).pages;

  it('splits evenly between two pages that link to each other, and around a cycle', () => {
    const two = rankGraph(graphOf(['a.com', 'b.com'], ['b.com', 'a.com']));
    expect(Array.from(two.scores)).toEqual([0.5, 0.5]);
    expect(two.converged).toBe(true);
    const three = rankGraph(graphOf(['a.com', 'b.com'], ['b.com', 'c.com'], ['c.com', 'a.com']));
    for (const s of three.scores) expect(s).toBeCloseTo(1 / 3, 12);
  });

  it('spreads a dangling page over every page: two pages linking to a third', () => {
    // a = b = (0.15 + 0.85·c)/3 and c = a + 0.85·(a + b), so a = 1/4.7 and c = 2.7/4.7.
    const graph = graphOf(['a.com', 'c.com'], ['b.com', 'c.com']);
    const { scores, iterations } = rankGraph(graph, { tolerance: 1e-14 });
    expect(byKey(graph, { scores } as RankState)).toEqual({
      'https://a.com/': expect.closeTo(1 / 4.7, 12),
      'https://b.com/': expect.closeTo(1 / 4.7, 12),
      'https://c.com/': expect.closeTo(2.7 / 4.7, 12),
    });
    expect(iterations).toBeGreaterThan(1);
  });

  it('ranks a lone page 1 and an empty graph with nothing to do', () => {
    const lone = buildAuthorityGraphs([], [makePage('https://alone.com/')]).pages;
    expect(Array.from(rankGraph(lone).scores)).toEqual([1]);
    const empty = rankGraph(buildAuthorityGraphs([]).pages);
    expect(empty).toEqual({
      scores: new Float64Array(0),
      iterations: 0,
      delta: 0,
      converged: true,
    });
  });

  it.each([1, 2, 3])('matches a dense reference power iteration within 1e-6 (seed %i)', (seed) => {
    const links = randomLinks(seed, 40, 6);
    const { pages, domains } = buildAuthorityGraphs(links);
    const result = rankGraph(pages);
    expect(result.converged).toBe(true);
    expect(sum(result.scores)).toBeCloseTo(1, 12);
    const pageEdges = links
      .filter((l) => l.source !== l.target)
      .map((l): [string, string] => [l.source, l.target]);
    expectClose(byKey(pages, result), referenceRank(pages.keys, pageEdges));

    const domainEdges = links
      .filter((l) => l.sourceDomain !== l.targetDomain)
      .map((l): [string, string] => [l.sourceDomain, l.targetDomain]);
    expectClose(byKey(domains, rankGraph(domains)), referenceRank(domains.keys, domainEdges));
  });

  it('reports the iterations used, and stops unconverged at the cap', () => {
    const graph = buildAuthorityGraphs(randomLinks(7, 200, 8)).pages;
    const full = rankGraph(graph);
    expect(full.converged).toBe(true);
    expect(full.delta).toBeLessThan(1e-8);
    const capped = rankGraph(graph, { maxIterations: 5 });
    expect(capped).toMatchObject({ iterations: 5, converged: false });
    expect(capped.delta).toBeGreaterThan(1e-8);
    const loose = rankGraph(graph, { tolerance: 1e-3 });
    expect(loose.iterations).toBeLessThan(full.iterations);
  });

  it('gives the same answer as leaving the unfollowed links out by hand', () => {
    const followed = [
      makeLink('https://a.com/', 'https://b.com/'),
      makeLink('https://b.com/', 'https://c.com/'),
    ];
    const unfollowed = [
      makeLink('https://a.com/', 'https://c.com/', { rel: ['sponsored', 'nofollow'] }),
      makeLink('https://c.com/', 'https://a.com/', { rel: ['ugc'] }),
      makeLink('https://b.com/', 'https://a.com/', { lostAt: at(1) }),
    ];
    const withAll = buildAuthorityGraphs([...followed, ...unfollowed]).pages;
    const without = buildAuthorityGraphs(followed).pages;
    expect(byKey(withAll, rankGraph(withAll))).toEqual(byKey(without, rankGraph(without)));
  });
});

describe('displayAuthority', () => {
  // A hub that 2,000 pages link to, 20 pages that 100 each link to, and the rest.
  const links: LinkRecord[] = [];
  for (let i = 0; i < 2000; i++) {
    links.push(makeLink(`https://p${i}.com/`, 'https://hub.com/'));
    links.push(makeLink(`https://p${i}.com/`, `https://mid${i % 20}.com/`));
  }
  const graph = buildAuthorityGraphs(links).pages;
  const { scores } = rankGraph(graph);
  const scale = authorityScale(scores);
  const shown = (url: string) => displayAuthority(scores[graph.ids.get(url)!]!, scale);

  it('is 100 for the top of a large graph and low for a page nothing links to', () => {
    expect(scale).toEqual({ nodes: graph.keys.length, top: Math.max(...scores) });
    expect(shown('https://hub.com/')).toBe(100);
    expect(shown('https://p0.com/')).toBeGreaterThan(0);
    expect(shown('https://p0.com/')).toBeLessThan(10);
    expect(shown('https://mid0.com/')).toBeGreaterThan(shown('https://p0.com/'));
    expect(shown('https://mid0.com/')).toBeLessThan(shown('https://hub.com/'));
  });

  it('is monotonic in the score and stays within 0–100', () => {
    const values = [0, 1e-9, ...Array.from(scores).sort((a, b) => a - b), 0.5, 1, 2];
    const display = values.map((s) => displayAuthority(s, scale));
    for (let i = 1; i < display.length; i++) {
      expect(display[i]!).toBeGreaterThanOrEqual(display[i - 1]!);
    }
    expect(display[0]).toBe(0);
    expect(Math.min(...display)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...display)).toBe(100);
    expect(displayAuthority(-1, scale)).toBe(0);
    expect(displayAuthority(Number.NaN, scale)).toBe(0);
  });

  it('does not call the best page of a tiny graph a 100', () => {
    const tiny = buildAuthorityGraphs([
      makeLink('https://a.com/', 'https://c.com/'),
      makeLink('https://b.com/', 'https://c.com/'),
    ]).pages;
    const ranked = rankGraph(tiny).scores;
    const tinyScale = authorityScale(ranked);
    const top = displayAuthority(ranked[tiny.ids.get('https://c.com/')!]!, tinyScale);
    const low = displayAuthority(ranked[tiny.ids.get('https://a.com/')!]!, tinyScale);
    expect(top).toBeGreaterThan(low);
    expect(top).toBeLessThan(25);
    expect(displayAuthority(0.5, { nodes: 0, top: 0 })).toBe(0);
  });
});

describe('continueRank', () => {
  const graph = buildAuthorityGraphs(randomLinks(11, 300, 8)).pages;
  const oneShot = rankGraph(graph);

  it('gives the same scores, bit for bit, in slices of a few iterations', () => {
    let state = startRank(graph);
    let calls = 0;
    while (!state.converged) {
      const before = state.scores.slice();
      const next = continueRank(graph, state, { iterations: 3 });
      // The caller's state is left as it was, so it can still be stored or retried.
      expect(state.scores).toEqual(before);
      expect(next.iterations - state.iterations).toBeLessThanOrEqual(3);
      state = next;
      calls++;
    }
    expect(calls).toBe(Math.ceil(oneShot.iterations / 3));
    expect(state).toEqual(oneShot);
  });

  it('stops at the end of a time slice and resumes from a stored copy', () => {
    let clock = 0;
    // Every reading of the clock takes a millisecond. The first iteration of a call always
    // runs; the clock is read before each later one, at 1, 2, 3 and 4 ms into a 4 ms slice.
    const slice = { timeMs: 4, now: () => clock++ };
    let state = startRank(graph);
    const first = continueRank(graph, state, slice);
    expect(first.iterations).toBe(4);
    state = first;
    while (!state.converged) state = continueRank(graph, structuredClone(state), slice);
    expect(state).toEqual(oneShot);
  });

  it('always makes progress, even with no time left', () => {
    const state = continueRank(graph, startRank(graph), { timeMs: 0 });
    expect(state.iterations).toBe(1);
  });

  it('refuses a state from a graph of another size', () => {
    const other = buildAuthorityGraphs(randomLinks(12, 10, 2)).pages;
    expect(() => continueRank(graph, startRank(other))).toThrow(RangeError);
    expect(() => startRank(graph, new Float64Array(3))).toThrow(RangeError);
  });
});

describe('warm start', () => {
  const options = { tolerance: 1e-10 };
  const links = randomLinks(21, 2000, 10);
  const before = buildAuthorityGraphs(links).pages;
  const previousScores = rankGraph(before, options).scores;
  const previous = scoresByKey(before, previousScores);

  // 1% of the links move to another target, and one new page links in.
  const random = seededRandom(22);
  const moved = links.map((l) =>
    random() < 0.01 ? { ...l, target: links[Math.floor(random() * links.length)]!.target } : l,
  );
  moved.push(makeLink('https://new-page.com/', links[0]!.target));
  const after = buildAuthorityGraphs(moved).pages;

  it('starts each known node from its earlier score and a new one from 1/n', () => {
    const initial = carryScores(after, before, previousScores);
    expect(sum(initial)).toBeCloseTo(1, 12);
    const n = after.keys.length;
    let known = 0;
    for (const key of after.keys) known += previous.get(key) ?? 0;
    const total = known + 1 / n;
    expect(initial[after.ids.get('https://new-page.com/')!]).toBeCloseTo(1 / n / total, 15);
    const page = links[0]!.source;
    expect(initial[after.ids.get(page)!]).toBeCloseTo(previous.get(page)! / total, 15);
  });

  it('finds each earlier score by key when the ids have moved', () => {
    const reversed = buildAuthorityGraphs([...links].reverse()).pages;
    expect(reversed.keys).not.toEqual(before.keys);
    const scores = rankGraph(reversed, options).scores;
    const carried = carryScores(after, reversed, scores);
    carryScores(after, before, previousScores).forEach((s, i) => {
      expect(carried[i]).toBeCloseTo(s, 12);
    });
  });

  it.each([
    ['1% of the links moved', moved],
    ['one page added', [...links, makeLink('https://new-page.com/', links[0]!.target)]],
    ['one link lost', links.map((l, i) => (i === 100 ? { ...l, lostAt: at(5) } : l))],
  ])('converges in fewer iterations than from uniform, to the same scores: %s', (_, changed) => {
    const graph = buildAuthorityGraphs(changed).pages;
    const cold = rankGraph(graph, options);
    const warm = rankGraph(graph, {
      ...options,
      initial: carryScores(graph, before, previousScores),
    });
    expect(cold.converged && warm.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    let worst = 0;
    cold.scores.forEach((s, i) => (worst = Math.max(worst, Math.abs(s - warm.scores[i]!))));
    expect(worst).toBeLessThan(1e-9);
  });
});

// The test oracle of core/authority-patch.ts (test/support/authority-oracle.ts), checked here
// against a build from every record.
describe('patching the graphs with pages recorded again (the oracle)', () => {
  const links = randomLinks(31, 400, 8);
  const pages = [makePage('https://site3.com/p3', { robotsNofollow: true })];
  const base = buildAuthorityGraphs(links, pages);
  const baseScores = {
    pages: rankGraph(base.pages).scores,
    domains: rankGraph(base.domains).scores,
  };
  const SOURCE = 'https://site5.com/p5';

  /**
   * The graphs patched with the changed pages' records (their links as they are now), and the
   * graphs built from every record: what an incremental update and a full one would rank.
   */
  function patchAndBuild(changed: {
    sources: string[];
    links: LinkRecord[];
    pages?: PageRecord[];
  }): { patched: AuthorityGraphs; cold: AuthorityGraphs } {
    const replaced = new Set(changed.sources);
    const all = [...links.filter((l) => !replaced.has(l.source)), ...changed.links];
    const allPages = [...pages.filter((p) => !replaced.has(p.url)), ...(changed.pages ?? [])];
    const builder = new PatchingBuilder(base);
    for (const url of changed.sources) builder.replaceLinksOf(url);
    for (const page of changed.pages ?? []) builder.addPage(page);
    for (const link of changed.links) builder.addLink(link);
    return { patched: builder.build(), cold: buildAuthorityGraphs(all, allPages) };
  }

  const linksOf = (url: string) => links.filter((l) => l.source === url);

  it.each([
    [
      'a new page linking in',
      {
        sources: ['https://new.site0.com/'],
        links: [makeLink('https://new.site0.com/', 'https://site1.com/p1')],
        pages: [makePage('https://new.site0.com/')],
      },
    ],
    [
      'links of a page lost on a revisit',
      {
        sources: [SOURCE],
        links: linksOf(SOURCE).map((l, i) => (i % 2 ? l : { ...l, lostAt: at(3) })),
      },
    ],
    [
      'a new domain, linked to and linking',
      {
        sources: [SOURCE, 'https://fresh.org/'],
        links: [
          ...linksOf(SOURCE),
          makeLink(SOURCE, 'https://fresh.org/'),
          makeLink('https://fresh.org/', 'https://site7.com/p7'),
          makeLink('https://fresh.org/', 'https://other-fresh.net/a'),
        ],
        pages: [makePage('https://fresh.org/')],
      },
    ],
    [
      'a link turned nofollow',
      {
        sources: [SOURCE],
        links: linksOf(SOURCE).map((l, i) => (i === 0 ? { ...l, rel: ['nofollow'] } : l)),
      },
    ],
    [
      'a page turned robots nofollow, and one that no longer is',
      {
        sources: [SOURCE, 'https://site3.com/p3'],
        links: [...linksOf(SOURCE), ...linksOf('https://site3.com/p3')],
        pages: [
          makePage(SOURCE, { robotsNofollow: true }),
          makePage('https://site3.com/p3', { robotsNofollow: false }),
        ],
      },
    ],
  ])('gives the graphs and scores of a build from every record: %s', (_, changed) => {
    const { patched, cold } = patchAndBuild(changed);
    expect(edgesOf(patched.pages)).toEqual(edgesOf(cold.pages));
    expect(edgesOf(patched.domains)).toEqual(edgesOf(cold.domains));
    expect([...patched.pages.keys].sort()).toEqual([...cold.pages.keys].sort());
    // Every node keeps its id; new ones come after.
    expect(patched.pages.keys.slice(0, base.pages.keys.length)).toEqual(base.pages.keys);
    expect(patched.domains.keys.slice(0, base.domains.keys.length)).toEqual(base.domains.keys);
    patched.pages.keys.forEach((url, id) => {
      const domain = patched.domains.keys[patched.domainOf[id]!];
      expect(domain).toBe(cold.domains.keys[cold.domainOf[cold.pages.ids.get(url)!]!]);
    });

    for (const level of ['pages', 'domains'] as const) {
      const fromScratch = rankGraph(cold[level]);
      const warm = rankGraph(patched[level], {
        initial: carryScores(patched[level], base[level], baseScores[level]),
      });
      expect(warm.converged).toBe(true);
      expect(warm.iterations).toBeLessThan(fromScratch.iterations);
      expectClose(byKey(patched[level], warm), byKey(cold[level], fromScratch), 1e-6);
    }
  });

  it('leaves the graphs it extends as they were', () => {
    const keys = [...base.pages.keys];
    const targets = base.pages.targets.slice();
    patchAndBuild({ sources: ['https://x.com/'], links: [makeLink('https://x.com/', SOURCE)] });
    expect(base.pages.keys).toEqual(keys);
    expect(base.pages.ids.has('https://x.com/')).toBe(false);
    expect(base.pages.targets).toEqual(targets);
  });
});

describe('storeGraphs and restoreGraphs (the oracle)', () => {
  const graphs = buildAuthorityGraphs(randomLinks(41, 200, 6), [makePage('https://lonely.net/')]);

  it('give back the same graphs, the domain graph rebuilt', () => {
    const restored = restoreGraphs(structuredClone(storeGraphs(graphs)))!;
    expect(restored.pages.keys).toEqual(graphs.pages.keys);
    expect(restored.pages.ids.get('https://lonely.net/')).toBe(
      graphs.pages.ids.get('https://lonely.net/'),
    );
    expect(restored.pages.offsets).toEqual(graphs.pages.offsets);
    expect(restored.pages.targets).toEqual(graphs.pages.targets);
    expect(restored.domainOf).toEqual(graphs.domainOf);
    expect(restored.domains.keys).toEqual(graphs.domains.keys);
    expect(edgesOf(restored.domains)).toEqual(edgesOf(graphs.domains));
  });

  it('give back empty graphs', () => {
    const restored = restoreGraphs(storeGraphs(buildAuthorityGraphs([])))!;
    expect(restored.pages.keys).toEqual([]);
    expect(restored.domains.keys).toEqual([]);
  });

  it.each([
    [
      'a key twice',
      (s: ReturnType<typeof storeGraphs>) => ({ ...s, pageKeys: `${s.pageKeys}\n${s.pageKeys}` }),
    ],
    [
      'a link to no node',
      (s: ReturnType<typeof storeGraphs>) => {
        const targets = s.targets.slice();
        targets[0] = 1e6;
        return { ...s, targets };
      },
    ],
    [
      'rows that do not add up',
      (s: ReturnType<typeof storeGraphs>) => ({ ...s, offsets: s.offsets.slice(1) }),
    ],
    [
      'a page of no domain',
      (s: ReturnType<typeof storeGraphs>) => ({ ...s, domainOf: s.domainOf.map(() => -1) }),
    ],
  ])('refuse stored values that make no graph: %s', (_, spoil) => {
    expect(restoreGraphs(spoil(storeGraphs(graphs)))).toBeNull();
  });
});
