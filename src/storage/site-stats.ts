import { unwrap, type IDBPObjectStore, type StoreNames } from 'idb';
import type { LinkRecord } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import {
  applySiteChange,
  countsOnSite,
  DOMAIN_PART,
  foldSiteHead,
  HOT_SITE_LINKS,
  MAX_PENDING,
  PAGE_PART,
  pendingCount,
  siteChanges,
  siteStatsOf,
  type SiteHead,
  type SiteTally,
} from '../core/site-stats';
import type { BacklinkDb, BacklinkSchema } from './db';
import { getAllLinkKeys, LINK_STORES, storesOf } from './link-keys';
import { domainCandidates, siteIndexOf } from './queries';
import { deleteAll, getMany, putAll } from './requests';
import { isStagedBy, readJournal, type StagedWrite } from './staged-writes';

/**
 * The `site-stats` and `site-tallies` stores: core/site-stats.ts aggregates of hot sites, the
 * site line's counts, built lazily (ensureSiteStats, from the worker) and kept exact by the
 * write paths inside their own transaction, as target-stats.ts keeps a hot page's: a recorded
 * page adjusts the sites it links into that have one (adjustSiteStats), a bulk change (import,
 * forgetting a site, retention, clearing) drops them (forgetSiteStats) to be built again.
 * A recorded page puts only the head of each site it changes, the changed tallies pending in
 * it (core/site-stats.ts#SiteHead), put later by foldSiteStats. The popup reads them in
 * queries.ts#loadSiteStats.
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

/**
 * The sites with an aggregate as this context's last write read them: a hint, so that a first
 * visit asks its tallies beside the sites' keys (readSiteStats). Only a hint: a site it lacks
 * is read in one more round, one it has in excess costs a few reads; the stored keys decide.
 */
let hotHint: ReadonlySet<string> = new Set();

/** The sites with an aggregate (their keys: one per hot site), as stored; the hint updated. */
function askSites(stores: SiteStores): Promise<string[]> {
  const sites = stores.heads.getAllKeys();
  void sites.then(
    (keys) => (hotHint = new Set(keys)),
    () => {},
  );
  return sites;
}

/** What a page write asked of the aggregates ahead of its diff (readSiteStats). */
export interface SiteRead {
  /** Settles once the page's record is read: a first visit's reads asked, or none. */
  asked: Promise<Asked>;
}

interface Asked {
  /** The sites with an aggregate, if asked ahead. */
  sites: Promise<string[]> | null;
  /** Heads and tallies asked ahead, by keyOf. */
  ahead: Map<string, Promise<SiteHead | SiteTally | undefined>>;
}

/**
 * Heads and tallies a first visit asks ahead at most (past them, a round after its diff reads
 * them). Each is one its write changes, unless the page had links stored without a record.
 */
const MAX_AHEAD = 1_500;

const HEAD = '\u0000';
const keyOf = (site: string, part: string = HEAD) => `${site} ${part}`;

/** A site's head (no part) or one of its tallies, as stored. */
const readValue = (
  stores: SiteStores,
  site: string,
  part?: string,
): Promise<SiteHead | SiteTally | undefined> =>
  part === undefined ? stores.heads.get(site) : stores.tallies.get([site, part]);

/**
 * A page write's reads of the aggregates ahead of its diff. Only a first visit (`firstVisit`,
 * answered by the read of the page's record, before its links are) asks any: the sites that
 * have one, and, for `links` (the page's links as found) into a site the hint names, the head
 * and the tallies each new link changes. A revisit asks nothing ahead: most change no link's
 * counted state and then ask the aggregates nothing at all; the others read, after the diff,
 * what they change (adjustSiteStats).
 */
export function readSiteStats(
  stores: SiteStores,
  links: Iterable<LinkRecord>,
  firstVisit: Promise<boolean>,
): SiteRead {
  // Taken now: the caller's diff changes its map of the page's links later.
  const counted = [...links].filter(countsOnSite);
  const asked = firstVisit.then(
    (first): Asked => {
      const ahead = new Map<string, Promise<SiteHead | SiteTally | undefined>>();
      if (!first) return { sites: null, ahead };
      const sites = askSites(stores);
      sites.catch(() => {}); // awaited only by a write that changes a link's counted state
      // Per hinted site, the parts its new links change (a set: links share pages), bounded.
      const wanted = new Map<string, Set<string>>();
      let size = 0;
      for (const link of counted) {
        if (!hotHint.has(link.targetDomain) || size + 3 > MAX_AHEAD) continue;
        let parts = wanted.get(link.targetDomain);
        if (!parts) wanted.set(link.targetDomain, (parts = new Set()));
        size += (parts.has(DOMAIN_PART + link.sourceDomain) ? 0 : 1) + 1;
        parts.add(DOMAIN_PART + link.sourceDomain).add(PAGE_PART + link.target);
      }
      for (const [site, parts] of wanted) askValues(stores, ahead, site, parts);
      return { sites, ahead };
    },
    // The page's read failed: so does the write (its transaction aborts).
    (): Asked => ({ sites: null, ahead: new Map() }),
  );
  return { asked };
}

