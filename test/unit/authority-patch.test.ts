import { describe, expect, it } from 'vitest';
import {
  buildAuthorityGraphs,
  storeGraphs,
  type AuthorityGraphs,
  type LinkGraph,
} from '../../src/core/authority';
import { patchGraphs, priorIndex } from '../../src/core/authority-patch';
import { mergePatch } from '../../src/core/authority-job';
import { indexKeys } from '../../src/core/authority-packed';
import { graphRowOf, type GraphRow } from '../../src/core/authority-rows';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { randomLinks } from './authority-fixtures';
import { PatchingBuilder, restoreGraphs } from '../support/authority-oracle';
import { at, makeLink, makePage } from './helpers';

/** A graph as plain arrays, ids and order included: two equal ones rank bit for bit alike. */
const plain = (g: LinkGraph) => ({
  keys: [...g.keys],
  offsets: Array.from(g.offsets),
  targets: Array.from(g.targets),
});
const plainGraphs = (g: AuthorityGraphs) => ({
  pages: plain(g.pages),
  domains: plain(g.domains),
  domainOf: Array.from(g.domainOf),
});

describe('patchGraphs', () => {
  const links = randomLinks(51, 400, 8);
  const pages = [makePage('https://site3.com/p3', { robotsNofollow: true })];
  const base = buildAuthorityGraphs(links, pages);
  const stored = storeGraphs(base);
  const SOURCE = 'https://site5.com/p5';
  const linksOf = (url: string) => links.filter((l) => l.source === url);
  const rowOf = (url: string, all: LinkRecord[], page?: PageRecord): GraphRow | null =>
    graphRowOf(
      url,
      page,
      all.filter((l) => l.source === url),
    );

  /** What the incremental update built before: the builder on the restored graphs. */
  const byBuilder = (rows: GraphRow[], replaced: string[]) => {
    const builder = new PatchingBuilder(restoreGraphs(stored)!);
    for (const url of [...replaced, ...rows.map((r) => r.url)]) builder.replaceLinksOf(url);
    return builder.addRows(rows).build();
  };

  const cases: Array<[string, () => { rows: GraphRow[]; replaced: string[] }]> = [
    [
      'a new page linking in',
      () => {
        const l = [makeLink('https://new.site0.com/', 'https://site1.com/p1')];
        return {
          rows: [rowOf('https://new.site0.com/', l)!],
          replaced: ['https://new.site0.com/'],
        };
      },
    ],
    [
      'links of a page lost on a revisit, one turned nofollow',
      () => {
        const l = linksOf(SOURCE).map((x, i) =>
          i === 0 ? { ...x, rel: ['nofollow'] } : i % 2 ? x : { ...x, lostAt: at(3) },
        );
        return { rows: [rowOf(SOURCE, l)!], replaced: [SOURCE] };
      },
    ],
    [
      'new domains, linked to and linking, and a page gone',
      () => {
        const l = [
          ...linksOf(SOURCE),
          makeLink(SOURCE, 'https://fresh.org/'),
          makeLink('https://fresh.org/', 'https://site7.com/p7'),
          makeLink('https://fresh.org/', 'https://other-fresh.net/a'),
        ];
        const rows = [rowOf(SOURCE, l)!, rowOf('https://fresh.org/', l)!];
        return { rows, replaced: [SOURCE, 'https://fresh.org/', 'https://site9.com/p9'] };
      },
    ],
    [
      'a page turned robots nofollow, and one that no longer is',
      () => {
        const rows = [
          rowOf(SOURCE, links, makePage(SOURCE, { robotsNofollow: true }))!,
          rowOf('https://site3.com/p3', links, makePage('https://site3.com/p3'))!,
        ];
        return { rows, replaced: [SOURCE, 'https://site3.com/p3'] };
      },
    ],
  ];

  it.each(cases)('gives what the builder gives on the restored graphs: %s', (_, change) => {
    const { rows, replaced } = change();
    const patched = patchGraphs(stored, rows, replaced)!;
    const expected = plainGraphs(byBuilder(rows, replaced));
    expect(plainGraphs(patched)).toEqual(expected);
    expect(patched.pageKeys).toBe(expected.pages.keys.join('\n'));
    expect(patched.base.pages.keys).toEqual(base.pages.keys);
    // What an earlier version kept (no domain graph): the same, the domain graph built whole.
    const { domainOffsets: _o, domainTargets: _t, ...older } = stored;
    expect(plainGraphs(patchGraphs(older, rows, replaced)!)).toEqual(expected);
  });

  it('with nothing changed, gives the stored graphs', () => {
    expect(plainGraphs(patchGraphs(stored, [])!)).toEqual(plainGraphs(base));
  });

  it('refuses stored graphs that do not hold together', () => {
    const targets = stored.targets.slice();
    targets[0] = 1e6;
    expect(patchGraphs({ ...stored, targets }, [])).toBeNull();
    expect(patchGraphs({ ...stored, offsets: stored.offsets.subarray(1) }, [])).toBeNull();
    expect(patchGraphs({ ...stored, domainOf: new Int32Array(3) }, [])).toBeNull();
  });

  it('leaves the stored arrays as they were', () => {
    const before = structuredClone(stored);
    const l = [makeLink(SOURCE, 'https://x.com/')];
    patchGraphs(stored, [rowOf(SOURCE, l)!], [SOURCE]);
    expect(stored).toEqual(before);
  });

  /** Edges as "source → target" keys, and the nodes: a graph whatever its ids. */
  const byKey = (g: AuthorityGraphs) => {
    const edges = (graph: LinkGraph) =>
      Array.from(graph.keys, (key, i) =>
        Array.from(graph.targets.subarray(graph.offsets[i], graph.offsets[i + 1]), (t) => {
          return `${key} -> ${graph.keys[t]}`;
        }),
      )
        .flat()
        .sort();
    return {
      pages: [...g.pages.keys].sort(),
      pageEdges: edges(g.pages),
      domains: [...g.domains.keys].sort(),
      domainEdges: edges(g.domains),
      domainOf: g.pages.keys.map((key, i) => `${key} ${g.domains.keys[g.domainOf[i]!]}`).sort(),
    };
  };

  it('patched with every change since at once, gives the graphs of one patch after another', () => {
    const changes = cases.map(([, change]) => change());
    let oneByOne: AuthorityGraphs = base;
    let merged: { rows: GraphRow[]; replaced: string[] } | undefined;
    for (const { rows, replaced } of changes) {
      oneByOne = patchGraphs(storeGraphs(oneByOne), rows, replaced)!;
      merged = mergePatch(merged, rows, replaced);
      const atOnce = patchGraphs(stored, merged.rows, merged.replaced)!;
      expect(byKey(atOnce)).toEqual(byKey(oneByOne));
      // The kept graphs' nodes keep their ids.
      expect(atOnce.pages.keys.slice(0, base.pages.keys.length)).toEqual(base.pages.keys);
    }
  });
});

