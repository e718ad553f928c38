import { lastSeenOf, type LinkRecord, type PageRecord } from './types';
import { passesAuthority, QUALIFYING_RELS } from './occurrences';
import type { ViaRedirect } from './redirects';
import type { VariantKind } from './variants';

export { QUALIFYING_RELS };

/**
 * How a link to another URL counts for the page: its target redirects there, or is a variant
 * of it the user folded. Links to the page itself (or a same-site canonical) have none.
 */
export type Via = ({ kind: 'redirect' } & ViaRedirect) | { kind: 'variant'; kinds: VariantKind[] };

/** Targets merged into the page, with how, and the page's own registrable domain if known. */
export interface MergedTargets {
  via: Readonly<Record<string, Via>>;
  domain: string | null;
}

export interface BacklinkView extends LinkRecord {
  sourceTitle: string;
  /** The link passes no authority: a qualifying rel, or the source page's robots nofollow. */
  unfollowed: boolean;
  pageNofollow: boolean;
  /** The source page's robots meta says noindex: search engines may not count it at all. */
  pageNoindex: boolean;
  via: Via | null;
  /** Outbound links of the source page (its PageRecord); absent when the page is not stored. */
  outboundCount?: number;
}

export interface DomainGroup {
  domain: string;
  /**
   * Links in the group when `links` holds only its first few (a first render: storage/head.ts
   * reads the rows shown, not the group); absent when `links` is the whole group.
   */
  size?: number;
  /** Same registrable domain as the target: an internal link. */
  internal: boolean;
  live: number;
  /** Live links that pass authority (no nofollow/sponsored/ugc, no robots nofollow). */
  followed: number;
  links: BacklinkView[];
}

export interface BacklinkSummary {
  live: number;
  lost: number;
  /** Distinct external registrable domains with at least one live link. */
  referringDomains: number;
  internal: number;
  followed: number;
  /** Live links to a URL that redirects to the page (counted in live too). */
  viaRedirect: number;
  relCounts: Record<(typeof QUALIFYING_RELS)[number], number>;
  groups: DomainGroup[];
}

/**
 * What a row shows of its linking page: a PageRecord, or the copy kept with a head's rows
 * (without lastSeen when kept before it was: the link's own is then its last sighting).
 */
export type SourceFacts = Pick<
  PageRecord,
  'title' | 'robotsNofollow' | 'robotsNoindex' | 'outboundCount'
> &
  Partial<Pick<PageRecord, 'lastSeen'>>;