/**
 * Ask a site's head and its tallies of `parts` into `asked`, but those asked already. Its page
 * tallies in one range read where they are dense (see askPageTallies), the others one by one.
 */
function askValues(
  stores: SiteStores,
  asked: Map<string, Promise<SiteHead | SiteTally | undefined>>,
  site: string,
  parts: Iterable<string>,
): void {
  const wanted = [undefined, ...parts].filter((part) => !asked.has(keyOf(site, part)));
  const pages = wanted.filter((part) => part?.startsWith(PAGE_PART)) as string[];
  const ranged = pages.length >= RANGE_MIN ? askPageTallies(stores, site, pages) : new Map();
  for (const part of wanted) {
    const read = ranged.get(part) ?? readValue(stores, site, part);
    read.catch(() => {}); // awaited by adjustNow, or failed with the transaction
    asked.set(keyOf(site, part), read);
  }
}

/** Page tallies wanted from which on they are asked in one range read (askPageTallies). */
const RANGE_MIN = 4;
/** A range read reads at most this many tallies per one wanted. */
const RANGE_SPREAD = 4;

/**
 * Many page tallies of one site (a first visit of a page that links to many of its pages) in
 * one getAll of the key range from the first to the last, instead of a get each: IndexedDB has
 * no read of several keys. The range may hold the site's other pages too: the read stops at
 * RANGE_SPREAD times the wanted, and a wanted part past its last record is read by itself
 * then, one round later. By part; a part's answer is its tally or undefined.
 */
function askPageTallies(
  stores: SiteStores,
  site: string,
  parts: readonly string[],
): Map<string, Promise<SiteTally | undefined>> {
  const sorted = [...parts].sort();
  const limit = sorted.length * RANGE_SPREAD;
  const range = IDBKeyRange.bound([site, sorted[0]!], [site, sorted.at(-1)!]);
  const found = stores.tallies.getAll(range, limit).then((tallies) => ({
    byPart: new Map(tallies.map((t) => [t.part, t])),
    // Read to the range's end, or only up to this part.
    upTo: tallies.length < limit ? null : tallies.at(-1)!.part,
  }));
  return new Map(
    sorted.map((part) => [
      part,
      found.then(({ byPart, upTo }) =>
        byPart.has(part) || upTo === null || part <= upTo
          ? byPart.get(part)
          : stores.tallies.get([site, part]),
      ),
    ]),
  );
}

/** A write that asks nothing ahead (recordDelta: the page's record is read beside its links). */
export const NOTHING_AHEAD: SiteRead = {
  asked: Promise.resolve({ sites: null, ahead: new Map() }),
};

