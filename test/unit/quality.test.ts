import { describe, expect, it } from 'vitest';
import {
  describeQuality,
  dilutionShare,
  DILUTION_FROM,
  DILUTION_FULL,
  NEUTRAL,
  pagesPerDomain,
  QUALITY_FACTORS,
  QUALITY_MAX,
  QUALITY_WEIGHTS,
  RELEVANCE_FULL,
  scoreBacklinks,
  scoreLink,
  SITEWIDE_PAGES,
  type LinkContext,
  type LinkQuality,
  type QualityFactor,
} from '../../src/core/quality';
import { describeAnchorTarget } from '../../src/core/profile';
import { summarizeBacklinks, type BacklinkView } from '../../src/core/summary';
import { LINK_REGIONS, linkKey, type LinkRecord, type PageRecord } from '../../src/core/types';
import type { AuthorityView } from '../../src/core/authority-view';
import { seededRandom } from '../bench/random';
import { at, makeLink, makePage } from './helpers';

const TARGET = 'https://roastery.com/pour-over-guide';
const ANCHOR_TARGET = describeAnchorTarget({
  url: TARGET,
  domain: 'roastery.com',
  title: 'Pour-over guide | Roastery',
});

/** The view summarizeBacklinks builds for one link from a stored source page. */
function viewOf(
  link: Partial<LinkRecord> = {},
  page: Partial<PageRecord> | null = {},
  source = 'https://blog.com/post',
): BacklinkView {
  const sources = page ? { [source]: makePage(source, { outboundCount: 40, ...page }) } : {};
  const record = makeLink(source, TARGET, { anchor: 'a pour-over guide', ...link });
  return summarizeBacklinks([record], sources).groups[0]!.links[0]!;
}

/** A context where every factor is known and middling, overridden per test. */
function contextOf(overrides: Partial<LinkContext> = {}): LinkContext {
  return {
    authority: { computed: true, page: 40, domain: 40 },
    relevance: 0.5,
    domainPages: 1,
    anchorTarget: ANCHOR_TARGET,
    ...overrides,
  };
}

const partOf = (q: LinkQuality, factor: QualityFactor) => q.parts.find((p) => p.factor === factor)!;

