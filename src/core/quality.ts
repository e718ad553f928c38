/**
 * Per-link quality: a score from 0 to 100 for each inbound link, with each factor's part in
 * points and in words, so a person can see why one link scored 82 and another 14. Pure: every
 * input (authority, relevance, the target's keywords) is passed in.
 *
 * How a score is built (the numbers are in QUALITY_WEIGHTS, the one place they live):
 * - Value factors say what the link is worth: authority, relevance, placement, anchor. Each
 *   reads the link on a 0–1 scale and gives that share of its points; their points sum to 100,
 *   so a link at the best of all four is worth 100.
 * - Pass factors say how much of that worth the link passes on: rel, robots, dilution,
 *   sitewide. Each keeps a share of it (from its floor up to all of it); the shares multiply,
 *   as a nofollow link on a crowded page passes little of either. score = worth × shares.
 * - In the breakdown, value factors add their points and pass factors take points away: the
 *   points lost are split among them in proportion to the logarithm of their shares, so the
 *   order they are applied in does not matter. Parts are whole numbers that sum to the score.
 * - A factor not known yet (authority before its first computation, or for a page recorded
 *   since; relevance not computed yet; a linking page that is not stored) counts as NEUTRAL, the
 *   middle of its scale: half its points, or halfway from its floor to all. It moves a score
 *   neither to 0 nor to 100, and its reason says "not known yet".
 */
import type { AuthorityView } from './authority-view';
import { authorityLabel } from './authority-view';
import { formatPercent, t, tn, type MessageKey } from './i18n';
import { passesAuthority } from './occurrences';
import { classifyAnchor, type AnchorClass, type AnchorTarget } from './profile';
import type { BacklinkSummary, BacklinkView, DomainGroup } from './summary';
import { linkKey, type LinkRegion } from './types';

// How a score reads (core/quality-words.ts, what a row's badge needs without the scoring).
export * from './quality-words';

export type ValueFactor = 'authority' | 'relevance' | 'placement' | 'anchor';
export type PassFactor = 'rel' | 'robots' | 'dilution' | 'sitewide';
export type QualityFactor = ValueFactor | PassFactor;

/** In the order the breakdown lists them: what the link is worth, then what cuts it. */
export const QUALITY_FACTORS: readonly QualityFactor[] = [
  'authority',
  'relevance',
  'placement',
  'anchor',
  'rel',
  'robots',
  'dilution',
  'sitewide',
];

/** The best score: the sum of the value factors' points. */
export const QUALITY_MAX = 100;

/** Where an unknown factor reads on its 0–1 scale: the middle, neither good nor bad. */
export const NEUTRAL = 0.5;

/** Every weight of the score, with why it weighs what it does. */
export const QUALITY_WEIGHTS = {
  /** Points of each value factor at its best; they sum to QUALITY_MAX. */
  points: {
    // What a link passes on is first the standing of the page and site it comes from: every
    // link metric (PageRank, DR, DA, Trust Flow) starts there.
    authority: 35,
    // A link from a page on the same topic is a vote from someone who knows the subject; search
    // engines discount off-topic links.
    relevance: 25,
    // An editorial link in the body is the author's choice; navigation, footer and comment
    // links come from a template or from anyone.
    placement: 25,
    // The link's words tell what the page is about; "click here" tells nothing. It weighs less
    // than the rest because a good anchor on a poor page is still a poor link.
    anchor: 15,
  } satisfies Record<ValueFactor, number>,
  /** How the linking page's authority and its site's make one reading (both known). */
  authorityMix: {
    // The page is what links; its site's standing backs it, less directly.
    page: 0.6,
    domain: 0.4,
  },
  /** Placement by the link's best region (0–1). */
  regions: {
    main: 1,
    // No landmark around it: as likely content as template.
    other: 0.6,
    // A sidebar is chosen per page or per site (blogroll, related links): between the two.
    aside: 0.4,
    // Menus and mastheads are the site's own template, the same on every page.
    header: 0.3,
    nav: 0.3,
    // Anyone can post in comments; footers are repeated on every page.
    comments: 0.2,
    footer: 0.2,
  } satisfies Record<LinkRegion, number>,
  /** Anchor by its class (core/profile.ts#classifyAnchor), 0–1. */
  anchors: {
    exact: 1,
    partial: 1,
    // Names the site, not the topic: natural, and says less about this page.
    branded: 0.9,
    // Descriptive words, not this page's keywords.
    other: 0.8,
    'naked-url': 0.5,
    generic: 0.25,
    empty: 0,
  } satisfies Record<AnchorClass, number>,
  /** Shares of its worth a link passes under each pass factor (1: all of it). */
  shares: {
    // Since 2019 search engines take nofollow, ugc and sponsored as hints they may still use,
    // so they keep a little; sponsored says the link was paid for, which engines discount most.
    nofollow: 0.3,
    ugc: 0.3,
    sponsored: 0.2,
    // The linking page's robots meta: nofollow is nofollow on every link of the page; a
    // noindex page may be dropped from the index, its links with it, but is often still crawled.
    pageNofollow: 0.3,
    pageNoindex: 0.6,
    // What a page passes is split among its links (PageRank): below DILUTION_FROM links a
    // page is ordinary and nothing is cut; from DILUTION_FULL on, only this share is left.
    dilution: 0.5,
    // One link from a site counts; the same site linking from many pages (footer, blogroll)
    // adds little: each such link keeps this share.
    sitewide: 0.5,
  },
} as const;