/**
 * After a write of one source page's links: `before` its stored links as read before the write,
 * `rewritten` the records put (new or changed), `read` what the write asked ahead
 * (readSiteStats). Reads what was not asked ahead in one more round, then queues the put of
 * each changed site's head, its changed parts pending in it (and, past MAX_PENDING, the puts
 * of them all); a write that changes no link's counted state asks nothing.
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
  // The counted changes in every site the write touches, hot or not: a write that changes
  // none (an unchanged revisit, the common one) asks the aggregates nothing.
  const changes = siteChanges(before, rewritten, new Set(rewritten.map((l) => l.targetDomain)));
  if (changes.size === 0) return;
  const { sites: askedSites, ahead } = await read.asked;
  const asked = new Map(ahead);
  let hotSites = askedSites;
  if (!hotSites) {
    // A revisit: the sites' keys, and beside them what it changes in the sites the hint names.
    hotSites = askSites(stores);
    for (const [site, change] of changes) {
      if (!hotHint.has(site)) continue;
      const parts = [...change.parts.keys()].filter((part) => !written.has(keyOf(site, part)));
      askValues(stores, asked, site, parts);
    }
  }
  const hot = new Set(await hotSites);
  for (const site of changes.keys()) if (!hot.has(site)) changes.delete(site);
  if (changes.size === 0) return;
  // Each value: put by an earlier write of this transaction, else asked already, else read now.
  const valueOf = (site: string, part?: string) => {
    const key = keyOf(site, part);
    if (written.has(key)) return Promise.resolve(written.get(key) ?? undefined);
    return asked.get(key) ?? readValue(stores, site, part);
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
    const changed: SiteHead = { ...head };
    applySiteChange(changed, changes.get(site)!, tallies[i]!);
    // The head alone, the changed parts pending in it, until they are too many to carry.
    const {
      head: next,
      put,
      drop,
    } = pendingCount(changed) > MAX_PENDING
      ? foldSiteHead(changed)
      : { head: changed, put: [], drop: [] };
    putFolded(stores, site, next, put, drop);
    written.set(keyOf(site), next);
    for (const tally of put) written.set(keyOf(site, tally.part), tally);
    for (const part of drop) written.set(keyOf(site, part), null);
    if (next.pending) onPending?.([site]);
  });
}

/** Queue the put of a site's head and of the tallies it folded (foldSiteHead), or none. */
function putFolded(
  stores: SiteStores,
  site: string,
  head: SiteHead,
  put: readonly SiteTally[],
  drop: readonly string[],
): void {
  putAll(stores.heads, [head]);
  putAll(stores.tallies, put);
  deleteAll(
    stores.tallies,
    drop.map((part) => [site, part]),
  );
}

/** Told of sites whose heads a write left parts pending in (see whenSitesPending). */
let onPending: ((sites: string[]) => void) | null = null;

/**
 * Listen for sites whose heads a write left parts pending in, as it queues its puts (its
 * transaction may still abort: then a fold finds nothing to do): the worker folds them once
 * recording is quiet (background/site-stats.ts).
 */
export function whenSitesPending(listener: (sites: string[]) => void): void {
  onPending = listener;
}

/**
 * Put the pending parts of these sites' heads as tallies (foldSiteHead), a short transaction
 * over the aggregates' stores per site, so that readers have no pending counts to merge.
 * Resolves to the tallies put or deleted.
 */
export async function foldSiteStats(db: BacklinkDb, sites: Iterable<string>): Promise<number> {
  let folded = 0;
  for (const site of new Set(sites)) {
    const tx = db.transaction(SITE_STORES, 'readwrite');
    const stores = siteStoresOf(tx);
    const head = await stores.heads.get(site);
    if (head?.pending) {
      const { head: next, put, drop } = foldSiteHead(head);
      putFolded(stores, site, next, put, drop);
      folded += put.length + drop.length;
    }
    await tx.done;
  }
  return folded;
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

/** Runs a build while no other write of the worker can (background: write-gate.ts#gatedWrite). */
export type WriteGate = <T>(write: () => Promise<T>) => Promise<T>;

/** Links read per store and per read-only transaction by a build. */
export const BUILD_CHUNK = 2_000;

/**
 * Build the aggregate of the site of `rawUrl` (the first candidate domain with a stored link,
 * as queries.ts#loadSiteLinks finds it) if it has none and at least `minLinks` stored links.
 * The links are read in read-only chunks (readChunk), so that a screen's first read never
 * queues behind the build, and the aggregate is written in a short transaction over its own
 * stores only. Exact all the same: `gate` keeps the worker's own writes (recorded pages, the
 * link move) out until the build is done, and the claim (a mark among the site's tallies)
 * catches the others, the bulk changes of the options page and retention, which drop it with
 * the aggregates: a build whose claim is gone writes nothing. Links a page write staged but
 * has not recorded (staged-writes.ts) are left out: its last transaction counts them
 * (adjustSiteStats). Resolves to the site built, or null. Run in the background (the worker),
 * so that a popup never has to read the site's links for its site line.
 */
export async function ensureSiteStats(
  db: BacklinkDb,
  rawUrl: string,
  minLinks: number = HOT_SITE_LINKS,
  gate: WriteGate = (write) => write(),
): Promise<string | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const candidates = domainCandidates(new URL(url).hostname);
  // A read first: the common case (built already, or a small site) must not wait for the gate.
  const read = db.transaction([...LINK_STORES, 'site-stats']);
  const [built, probes] = await Promise.all([
    getMany(read.objectStore('site-stats'), candidates),
    // Keys only, at most minLinks each: a count would walk every link into a big site.
    Promise.all(candidates.map((d) => getAllLinkKeys(read, 'by_target_domain', d, minLinks))),
  ]);
  const i = siteIndexOf(
    probes.map((keys) => keys.length > 0),
    built.map((head) => head !== undefined),
  );
  if (i < 0 || built[i] || probes[i]!.length < minLinks) return null;
  const site = candidates[i]!;
  const done = await gate(() => buildSiteStats(db, site));
  if (done) hotHint = new Set([...hotHint, site]);
  return done ? site : null;
}