describe('mergePatch', () => {
  const row = (url: string, targets: string): GraphRow => ({
    url,
    domain: 'a.com',
    nofollow: false,
    canonical: null,
    targets,
    domains: targets && 'a.com',
    passes: new Uint8Array(targets ? 1 : 0),
  });

  it("takes each page's latest row, drops the row of a page now without one, keeps the rest", () => {
    const prior = {
      rows: [row('p1', 'x'), row('p2', 'y'), row('alias', 'z')],
      replaced: ['p1', 'p2'],
    };
    const merged = mergePatch(prior, [row('p2', 'w'), row('p3', '')], ['p2', 'p1', 'p3']);
    expect(merged.rows).toEqual([row('alias', 'z'), row('p2', 'w'), row('p3', '')]);
    expect(merged.replaced).toEqual(['p1', 'p2', 'p3']);
    expect(mergePatch(undefined, [row('p1', 'x')], ['p1'])).toEqual({
      rows: [row('p1', 'x')],
      replaced: ['p1'],
    });
  });
});

describe('priorIndex', () => {
  it('puts the added keys after the kept ones, and looks up only those', () => {
    const kept = indexKeys(['a', 'b']);
    const prior = priorIndex(kept, ['c', 'd']);
    expect(prior.keys).toEqual(['a', 'b', 'c', 'd']);
    expect([...prior.ids]).toEqual([
      ['c', 2],
      ['d', 3],
    ]);
    expect(priorIndex(kept, [])).toBe(kept);
  });
});
