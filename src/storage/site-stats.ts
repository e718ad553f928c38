import { unwrap, type IDBPObjectStore, type StoreNames } from 'idb';
import type { LinkRecord } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import {
  applySiteChange,
  countsOnSite,
  DOMAIN_PART,
  HOT_SITE_LINKS,
  PAGE_PART,
  siteChanges,
  siteStatsOf,
  type SiteHead,
  type SiteTally,
} from '../core/site-stats';
import type { BacklinkDb, BacklinkSchema } from './db';
import { getAllLinkKeys, getAllLinks, LINK_STORES } from './link-keys';
import { domainCandidates } from './queries';
import { getMany, putAll } from './requests';
import { isStagedBy, readJournal } from './staged-writes';

/**
 * The `site-stats` and `site-tallies` stores: core/site-stats.ts aggregates of hot sites, the
 * site line's counts, built lazily (ensureSiteStats, from the worker) and kept exact by the
 * write paths inside their own transaction, as target-stats.ts keeps a hot page's: a recorded
 * page adjusts the sites it links into that have one (adjustSiteStats), a bulk change (import,
 * forgetting a site, retention, clearing) drops them (forgetSiteStats) to be built again.
 * The popup reads them in queries.ts#loadSiteStats.
 */

/** The stores of the aggregates: a write scope that changes links into a site names both. */
export const SITE_STORES = ['site-stats', 'site-tallies'] as const;

type Store<N extends (typeof SITE_STORES)[number]> = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  N,
  'readwrite'
>;

/** The two stores, from a write transaction whose scope has SITE_STORES. */
export interface SiteStores {
  heads: Store<'site-stats'>;
  tallies: Store<'site-tallies'>;
}

export const siteStoresOf = (tx: {
  objectStore(name: 'site-stats'): Store<'site-stats'>;
  objectStore(name: 'site-tallies'): Store<'site-tallies'>;
}): SiteStores => ({
  heads: tx.objectStore('site-stats'),
  tallies: tx.objectStore('site-tallies'),
});

/** Every key of one site's tallies: [site, part] for any part (an array sorts after strings). */
const talliesOf = (site: string) => IDBKeyRange.bound([site], [site, []]);

/** Deletes as plain requests (see requests.ts#putAll): a failure aborts the transaction. */
function deleteAll(store: { delete(key: never): unknown }, keys: Iterable<IDBValidKey>): void {
  const raw = unwrap(store as never) as unknown as IDBObjectStore;
  for (const key of keys) raw.delete(key);
}

/**
 * The sites with an aggregate as this context's last write read them: a hint, so that a write
 * asks its tallies in its first round (readSiteStats). Only a hint: a site it lacks is read in a
 * second round, one it has in excess costs a few reads; the stored keys decide.
 */
let hotHint: ReadonlySet<string> = new Set();

/** What a page write asked of the aggregates in its first round (readSiteStats). */
export interface SiteRead {
  /** The sites with an aggregate (their keys: one per hot site). */
  sites: Promise<string[]>;
  /** Heads and tallies asked ahead, by keyOf. */
  ahead: Map<string, Promise<SiteHead | SiteTally | undefined>>;
}

/** Heads and tallies a write asks ahead at most (past them, its second round reads them). */
const MAX_AHEAD = 64;

const HEAD = '\u0000';
const keyOf = (site: string, part: string = HEAD) => `${site} ${part}`;

/**
 * A page write's reads of the aggregates, asked in its first round beside its other reads: the
 * sites that have one, and, for `links` (the page's links as found, before the stored ones are
 * known) into a site the hint names, the head and the tallies a new link would change. A link
 * lost or changed is known only after that round: its tallies are read then (adjustSiteStats).
 */
export function readSiteStats(stores: SiteStores, links: Iterable<LinkRecord>): SiteRead {
  const sites = stores.heads.getAllKeys();
  void sites.then(
    (keys) => (hotHint = new Set(keys)),
    () => {},
  );
  const ahead = new Map<string, Promise<SiteHead | SiteTally | undefined>>();
  const ask = (site: string, part?: string) => {
    const key = keyOf(site, part);
    if (ahead.has(key)) return;
    const read = part === undefined ? stores.heads.get(site) : stores.tallies.get([site, part]);
    read.catch(() => {}); // not awaited when the write changes nothing there
    ahead.set(key, read);
  };
  for (const link of links) {
    if (!hotHint.has(link.targetDomain) || !countsOnSite(link)) continue;
    // A revisit changes none of them: bounded, so a large page's revisit asks few in vain.
    if (ahead.size + 3 > MAX_AHEAD) break;
    ask(link.targetDomain);
    ask(link.targetDomain, DOMAIN_PART + link.sourceDomain);
    ask(link.targetDomain, PAGE_PART + link.target);
  }
  return { sites, ahead };
}

/**
 * After a write of one source page's links: `before` its stored links as read before the write,
 * `rewritten` the records put (new or changed), `read` what the write asked in its first round
 * (readSiteStats). Reads what that round did not ask (a link lost into a hot site, a site the
 * hint lacked) in one more round, then queues the puts.
 * Contract: resolves when the puts are queued; rejects (aborting with the caller's
 * transaction) if a read fails.
 */