/** Outbound links of the linking page up to which nothing is cut: a typical page has that many. */
export const DILUTION_FROM = 100;
/** Outbound links from which dilution keeps only its floor share (a links page, a directory). */
export const DILUTION_FULL = 1000;
/**
 * The topic similarity (TF-IDF cosine, core/relevance.ts) from which a link reads as fully
 * relevant: cosines of real pages on one topic rarely go much higher, as pages say more than
 * their topic; below, the reading falls in proportion, so half of it reads as average.
 */
export const RELEVANCE_FULL = 0.5;
/** Pages of one site that link to the page, from which its links count as sitewide. */
export const SITEWIDE_PAGES = 5;

/** One factor's part in a score. */
export interface FactorPart {
  factor: QualityFactor;
  /** Whole points: added by a value factor, taken away (negative or 0) by a pass factor. */
  points: number;
  /** The most a value factor can add; 0 for pass factors. */
  max: number;
  /** False when the factor is not known yet and counts as neutral. */
  known: boolean;
  /** What the factor found, in plain words. */
  reason: string;
}

export interface LinkQuality {
  /** 0–100, a whole number: the sum of the parts' points. */
  readonly score: number;
  /** One part per factor, in QUALITY_FACTORS order. */
  readonly parts: FactorPart[];
}

/** What is known about one link beyond the link itself. */
export interface LinkContext {
  /**
   * Authority (0–100 display scale) of the linking page and of its domain; a missing value is
   * one the last computation did not score. `computed` false: no computation has run yet.
   */
  authority: { computed: boolean; page?: number; domain?: number };
  /** Topical similarity of the linking page and the target, 0–1; null when not known. */
  relevance: number | null;
  /** Pages of the link's source domain that have a live link to the page. */
  domainPages: number;
  /** The target's brand and keywords, for the anchor's class. */
  anchorTarget: AnchorTarget;
  /** Anchor classes already worked out for this target, by anchor text (anchors repeat). */
  anchorClasses?: Map<string, AnchorClass>;
}

/**
 * One factor: `read` gives its reading (0–1 for a value factor, the share passed on for a
 * pass factor), null when not known yet; `explain` says what it found. Reading is done for every
 * link; explaining only for the links whose factors someone opens.
 */
