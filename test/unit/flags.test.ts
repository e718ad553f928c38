import { afterEach, describe, expect, test } from 'vitest';
import {
  addSiteFlags,
  BURST_FACTOR,
  countFlags,
  countsOf,
  BURST_MIN_LINKS,
  describeRisks,
  detectBursts,
  EXACT_ANCHOR_MIN_LINKS,
  findAnchorOverOptimization,
  findBursts,
  findCliques,
  findFlags,
  findLinkFarms,
  findLinkHubs,
  findPaidLinks,
  findReciprocal,
  findSitewide,
  MANY_OUT_DOMAINS,
  MAX_EVIDENCE,
  paidWording,
  spamSignalsOf,
  type FlagInput,
} from '../../src/core/flags';
import { linkKey, type LinkRecord, type PageRecord } from '../../src/core/types';
import { summarizeBacklinks } from '../../src/core/summary';
import { summarizeProfile } from '../../src/core/profile';
import { at, DAY, makeLink, makePage } from './helpers';
import { useLocale } from '../support/i18n-setup';
import { flagLabel } from '../../src/core/flag-counts';

const TARGET = 'https://shop.com/blue-widgets';
const target = { url: TARGET, domain: 'shop.com', title: 'Blue widgets | Shop' };
const NOW = at(100);

/** Every input a test builds: its counts are checked against the full computation's after it. */
const built: FlagInput[] = [];

function input(links: LinkRecord[], overrides: Partial<FlagInput> = {}): FlagInput {
  const sources: Record<string, PageRecord> = {};
  for (const l of links) {
    sources[l.source] ??= makePage(l.source, { title: 'A fine page title', outboundCount: 20 });
  }
  const made = { target, links, sources, now: NOW, ...overrides };
  built.push(made);
  return made;
}

// The risk line is shown from countFlags before findFlags builds the flags: on every fixture of
// this file, it must count what findFlags finds, kind by kind.
afterEach(() => {
  for (const fixture of built.splice(0)) {
    expect(countFlags(fixture)).toEqual(countsOf(findFlags(fixture).flags));
  }
  useLocale('en');
});

const inbound = (source: string, overrides: Partial<LinkRecord> = {}) =>
  makeLink(source, TARGET, overrides);

describe('reciprocal links', () => {
  test('a referring domain the target site links back to, with both links as evidence', () => {
    const there = inbound('https://a.com/post');
    const back = makeLink('https://shop.com/partners', 'https://a.com/');
    const oneWay = inbound('https://b.com/');
    const flags = findReciprocal(input([there, oneWay], { crossLinks: [back] }));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ kind: 'reciprocal', domain: 'a.com', severity: 'risk' });
    expect(flags[0]!.evidence.map((e) => [e.source, e.target])).toEqual([
      ['https://a.com/post', TARGET],
      ['https://shop.com/partners', 'https://a.com/'],
    ]);
    expect(flags[0]!.evidence[0]!.key).toBe(linkKey(there));
    expect(flags[0]!.evidence[1]!.key).toBeUndefined();
    expect(flags[0]!.summary).toMatch(/a\.com links to this page and shop\.com links back/);
  });

  test('a lost link back, or a lost link here, is no exchange', () => {
    const back = makeLink('https://shop.com/', 'https://a.com/', { lostAt: at(5) });
    expect(findReciprocal(input([inbound('https://a.com/')], { crossLinks: [back] }))).toEqual([]);
    const liveBack = { ...back, lostAt: null };
    const lostHere = inbound('https://a.com/', { lostAt: at(5) });
    expect(findReciprocal(input([lostHere], { crossLinks: [liveBack] }))).toEqual([]);
  });
});