export function adjustSiteStats(
  stores: SiteStores,
  before: readonly LinkRecord[],
  rewritten: readonly LinkRecord[],
  read: SiteRead,
): Promise<void> {
  // Several page writes in one transaction (bulk.ts) may change the same site: each applies its
  // change after the one before it, over what that one put (`written`), not what it read ahead.
  const tx = (unwrap(stores.heads as never) as unknown as IDBObjectStore).transaction;
  const last = lastAdjust.get(tx);
  const written = last?.written ?? new Map<string, SiteHead | SiteTally | null>();
  const run = (last?.run ?? Promise.resolve()).then(() =>
    adjustNow(stores, before, rewritten, read, written),
  );
  lastAdjust.set(tx, {
    run: run.catch(() => {}),
    written,
  });
  return run;
}

/** Per transaction, the adjustment that runs last, and what the adjustments put or deleted. */
const lastAdjust = new WeakMap<
  IDBTransaction,
  { run: Promise<unknown>; written: Map<string, SiteHead | SiteTally | null> }
>();

async function adjustNow(
  stores: SiteStores,
  before: readonly LinkRecord[],
  rewritten: readonly LinkRecord[],
  read: SiteRead,
  written: Map<string, SiteHead | SiteTally | null>,
): Promise<void> {
  // Most writes change no link into a hot site: found from the rewritten links' domains alone.
  const touched = new Set(rewritten.map((l) => l.targetDomain));
  const hot = new Set((await read.sites).filter((s) => touched.has(s)));
  if (hot.size === 0) return;
  const changes = siteChanges(before, rewritten, hot);
  if (changes.size === 0) return;
  // Each value: put by an earlier write of this transaction, else read ahead, else read now.
  const valueOf = (site: string, part?: string) => {
    const key = keyOf(site, part);
    if (written.has(key)) return Promise.resolve(written.get(key) ?? undefined);
    return (
      read.ahead.get(key) ??
      (part === undefined ? stores.heads.get(site) : stores.tallies.get([site, part]))
    );
  };
  const sites = [...changes.keys()];
  const [heads, tallies] = await Promise.all([
    Promise.all(sites.map((site) => valueOf(site) as Promise<SiteHead | undefined>)),
    Promise.all(
      sites.map(async (site) => {
        const parts = [...changes.get(site)!.parts.keys()];
        const values = await Promise.all(parts.map((part) => valueOf(site, part)));
        return new Map(parts.map((part, i) => [part, values[i] as SiteTally | undefined]));
      }),
    ),
  ]);
  sites.forEach((site, i) => {
    const head = heads[i];
    if (!head) return; // dropped by a bulk change in between: built again from the links
    const next = { ...head };
    const { put, drop } = applySiteChange(next, changes.get(site)!, tallies[i]!);
    putAll(stores.heads, [next]);
    putAll(stores.tallies, put);
    deleteAll(
      stores.tallies,
      drop.map((part) => [site, part]),
    );
    written.set(keyOf(site), next);
    for (const tally of put) written.set(keyOf(site, tally.part), tally);
    for (const part of drop) written.set(keyOf(site, part), null);
  });
}

/** Drop every aggregate (a bulk change): each is built again when next wanted. */
export function forgetSiteStats(stores: SiteStores): Promise<unknown> {
  return Promise.all([stores.heads.clear(), stores.tallies.clear()]);
}

/** Drop the aggregates of some sites (links into them were deleted). */
export function forgetStatsOfSites(stores: SiteStores, sites: Iterable<string>): Promise<unknown> {
  return Promise.all(
    [...new Set(sites)].flatMap((site) => [
      stores.heads.delete(site),
      stores.tallies.delete(talliesOf(site)),
    ]),
  );
}

/**
 * Build the aggregate of the site of `rawUrl` if it has none and at least `minLinks` stored links
 * into it: in one transaction that reads the links and writes the aggregate, so no recorded
 * page slips between the read and the write. Links a page write has staged but not yet
 * recorded (staged-writes.ts) are left out: its last transaction counts them (adjustSiteStats).
 * Resolves to the site built, or null. Run in the background (the worker), so that a popup
 * never has to read the site's links for its site line.
 */
export async function ensureSiteStats(
  db: BacklinkDb,
  rawUrl: string,
  minLinks: number = HOT_SITE_LINKS,
): Promise<string | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const candidates = domainCandidates(new URL(url).hostname);
  // A read first: the common case (built already, or a small site) must not queue a write.
  const read = db.transaction([...LINK_STORES, 'site-stats']);
  const [built, probes] = await Promise.all([
    getMany(read.objectStore('site-stats'), candidates),
    // Keys only, at most minLinks each: a count would walk every link into a big site.
    Promise.all(candidates.map((d) => getAllLinkKeys(read, 'by_target_domain', d, minLinks))),
  ]);
  if (built.some(Boolean)) return null;
  const site = candidates.find((_d, i) => probes[i]!.length >= minLinks);
  if (site === undefined) return null;
  const tx = db.transaction([...LINK_STORES, 'meta', ...SITE_STORES], 'readwrite');
  const stores = siteStoresOf(tx);
  const [again, links, journal] = await Promise.all([
    stores.heads.getKey(site),
    getAllLinks(tx, 'by_target_domain', site),
    readJournal(tx.objectStore('meta')),
  ]);
  if (again !== undefined) return null; // built meanwhile by another call
  const recorded = links.filter((l) => !journal.some((w) => isStagedBy(w, l)));
  const { head, tallies } = siteStatsOf(site, recorded);
  putAll(stores.heads, [head]);
  putAll(stores.tallies, tallies);
  await tx.done;
  hotHint = new Set([...hotHint, site]);
  return site;
}