interface FactorReader {
  read(link: BacklinkView, context: LinkContext): number | null;
  explain(link: BacklinkView, context: LinkContext): string;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

const REGION_WORDS: Record<LinkRegion, MessageKey> = {
  main: 'quality_region_main',
  other: 'quality_region_other',
  aside: 'quality_region_aside',
  header: 'quality_region_header',
  nav: 'quality_region_nav',
  comments: 'quality_region_comments',
  footer: 'quality_region_footer',
};

const ANCHOR_WORDS: Record<AnchorClass, MessageKey> = {
  exact: 'quality_anchor_exact',
  partial: 'quality_anchor_partial',
  branded: 'quality_anchor_branded',
  other: 'quality_anchor_other',
  'naked-url': 'quality_anchor_naked_url',
  generic: 'quality_anchor_generic',
  empty: 'quality_anchor_empty',
};

const REL_SHARES = ['sponsored', 'nofollow', 'ugc'] as const;

const REL_WORDS: Record<(typeof REL_SHARES)[number], MessageKey> = {
  nofollow: 'quality_rel_nofollow',
  sponsored: 'quality_rel_sponsored',
  ugc: 'quality_rel_ugc',
};

function anchorClassOf(link: BacklinkView, context: LinkContext): AnchorClass {
  const known = context.anchorClasses?.get(link.anchor);
  if (known) return known;
  const kind = classifyAnchor(link.anchor, context.anchorTarget);
  context.anchorClasses?.set(link.anchor, kind);
  return kind;
}

/** Share a page with `outbound` links passes to each: see QUALITY_WEIGHTS.shares.dilution. */
export function dilutionShare(outbound: number): number {
  const floor = QUALITY_WEIGHTS.shares.dilution;
  if (outbound <= DILUTION_FROM) return 1;
  if (outbound >= DILUTION_FULL) return floor;
  const along = Math.log(outbound / DILUTION_FROM) / Math.log(DILUTION_FULL / DILUTION_FROM);
  return 1 - (1 - floor) * along;
}

const READERS: Record<QualityFactor, FactorReader> = {
  authority: {
    read(_link, { authority: { page, domain } }) {
      const mix = QUALITY_WEIGHTS.authorityMix;
      if (page === undefined && domain === undefined) return null;
      if (page === undefined || domain === undefined) return clamp01((page ?? domain!) / 100);
      return clamp01((mix.page * page + mix.domain * domain) / 100);
    },
    explain(_link, { authority: { computed, page, domain } }) {
      if (page === undefined && domain === undefined) {
        return t(computed ? 'quality_authority_after' : 'quality_authority_never');
      }
      if (domain === undefined) return t('quality_authority_page', { page: authorityLabel(page!) });
      if (page === undefined)
        return t('quality_authority_site', { domain: authorityLabel(domain) });
      return t('quality_authority_both', {
        page: authorityLabel(page),
        domain: authorityLabel(domain),
      });
    },
  },
  relevance: {
    read: (_link, { relevance }) =>
      relevance === null || !Number.isFinite(relevance)
        ? null
        : clamp01(relevance / RELEVANCE_FULL),
    explain(_link, { relevance }) {
      if (relevance === null || !Number.isFinite(relevance)) {
        return t('quality_relevance_unknown');
      }
      const similarity = clamp01(relevance);
      const key =
        similarity >= RELEVANCE_FULL
          ? 'quality_relevance_same'
          : similarity >= RELEVANCE_FULL / 2
            ? 'quality_relevance_related'
            : 'quality_relevance_little';
      return t(key, { similarity: formatPercent(similarity) });
    },
  },
  placement: {
    read: (link) => QUALITY_WEIGHTS.regions[link.region],
    explain: (link) => t(REGION_WORDS[link.region]),
  },
  anchor: {
    read: (link, context) => QUALITY_WEIGHTS.anchors[anchorClassOf(link, context)],
    explain(link, context) {
      const kind = anchorClassOf(link, context);
      // An image link's anchor is its alt text (stored as the anchor); absent image: unknown,
      // the anchor is read as text.
      if (kind === 'empty' && link.image) {
        return t('quality_anchor_image_empty');
      }
      return t(link.image ? 'quality_anchor_alt' : 'quality_anchor_text', {
        words: t(ANCHOR_WORDS[kind]),
      });
    },
  },
  rel: {
    read(link) {
      if (passesAuthority(link.rel)) return 1;
      // Several tokens say the same thing more than once: the strongest counts.
      let share = 1;
      for (const token of REL_SHARES) {
        if (link.rel.includes(token)) share = Math.min(share, QUALITY_WEIGHTS.shares[token]);
      }
      return share;
    },
    explain: (link) =>
      passesAuthority(link.rel)
        ? t('quality_rel_followed')
        : REL_SHARES.filter((token) => link.rel.includes(token))
            .map((token) => t(REL_WORDS[token]))
            .join('; '),
  },
  robots: {
    read(link) {
      const { shares } = QUALITY_WEIGHTS;
      // A link that is already nofollow loses nothing more to the page saying the same.
      const nofollow = link.pageNofollow && passesAuthority(link.rel) ? shares.pageNofollow : 1;
      return nofollow * (link.pageNoindex ? shares.pageNoindex : 1);
    },
    explain(link) {
      const said = [
        link.pageNofollow && t('quality_robots_nofollow'),
        link.pageNoindex && t('quality_robots_noindex'),
      ].filter(Boolean);
      return said.join('; ') || t('quality_robots_ok');
    },
  },
  dilution: {
    read: (link) => (link.outboundCount === undefined ? null : dilutionShare(link.outboundCount)),
    explain({ outboundCount }) {
      if (outboundCount === undefined) return t('quality_dilution_unknown');
      return tn(
        outboundCount > DILUTION_FROM ? 'quality_dilution_many' : 'quality_dilution_few',
        outboundCount,
      );
    },
  },
  sitewide: {
    read: (_link, { domainPages }) =>
      domainPages >= SITEWIDE_PAGES ? QUALITY_WEIGHTS.shares.sitewide : 1,
    explain(link, { domainPages }) {
      return tn(
        domainPages >= SITEWIDE_PAGES ? 'quality_sitewide' : 'quality_domain_pages',
        domainPages,
        { domain: link.sourceDomain },
      );
    },
  },
};

const VALUE_FACTORS = QUALITY_FACTORS.slice(0, 4) as readonly ValueFactor[];
/** A pass factor's share when unknown: halfway from its floor to all. */
const NEUTRAL_SHARE: Record<PassFactor, number> = {
  rel: 1,
  robots: 1,
  dilution: QUALITY_WEIGHTS.shares.dilution + (1 - QUALITY_WEIGHTS.shares.dilution) * NEUTRAL,
  sitewide: 1,
};

/** Every factor's reading, unknown ones at their neutral value, in QUALITY_FACTORS order. */
function readAll(link: BacklinkView, context: LinkContext): { values: number[]; known: boolean[] } {
  const values: number[] = [];
  const known: boolean[] = [];
  for (const factor of QUALITY_FACTORS) {
    const value = READERS[factor].read(link, context);
    known.push(value !== null);
    values.push(value ?? (factor in NEUTRAL_SHARE ? NEUTRAL_SHARE[factor as PassFactor] : NEUTRAL));
  }
  return { values, known };
}

/** What the link is worth (value points) and the share of it passed on, from its readings. */
function worthAndKept(values: readonly number[]): { worth: number; kept: number } {
  const { points } = QUALITY_WEIGHTS;
  let worth = 0;
  VALUE_FACTORS.forEach((f, i) => (worth += points[f] * values[i]!));
  let kept = 1;
  for (let i = VALUE_FACTORS.length; i < values.length; i++) kept *= values[i]!;
  return { worth, kept };
}

/**
 * Whole numbers that sum to `total` (the rounded sum of `values`): each rounded down, the units
 * left given to the largest remainders (so 33.4 + 33.3 + 33.3 shows as 34 + 33 + 33).
 */
function roundToTotal(values: readonly number[], total: number): number[] {
  const floors = values.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  // At most one unit per value is left to give (a handful): a scan each beats a sort.
  const given = new Array<boolean>(values.length).fill(false);
  for (; left > 0; left--) {
    let best = -1;
    for (let i = 0; i < values.length; i++) {
      if (given[i]) continue;
      if (best < 0 || values[i]! - floors[i]! > values[best]! - floors[best]!) best = i;
    }
    given[best] = true;
    floors[best]!++;
  }
  return floors;
}

/** Each factor's part in points and words; the points sum to `score` (see the top of this file). */
function explainParts(link: BacklinkView, context: LinkContext, score: number): FactorPart[] {
  const { points } = QUALITY_WEIGHTS;
  const { values, known } = readAll(link, context);
  const { worth, kept } = worthAndKept(values);
  const logKept = Math.log(kept);
  const lost = worth * (1 - kept);
  const raw = QUALITY_FACTORS.map((factor, i) =>
    i < VALUE_FACTORS.length
      ? points[factor as ValueFactor] * values[i]!
      : logKept < 0
        ? (-lost * Math.log(values[i]!)) / logKept
        : 0,
  );
  const rounded = roundToTotal(raw, score);
  return QUALITY_FACTORS.map((factor, i) => ({
    factor,
    points: rounded[i]! || 0, // no "-0"
    max: i < VALUE_FACTORS.length ? points[factor as ValueFactor] : 0,
    known: known[i]!,
    reason: READERS[factor].explain(link, context),
  }));
}

/**
 * A link's quality, worked out when first read: a popup shows a few rows of thousands of
 * links, so only those are scored; a table sorted by score reads them all.
 */
class ScoredLink implements LinkQuality {
  #score: number | undefined;
  #parts: FactorPart[] | undefined;

