import { describe, expect, it } from 'vitest';
import {
  classifyAnchor,
  describeAnchorTarget,
  describeDiversity,
  linkTypeOf,
  measureDiversity,
  profileTargetOf,
  summarizeProfile,
  tldOf,
  isCountryCode,
  weeklyTimeline,
  type AnchorClass,
} from '../../src/core/profile';
import { summarizeBacklinks } from '../../src/core/summary';
import type { LinkRecord } from '../../src/core/types';
import { at, DAY, makeLink } from './helpers';

const TARGET = 'https://coffee-blog.com/brewing-guide';
const TARGET_INFO = {
  url: TARGET,
  domain: 'coffee-blog.com',
  title: 'Pour-over Brewing | Coffee Blog',
};

/** Anchors a person labelled by hand, for the target above. */
const LABELLED: Array<[string, AnchorClass]> = [
  ['', 'empty'],
  ['   ', 'empty'],
  ['→', 'empty'],
  ['https://coffee-blog.com/brewing-guide', 'naked-url'],
  ['coffee-blog.com', 'naked-url'],
  ['www.coffee-blog.com/', 'naked-url'],
  ['http://example.org/a?b=1', 'naked-url'],
  ['click here', 'generic'],
  ['Click here!', 'generic'],
  ['here', 'generic'],
  ['Read more »', 'generic'],
  ['this', 'generic'],
  ['website', 'generic'],
  ['link', 'generic'],
  ['Learn more…', 'generic'],
  ['this article', 'generic'],
  ['Coffee Blog', 'branded'],
  ['coffee-blog', 'branded'],
  ['CoffeeBlog', 'branded'],
  ['the Coffee Blog guide to brewing', 'branded'],
  ['brewing guide', 'exact'],
  ['Brewing Guide', 'exact'],
  ['guide to brewing', 'exact'],
  ['Brewing guides', 'exact'],
  ['pour-over brewing', 'exact'],
  ['Pour over brewing', 'exact'],
  ['the definitive brewing guide', 'partial'],
  ['step two of this guide', 'partial'],
  ['best coffee guide cheap coffee', 'partial'],
  ['brewing tips', 'partial'],
  ['pour-over kettles', 'partial'],
  ['Jane Doe', 'other'],
  ['a great espresso machine', 'other'],
  ['v2.0 release notes', 'other'],
];

describe('classifyAnchor', () => {
  const target = describeAnchorTarget(TARGET_INFO);

  it.each(LABELLED)('%j is %s', (anchor, expected) => {
    expect(classifyAnchor(anchor, target)).toBe(expected);
  });

  it('covers every class on the labelled list', () => {
    expect(LABELLED.length).toBeGreaterThanOrEqual(30);
    expect(new Set(LABELLED.map(([, c]) => c)).size).toBe(7);
  });

  it('takes keywords from the path when the title is unknown', () => {
    const bare = describeAnchorTarget({ url: TARGET, domain: 'coffee-blog.com', title: '' });
    expect(bare.brands).toEqual(['coffeeblog']);
    expect(classifyAnchor('brewing guide', bare)).toBe('exact');
    expect(classifyAnchor('pour-over brewing', bare)).toBe('partial');
  });

  it('reads the brand from the registrable domain without a suffix list', () => {
    const uk = describeAnchorTarget({
      url: 'https://shop.acme.co.uk/',
      domain: 'acme.co.uk',
      title: '',
    });
    expect(classifyAnchor('Acme', uk)).toBe('branded');
    expect(classifyAnchor('co uk', uk)).toBe('other');
  });
});

