/** Where on its page a link sits, told cheaply from the DOM's landmarks. */
export type LinkRegion = 'main' | 'nav' | 'header' | 'footer' | 'aside' | 'comments' | 'other';

export const LINK_REGIONS: readonly LinkRegion[] = [
  'main',
  'nav',
  'header',
  'footer',
  'aside',
  'comments',
  'other',
];

/**
 * One outbound link as the content script saw it (target already absolute, not yet canonical):
 * every occurrence of the same href and anchor on the page folded into one (core/occurrences).
 */
export interface RawLink {
  href: string;
  anchor: string;
  /** rel tokens of the occurrence that counts: a followed one if there is one. */
  rel: string[];
  /** The best placement of any occurrence (main content over the rest). */
  region: LinkRegion;
  /** Every region it appears in, best first. */
  regions: LinkRegion[];
  /** Every rel token seen on any occurrence. */
  rels: string[];
  /** How many times it appears on the page. */
  occurrences: number;
  /** Words around the link on its page (a short window, capped), for relevance and paid-link wording. */
  context?: string;
  /** The link's anchor is an image (its alt text, or nothing): counted as an image link. */
  image?: boolean;
}

/**
 * On-page signals of a page that public research ties to spam sites (core/flags.ts reads them;
 * the domain's own signals, digits, hyphens, TLD, HTTPS, come from the URL). Absent on pages
 * recorded before they were captured: unknown, never "missing".
 */
export interface PageSignals {
  /** Words of text in the page's body, counted up to a cap. */
  words: number;
  /** Characters of the meta description; 0 when there is none. */
  descriptionLength: number;
  /** The page declares an icon (link rel~=icon). */
  favicon: boolean;
  /** The page links to a contact page of its own site. */
  contactLinked: boolean;
  /** The page links to an about page of its own site. */
  aboutLinked: boolean;
}

/** A page's topical terms (headings and main text, stop words left out): term -> weight, capped. */
export type PageTerms = Record<string, number>;

/** Everything the content script reports about one page load. */
export interface PageSnapshot {
  url: string;
  title: string;
  canonical: string | null;
  lang: string;
  robots: { noindex: boolean; nofollow: boolean };
  links: RawLink[];
  /** How many links the document had in all, before skipping and capping. */
  totalLinks: number;
  /** True when the cap cut the list short: missing links must not be taken as removed. */
  truncated: boolean;
  signals?: PageSignals;
  terms?: PageTerms;
}

/**
 * Links that appeared on a page after its snapshot (late rendering, infinite scroll): merged
 * into the page's current visit, never taken as a reason to mark anything lost.
 */
export interface PageDelta {
  url: string;
  links: RawLink[];
}

export interface PageRecord {
  /** Canonical URL: the key. */
  url: string;
  domain: string;
  host: string;
  title: string;
  /** The rel=canonical the page declared (canonicalized), when it differs from url or not. */
  canonical: string | null;
  lang: string;
  robotsNoindex: boolean;
  robotsNofollow: boolean;
  firstSeen: number;
  lastSeen: number;
  outboundCount: number;
  truncated: boolean;
  /** Set on the record written under a declared canonical URL that was not itself visited. */
  aliasOf?: string;
  /** From the last visit; absent on records written before they were captured. */
  signals?: PageSignals;
  terms?: PageTerms;
  /** Visits of the page (loads half an hour apart: core/referrals#nextVisitCount); absent on records written before they were counted. */
  visits?: number;
  /** Ids of the latest visits stored, newest last (core/delivery#rememberVisit). */
  visitIds?: string[];
}

export interface LinkRecord {
  source: string;
  target: string;
  anchor: string;
  /** rel of the occurrence that counts: a followed one if any occurrence is followed. */
  rel: string[];
  /** The best placement among the occurrences. */
  region: LinkRegion;
  /** Every region the link appears in on the source page, best first. */
  regions: LinkRegion[];
  /** Every rel token seen on any occurrence. */
  rels: string[];
  /** How many times the link appears on the source page (at its last visit). */
  occurrences: number;
  sourceDomain: string;
  targetDomain: string;
  firstSeen: number;
  /**
   * When a visit last wrote the link; a live link was seen at its source page's last visit
   * too, which may be later: read it with lastSeenOf.
   */
  lastSeen: number;
  /** When a revisit found the link gone; null while the link is live. */
  lostAt: number | null;
  /** Words around the link at its last visit (see RawLink). */
  context?: string;
  /** The anchor is an image (see RawLink). */
  image?: boolean;
}

/**
 * When a link was last seen. A live link is on its source page as of the page's last full
 * visit, which does not rewrite the links it finds unchanged (records.ts#writeSnapshot): its
 * own lastSeen is when it was last written, the page's is the later sighting. A lost link's
 * is its own. Without the page (not stored, or a row kept without it), the link's own.
 */
export const lastSeenOf = (
  link: Pick<LinkRecord, 'lastSeen' | 'lostAt'>,
  pageLastSeen: number | undefined,
): number =>
  link.lostAt === null && pageLastSeen !== undefined && pageLastSeen > link.lastSeen
    ? pageLastSeen
    : link.lastSeen;

/** One key for one stored link, (source, target, anchor), for maps of per-link figures. */
export const linkKey = (l: Pick<LinkRecord, 'source' | 'target' | 'anchor'>): string =>
  `${l.source}\n${l.target}\n${l.anchor}`;

/** One HTTP redirect the browser followed on a navigation the user made. */
export interface RedirectRecord {
  /** Canonical URL that answered with the redirect. */
  from: string;
  /** Canonical URL it sent the browser to. */
  to: string;
  /** HTTP status (301, 302, 307, 308…). */
  status: number;
  firstSeen: number;
  lastSeen: number;
}

/** URL variants the user chose to count as one page, on one site (see core/variants.ts). */
export interface SiteFolds {
  /** Scheme, www and trailing-slash variants of every page of the site count as that page. */
  address: boolean;
  /** Paths (no trailing slash) whose other query strings count as the page without one. */
  queryPaths: string[];
}

export interface Settings {
  paused: boolean;
  /** Hostnames (punycode, lowercase); a site covers its subdomains. */
  excludedSites: string[];
  /** Folded URL variants by site: the host without a leading "www.". */
  folds: Record<string, SiteFolds>;
  /** Pages the user marked as related or competitors (canonical URLs), for link intersect. */
  relatedPages: string[];
  /** Pages not visited again for this many months are deleted (core/retention.ts). */
  retentionMonths: RetentionMonths;
}

/** How long a page not visited again is kept: a closed set, so the options page can list it. */
export type RetentionMonths = 3 | 6 | 12 | 24 | 60 | 'forever';

export const DEFAULT_SETTINGS: Settings = {
  paused: false,
  excludedSites: [],
  folds: {},
  relatedPages: [],
  // Generous: a year of not coming back, so nothing a person still uses goes.
  retentionMonths: 12,
};

/** Whether an authority score is a page's (keyed by URL) or a registrable domain's. */
export type AuthorityKind = 'page' | 'domain';

/** One stored authority score, as of the last completed computation. */
export interface AuthorityRecord {
  kind: AuthorityKind;
  /** A page's canonical URL, or a registrable domain. */
  key: string;
  /** PageRank (all scores of a kind sum to 1). */
  score: number;
  /** The same on the 0–100 scale shown to people (core/authority.ts#displayAuthority). */
  display: number;
  computedAt: number;
}