describe('link farms', () => {
  test('maximal cliques of a small graph with a known answer', () => {
    // a-b-c-d is a 4-clique; d-e-f a triangle; g hangs on a alone.
    const edges = 'ab ac ad bc bd cd de df ef ag'.split(' ');
    const adjacency = new Map<string, Set<string>>();
    for (const [u, v] of edges.map((e) => [...e] as [string, string])) {
      adjacency.set(u, (adjacency.get(u) ?? new Set()).add(v));
      adjacency.set(v, (adjacency.get(v) ?? new Set()).add(u));
    }
    expect(findCliques(adjacency)).toEqual([
      ['a', 'b', 'c', 'd'],
      ['d', 'e', 'f'],
    ]);
  });

  test('three referring domains that all link both ways are flagged; one-way links are not', () => {
    const domains = ['x.com', 'y.com', 'z.com'];
    const links = [...domains, 'w.com'].map((d) => inbound(`https://${d}/`));
    const crossLinks: LinkRecord[] = [];
    for (const a of domains) {
      for (const b of domains) {
        if (a !== b) crossLinks.push(makeLink(`https://${a}/`, `https://${b}/`));
      }
    }
    // w links to x and y, but neither links back: not part of the circle.
    crossLinks.push(makeLink('https://w.com/', 'https://x.com/'));
    crossLinks.push(makeLink('https://w.com/', 'https://y.com/'));
    const flags = findLinkFarms(input(links, { crossLinks }));
    expect(flags).toHaveLength(1);
    expect(flags[0]!.domains).toEqual(domains);
    // Every ordered pair has its link (3 × 2), then each member's link to this page.
    expect(flags[0]!.evidence.map((e) => e.note)).toEqual([
      'x.com links to y.com',
      'x.com links to z.com',
      'y.com links to x.com',
      'y.com links to z.com',
      'z.com links to x.com',
      'z.com links to y.com',
      'x.com links to this page',
      'y.com links to this page',
      'z.com links to this page',
    ]);
    expect(flags[0]!.summary).toMatch(
      /^3 domains all link to each other: x\.com, y\.com, z\.com\./,
    );
  });

  test('the target site is a member when it links back to both', () => {
    const links = [inbound('https://x.com/'), inbound('https://y.com/')];
    const crossLinks = [
      makeLink('https://x.com/', 'https://y.com/'),
      makeLink('https://y.com/', 'https://x.com/'),
      makeLink('https://shop.com/', 'https://x.com/'),
      makeLink('https://shop.com/', 'https://y.com/'),
    ];
    const [farm] = findLinkFarms(input(links, { crossLinks }));
    expect(farm!.domains).toEqual(['shop.com', 'x.com', 'y.com']);
    expect(farm!.summary).toMatch(/this site among them/);
    // The links into this page are marked by key; the others are not this page's links.
    expect(farm!.evidence.filter((e) => e.key).map((e) => e.source)).toEqual([
      'https://x.com/',
      'https://y.com/',
    ]);
  });
});

describe('link hubs', () => {
  test('a source page linking to very many domains', () => {
    const hub = inbound('https://dir.com/links');
    const normal = inbound('https://blog.com/post');
    const flags = findLinkHubs(
      input([hub, normal], {
        outDomains: { 'https://dir.com/links': MANY_OUT_DOMAINS, 'https://blog.com/post': 12 },
      }),
    );
    expect(flags.map((f) => f.domain)).toEqual(['dir.com']);
    expect(flags[0]!.summary).toMatch(/as many as 100 other domains/);
  });
});

