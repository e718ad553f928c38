import type { LinkRecord, PageRecord } from '../core/types';
import {
  addSiteFlags,
  countFlags,
  countsOf,
  findFlags,
  MANY_OUT_DOMAINS,
  SITEWIDE_MIN_SHARED_PAGES,
  type FlagCounts,
  type FlagReport,
} from '../core/flags';
import type { ProfileTarget } from '../core/profile';
import type { BacklinkDb } from './db';
import { getAllLinks } from './link-keys';
import { knownDomainPages } from './source-pages';

/**
 * What the flags need beyond the report (see core/flags.ts), read with bounded index reads in one
 * read-only transaction, after the report has been shown:
 * - links between the referring domains and the target's domain: for each referring domain,
 *   the primary keys (source, target, anchor) of the links into it (`by_target_domain`, keys
 *   only, so no record is deserialized), kept when their source is on another referring
 *   domain or the target's; only those crossing links are then read in full;
 * - how many pages of each referring domain were visited (`by_domain` count, no record read),
 *   for those linking from SITEWIDE_MIN_SHARED_PAGES pages or more (no fewer can be sitewide);
 * - the distinct domains linked from the few source pages with enough links to reach
 *   MANY_OUT_DOMAINS (`by_source`).
 * No new store: the domain graph is this small neighbourhood, read on demand.
 */
export interface FlagReads {
  crossLinks: LinkRecord[];
  domainPages: Record<string, number>;
  outDomains: Record<string, number>;
  /** False when a cap cut a read short: flags may be missing, never wrong. */
  complete: boolean;
}

/** Referring domains looked at, those with the most live links first. */
export const FLAG_DOMAIN_LIMIT = 200;
/** Link keys read per referring domain (a popular domain has many inbound links). */
export const FLAG_KEYS_PER_DOMAIN = 2_000;
/** Crossing links read in full at most. */
export const FLAG_CROSS_LINK_LIMIT = 2_000;
/** Source pages whose outbound domains are counted, the most links first, and links read each. */
export const FLAG_HUB_PAGES = 20;
export const FLAG_HUB_LINKS = 1_000;

/** The host of a canonical URL, without parsing it ("scheme://host[:port]/…"). */
function hostOfCanonical(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(url)?.[1] ?? '';
}

/** The member domain a host belongs to: itself or a parent domain in the set. */
function memberOf(host: string, members: ReadonlySet<string>): string | null {
  for (let rest = host; ;) {
    if (members.has(rest)) return rest;
    const dot = rest.indexOf('.');
    if (dot < 0) return null;
    rest = rest.slice(dot + 1);
  }
}

/** Read what the flags need around a page's inbound links (see FlagReads). */
export async function readFlagInputs(
  db: BacklinkDb,
  targetDomain: string,
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, PageRecord>>,
): Promise<FlagReads> {
  const perDomain = new Map<string, number>();
  const linkingPages = new Map<string, Set<string>>();
  for (const l of links) {
    if (l.lostAt === null && l.sourceDomain !== targetDomain) {
      perDomain.set(l.sourceDomain, (perDomain.get(l.sourceDomain) ?? 0) + 1);
      const pages = linkingPages.get(l.sourceDomain) ?? new Set<string>();
      linkingPages.set(l.sourceDomain, pages.add(l.source));
    }
  }
  const referring = [...perDomain]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([d]) => d);
  let complete = referring.length <= FLAG_DOMAIN_LIMIT;
  const domains = referring.slice(0, FLAG_DOMAIN_LIMIT);
  const members = new Set([targetDomain, ...domains]);
  // A domain linking from fewer pages can never be sitewide, however many were visited: its
  // pages are not counted (most referring domains link from one or two pages).
  const counted = domains.filter((d) => linkingPages.get(d)!.size >= SITEWIDE_MIN_SHARED_PAGES);
  const known = knownDomainPages(sources);

  const tx = db.transaction(['pages', 'links', 'links-v1'], 'readonly');
  const byDomain = tx.objectStore('pages').index('by_domain');

  // Records, not keys: a link's key no longer names its source (storage/link-keys.ts).
  const [linkSets, pageCounts] = await Promise.all([
    Promise.all(domains.map((d) => getAllLinks(tx, 'by_target_domain', d, FLAG_KEYS_PER_DOMAIN))),
    // Domains whose pages were all read with the sources are counted already.
    Promise.all(counted.map((d) => known[d] ?? byDomain.count(d))),
  ]);
  const crossing: LinkRecord[] = [];
  linkSets.forEach((set, i) => {
    if (set.length >= FLAG_KEYS_PER_DOMAIN) complete = false;
    for (const link of set) {
      const from = memberOf(hostOfCanonical(link.source), members);
      if (from !== null && from !== domains[i]) crossing.push(link);
    }
  });
  if (crossing.length > FLAG_CROSS_LINK_LIMIT) complete = false;

  const hubs = Object.values(sources)
    .filter((p) => p.outboundCount >= MANY_OUT_DOMAINS && p.domain !== targetDomain)
    .sort((a, b) => b.outboundCount - a.outboundCount);
  if (hubs.length > FLAG_HUB_PAGES) complete = false;
  const hubPages = hubs.slice(0, FLAG_HUB_PAGES);

  const crossLinks = crossing.slice(0, FLAG_CROSS_LINK_LIMIT);
  const hubLinks = await Promise.all(
    hubPages.map((p) => getAllLinks(tx, 'by_source', p.url, FLAG_HUB_LINKS)),
  );
  // Read-only: every result is in, and a failed read has rejected above. Waiting for the
  // transaction's end would wait behind the popup's other reads for nothing.
  tx.done.catch(() => {});

  const outDomains: Record<string, number> = {};
  hubPages.forEach((page, i) => {
    const others = new Set(hubLinks[i]!.map((l) => l.targetDomain));
    others.delete(page.domain);
    outDomains[page.url] = others.size;
  });
  const domainPages: Record<string, number> = {};
  counted.forEach((d, i) => (domainPages[d] = pageCounts[i]!));
  return {
    crossLinks: crossLinks.filter((l) => l.lostAt === null),
    domainPages,
    outDomains,
    complete,
  };
}