describe('measureDiversity', () => {
  it('is 0 when one domain gives every link', () => {
    expect(measureDiversity([7])).toEqual({
      index: 0,
      topDomains: 1,
      topShare: 1,
      reading: 'single',
    });
  });

  it('is 1 - 1/n for n equal domains', () => {
    const d = measureDiversity([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(d.index).toBeCloseTo(0.9, 10);
    expect(d.topDomains).toBe(8);
    expect(d.reading).toBe('diverse');
    expect(describeDiversity(d)).toBe('Links come from many independent sites.');
  });

  it('is 1 minus the sum of squared shares', () => {
    // Shares 0.5, 0.3, 0.2: H = 0.25 + 0.09 + 0.04 = 0.38.
    const d = measureDiversity([3, 5, 2]);
    expect(d.index).toBeCloseTo(0.62, 10);
    expect(d).toMatchObject({ topDomains: 2, topShare: 0.8, reading: 'concentrated' });
    expect(describeDiversity(d)).toBe('2 domains give 80% of the links from other sites.');
  });

  it('names a concentration of up to three domains, with the share they give', () => {
    const d = measureDiversity([10, 1, 1, 1, 1, 1]);
    expect(d).toMatchObject({ topDomains: 3, reading: 'concentrated' });
    expect(describeDiversity(d)).toBe('3 domains give 80% of the links from other sites.');
    expect(describeDiversity(measureDiversity([9, 1]))).toBe(
      '1 domain gives 90% of the links from other sites.',
    );
  });

  it('reads none without links and one domain alone', () => {
    expect(describeDiversity(measureDiversity([]))).toBe('No links from other sites yet.');
    expect(describeDiversity(measureDiversity([0, 4]))).toBe(
      'All links from other sites come from one domain.',
    );
  });
});

describe('time windows', () => {
  const now = at(100);
  const links: LinkRecord[] = [
    makeLink('https://a.com/1', TARGET, { firstSeen: now - 30 * DAY }), // just outside 30 days
    makeLink('https://a.com/2', TARGET, { firstSeen: now - 30 * DAY + 1 }),
    makeLink('https://a.com/3', TARGET, { firstSeen: now }),
    makeLink('https://b.com/1', TARGET, { firstSeen: at(0), lostAt: now - 2 * DAY }),
    makeLink('https://b.com/2', TARGET, { firstSeen: at(0), lostAt: now - 31 * DAY }),
    makeLink('https://c.com/1', TARGET, { firstSeen: now + DAY }), // clock skew: not counted
  ];
  const summary = summarizeBacklinks(links, {});
  const profile = summarizeProfile(summary, TARGET_INFO, now);

  it('counts links first seen or lost in the last 30 days', () => {
    expect(profile.newRecent).toBe(2);
    expect(profile.lostRecent).toBe(1);
  });

  it('buckets new and lost links into 12 weeks ending now', () => {
    const weeks = weeklyTimeline(
      summary.groups.flatMap((g) => g.links),
      now,
    );
    expect(weeks).toHaveLength(12);
    expect(weeks[11]!.start).toBe(now - 7 * DAY);
    expect(weeks[0]!.start).toBe(now - 84 * DAY);
    // A week runs from just after its start to its end: 30 days ago is in the 5th week back.
    expect(weeks.map((w) => w.new)).toEqual([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
    expect(weeks.map((w) => w.lost)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('summarizeProfile', () => {
  const now = at(10);
  const links: LinkRecord[] = [
    makeLink('https://a.com/1', TARGET, { anchor: 'brewing guide' }),
    makeLink('https://a.com/2', TARGET, {
      anchor: 'Coffee Blog',
      region: 'footer',
      rel: ['nofollow'],
    }),
    makeLink('https://b.org/x', TARGET, { anchor: 'click here', region: 'nav' }),
    makeLink('https://c.org/y', TARGET, { anchor: '', region: 'comments', rel: ['ugc'] }),
    makeLink('https://d.de/', TARGET, { anchor: 'b.org', region: 'aside' }),
    makeLink('https://d.de/', TARGET, { anchor: 'gone', lostAt: at(5) }),
    makeLink('https://www.coffee-blog.com/', TARGET, { anchor: 'Guide', region: 'header' }),
  ];
  const summary = summarizeBacklinks(links, {});
  const profile = summarizeProfile(summary, TARGET_INFO, now);

  it('counts referring pages on other sites only', () => {
    expect(profile.referringPages).toBe(5);
    expect(profile.live).toBe(6);
  });

  it('gives shares of live links', () => {
    expect(profile.followedShare).toBeCloseTo(4 / 6, 10);
    expect(profile.editorialShare).toBeCloseTo(1 / 6, 10);
  });

  it('spreads live links over link types by region', () => {
    expect(profile.linkTypes).toEqual({
      editorial: 1,
      navigation: 3,
      aside: 1,
      comments: 1,
      other: 0,
    });
    expect(linkTypeOf('header')).toBe('navigation');
    expect(linkTypeOf('other')).toBe('other');
  });

  it('classifies live anchors only', () => {
    expect(profile.anchors).toEqual({
      branded: 1,
      exact: 1,
      partial: 1,
      'naked-url': 1,
      generic: 1,
      image: 0,
      empty: 1,
      other: 0,
    });
  });

  it('counts image links apart, whatever their alt text says', () => {
    const withImages = summarizeBacklinks(
      [
        makeLink('https://e.net/a', TARGET, { anchor: 'Coffee Blog', image: true }),
        makeLink('https://e.net/b', TARGET, { anchor: '', image: true }),
        makeLink('https://e.net/c', TARGET, { anchor: 'Coffee Blog' }),
        makeLink('https://e.net/d', TARGET, { anchor: 'old', image: true, lostAt: at(5) }),
      ],
      {},
    );
    const anchors = summarizeProfile(withImages, TARGET_INFO, now).anchors;
    expect(anchors.image).toBe(2);
    expect(anchors.branded).toBe(1);
    expect(anchors.empty).toBe(0);
  });

  it('measures diversity over live links from other sites', () => {
    // a.com 2, b.org 1, c.org 1, d.de 1: H = (4 + 1 + 1 + 1) / 25.
    expect(profile.diversity.index).toBeCloseTo(1 - 7 / 25, 10);
  });

  it('mixes TLDs by referring domain, most first', () => {
    expect(profile.tlds).toEqual([
      { tld: 'org', domains: 2 },
      { tld: 'com', domains: 1 },
      { tld: 'de', domains: 1 },
    ]);
    expect(tldOf('acme.co.uk')).toBe('uk');
  });

  it('counts the referring domains under a country code', () => {
    expect(profile.countryCodeDomains).toBe(1); // d.de
    expect(['de', 'uk', 'eu', 'io'].every(isCountryCode)).toBe(true);
    expect(['com', 'org', 'test', 'xn--p1ai', 'd', '1a'].some(isCountryCode)).toBe(false);
  });

  it('counts domains, not TLDs, under country codes (two .de, one .uk, one .com)', () => {
    const links = ['https://a.de/1', 'https://b.de/1', 'https://c.co.uk/1', 'https://d.com/1'].map(
      (source) => makeLink(source, TARGET, { firstSeen: now }),
    );
    const mixed = summarizeProfile(summarizeBacklinks(links, {}), TARGET_INFO, now);
    expect(mixed.countryCodeDomains).toBe(3);
  });

  it('has no shares without live links', () => {
    const empty = summarizeProfile(summarizeBacklinks([], {}), TARGET_INFO, now);
    expect(empty.followedShare).toBeNull();
    expect(empty.diversity.reading).toBe('none');
  });
});

describe('profileTargetOf', () => {
  it('takes the domain from a direct link when the page was never visited', () => {
    const summary = summarizeBacklinks([makeLink('https://a.com/', TARGET)], {});
    expect(profileTargetOf(TARGET, null, summary)).toEqual({
      url: TARGET,
      domain: 'coffee-blog.com',
      title: '',
    });
    expect(profileTargetOf('http://x.test/', null, summarizeBacklinks([], {})).domain).toBe(
      'x.test',
    );
  });
});