describe('sitewide links', () => {
  const footer = (n: number, domain: string) =>
    Array.from({ length: n }, (_, i) =>
      inbound(`https://${domain}/p${i}`, { region: 'footer', regions: ['footer'] }),
    );

  test('five pages of one domain is sitewide; four is not, unless most pages visited link', () => {
    const five = findSitewide(
      input([...footer(5, 'a.com'), ...footer(4, 'b.com')], { domainPages: { 'b.com': 9 } }),
    );
    expect(five.map((f) => f.domain)).toEqual(['a.com']);
    expect(five[0]!.summary).toBe(
      'a.com links here from 5 pages of the 5 you visited, mostly in the footer: a sitewide link (footer, blogroll) counts as one and can look bought.',
    );
    expect(five[0]!.evidence.every((e) => e.region === 'footer')).toBe(true);
    // b.com: 4 linking pages out of 6 visited is most of them; out of 9 it is not.
    expect(
      findSitewide(input(footer(4, 'b.com'), { domainPages: { 'b.com': 6 } })).map((f) => f.domain),
    ).toEqual(['b.com']);
    expect(findSitewide(input(footer(4, 'b.com'), { domainPages: { 'b.com': 9 } }))).toEqual([]);
    // Two of two is too little to say "every page".
    expect(findSitewide(input(footer(2, 'c.com'), { domainPages: { 'c.com': 2 } }))).toEqual([]);
  });

  test('a long evidence list is cut for showing, but every link stays in the index', () => {
    const links = footer(MAX_EVIDENCE + 7, 'big.com');
    const report = findFlags(input(links));
    const [flag] = report.flags.filter((f) => f.kind === 'sitewide');
    expect(flag!.evidence).toHaveLength(MAX_EVIDENCE);
    expect(flag!.more).toBe(7);
    expect(links.every((l) => report.byLink.get(linkKey(l))?.includes('sitewide'))).toBe(true);
  });

  test("the site's own pages are not a sitewide link from another site", () => {
    const own = Array.from({ length: 6 }, (_, i) =>
      makeLink(`https://shop.com/p${i}`, TARGET, { region: 'nav' }),
    );
    expect(findSitewide(input(own))).toEqual([]);
  });
});

describe('paid links', () => {
  test('paid wording is found in the context, then the anchor, as whole words', () => {
    expect(paidWording({ anchor: 'widgets', context: 'This post is sponsored by Shop' })).toBe(
      'sponsored',
    );
    expect(paidWording({ anchor: 'Our partner', context: undefined })).toBe('partner');
    expect(paidWording({ anchor: 'widgets', context: 'we paddle and upload' })).toBeNull();
  });

  test('declared rel=sponsored is a note; paid words on a followed link are a risk', () => {
    const declared = inbound('https://a.com/', { rel: ['sponsored'], rels: ['sponsored'] });
    const undeclared = inbound('https://b.com/', {
      context: 'Advertisement: the best blue widgets in town',
    });
    const nofollowed = inbound('https://c.com/', { rel: ['nofollow'], context: 'sponsored' });
    const old = inbound('https://d.com/', { anchor: 'affiliate link' });
    const plain = inbound('https://e.com/', { context: 'I liked these widgets' });
    const flags = findPaidLinks(input([declared, undeclared, nofollowed, old, plain]));
    expect(flags.map((f) => [f.kind, f.domain, f.severity])).toEqual([
      ['paid-undeclared', 'b.com', 'risk'],
      ['paid-undeclared', 'd.com', 'risk'],
      ['paid-declared', 'a.com', 'note'],
    ]);
    expect(flags[0]!.evidence[0]!.note).toBe(
      '"advertisement" in the words around the link, and the link is followed',
    );
    expect(flags[1]!.evidence[0]!.note).toBe('"affiliate" in its anchor, and the link is followed');
    expect(flags[2]!.summary).toMatch(/declared rel="sponsored"/);
  });

  test('a link whose page is robots nofollow is not followed', () => {
    const link = inbound('https://b.com/', { context: 'sponsored' });
    const flags = findPaidLinks(
      input([link], {
        sources: { [link.source]: makePage(link.source, { robotsNofollow: true }) },
      }),
    );
    expect(flags).toEqual([]);
  });
});

describe('anchor over-optimization', () => {
  const links = (exact: number, other: number) => [
    ...Array.from({ length: exact }, (_, i) =>
      inbound(`https://e${i}.com/`, { anchor: 'blue widgets' }),
    ),
    ...Array.from({ length: other }, (_, i) => inbound(`https://o${i}.com/`, { anchor: 'Shop' })),
  ];

  test('fires above the share, with the exact-match links as evidence', () => {
    const [flag] = findAnchorOverOptimization(input(links(3, 7)));
    expect(flag!.summary).toMatch(/^30% of links from other sites \(3 of 10\)/);
    expect(flag!.evidence).toHaveLength(3);
    expect(findAnchorOverOptimization(input(links(2, 8)))).toEqual([]);
  });

  test('needs a minimum number of links', () => {
    expect(EXACT_ANCHOR_MIN_LINKS).toBe(10);
    expect(findAnchorOverOptimization(input(links(5, 4)))).toEqual([]);
  });
});