/** The flags of a page, with whether every read was complete. */
export interface FlagView extends FlagReport {
  /** What the one-line summary says; known before the flags themselves are built. */
  counts: FlagCounts;
  complete: boolean;
  /** Set while the site's links are still being read: its bursts are not in yet. */
  sitePending?: true;
  /** Set while only the counts are known: `flags`, `byLink` and `spam` are still empty. */
  building?: true;
  /** Set when the line is the page's stored one (storage/risk-summary.ts), not computed now. */
  stored?: { computedAt: number; current: boolean };
}

type SiteLinks = readonly LinkRecord[] | undefined;

/** readFlagInputs started ahead (startFlagReads), for the target domain it was started for. */
export interface EarlyReads {
  domain: string;
  reads: Promise<FlagReads>;
}

/**
 * Start the flags' reads as soon as the links and their sources are read, before the report is
 * summarized and rendered: the risk line waits on these reads, the list does not. `domain` is
 * the target's as far as known here (its page, else its links'); loadFlags reads again if the
 * target turns out to be on another.
 */
export function startFlagReads(
  db: BacklinkDb,
  domain: string,
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, PageRecord>>,
): EarlyReads {
  const reads = readFlagInputs(db, domain, links, sources);
  // Awaited by loadFlags; a report replaced before that must not leave an unhandled rejection.
  reads.catch(() => {});
  return { domain, reads };
}

/** A new task: what was rendered so far is painted before the next long computation. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Read and compute the flags of a loaded report. `site`: links into the target's site, when the
 * site-wide view reads them (site bursts). Views before the last are given to `onEarly`, as
 * soon as each is known: first the counts alone (the risk line; flags and evidence are built in
 * the next task), then, while the site's links are still on their way, the page's own flags
 * (the site's bursts are added to them after). Without `onEarly` (a current stored line says
 * the counts already) the flags are found at once: neither counted first nor a task waited for,
 * which behind a 5,000-link page's other reads and renders held its rows' marks back.
 */
export async function loadFlags(
  db: BacklinkDb,
  target: ProfileTarget,
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, PageRecord>>,
  site: SiteLinks | PromiseLike<SiteLinks>,
  now: number,
  onEarly?: (view: FlagView) => void,
  early?: EarlyReads,
): Promise<FlagView> {
  const reads = await (early?.domain === target.domain
    ? early.reads
    : readFlagInputs(db, target.domain, links, sources));
  const input = { target, links, sources, now, ...reads };
  const pending = Symbol('pending');
  const siteNow = async () => {
    const ready = await Promise.race([site, Promise.resolve(pending)]);
    return ready === pending ? pending : { siteLinks: ready };
  };
  const viewOf = (report: FlagReport, waiting: boolean): FlagView => ({
    ...report,
    counts: countsOf(report.flags),
    complete: reads.complete,
    ...(waiting ? { sitePending: true as const } : {}),
  });
  if (!onEarly) {
    const page = findFlags(input);
    const siteLinks = await site;
    return viewOf(siteLinks ? addSiteFlags(page, { ...input, siteLinks }) : page, false);
  }
  // The counts first, with the site's bursts when its links are already there.
  let withSite = await siteNow();
  const counts = countFlags(withSite === pending ? input : { ...input, ...withSite });
  onEarly({
    flags: [],
    byLink: new Map(),
    risks: counts.risks,
    spam: [],
    counts,
    complete: reads.complete,
    building: true,
    ...(withSite === pending ? { sitePending: true as const } : {}),
  });
  await nextTask();
  if (withSite !== pending) return viewOf(findFlags({ ...input, ...withSite }), false);
  const page = findFlags(input);
  withSite = await siteNow();
  if (withSite === pending) onEarly(viewOf(page, true));
  const siteLinks = withSite === pending ? await site : withSite.siteLinks;
  return viewOf(siteLinks ? addSiteFlags(page, { ...input, siteLinks }) : page, false);
}