/** The part of a build's claim among its site's tallies (no page nor domain part is empty). */
const CLAIM_PART = '';

/** Tells this context's builds apart (only the worker builds, one site at a time). */
let lastClaim = 0;

/** Build one site's aggregate (see ensureSiteStats); false if it was built or dropped meanwhile. */
async function buildSiteStats(db: BacklinkDb, site: string): Promise<boolean> {
  const claim: SiteTally = { site, part: CLAIM_PART, live: ++lastClaim };
  const start = db.transaction(SITE_STORES, 'readwrite');
  if ((await start.objectStore('site-stats').getKey(site)) !== undefined) return false;
  putAll(start.objectStore('site-tallies'), [claim]);
  await start.done;
  let links: LinkRecord[];
  let journal: StagedWrite[];
  try {
    [links, journal] = await readSiteLinks(db, site);
  } catch (error) {
    // Only tidying: a claim left behind is invisible to readers and replaced by the next build.
    await db.delete('site-tallies', [site, CLAIM_PART]).catch(() => {});
    throw error;
  }
  const recorded = links.filter((l) => !journal.some((w) => isStagedBy(w, l)));
  const { head, tallies } = siteStatsOf(site, recorded);
  const tx = db.transaction(SITE_STORES, 'readwrite');
  const stores = siteStoresOf(tx);
  const held = await stores.tallies.get([site, CLAIM_PART]);
  if (held?.live !== claim.live) return false; // dropped by a bulk change meanwhile
  deleteAll(stores.tallies, [[site, CLAIM_PART]]);
  putAll(stores.heads, [head]);
  putAll(stores.tallies, tallies);
  await tx.done;
  return true;
}

/** Every stored link into `site`, read BUILD_CHUNK per store and transaction; and the journal. */
async function readSiteLinks(db: BacklinkDb, site: string): Promise<[LinkRecord[], StagedWrite[]]> {
  const links: LinkRecord[] = [];
  let journal: StagedWrite[] | null = null;
  // Per store (the new one, the old one), the last primary key read; null when read to the end.
  let after: Array<IDBValidKey | undefined | null> = [undefined, undefined];
  while (after.some((key) => key !== null)) {
    const tx = db.transaction([...LINK_STORES, 'meta']);
    const reads = storesOf(tx).map((store, i) =>
      after[i] === null
        ? Promise.resolve<Chunk>({ links: [], last: null })
        : readChunk(store.index('by_target_domain'), site, after[i], BUILD_CHUNK),
    );
    const [chunks, stored]: [Chunk[], StagedWrite[]] = await Promise.all([
      Promise.all(reads),
      journal ?? readJournal(tx.objectStore('meta')),
    ]);
    journal = stored;
    for (const chunk of chunks) links.push(...chunk.links);
    after = chunks.map((chunk) => chunk.last);
  }
  return [links, journal ?? []];
}

/** What readChunk read: links, and the last primary key read (null: the index had no more). */
interface Chunk {
  links: LinkRecord[];
  last: IDBValidKey | null;
}

/**
 * Up to `count` records of `index` for `key` after primary key `after` (from the first when
 * undefined), with the last primary key read, or null when the index had no more.
 */
function readChunk(
  index: IDBIndex,
  key: string,
  after: IDBValidKey | undefined,
  count: number,
): Promise<Chunk> {
  return new Promise((resolve, reject) => {
    const links: LinkRecord[] = [];
    const request = index.openCursor(IDBKeyRange.only(key));
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve({ links, last: null });
      const past = after === undefined ? 1 : indexedDB.cmp(cursor.primaryKey, after);
      // Resumed: straight past what the last chunk read (continue() alone walks it entry by entry).
      if (past < 0) return cursor.continuePrimaryKey(key, after!);
      if (past === 0) return cursor.continue();
      if (links.length === count) return resolve({ links, last: after! });
      links.push(cursor.value as LinkRecord);
      after = cursor.primaryKey;
      cursor.continue();
    };
  });
}