describe('bursts', () => {
  /** One link a week for `weeks` weeks before the last 7 days, and `recent` in the last 7. */
  const timeline = (weeks: number, recent: number) => [
    ...Array.from({ length: weeks }, (_, i) => ({ firstSeen: NOW - (i + 1) * 7 * DAY - DAY })),
    ...Array.from({ length: recent }, (_, i) => ({ firstSeen: NOW - i * DAY })),
  ];

  test('a week with many links against a quiet baseline', () => {
    const bursts = detectBursts(timeline(8, 6), NOW);
    expect(bursts).toEqual([
      { start: NOW - 7 * DAY, end: NOW, count: 6, baselineWeekly: 1, baselineWeeks: 8 },
    ]);
  });

  test('below the minimum, or under the factor, is no burst', () => {
    expect(detectBursts(timeline(8, BURST_MIN_LINKS - 1), NOW)).toEqual([]);
    // Two a week before: 5 new is under 3×2.
    const busy = [...timeline(8, 5), ...timeline(8, 0)];
    expect(BURST_FACTOR * 2).toBeGreaterThan(5);
    expect(detectBursts(busy, NOW)).toEqual([]);
  });

  test('everything first seen this week is no burst: there is no baseline to compare', () => {
    expect(detectBursts(timeline(0, 20), NOW)).toEqual([]);
  });

  test('an older burst is found in its own week', () => {
    const links = [
      { firstSeen: NOW - 60 * DAY },
      ...Array.from({ length: 7 }, () => ({ firstSeen: NOW - 20 * DAY })),
    ];
    const [burst] = detectBursts(links, NOW);
    expect(burst).toMatchObject({ start: NOW - 21 * DAY, end: NOW - 14 * DAY, count: 7 });
  });

  test('page and site bursts, links from the own site left out', () => {
    const old = inbound('https://a.com/', { firstSeen: NOW - 30 * DAY });
    const recent = Array.from({ length: 5 }, (_, i) =>
      inbound(`https://n${i}.com/`, { firstSeen: NOW - DAY }),
    );
    const internal = Array.from({ length: 5 }, (_, i) =>
      makeLink(`https://shop.com/${i}`, TARGET, { firstSeen: NOW - 40 * DAY }),
    );
    const flags = findBursts(input([old, ...recent, ...internal], { siteLinks: [old] }));
    expect(flags.map((f) => f.burst?.scope)).toEqual(['page']);
    // The site's links: the same burst is not said twice; one more to another page is a site burst.
    const elsewhere = makeLink('https://m.com/', 'https://shop.com/other', {
      firstSeen: NOW - DAY,
    });
    const page = [old, ...recent];
    expect(findBursts(input(page, { siteLinks: page })).map((f) => f.burst?.scope)).toEqual([
      'page',
    ]);
    const wider = findBursts(input(page, { siteLinks: [...page, elsewhere] }));
    expect(wider.map((f) => [f.burst?.scope, f.burst?.count])).toEqual([
      ['page', 5],
      ['site', 6],
    ]);
    expect(flags[0]!.evidence.map((e) => e.source)).toEqual(recent.map((l) => l.source));
    expect(flags[0]!.summary).toMatch(/^5 new links to this page first seen between/);
  });

  test("a burst's days and weekly rate read the UI language's way", () => {
    useLocale('de');
    const old = inbound('https://a.com/', { firstSeen: NOW - 30 * DAY });
    const recent = Array.from({ length: 5 }, (_, i) =>
      inbound(`https://n${i}.com/`, { firstSeen: NOW - DAY }),
    );
    const [flag] = findBursts(input([old, ...recent]));
    const day = (t: number) => new Date(t).toLocaleDateString('de');
    expect(flag!.summary).toContain(
      `zwischen ${day(flag!.burst!.start)} und ${day(flag!.burst!.end)}, gegenüber 0,3 pro Woche`,
    );
  });

  test("the site's bursts added to flags found without them: the same report as all at once", () => {
    const page = [
      inbound('https://a.com/', { firstSeen: NOW - 30 * DAY }),
      ...Array.from({ length: 5 }, (_, i) =>
        inbound(`https://n${i}.com/`, { firstSeen: NOW - DAY, rel: ['sponsored'] }),
      ),
    ];
    const elsewhere = Array.from({ length: 60 }, (_, i) =>
      makeLink(`https://m${i}.com/`, 'https://shop.com/other', { firstSeen: NOW - DAY }),
    );
    const withSite = input(page, { siteLinks: [...page, ...elsewhere] });
    const first = findFlags(input(page));
    const added = addSiteFlags(first, withSite);
    expect(first.flags.some((f) => f.burst?.scope === 'site')).toBe(false);
    expect(added).toEqual(findFlags(withSite));
    expect(added.risks).toBe(first.risks + 1);
    // Its evidence is capped like any flag's.
    expect(added.flags.find((f) => f.burst?.scope === 'site')?.more).toBe(65 - MAX_EVIDENCE);
    // Nothing to add: the same report.
    expect(addSiteFlags(first, input(page, { siteLinks: page }))).toBe(first);
  });
});

