import { describe, expect, it } from 'vitest';
import {
  AuthorityGraphBuilder,
  buildAuthorityGraphs,
  graphsFromPacked,
  rankGraph,
  scoresByKey,
  type LinkGraph,
} from '../../src/core/authority';
import { graphRowOf, GraphRowCollector, type GraphRow } from '../../src/core/authority-rows';
import {
  indexPacked,
  isPackedRows,
  mergePacked,
  packRows,
  rowsAmong,
  unpackRows,
  type PackedRows,
} from '../../src/core/authority-packed';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { seededRandom } from '../bench/random';
import { makeLink, makePage } from './helpers';

const url = (i: number) => `https://site${i % 7}.com/p${i}`;

/**
 * Pages and links of every kind the walk tells apart, in no particular order: nofollow and
 * sponsored links, lost links, self-links, one target under several anchors, robots nofollow
 * pages, pages nothing stored links from, and link sources without a page record.
 */
function randomRecords(seed: number, n: number): { pages: PageRecord[]; links: LinkRecord[] } {
  const random = seededRandom(seed);
  const pages = Array.from({ length: n }, (_, i) => i)
    .filter(() => random() < 0.8)
    .map((i) => makePage(url(i), { domain: `site${i % 7}.com`, robotsNofollow: random() < 0.1 }));
  const links: LinkRecord[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = Math.floor(random() * 6); k > 0; k--) {
      const r = random();
      links.push(
        makeLink(url(i), url(r < 0.05 ? i : Math.floor(random() ** 2 * n)), {
          anchor: `a${Math.floor(random() * 3)}`,
          rel: r < 0.2 ? ['nofollow'] : r < 0.25 ? ['sponsored'] : [],
          lostAt: random() < 0.1 ? 1 : null,
          sourceDomain: `site${i % 7}.com`,
        }),
      );
    }
  }
  // Records in the order of no index: the rows must not depend on it.
  links.sort(() => random() - 0.5);
  return { pages, links };
}

const ranks = (graph: LinkGraph) => scoresByKey(graph, rankGraph(graph).scores);

describe('graph rows', () => {
  it('give the graphs, and so the scores, of a build from the records', () => {
    for (const seed of [1, 2, 3]) {
      const { pages, links } = randomRecords(seed, 120);
      const fromRecords = buildAuthorityGraphs(links, pages);
      const collector = new GraphRowCollector();
      for (const page of pages) collector.addPage(page);
      for (const link of links) collector.addLink(link);
      const fromRows = new AuthorityGraphBuilder().addRows(collector.rows()).build();
      for (const kind of ['pages', 'domains'] as const) {
        const [want, got] = [ranks(fromRecords[kind]), ranks(fromRows[kind])];
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [key, score] of want)
          expect(Math.abs(got.get(key)! - score)).toBeLessThan(1e-12);
      }
    }
  });

  it('keep each target once, passing if any live followed link to it passes', () => {
    const source = 'https://a.com/';
    const row = graphRowOf(source, makePage(source), [
      makeLink(source, 'https://c.com/', { anchor: 'x', rel: ['nofollow'] }),
      makeLink(source, 'https://c.com/', { anchor: 'y' }),
      makeLink(source, 'https://b.com/', { lostAt: 5 }),
      makeLink(source, source),
      makeLink(source, 'https://d.com/', { rel: ['ugc'] }),
    ])!;
    expect(row.targets.split('\n')).toEqual([
      'https://a.com/',
      'https://b.com/',
      'https://c.com/',
      'https://d.com/',
    ]);
    expect([...row.passes]).toEqual([0, 0, 1, 0]);
    expect(row.domains.split('\n')).toEqual(['a.com', 'b.com', 'c.com', 'd.com']);
  });

  it('are gone when neither page nor link is stored, and a page alone is a row', () => {
    expect(graphRowOf('https://a.com/', undefined, [])).toBeNull();
    expect(graphRowOf('https://a.com/', makePage('https://a.com/'), [])).toMatchObject({
      targets: '',
      domain: 'a.com',
    });
  });
});

/** The rows of some random records, through the collector: what the graph store holds. */
function randomRows(seed: number, n: number): GraphRow[] {
  const { pages, links } = randomRecords(seed, n);
  const collector = new GraphRowCollector();
  for (const page of pages) collector.addPage(page);
  for (const link of links) collector.addLink(link);
  return collector.rows();
}

