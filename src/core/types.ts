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

/** One outbound link as the content script saw it (target already absolute, not yet canonical). */
export interface RawLink {
  href: string;
  anchor: string;
  rel: string[];
  region: LinkRegion;
}

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
}

export interface LinkRecord {
  source: string;
  target: string;
  anchor: string;
  rel: string[];
  region: LinkRegion;
  sourceDomain: string;
  targetDomain: string;
  firstSeen: number;
  lastSeen: number;
  /** When a revisit found the link gone; null while the link is live. */
  lostAt: number | null;
}

export interface Settings {
  paused: boolean;
  /** Hostnames (punycode, lowercase); a site covers its subdomains. */
  excludedSites: string[];
}

export const DEFAULT_SETTINGS: Settings = { paused: false, excludedSites: [] };
