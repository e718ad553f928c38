import { describe, expect, it } from 'vitest';
import {
  applyChange,
  authorityOfDomain,
  authorityOfTargets,
  emptyStats,
  keptDomains,
  setAuthority,
  statsOf,
  tallyLink,
} from '../../src/core/target-stats';
import { authorityOf } from '../../src/core/summary';
import { makeLink } from './helpers';

const T = 'https://t.com/page';

describe('statsOf', () => {
  it('counts links, live ones and followed ones per source domain, as the summary does', () => {
    const stats = statsOf(T, [
      { link: makeLink('https://a.com/1', T), pageNofollow: false },
      { link: makeLink('https://a.com/2', T, { rel: ['sponsored'] }), pageNofollow: false },
      { link: makeLink('https://a.com/3', T), pageNofollow: true },
      { link: makeLink('https://b.com/1', T, { lostAt: 5 }), pageNofollow: false },
      { link: makeLink('https://t.com/about', T), pageNofollow: false },
      // Not the target's, and a self-link: neither counts.
      { link: makeLink('https://a.com/1', 'https://t.com/other'), pageNofollow: false },
      { link: makeLink(T, T), pageNofollow: false },
    ]);
    expect(stats).toEqual({
      target: T,
      targetDomain: 't.com',
      links: 5,
      live: 4,
      rels: { nofollow: 0, sponsored: 1, ugc: 0 },
      domains: { 'a.com': [3, 3, 1], 'b.com': [1, 0, 0], 't.com': [1, 1, 1] },
    });
  });
});

describe('tallyLink and applyChange', () => {
  it('take a link away as it was and add it as it is, dropping emptied domains', () => {
    const before = makeLink('https://a.com/1', T);
    const stats = new Map([[T, statsOf(T, [{ link: before, pageNofollow: false }])]]);
    const lost = { ...before, lostAt: 9 };
    const changed = applyChange(
      stats,
      [{ link: before, pageNofollow: false }],
      [{ link: lost, pageNofollow: true }],
    );
    expect([...changed]).toEqual([T]);
    expect(stats.get(T)!.domains).toEqual({ 'a.com': [1, 0, 0] });
    tallyLink(stats.get(T)!, { link: lost, pageNofollow: true }, -1);
    expect(stats.get(T)).toEqual(emptyStats(T));
  });

  it('leaves targets without an aggregate alone', () => {
    const other = makeLink('https://a.com/1', 'https://u.com/');
    const changed = applyChange(new Map(), [], [{ link: other, pageNofollow: false }]);
    expect(changed.size).toBe(0);
  });
});

describe('the authority kept with an aggregate', () => {
  const oneEach = (domains: string[]) =>
    statsOf(
      T,
      domains.map((d) => ({ link: makeLink(`https://${d}/p`, T), pageNofollow: false })),
    );

  it("is its domains' scores in tenths, in their tallies; says when it changed", () => {
    const stats = oneEach(['a.com', 'b.com']);
    const scores = new Map([
      ['a.com', 40],
      ['elsewhere.com', 90],
    ]);
    expect(setAuthority(stats, scores)).toBe(true);
    expect(stats.domains).toEqual({ 'a.com': [1, 1, 1, 400], 'b.com': [1, 1, 1] });
    expect(authorityOfTargets([stats])).toEqual({ 'a.com': 40 });
    expect(setAuthority(stats, new Map(scores))).toBe(false);
    // Kept to a tenth: a score that moved less changes nothing to put.
    expect(setAuthority(stats, new Map([['a.com', 40.04]]))).toBe(false);
    expect(setAuthority(stats, new Map([['a.com', 41.26]]))).toBe(true);
    expect(authorityOfTargets([stats])).toEqual({ 'a.com': 41.3 });
    // A write keeps it; unscored by the next computation, the tally is one of counts again.
    tallyLink(stats, { link: makeLink('https://a.com/q', T), pageNofollow: false }, 1);
    expect(stats.domains['a.com']).toEqual([2, 2, 2, 413]);
    expect(setAuthority(stats, new Map())).toBe(true);
    expect(stats.domains['a.com']).toEqual([2, 2, 2]);
    expect(setAuthority(stats, new Map())).toBe(false);
  });

  it('decides which groups keep their rows: the strongest of equal counts', () => {
    const domains = Array.from({ length: 50 }, (_, i) => `d${String(i).padStart(2, '0')}.com`);
    const stats = oneEach(domains);
    expect([...keptDomains(stats)].sort()).toEqual(domains.slice(0, 40));
    // The last ten by name are the strongest.
    setAuthority(stats, new Map(domains.slice(40).map((d, i) => [d, 10 + i])));
    const kept = keptDomains(stats);
    expect(domains.slice(40).every((d) => kept.has(d))).toBe(true);
    expect(kept.size).toBe(40);
  });

  it("is the first target's where several keep one", () => {
    const first = oneEach(['a.com']);
    setAuthority(first, new Map([['a.com', 3]]));
    const second = oneEach(['a.com', 'b.com']);
    setAuthority(
      second,
      new Map([
        ['a.com', 4],
        ['b.com', 5],
      ]),
    );
    expect(authorityOfTargets([undefined, first, null, second])).toEqual({
      'a.com': 3,
      'b.com': 5,
    });
  });

  it('is, domain by domain (authorityOfDomain), what authorityOfTargets gives', () => {
    // c.com is in the first target's tallies with no score (a refresh under way): the second's.
    const first = oneEach(['a.com', 'c.com']);
    setAuthority(first, new Map([['a.com', 3]]));
    const second = oneEach(['a.com', 'b.com', 'c.com']);
    setAuthority(
      second,
      new Map([
        ['a.com', 4],
        ['b.com', 5],
        ['c.com', 6],
      ]),
    );
    const records = [undefined, first, null, second];
    const all = authorityOfTargets(records);
    expect(all).toEqual({ 'a.com': 3, 'b.com': 5, 'c.com': 6 });
    for (const domain of ['a.com', 'b.com', 'c.com', 'd.com', 'constructor']) {
      expect(authorityOfDomain(records, domain), domain).toBe(authorityOf(all, domain));
    }
  });
});
