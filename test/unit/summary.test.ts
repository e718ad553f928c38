import { describe, expect, it } from 'vitest';
import { compareGroupRanks, summarizeBacklinks, summarizeSite } from '../../src/core/summary';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { at, makeLink, makePage } from './helpers';

const TARGET = 'https://target.com/page';

function sourcesOf(...pages: PageRecord[]): Record<string, PageRecord> {
  return Object.fromEntries(pages.map((p) => [p.url, p]));
}

describe('summarizeBacklinks', () => {
  const links: LinkRecord[] = [
    makeLink('https://a.com/1', TARGET, { lastSeen: at(1) }),
    makeLink('https://a.com/2', TARGET, { rel: ['nofollow'], lastSeen: at(9) }),
    makeLink('https://b.com/x', TARGET, { rel: ['sponsored', 'nofollow'] }),
    makeLink('https://c.com/', TARGET, { rel: ['ugc'], lostAt: at(4) }),
    makeLink('https://blog.target.com/post', TARGET, { lastSeen: at(1) }),
    makeLink('https://d.com/', TARGET),
    makeLink('https://www.target.com/', TARGET, { lastSeen: at(8), lostAt: at(9) }),
  ];
  const sources = sourcesOf(
    makePage('https://a.com/1', { title: 'A one' }),
    makePage('https://a.com/2', { title: 'A two' }),
    makePage('https://d.com/', { title: 'D', robotsNofollow: true }),
    // b.com, c.com and the target.com pages have no stored page record.
  );
  const summary = summarizeBacklinks(links, sources);

  it('counts live and lost links', () => {
    expect(summary.live).toBe(5);
    expect(summary.lost).toBe(2);
  });

  it('counts distinct external referring domains with a live link', () => {
    // a.com (twice), b.com, d.com; c.com only has a lost link; target.com is internal.
    expect(summary.referringDomains).toBe(3);
  });

  it('counts live internal links and followed links', () => {
    expect(summary.internal).toBe(1);
    // a.com/1 and blog.target.com; d.com is unfollowed by its robots meta.
    expect(summary.followed).toBe(2);
  });

  it('counts qualifying rel values on live links only', () => {
    expect(summary.relCounts).toEqual({ nofollow: 2, sponsored: 1, ugc: 0 });
  });

  it('groups by source domain: external first by followed then live links then name, internal last', () => {
    expect(summary.groups.map((g) => [g.domain, g.internal, g.live, g.links.length])).toEqual([
      ['a.com', false, 2, 2],
      ['b.com', false, 1, 1],
      ['d.com', false, 1, 1],
      ['c.com', false, 0, 1],
      ['target.com', true, 1, 2],
    ]);
  });

  it('ranks a referring domain whose link passes authority above one with more unfollowed links', () => {
    const s = summarizeBacklinks(
      [
        makeLink('https://many.com/1', TARGET, { rel: ['nofollow'] }),
        makeLink('https://many.com/2', TARGET, { rel: ['ugc'] }),
        makeLink('https://many.com/3', TARGET, { rel: ['sponsored'] }),
        makeLink('https://one.com/', TARGET),
      ],
      {},
    );
    expect(s.groups.map((g) => [g.domain, g.followed, g.live])).toEqual([
      ['one.com', 1, 1],
      ['many.com', 0, 3],
    ]);
  });

  it('orders links live before lost and followed before unfollowed, whatever their dates', () => {
    const a = summary.groups.find((g) => g.domain === 'a.com')!;
    expect(a.links.map((l) => [l.source, l.unfollowed])).toEqual([
      ['https://a.com/1', false],
      ['https://a.com/2', true],
    ]);
    const internal = summary.groups.find((g) => g.domain === 'target.com')!;
    expect(internal.links.map((l) => [l.source, l.lostAt])).toEqual([
      ['https://blog.target.com/post', null],
      ['https://www.target.com/', at(9)],
    ]);
  });

  it('marks links unfollowed by rel or by the source page robots nofollow', () => {
    const views = summary.groups.flatMap((g) => g.links);
    const bySource = Object.fromEntries(views.map((v) => [v.source, v]));
    expect(bySource['https://a.com/1']).toMatchObject({ unfollowed: false, pageNofollow: false });
    expect(bySource['https://b.com/x']).toMatchObject({ unfollowed: true, pageNofollow: false });
    expect(bySource['https://c.com/']).toMatchObject({ unfollowed: true, pageNofollow: false });
    expect(bySource['https://d.com/']).toMatchObject({ unfollowed: true, pageNofollow: true });
  });

  it('marks links from a robots noindex page, which does not by itself unfollow them', () => {
    const noindex = makePage('https://e.com/', { robotsNoindex: true });
    const s = summarizeBacklinks([makeLink(noindex.url, TARGET)], sourcesOf(noindex));
    expect(s.groups[0]!.links[0]).toMatchObject({ pageNoindex: true, unfollowed: false });
    expect(summary.groups.flatMap((g) => g.links).some((v) => v.pageNoindex)).toBe(false);
  });

  it('adds source titles, empty when the source page is unknown', () => {
    const views = summary.groups.flatMap((g) => g.links);
    const titles = Object.fromEntries(views.map((v) => [v.source, v.sourceTitle]));
    expect(titles['https://a.com/2']).toBe('A two');
    expect(titles['https://d.com/']).toBe('D');
    expect(titles['https://b.com/x']).toBe('');
  });

  it('keeps every input link exactly once and leaves the input untouched', () => {
    const views = summary.groups.flatMap((g) => g.links);
    expect(views).toHaveLength(links.length);
    expect(new Set(views.map((v) => v.source)).size).toBe(links.length);
    expect(links[0]).not.toHaveProperty('unfollowed');
  });

  it('does not treat other rel values as unfollowing', () => {
    const s = summarizeBacklinks(
      [makeLink('https://e.com/', TARGET, { rel: ['noopener', 'noreferrer', 'external'] })],
      {},
    );
    expect(s.followed).toBe(1);
    expect(s.relCounts).toEqual({ nofollow: 0, sponsored: 0, ugc: 0 });
  });

  it('sorts links of equal standing newest first, then by source', () => {
    const s = summarizeBacklinks(
      [
        makeLink('https://e.com/old', TARGET, { lastSeen: at(1) }),
        makeLink('https://e.com/b', TARGET, { lastSeen: at(5) }),
        makeLink('https://e.com/a', TARGET, { lastSeen: at(5) }),
        makeLink('https://e.com/lost-new', TARGET, { lastSeen: at(9), lostAt: at(10) }),
        makeLink('https://e.com/nofollow-new', TARGET, { lastSeen: at(9), rel: ['ugc'] }),
      ],
      {},
    );
    expect(s.groups[0]!.links.map((l) => l.source)).toEqual([
      'https://e.com/a',
      'https://e.com/b',
      'https://e.com/old',
      'https://e.com/nofollow-new',
      'https://e.com/lost-new',
    ]);
  });

  it('puts the internal group last even when it has the most live links', () => {
    const s = summarizeBacklinks(
      [
        makeLink('https://target.com/1', TARGET),
        makeLink('https://target.com/2', TARGET),
        makeLink('https://target.com/3', TARGET),
        makeLink('https://z.com/', TARGET),
      ],
      {},
    );
    expect(s.groups.map((g) => g.domain)).toEqual(['z.com', 'target.com']);
    expect(s.internal).toBe(3);
    expect(s.referringDomains).toBe(1);
  });

  it('marks links merged by a redirect or a fold and counts live redirected ones apart', () => {
    const OLD = 'https://old.com/page';
    const VARIANT = 'https://www.target.com/page';
    const s = summarizeBacklinks(
      [
        makeLink('https://a.com/', TARGET),
        makeLink('https://b.com/', OLD),
        makeLink('https://c.com/', OLD, { lostAt: at(2) }),
        makeLink('https://d.com/', VARIANT),
      ],
      {},
      {
        via: {
          [OLD]: { kind: 'redirect', status: 301, next: TARGET, hops: 1 },
          [VARIANT]: { kind: 'variant', kinds: ['www'] },
        },
        domain: 'target.com',
      },
    );
    const via = Object.fromEntries(s.groups.flatMap((g) => g.links).map((l) => [l.source, l.via]));
    expect(via).toEqual({
      'https://a.com/': null,
      'https://b.com/': { kind: 'redirect', status: 301, next: TARGET, hops: 1 },
      'https://c.com/': { kind: 'redirect', status: 301, next: TARGET, hops: 1 },
      'https://d.com/': { kind: 'variant', kinds: ['www'] },
    });
    expect(s.live).toBe(3);
    expect(s.viaRedirect).toBe(1);
  });

  it("judges a redirected link internal against the page's site, not the old URL's", () => {
    const OLD = 'https://old.com/page';
    const links = [makeLink('https://old.com/blog', OLD), makeLink('https://target.com/x', OLD)];
    const via = { [OLD]: { kind: 'redirect' as const, status: 308, next: TARGET, hops: 1 } };
    const s = summarizeBacklinks(links, {}, { via, domain: 'target.com' });
    expect(s.groups.map((g) => [g.domain, g.internal])).toEqual([
      ['old.com', false],
      ['target.com', true],
    ]);
    expect([s.internal, s.referringDomains]).toEqual([1, 1]);
  });

  it('summarizes nothing as zeros', () => {
    expect(summarizeBacklinks([], {})).toEqual({
      live: 0,
      lost: 0,
      referringDomains: 0,
      internal: 0,
      followed: 0,
      viaRedirect: 0,
      relCounts: { nofollow: 0, sponsored: 0, ugc: 0 },
      groups: [],
    });
  });
});

