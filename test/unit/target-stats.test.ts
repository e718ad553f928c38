import { describe, expect, it } from 'vitest';
import { applyChange, emptyStats, statsOf, tallyLink } from '../../src/core/target-stats';
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