describe('spam signals', () => {
  const signals = {
    words: 1200,
    descriptionLength: 140,
    favicon: true,
    contactLinked: true,
    aboutLinked: false,
  };

  test('a clean site fires nothing; a spammy one fires each rule by name', () => {
    const clean = spamSignalsOf('goodsite.com', [
      makePage('https://goodsite.com/a', { title: 'A good long title', signals }),
    ]);
    expect(clean.fired).toBe(0);
    expect(clean.unknown).toBe(0);
    const spammy = spamSignalsOf('best-cheap-links-2024.xyz', [
      makePage('http://best-cheap-links-2024.xyz/', {
        title: 'Links',
        outboundCount: 350,
        signals: {
          words: 40,
          descriptionLength: 0,
          favicon: false,
          contactLinked: false,
          aboutLinked: false,
        },
      }),
    ]);
    expect(spammy.rules.filter((r) => r.fired).map((r) => r.rule)).toEqual([
      'no-https',
      'domain-name',
      'abused-tld',
      'no-favicon',
      'no-contact-about',
      'many-outbound',
      'thin-text',
      'short-title',
      'short-description',
    ]);
  });

  test('without page signals, their rules are unknown, not fired', () => {
    const result = spamSignalsOf('old.com', [
      makePage('https://old.com/', { title: 'A good long title' }),
    ]);
    expect(result.rules.filter((r) => r.fired === null).map((r) => r.rule)).toEqual([
      'no-favicon',
      'no-contact-about',
      'thin-text',
      'short-description',
    ]);
    expect(result.fired).toBe(0);
  });

  test('site traits fire when no page has them; page traits name the pages that show them', () => {
    const result = spamSignalsOf('two.com', [
      makePage('https://two.com/a', {
        title: 'Long enough title',
        signals: { ...signals, favicon: false },
      }),
      makePage('https://two.com/b', { title: 'Hi', signals: { ...signals, words: 10 } }),
    ]);
    const byRule = Object.fromEntries(result.rules.map((r) => [r.rule, r]));
    expect(byRule['no-favicon']!.fired).toBe(false);
    expect(byRule['thin-text']).toMatchObject({ fired: true, pages: ['https://two.com/b'] });
    expect(byRule['short-title']).toMatchObject({ fired: true, pages: ['https://two.com/b'] });
  });
});