describe('groups of equal counts', () => {
  // Seven domains of one live followed link each, and one with two: the counts come first.
  const domains = ['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com', 'g.com'];
  const links = [
    ...domains.map((d) => makeLink(`https://${d}/post`, TARGET)),
    makeLink('https://z.com/1', TARGET),
    makeLink('https://z.com/2', TARGET),
  ];
  const authority = { 'b.com': 12, 'd.com': 61.5, 'f.com': 0, 'g.com': 12, 'z.com': 1 };

  it("come strongest first by their domain's stored authority, unscored last, then by name", () => {
    const order = summarizeBacklinks(links, {}, undefined, authority).groups.map((g) => g.domain);
    expect(order).toEqual(['z.com', 'd.com', 'b.com', 'g.com', 'f.com', 'a.com', 'c.com', 'e.com']);
  });

  it('come by name when no authority is kept (a page without an aggregate)', () => {
    const order = summarizeBacklinks(links, {}).groups.map((g) => g.domain);
    expect(order).toEqual(['z.com', ...domains]);
  });

  it('are ranked so from counts and stored scores alone (the head of a hot page)', () => {
    const rank = (domain: string, authority?: number) => ({
      domain,
      internal: false,
      live: 1,
      followed: 1,
      size: 1,
      authority,
    });
    expect(compareGroupRanks(rank('a.com', 5), rank('b.com', 50))).toBeGreaterThan(0);
    expect(compareGroupRanks(rank('a.com', 0), rank('b.com'))).toBeLessThan(0);
    expect(compareGroupRanks(rank('b.com', 7), rank('a.com', 7))).toBeGreaterThan(0);
    // A stronger domain does not pass one with more followed links.
    expect(compareGroupRanks({ ...rank('a.com', 1), followed: 2 }, rank('b.com', 99))).toBeLessThan(
      0,
    );
    // Nor does a key of Object.prototype pass for a score (a function: NaN, then by name,
    // would put `constructor` first).
    const order = summarizeBacklinks(
      [makeLink('https://constructor/x', TARGET), makeLink('https://d.com/x', TARGET)],
      {},
      undefined,
      { 'd.com': 3 },
    ).groups.map((g) => g.domain);
    expect(order).toEqual(['d.com', 'constructor']);
  });
});