  constructor(
    private readonly link: BacklinkView,
    private readonly context: LinkContext,
  ) {}

  get score(): number {
    if (this.#score === undefined) {
      const { worth, kept } = worthAndKept(readAll(this.link, this.context).values);
      this.#score = Math.round(worth * kept);
    }
    return this.#score;
  }

  get parts(): FactorPart[] {
    return (this.#parts ??= explainParts(this.link, this.context, this.score));
  }
}

/** The quality of one inbound link, with each factor's part (see the top of this file). */
export function scoreLink(link: BacklinkView, context: LinkContext): LinkQuality {
  return new ScoredLink(link, context);
}

/** What scoring a report needs besides its links. */
export interface QualityInputs {
  /** Stored authority scores; null when they could not be read (every link: not known yet). */
  authority: AuthorityView | null;
  /**
   * Relevance by linkKey: topic similarity 0–1 (read against RELEVANCE_FULL), null not known;
   * absent or null until it is computed.
   */
  relevance?: ReadonlyMap<string, number | null> | null;
  /** The target page's brand and keywords (describeAnchorTarget). */
  anchorTarget: AnchorTarget;
}

/** Distinct pages of one source domain's group with a live link to the page. */
function livePagesOf(group: DomainGroup): number {
  const pages = new Set<string>();
  for (const link of group.links) if (link.lostAt === null) pages.add(link.source);
  return pages.size;
}

/**
 * Distinct pages of each source domain with a live link to the page, from the loaded groups
 * (a group is one source domain).
 */
export function pagesPerDomain(summary: BacklinkSummary): Map<string, number> {
  return new Map(summary.groups.map((g) => [g.domain, livePagesOf(g)]));
}

/** The quality of a report's links, each worked out when first asked for. */
export interface QualityScores {
  /** The quality of one link of the report's summary. */
  of(link: BacklinkView): LinkQuality;
  /** Every link's (live and lost), by linkKey: for tables that sort or filter by score. */
  byKey(): ReadonlyMap<string, LinkQuality>;
}

/**
 * The quality of the links of a report. Nothing is worked out up front: a popup shows a few
 * rows of what may be thousands of links, and only those are scored (and a link's factors put
 * in words only when someone opens them); a table sorted by score reads them all.
 */
export function scoreBacklinks(summary: BacklinkSummary, inputs: QualityInputs): QualityScores {
  const { authority, anchorTarget, relevance } = inputs;
  const computed = authority !== null && authority.computedAt !== null;
  const anchorClasses = new Map<string, AnchorClass>();
  const groups = new Map(summary.groups.map((g) => [g.domain, g]));
  const domainPages = new Map<string, number>();
  const scored = new WeakMap<BacklinkView, LinkQuality>();
  let all: Map<string, LinkQuality> | undefined;

  const pagesOf = (domain: string) => {
    let pages = domainPages.get(domain);
    if (pages === undefined) {
      const group = groups.get(domain);
      pages = group ? livePagesOf(group) : 0;
      domainPages.set(domain, pages);
    }
    return pages;
  };
  const of = (link: BacklinkView): LinkQuality => {
    let quality = scored.get(link);
    if (!quality) {
      quality = scoreLink(link, {
        authority: {
          computed,
          page: authority?.sources[link.source],
          domain: authority?.sourceDomains?.[link.sourceDomain],
        },
        relevance: relevance?.get(linkKey(link)) ?? null,
        domainPages: pagesOf(link.sourceDomain),
        anchorTarget,
        anchorClasses,
      });
      scored.set(link, quality);
    }
    return quality;
  };
  const byKey = () => {
    all ??= new Map(summary.groups.flatMap((g) => g.links.map((l) => [linkKey(l), of(l)])));
    return all;
  };
  return { of, byKey };
}
