import { linkKey, type LinkRecord } from './types';
import type { SiteSummary } from './summary';

/**
 * A maintained per-site aggregate (storage/site-stats.ts): what the site line shows
 * (summarizeSite) without reading the site's links (issue 7, item 1). Split into small records
 * so that neither a write nor the popup's read grows with the site: a head of two counts, and a
 * tally per referring domain and per linked page of the site, each one number. The tallies make
 * removals exact (a referring domain goes when its last live link does); the page tallies are
 * indexed by count, so the most linked pages are read in order.
 */

/** Stored links into a site from which on it gets an aggregate (under it, its links are read). */
export const HOT_SITE_LINKS = 200;

/** The site's counts: the site line's two numbers. */
export interface SiteHead {
  /** The registrable domain (a link's targetDomain). */
  site: string;
  /** Live links into the site from other sites. */
  live: number;
  /** Other sites with a live link into it: its domain tallies. */
  referringDomains: number;
  /**
   * Tallies changed since they were last put, by part: each one's live count now (0: its
   * stored tally is to be deleted). A write changes them here, in the head it puts anyway,
   * rather than put a tally per changed part (a first visit linking to 100 of the site's pages
   * put 102 records, 1.39x raw puts: issue 7); they are put later, all at once (foldSiteHead),
   * once there are more than MAX_PENDING or the worker is quiet. Readers take them over the
   * stored tallies (liveOf, topTalliesOf).
   */
  pending?: Record<string, number>;
}

/**
 * Pending parts a head holds at most after a write (past them, that write puts them all): it
 * bounds the head the popup reads, about 60 bytes a part, and the top read's second round.
 */
export const MAX_PENDING = 256;

/**
 * One tally of a site: `part` is DOMAIN_PART + a referring domain, or PAGE_PART + one of the
 * site's pages; `live` its live links from other sites (never 0: a tally at 0 is deleted).
 * A page's tally has `top` = -live, for the index that lists the most linked pages first.
 */
export interface SiteTally {
  site: string;
  part: string;
  live: number;
  top?: number;
}

export const DOMAIN_PART = 'd:';
export const PAGE_PART = 't:';

/** Whether a link counts on its site's line, as summarizeSite counts it: live, from elsewhere. */
export const countsOnSite = (link: LinkRecord): boolean =>
  link.lostAt === null && link.sourceDomain !== link.targetDomain;

/** What a write changes in one site: live links, and per tally part the change of its count. */
export interface SiteChange {
  live: number;
  parts: Map<string, number>;
}

/**
 * The changes of each site in `sites` from a write of links: `before` the stored links of the
 * written source page(s), `rewritten` the records put (new or changed; a link of `before` not
 * among them stays as it was). A change that nets to zero is left out.
 */
export function siteChanges(
  before: readonly LinkRecord[],
  rewritten: readonly LinkRecord[],
  sites: ReadonlySet<string>,
): Map<string, SiteChange> {
  const old = new Map<string, LinkRecord>();
  for (const link of before) if (sites.has(link.targetDomain)) old.set(linkKey(link), link);
  const changes = new Map<string, SiteChange>();
  const add = (link: LinkRecord, sign: 1 | -1) => {
    const change = changes.get(link.targetDomain) ?? { live: 0, parts: new Map() };
    changes.set(link.targetDomain, change);
    change.live += sign;
    for (const part of [DOMAIN_PART + link.sourceDomain, PAGE_PART + link.target]) {
      change.parts.set(part, (change.parts.get(part) ?? 0) + sign);
    }
  };
  for (const link of rewritten) {
    if (!sites.has(link.targetDomain)) continue;
    const was = old.get(linkKey(link));
    const now = countsOnSite(link);
    if (was && countsOnSite(was) === now) continue;
    if (now) add(link, 1);
    else if (was) add(was, -1);
  }
  for (const [site, change] of changes) {
    for (const [part, n] of change.parts) if (n === 0) change.parts.delete(part);
    if (change.parts.size === 0) changes.delete(site);
  }
  return changes;
}

/** A part's live count as the aggregate holds it: pending in its head, else its stored tally's. */
export const liveOf = (head: SiteHead, part: string, stored: SiteTally | undefined): number =>
  head.pending?.[part] ?? stored?.live ?? 0;

/** How many parts a head holds pending. */
export const pendingCount = (head: SiteHead): number =>
  head.pending ? Object.keys(head.pending).length : 0;

/**
 * Apply one site's change to its head, in place: its counts, and the new count of each part
 * the change names among its pending ones (`tallies` the stored tallies by part, undefined
 * where none is stored). A part at 0 with no stored tally is simply no longer pending.
 */