describe('all flags together', () => {
  test('the per-link index and the one-line summary', () => {
    const exchange = inbound('https://a.com/');
    const sponsored = inbound('https://b.com/', { rel: ['sponsored'], rels: ['sponsored'] });
    const footer = Array.from({ length: 5 }, (_, i) =>
      inbound(`https://c.com/p${i}`, { region: 'footer' }),
    );
    const spam = inbound('http://cheap-4-u-links.top/');
    const links = [exchange, sponsored, ...footer, spam];
    const base = input(links);
    const all = input(links, {
      sources: { ...base.sources, [spam.source]: makePage(spam.source, { title: 'x' }) },
      crossLinks: [makeLink('https://shop.com/friends', 'https://a.com/')],
    });
    const report = findFlags(all);
    expect(report.flags.map((f) => f.kind)).toEqual([
      'reciprocal',
      'sitewide',
      'paid-declared',
      'spam-signals',
    ]);
    expect(report.risks).toBe(3);
    expect(report.byLink.get(linkKey(exchange))).toEqual(['reciprocal']);
    expect(report.byLink.get(linkKey(footer[0]!))).toEqual(['sitewide']);
    expect(report.byLink.get(linkKey(sponsored))).toEqual(['paid-declared']);
    expect(report.byLink.get(linkKey(spam))).toEqual(['spam-signals']);
    const line =
      '3 risks to look at: reciprocal links with 1 site, a sitewide link, spam signals on 1 linking site.';
    expect(describeRisks(countsOf(report.flags))).toBe(line);
    // The same line from the counts alone, before any flag is built.
    expect(countFlags(all)).toEqual({
      kinds: { reciprocal: 1, sitewide: 1, 'paid-declared': 1, 'spam-signals': 1 },
      risks: 3,
    });
    expect(describeRisks(countFlags(all))).toBe(line);
    expect(report.spam.find((s) => s.domain === 'cheap-4-u-links.top')?.fired).toBe(4);
  });

  test('an undeclared paid link is named as possible, in the line and its label', () => {
    expect(describeRisks({ kinds: { 'paid-undeclared': 2 }, risks: 2 })).toBe(
      '2 risks to look at: possible undeclared paid links from 2 sites.',
    );
    expect(flagLabel('paid-undeclared')).toBe('Possible paid link, not declared');
    useLocale('de');
    expect(flagLabel('paid-undeclared')).toBe('Möglicher bezahlter Link, nicht deklariert');
  });

  test('no risk, said so', () => {
    expect(describeRisks(countsOf([]))).toBe('No risks seen in these links.');
    expect(describeRisks(countFlags(input([inbound('https://a.com/')])))).toBe(
      'No risks seen in these links.',
    );
  });

  test('5,000 inbound links: time to compute (printed, not asserted)', () => {
    const links = Array.from({ length: 5_000 }, (_, i) =>
      inbound(`https://d${i % 700}.com/p${i}`, {
        anchor: i % 4 ? 'blue widgets' : 'Shop',
        region: i % 3 ? 'main' : 'footer',
        firstSeen: NOW - (i % 90) * DAY,
        context: i % 50 ? 'nice words around' : 'sponsored',
      }),
    );
    const crossLinks = Array.from({ length: 2_000 }, (_, i) =>
      makeLink(`https://d${i % 700}.com/`, `https://d${(i * 7) % 700}.com/`),
    );
    const base = input(links, { crossLinks });
    // The in-run baseline: what the popup already computes from the same links.
    const timed = <T>(run: () => T): [T, number] => {
      run();
      const start = performance.now();
      const result = run();
      return [result, performance.now() - start];
    };
    const [, baseline] = timed(() =>
      summarizeProfile(summarizeBacklinks(links, base.sources), target, NOW),
    );
    const [report, ms] = timed(() => findFlags(base));
    const [counts, countMs] = timed(() => countFlags(base));
    console.log(
      `5,000 inbound links from 700 domains, 2,000 cross links: findFlags ${ms.toFixed(1)} ms, ` +
        `countFlags ${countMs.toFixed(1)} ms, ` +
        `summarizeBacklinks + summarizeProfile (baseline) ${baseline.toFixed(1)} ms`,
    );
    expect(report.flags.length).toBeGreaterThan(0);
    expect(counts.risks).toBe(report.risks);
    // A measurement on a shared machine: room for a slow run, nothing asserted on time.
  }, 60_000);
});