/** Rows as plain values in URL order, without what the packed value does not keep. */
const plain = (rows: readonly Omit<GraphRow, 'canonical'>[]) =>
  [...rows]
    .sort((a, b) => (a.url < b.url ? -1 : 1))
    .map((row) => ({
      url: row.url,
      domain: row.domain,
      nofollow: row.nofollow,
      targets: row.targets,
      domains: row.domains,
      passes: [...row.passes],
    }));

/** The nodes a packed value has, with their domains: no more, no fewer than the rows name. */
function nodesOf(packed: PackedRows): string[] {
  const domains = packed.domains.split('\n');
  return packed.urls
    .split('\n')
    .map((url, i) => `${url} ${domains[packed.domainOf[i]!]}`)
    .sort();
}

describe('packed rows', () => {
  it('give back the rows, and the graphs and scores the rows give', () => {
    for (const seed of [1, 2, 3]) {
      const rows = randomRows(seed, 150);
      const packed = packRows(rows);
      expect(isPackedRows(packed)).toBe(true);
      expect(plain(unpackRows(packed))).toEqual(plain(rows));
      const fromRows = new AuthorityGraphBuilder().addRows(rows).build();
      const fromPacked = graphsFromPacked(packed, indexPacked(packed));
      for (const kind of ['pages', 'domains'] as const) {
        const [want, got] = [ranks(fromRows[kind]), ranks(fromPacked[kind])];
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [key, score] of want)
          expect(Math.abs(got.get(key)! - score)).toBeLessThan(1e-12);
      }
    }
  });

  it('merged with changed and removed rows, equal the new rows packed', () => {
    for (const seed of [4, 5, 6]) {
      const before = randomRows(seed, 150);
      const random = seededRandom(seed);
      // Some rows changed (links of another graph), some gone, some new.
      const other = new Map(randomRows(seed + 100, 200).map((r) => [r.url, r]));
      const changed: GraphRow[] = [];
      const removed: string[] = [];
      const after = new Map(before.map((r) => [r.url, r]));
      for (const row of before) {
        const r = random();
        if (r < 0.1) {
          removed.push(row.url);
          after.delete(row.url);
        } else if (r < 0.2 && other.has(row.url)) {
          changed.push(other.get(row.url)!);
          after.set(row.url, other.get(row.url)!);
        }
      }
      for (const row of other.values()) {
        if (!after.has(row.url) && !removed.includes(row.url) && random() < 0.1) {
          changed.push(row);
          after.set(row.url, row);
        }
      }
      const merged = mergePacked(packRows(before), changed, removed);
      const want = packRows([...after.values()]);
      expect(isPackedRows(merged)).toBe(true);
      expect(plain(unpackRows(merged))).toEqual(plain(unpackRows(want)));
      // Nodes only the removed rows named are gone, with their domains.
      expect(nodesOf(merged)).toEqual(nodesOf(want));
      expect(merged.domains.split('\n').sort()).toEqual(want.domains.split('\n').sort());
    }
  });

  it('keep the ids of the nodes that stay, new ones after', () => {
    const a = graphRowOf('https://a.com/', makePage('https://a.com/'), [
      makeLink('https://a.com/', 'https://b.com/'),
    ])!;
    const c = graphRowOf('https://c.com/', makePage('https://c.com/'), [
      makeLink('https://c.com/', 'https://d.com/'),
    ])!;
    const base = packRows([a]);
    const merged = mergePacked(base, [c]);
    expect(merged.urls.split('\n')).toEqual([
      'https://a.com/',
      'https://b.com/',
      'https://c.com/',
      'https://d.com/',
    ]);
    const index = indexPacked(merged);
    expect(rowsAmong(merged, index, ['https://a.com/', 'https://b.com/', 'https://c.com/'])).toBe(
      2,
    );
    // Removing a's row drops a and b, which nothing else names; c and d are renumbered.
    expect(mergePacked(merged, [], ['https://a.com/']).urls).toBe('https://c.com/\nhttps://d.com/');
  });

  it('are refused when they do not hold together', () => {
    const packed = packRows(randomRows(7, 40));
    expect(isPackedRows(packed)).toBe(true);
    expect(isPackedRows({ ...packed, targets: packed.targets.map(() => 1e6) })).toBe(false);
    expect(isPackedRows({ ...packed, offsets: packed.offsets.slice(1) })).toBe(false);
    expect(isPackedRows({ ...packed, urls: `${packed.urls}\nhttps://extra.com/` })).toBe(false);
    expect(isPackedRows({ ...packed, passes: Array.from(packed.passes) })).toBe(false);
    expect(isPackedRows(null)).toBe(false);
  });
});