export function applySiteChange(
  head: SiteHead,
  change: SiteChange,
  tallies: ReadonlyMap<string, SiteTally | undefined>,
): void {
  const pending = { ...head.pending };
  head.live += change.live;
  for (const [part, n] of change.parts) {
    const stored = tallies.get(part);
    const was = liveOf(head, part, stored); // each part once: head.pending is still as read
    const live = Math.max(0, was + n);
    if (part.startsWith(DOMAIN_PART)) {
      if (was === 0 && live > 0) head.referringDomains++;
      if (was > 0 && live === 0) head.referringDomains--;
    }
    if (live > 0 || stored) pending[part] = live;
    else delete pending[part];
  }
  if (Object.keys(pending).length > 0) head.pending = pending;
  else delete head.pending;
}

/**
 * A head's pending parts as the tallies to put and the parts to delete, and the head without
 * them: what a fold writes, in one transaction with the head.
 */
export function foldSiteHead(head: SiteHead): {
  head: SiteHead;
  put: SiteTally[];
  drop: string[];
} {
  const { pending = {}, ...folded } = head;
  const put: SiteTally[] = [];
  const drop: string[] = [];
  for (const [part, live] of Object.entries(pending)) {
    if (live > 0) put.push(tallyOf(head.site, part, live));
    else drop.push(part);
  }
  return { head: folded, put, drop };
}

/** The pending page parts of a head: what can move a page into or out of its site's top. */
export const pendingPages = (head: SiteHead): string[] =>
  Object.keys(head.pending ?? {}).filter((part) => part.startsWith(PAGE_PART));

/**
 * A site's `top` most linked page tallies, in the by_top index's order (most links first, then
 * by part), from `stored`, the index's first tallies of the site, and the head's pending
 * counts, which replace the stored ones of their pages. Null when `stored` cannot tell: read
 * with `limit` and full, fewer than `top` pages are sure to come no later than its last one
 * (then read again with limit top + pendingPages(head).length).
 */
export function topTalliesOf(
  head: SiteHead,
  stored: readonly SiteTally[],
  top: number,
  limit: number,
): SiteTally[] | null {
  const pending = head.pending ?? {};
  const settled = stored.filter((t) => pending[t.part] === undefined);
  const moved = pendingPages(head)
    .filter((part) => pending[part]! > 0)
    .map((part) => tallyOf(head.site, part, pending[part]!));
  const last = stored[stored.length - 1];
  if (last && stored.length >= limit) {
    // A page the read did not reach and not pending comes after its last one; those read and
    // not pending, and pending ones now no later, come before it: a burst of writes only raises
    // the most linked pages, and costs no second round.
    const ahead = settled.length + moved.filter((t) => byTop(t, last) <= 0).length;
    if (ahead < top) return null;
  }
  if (moved.length === 0) return settled.slice(0, top);
  return [...settled.slice(0, top), ...moved].sort(byTop).slice(0, top);
}

/** The by_top index's order of a site's page tallies: most links first, then by part. */
const byTop = (a: SiteTally, b: SiteTally): number =>
  a.top! - b.top! || (a.part < b.part ? -1 : a.part > b.part ? 1 : 0);

const tallyOf = (site: string, part: string, live: number): SiteTally =>
  part.startsWith(PAGE_PART) ? { site, part, live, top: -live } : { site, part, live };

/** A site's aggregate built from its links (every stored link whose targetDomain it is). */
export function siteStatsOf(
  site: string,
  links: Iterable<LinkRecord>,
): { head: SiteHead; tallies: SiteTally[] } {
  const counts = new Map<string, number>();
  let live = 0;
  let referringDomains = 0;
  for (const link of links) {
    if (link.targetDomain !== site || !countsOnSite(link)) continue;
    live++;
    for (const part of [DOMAIN_PART + link.sourceDomain, PAGE_PART + link.target]) {
      const n = (counts.get(part) ?? 0) + 1;
      if (n === 1 && part.startsWith(DOMAIN_PART)) referringDomains++;
      counts.set(part, n);
    }
  }
  const tallies = [...counts].map(([part, n]) => tallyOf(site, part, n));
  return { head: { site, live, referringDomains }, tallies };
}

/**
 * The site line from the aggregate: `top` the site's most linked page tallies, in the index's
 * order (most links first, then by URL), as summarizeSite orders them. Exact: complete.
 */
export function summarizeSiteStats(head: SiteHead, top: readonly SiteTally[]): SiteSummary {
  return {
    domain: head.site,
    live: head.live,
    referringDomains: head.referringDomains,
    topTargets: top
      .filter((t) => t.part.startsWith(PAGE_PART))
      .map((t) => ({ url: t.part.slice(PAGE_PART.length), live: t.live })),
    complete: true,
  };
}