describe('the weights', () => {
  it('give the value factors points that sum to 100, the best score, as the doc says', () => {
    const points = Object.values(QUALITY_WEIGHTS.points);
    expect(points.reduce((a, b) => a + b, 0)).toBe(QUALITY_MAX);
    expect(QUALITY_MAX).toBe(100);
    const { page, domain } = QUALITY_WEIGHTS.authorityMix;
    expect(page + domain).toBeCloseTo(1, 12);
  });

  it('keep every reading on 0–1, main content the best place, and every share a cut', () => {
    for (const region of LINK_REGIONS) {
      expect(QUALITY_WEIGHTS.regions[region]).toBeGreaterThanOrEqual(0);
      expect(QUALITY_WEIGHTS.regions[region]).toBeLessThanOrEqual(QUALITY_WEIGHTS.regions.main);
    }
    expect(QUALITY_WEIGHTS.regions.main).toBe(1);
    for (const value of Object.values(QUALITY_WEIGHTS.anchors)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    for (const share of Object.values(QUALITY_WEIGHTS.shares)) {
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThan(1);
    }
  });

  it('list every factor once, value factors first', () => {
    const q = scoreLink(viewOf(), contextOf());
    expect(q.parts.map((p) => p.factor)).toEqual(QUALITY_FACTORS);
    expect(q.parts.slice(0, 4).map((p) => p.max)).toEqual(Object.values(QUALITY_WEIGHTS.points));
    expect(q.parts.slice(4).every((p) => p.max === 0)).toBe(true);
  });
});

describe('scoreLink', () => {
  it('ranks an editorial, followed, relevant link from an authoritative page above a footer nofollow link from a page with 500 outbound links', () => {
    const good = scoreLink(
      viewOf({ region: 'main', anchor: 'pour-over guide' }, { outboundCount: 25 }),
      contextOf({ authority: { computed: true, page: 70, domain: 60 }, relevance: 0.4 }),
    );
    const poor = scoreLink(
      viewOf({ region: 'footer', rel: ['nofollow'], anchor: 'click here' }, { outboundCount: 500 }),
      contextOf({ authority: { computed: true, page: 70, domain: 60 }, relevance: 0.4 }),
    );
    expect(good.score).toBeGreaterThan(poor.score);
    // Far apart, not a near tie: the difference is the point of the score.
    expect(good.score).toBeGreaterThanOrEqual(75);
    expect(poor.score).toBeLessThanOrEqual(20);
    // The reasons say why: nofollow cuts the most, the footer and 500 links cut too.
    expect(partOf(poor, 'rel').points).toBeLessThan(partOf(poor, 'dilution').points);
    expect(partOf(poor, 'rel').reason).toMatch(/nofollow/);
    expect(partOf(poor, 'dilution').reason).toBe(
      'the linking page has 500 links: each passes less',
    );
    expect(partOf(poor, 'placement').reason).toMatch(/footer/);
    expect(describeQuality(poor)).toMatch(/^Link quality \d+ of 100: .*loses most to rel \(-\d+\)/);
    for (const factor of ['rel', 'robots', 'dilution', 'sitewide'] as const) {
      expect(partOf(good, factor).points).toBe(0);
    }
  });

  it('holds the ordering when authority and relevance are not known yet', () => {
    const unknown = contextOf({ authority: { computed: false }, relevance: null });
    const good = scoreLink(viewOf({ region: 'main' }, { outboundCount: 25 }), unknown);
    const poor = scoreLink(
      viewOf({ region: 'footer', rel: ['nofollow'], anchor: 'click here' }, { outboundCount: 500 }),
      unknown,
    );
    expect(good.score).toBeGreaterThan(poor.score);
  });

  it('gives a link at the best of every factor 100, and one at the worst 0', () => {
    const best = scoreLink(
      viewOf({ region: 'main', anchor: 'pour-over guide' }, { outboundCount: 10 }),
      contextOf({ authority: { computed: true, page: 100, domain: 100 }, relevance: 1 }),
    );
    expect(best.score).toBe(100);
    const worst = scoreLink(
      viewOf(
        { region: 'footer', rel: ['sponsored'], anchor: '' },
        { outboundCount: 5000, robotsNoindex: true },
      ),
      contextOf({
        authority: { computed: true, page: 0, domain: 0 },
        relevance: 0,
        domainPages: 40,
      }),
    );
    expect(worst.score).toBe(0);
  });

  describe('each factor moves the score the right way, all else equal', () => {
    const score = (link: Partial<LinkRecord>, page: Partial<PageRecord>, c: Partial<LinkContext>) =>
      scoreLink(viewOf(link, page), contextOf(c)).score;
    /** Strictly falling scores, best first. */
    const falling = (scores: number[]) =>
      expect(scores).toEqual(
        [...scores].sort((a, b) => b - a).filter((s, i, a) => a.indexOf(s) === i),
      );

    it('authority: of the page, of its site, and of the two', () => {
      falling(
        [80, 50, 20, 0].map((a) =>
          score({}, {}, { authority: { computed: true, page: a, domain: a } }),
        ),
      );
      falling(
        [80, 20].map((a) => score({}, {}, { authority: { computed: true, page: a, domain: 30 } })),
      );
      falling(
        [80, 20].map((a) => score({}, {}, { authority: { computed: true, page: 30, domain: a } })),
      );
      // The page counts more than its site.
      expect(
        score({}, {}, { authority: { computed: true, page: 80, domain: 20 } }),
      ).toBeGreaterThan(score({}, {}, { authority: { computed: true, page: 20, domain: 80 } }));
      // One known alone is read as it is.
      expect(score({}, {}, { authority: { computed: true, page: 70 } })).toBe(
        score({}, {}, { authority: { computed: true, page: 70, domain: 70 } }),
      );
    });

    it('relevance', () => {
      falling([RELEVANCE_FULL, 0.3, 0.1, 0].map((relevance) => score({}, {}, { relevance })));
      const said = (relevance: number) =>
        partOf(scoreLink(viewOf(), contextOf({ relevance })), 'relevance').reason;
      expect(said(0.3)).toBe(
        'the linking page is on a related topic to this page (topic similarity 30%)',
      );
      expect(said(0.05)).toBe(
        'the linking page has little in common with this page (topic similarity 5%)',
      );
      // From RELEVANCE_FULL on, as relevant as it gets.
      expect(score({}, {}, { relevance: 0.9 })).toBe(score({}, {}, { relevance: RELEVANCE_FULL }));
      // Out-of-range input is held to 0–1.
      expect(score({}, {}, { relevance: 7 })).toBe(score({}, {}, { relevance: 1 }));
    });

    it('placement: main content first, footer and comments last', () => {
      falling(
        (['main', 'other', 'aside', 'nav', 'footer'] as const).map((region) =>
          score({ region }, {}, {}),
        ),
      );
      expect(score({ region: 'comments' }, {}, {})).toBe(score({ region: 'footer' }, {}, {}));
      expect(score({ region: 'header' }, {}, {})).toBe(score({ region: 'nav' }, {}, {}));
    });

    it('anchor: descriptive words before a bare URL, generic words and nothing', () => {
      falling(
        [
          'pour-over guide',
          'Roastery',
          'my morning notes',
          'roastery.com/pour-over-guide',
          'click here',
          '',
        ].map((anchor) => score({ anchor }, {}, {})),
      );
    });

    it('rel: followed before ugc and nofollow, sponsored last; several tokens count once', () => {
      falling([[], ['nofollow'], ['sponsored']].map((rel) => score({ rel }, {}, {})));
      expect(score({ rel: ['ugc'] }, {}, {})).toBe(score({ rel: ['nofollow'] }, {}, {}));
      expect(score({ rel: ['nofollow', 'sponsored'] }, {}, {})).toBe(
        score({ rel: ['sponsored'] }, {}, {}),
      );
      // Tokens that are not about authority ("noopener") keep a link followed.
      expect(score({ rel: ['noopener'] }, {}, {})).toBe(score({ rel: [] }, {}, {}));
    });

    it("robots: the linking page's nofollow and noindex cut, the same nofollow is not cut twice", () => {
      falling([
        score({}, {}, {}),
        score({}, { robotsNoindex: true }, {}),
        score({}, { robotsNofollow: true }, {}),
        score({}, { robotsNofollow: true, robotsNoindex: true }, {}),
      ]);
      expect(score({ rel: ['nofollow'] }, { robotsNofollow: true }, {})).toBe(
        score({ rel: ['nofollow'] }, {}, {}),
      );
    });

    it('dilution: nothing cut up to a typical page, then less the more links', () => {
      expect(score({}, { outboundCount: 5 }, {})).toBe(
        score({}, { outboundCount: DILUTION_FROM }, {}),
      );
      falling(
        [DILUTION_FROM, 200, 500, DILUTION_FULL].map((n) => score({}, { outboundCount: n }, {})),
      );
      expect(score({}, { outboundCount: 50_000 }, {})).toBe(
        score({}, { outboundCount: DILUTION_FULL }, {}),
      );
    });

    it('sitewide: a site linking from many of its pages counts less', () => {
      expect(score({}, {}, { domainPages: SITEWIDE_PAGES - 1 })).toBe(
        score({}, {}, { domainPages: 1 }),
      );
      expect(score({}, {}, { domainPages: SITEWIDE_PAGES })).toBeLessThan(
        score({}, {}, { domainPages: SITEWIDE_PAGES - 1 }),
      );
    });
  });

  describe('unknown factors', () => {
    it('count as the middle of their scale, said "not known yet": not 0, not the best', () => {
      const link = viewOf();
      const unknown = scoreLink(
        link,
        contextOf({ authority: { computed: false }, relevance: null }),
      );
      const middle = scoreLink(
        link,
        contextOf({
          authority: { computed: true, page: 50, domain: 50 },
          relevance: NEUTRAL * RELEVANCE_FULL,
        }),
      );
      expect(unknown.score).toBe(middle.score);
      expect(unknown.score).toBeGreaterThan(
        scoreLink(
          link,
          contextOf({ authority: { computed: true, page: 0, domain: 0 }, relevance: 0 }),
        ).score,
      );
      expect(unknown.score).toBeLessThan(
        scoreLink(
          link,
          contextOf({ authority: { computed: true, page: 100, domain: 100 }, relevance: 1 }),
        ).score,
      );
      for (const factor of ['authority', 'relevance'] as const) {
        const part = partOf(unknown, factor);
        expect(part.known).toBe(false);
        // Half its points, give or take the rounding that makes the parts sum to the score.
        expect(
          Math.abs(part.points - QUALITY_WEIGHTS.points[factor] * NEUTRAL),
        ).toBeLessThanOrEqual(0.5);
        expect(partOf(unknown, factor).reason).toMatch(/^not known yet: /);
      }
      expect(partOf(unknown, 'authority').reason).toBe(
        'not known yet: authority has not been computed yet',
      );
      expect(partOf(middle, 'authority')).toMatchObject({ known: true });
    });

    it('say why authority is not known for a page recorded after the last computation', () => {
      const q = scoreLink(viewOf(), contextOf({ authority: { computed: true } }));
      expect(partOf(q, 'authority').reason).toBe(
        'not known yet: the linking page was recorded after the last computation',
      );
    });

    it('dilution of a linking page that is not stored is halfway, not "few links"', () => {
      const link = viewOf({}, null);
      expect(link.outboundCount).toBeUndefined();
      const q = scoreLink(link, contextOf());
      expect(partOf(q, 'dilution')).toMatchObject({ known: false });
      expect(partOf(q, 'dilution').reason).toMatch(/^not known yet/);
      const halfway = DILUTION_FROM * Math.sqrt(DILUTION_FULL / DILUTION_FROM);
      const at = (n: number) => scoreLink(viewOf({}, { outboundCount: n }), contextOf()).score;
      expect(q.score).toBeLessThan(at(DILUTION_FROM));
      expect(q.score).toBeGreaterThan(at(DILUTION_FULL));
      expect(dilutionShare(halfway)).toBeCloseTo(1 - (1 - QUALITY_WEIGHTS.shares.dilution) / 2, 12);
      expect(q.score).toBe(at(Math.round(halfway)));
    });
  });

  it('reads an image link by its alt text, and says so', () => {
    const alt = scoreLink(viewOf({ image: true, anchor: 'pour-over guide' }), contextOf());
    expect(partOf(alt, 'anchor').reason).toBe(
      "image link, alt text: uses this page's main keywords",
    );
    expect(alt.score).toBe(scoreLink(viewOf({ anchor: 'pour-over guide' }), contextOf()).score);
    const bare = scoreLink(viewOf({ image: true, anchor: '' }), contextOf());
    expect(partOf(bare, 'anchor')).toMatchObject({
      points: 0,
      reason: 'image link without alt text: nothing tells what the page is about',
    });
    // An old record (no image field) is read as text.
    expect(partOf(scoreLink(viewOf({ anchor: '' }), contextOf()), 'anchor').reason).toBe(
      'anchor text: no words at all',
    );
  });

  it('keeps every score whole, within 0–100, its parts summing to it, over many random links', () => {
    const random = seededRandom(6);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const base = viewOf();
    for (let i = 0; i < 1000; i++) {
      const known = random() < 0.7;
      const stored = random() < 0.9;
      const q = scoreLink(
        {
          ...base,
          region: pick(LINK_REGIONS),
          rel: pick([[], ['nofollow'], ['ugc'], ['sponsored'], ['nofollow', 'ugc']]),
          anchor: pick(['', 'click here', 'pour-over guide', 'roastery.com', 'beans', 'Roastery']),
          image: pick([undefined, true, false]),
          outboundCount: stored ? Math.floor(random() ** 3 * 3000) : undefined,
          pageNofollow: stored && random() < 0.2,
          pageNoindex: stored && random() < 0.2,
        },
        {
          authority: known
            ? {
                computed: true,
                page: random() * 100,
                domain: random() < 0.5 ? random() * 100 : undefined,
              }
            : { computed: random() < 0.5 },
          relevance: random() < 0.3 ? null : random(),
          domainPages: 1 + Math.floor(random() * 10),
          anchorTarget: ANCHOR_TARGET,
        },
      );
      expect(Number.isInteger(q.score)).toBe(true);
      expect(q.score).toBeGreaterThanOrEqual(0);
      expect(q.score).toBeLessThanOrEqual(100);
      expect(q.parts.reduce((a, p) => a + p.points, 0)).toBe(q.score);
      for (const part of q.parts) {
        expect(Number.isInteger(part.points)).toBe(true);
        if (part.max > 0) {
          expect(part.points).toBeGreaterThanOrEqual(0);
          expect(part.points).toBeLessThanOrEqual(part.max);
        } else {
          expect(part.points).toBeLessThanOrEqual(0);
          expect(Object.is(part.points, -0)).toBe(false);
        }
      }
    }
  });

  it('splits the points lost among the cuts by how much each cuts, whatever their order', () => {
    // nofollow (0.3) cuts more than noindex (0.6): log shares 1.20 vs 0.51.
    const q = scoreLink(viewOf({ rel: ['nofollow'] }, { robotsNoindex: true }), contextOf());
    const rel = partOf(q, 'rel').points;
    const robots = partOf(q, 'robots').points;
    expect(rel).toBeLessThan(robots);
    expect(rel / robots).toBeCloseTo(Math.log(0.3) / Math.log(0.6), 0);
  });
});

describe('scoreBacklinks', () => {
  const AUTHORITY: AuthorityView = {
    computedAt: at(1),
    page: 50,
    domain: 40,
    sources: { 'https://big.com/a': 80 },
    sourceDomains: { 'big.com': 70 },
  };

  /** Five pages of one site in its footer (one of them lost since), one editorial link elsewhere. */
  function summary() {
    const footer = Array.from({ length: SITEWIDE_PAGES }, (_, i) =>
      makeLink(`https://farm.com/p${i}`, TARGET, {
        region: 'footer',
        lostAt: i === 0 ? at(2) : null,
      }),
    );
    const links = [
      ...footer,
      makeLink('https://farm.com/p9', TARGET, { region: 'footer' }),
      makeLink('https://big.com/a', TARGET, { anchor: 'pour-over guide' }),
      makeLink('https://small.com/b', TARGET),
    ];
    const pages = Object.fromEntries(links.map((l) => [l.source, makePage(l.source)]));
    return { links, summary: summarizeBacklinks(links, pages) };
  }

  it('counts the live linking pages of each site from the loaded groups', () => {
    expect(Object.fromEntries(pagesPerDomain(summary().summary))).toEqual({
      'farm.com': SITEWIDE_PAGES,
      'big.com': 1,
      'small.com': 1,
    });
  });

  it('scores every link, live and lost, by linkKey, with authority, relevance and sitewide from the report', () => {
    const { links, summary: s } = summary();
    const relevance = new Map([[linkKey(links.at(-2)!), 0.9]]);
    const scored = scoreBacklinks(s, {
      authority: AUTHORITY,
      relevance,
      anchorTarget: ANCHOR_TARGET,
    });
    const scores = scored.byKey();
    expect([...scores.keys()].sort()).toEqual(links.map(linkKey).sort());
    // The same object whether asked for by link or by key, worked out once.
    const view = s.groups.flatMap((g) => g.links).find((l) => l.source === 'https://big.com/a')!;
    expect(scored.of(view)).toBe(scores.get(linkKey(view)));
    const big = scores.get(linkKey(links.at(-2)!))!;
    expect(partOf(big, 'authority').reason).toBe(
      'authority of the linking page 80, its site 70 (of 100)',
    );
    expect(partOf(big, 'relevance').reason).toMatch(/same topic .*90%/);
    const small = scores.get(linkKey(links.at(-1)!))!;
    // Scored, but not this page: not known, not zero.
    expect(partOf(small, 'authority').known).toBe(false);
    expect(partOf(small, 'relevance').known).toBe(false);
    const farm = scores.get(linkKey(links[1]!))!;
    expect(partOf(farm, 'sitewide').reason).toBe(
      `${SITEWIDE_PAGES} pages of farm.com link here: a sitewide link (footer, blogroll) adds little each`,
    );
    expect(partOf(farm, 'sitewide').points).toBeLessThan(0);
    expect(partOf(small, 'sitewide').reason).toBe('1 page of small.com links here');
    expect(big.score).toBeGreaterThan(small.score);
    expect(small.score).toBeGreaterThan(farm.score);
  });

  it('with no authority read, every link says it is not computed yet', () => {
    const scores = scoreBacklinks(summary().summary, {
      authority: null,
      anchorTarget: ANCHOR_TARGET,
    });
    for (const q of scores.byKey().values()) {
      expect(partOf(q, 'authority').reason).toBe(
        'not known yet: authority has not been computed yet',
      );
    }
  });
});