describe('summarizeSite', () => {
  it('counts live external links into the site and ranks its most linked pages', () => {
    const links = [
      makeLink('https://a.com/1', 'https://site.com/x'),
      makeLink('https://a.com/2', 'https://site.com/x'),
      makeLink('https://b.com/1', 'https://site.com/x'),
      makeLink('https://b.com/1', 'https://site.com/y'),
      makeLink('https://c.com/1', 'https://site.com/z', { lostAt: at(2) }),
      makeLink('https://site.com/home', 'https://site.com/z'),
    ];
    expect(summarizeSite('site.com', links)).toEqual({
      domain: 'site.com',
      live: 4,
      referringDomains: 2,
      topTargets: [
        { url: 'https://site.com/x', live: 3 },
        { url: 'https://site.com/y', live: 1 },
      ],
      complete: true,
    });
  });

  it('keeps only the requested number of top pages', () => {
    const links = ['p', 'q', 'r'].map((p) => makeLink('https://a.com/', `https://site.com/${p}`));
    expect(summarizeSite('site.com', links, 2).topTargets.map((t) => t.url)).toEqual([
      'https://site.com/p',
      'https://site.com/q',
    ]);
  });
});

describe('last sighting', () => {
  const TARGET = 'https://target.com/';
  it("shows and orders a live link by its page's last visit when later, a lost one by its own", () => {
    const links = [
      makeLink('https://a.com/1', TARGET, { lastSeen: at(5) }),
      // Stored at(1), its page visited again at(8) and the link found unchanged.
      makeLink('https://a.com/2', TARGET, { lastSeen: at(1) }),
      makeLink('https://a.com/3', TARGET, { lastSeen: at(2), lostAt: at(3) }),
      // A page not stored: the link's own.
      makeLink('https://a.com/4', TARGET, { lastSeen: at(4) }),
    ];
    const sources = {
      'https://a.com/1': makePage('https://a.com/1', { lastSeen: at(5) }),
      'https://a.com/2': makePage('https://a.com/2', { lastSeen: at(8) }),
      'https://a.com/3': makePage('https://a.com/3', { lastSeen: at(9) }),
    };
    const [group] = summarizeBacklinks(links, sources).groups;
    expect(group!.links.map((l) => [l.source, l.lastSeen])).toEqual([
      ['https://a.com/2', at(8)],
      ['https://a.com/1', at(5)],
      ['https://a.com/4', at(4)],
      ['https://a.com/3', at(2)],
    ]);
  });
});