export function isUnfollowed(
  link: Pick<LinkRecord, 'rel'>,
  source: SourceFacts | null | undefined,
): boolean {
  return Boolean(source?.robotsNofollow) || !passesAuthority(link.rel);
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Live before lost, followed before not, newest first; ties by the link's identity, so that
 * the order never depends on how the links were read (storage keys): the rows kept with a
 * target's aggregate (core/target-stats.ts) must come out as the full read's.
 */
export function compareLinks(
  a: Pick<BacklinkView, 'lostAt' | 'unfollowed' | 'lastSeen' | 'source' | 'target' | 'anchor'>,
  b: Pick<BacklinkView, 'lostAt' | 'unfollowed' | 'lastSeen' | 'source' | 'target' | 'anchor'>,
): number {
  return (
    Number(a.lostAt !== null) - Number(b.lostAt !== null) ||
    Number(a.unfollowed) - Number(b.unfollowed) ||
    b.lastSeen - a.lastSeen ||
    a.source.localeCompare(b.source) ||
    byCodeUnits(a.source, b.source) ||
    byCodeUnits(a.target, b.target) ||
    byCodeUnits(a.anchor, b.anchor)
  );
}

/**
 * What orders the groups: a group's counts, `size` its links live or lost, and the referring
 * domain's authority (0–100) as kept with the target's aggregate (core/target-stats.ts), when
 * known.
 */
export type GroupRank = Pick<DomainGroup, 'domain' | 'internal' | 'live' | 'followed'> & {
  size: number;
  authority?: number;
};

/** A referring domain's stored authority (0–100), by domain: what breaks ties between groups. */
export type DomainAuthority = Readonly<Record<string, number>>;

/** A domain's entry of `authority`, if it has one of its own (not an Object.prototype key). */
export const authorityOf = (authority: DomainAuthority, domain: string): number | undefined =>
  Object.hasOwn(authority, domain) ? authority[domain] : undefined;

/**
 * External before internal, then domains whose links pass authority, then by live links, then
 * the strongest domain first (a domain the last computation did not score after a zero), and
 * only then by name: a page with hundreds of one-link domains showed the alphabetically first.
 * From counts and stored scores alone, so that storage/head.ts ranks groups whose links it has
 * not read.
 */
export function compareGroupRanks(a: GroupRank, b: GroupRank): number {
  return (
    Number(a.internal) - Number(b.internal) ||
    b.followed - a.followed ||
    b.live - a.live ||
    b.size - a.size ||
    (b.authority ?? -1) - (a.authority ?? -1) ||
    a.domain.localeCompare(b.domain)
  );
}

/**
 * Turn stored links to one page into what the popup shows: counts, signals and groups, the
 * groups ranked with `authority` (the scores kept with the page's aggregates, none for a page
 * without one: storage/queries.ts#loadBacklinks).
 */
export function summarizeBacklinks(
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, SourceFacts>>,
  merged: MergedTargets = { via: {}, domain: null },
  authority: DomainAuthority = {},
): BacklinkSummary {
  const groups = new Map<string, DomainGroup>();
  const relCounts = { nofollow: 0, sponsored: 0, ugc: 0 };
  const externalDomains = new Set<string>();
  let live = 0;
  let internal = 0;
  let followed = 0;
  let viaRedirect = 0;
  for (const link of links) {
    const source = sources[link.source];
    const via = merged.via[link.target] ?? null;
    const view: BacklinkView = {
      ...link,
      lastSeen: lastSeenOf(link, source?.lastSeen),
      sourceTitle: source?.title ?? '',
      unfollowed: isUnfollowed(link, source),
      pageNofollow: Boolean(source?.robotsNofollow),
      pageNoindex: Boolean(source?.robotsNoindex),
      via,
      outboundCount: source?.outboundCount,
    };
    // A redirect may cross sites: internal means from the page's own site, not the old URL's.
    const isInternal = link.sourceDomain === ((via && merged.domain) || link.targetDomain);
    let group = groups.get(link.sourceDomain);
    if (!group) {
      group = { domain: link.sourceDomain, internal: isInternal, live: 0, followed: 0, links: [] };
      groups.set(link.sourceDomain, group);
    }
    group.links.push(view);
    if (link.lostAt !== null) continue;
    live++;
    group.live++;
    if (via?.kind === 'redirect') viaRedirect++;
    if (isInternal) internal++;
    else externalDomains.add(link.sourceDomain);
    if (!view.unfollowed) {
      followed++;
      group.followed++;
    }
    for (const rel of QUALIFYING_RELS) if (link.rel.includes(rel)) relCounts[rel]++;
  }
  for (const group of groups.values()) group.links.sort(compareLinks);
  return {
    live,
    lost: links.length - live,
    referringDomains: externalDomains.size,
    internal,
    followed,
    viaRedirect,
    relCounts,
    groups: [...groups.values()].sort((a, b) =>
      compareGroupRanks(
        { ...a, size: a.links.length, authority: authorityOf(authority, a.domain) },
        { ...b, size: b.links.length, authority: authorityOf(authority, b.domain) },
      ),
    ),
  };
}

export interface SiteSummary {
  domain: string;
  /** Live links into the site from other sites. */
  live: number;
  referringDomains: number;
  /** The site's pages with the most live external backlinks, most first. */
  topTargets: Array<{ url: string; live: number }>;
  /** False when only part of the site's links was read: the counts are lower bounds. */
  complete: boolean;
}

/** Site-wide view of the links into one registrable domain (internal links left out). */
export function summarizeSite(
  domain: string,
  links: readonly LinkRecord[],
  topCount = 10,
  complete = true,
): SiteSummary {
  const perTarget = new Map<string, number>();
  const referring = new Set<string>();
  let live = 0;
  for (const link of links) {
    if (link.lostAt !== null || link.sourceDomain === link.targetDomain) continue;
    live++;
    referring.add(link.sourceDomain);
    perTarget.set(link.target, (perTarget.get(link.target) ?? 0) + 1);
  }
  const topTargets = [...perTarget]
    .map(([url, count]) => ({ url, live: count }))
    // Ties by URL in code-unit order, the order of the aggregate's index (core/site-stats.ts).
    .sort((a, b) => b.live - a.live || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
    .slice(0, topCount);
  return { domain, live, referringDomains: referring.size, topTargets, complete };
}
