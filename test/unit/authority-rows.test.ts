import { describe, expect, it } from 'vitest';
import {
  AuthorityGraphBuilder,
  buildAuthorityGraphs,
  rankGraph,
  scoresByKey,
  type LinkGraph,
} from '../../src/core/authority';
import { graphRowOf, GraphRowCollector } from '../../src/core/authority-rows';
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
