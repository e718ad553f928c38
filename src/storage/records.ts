import {
  lastSeenOf,
  linkKey,
  type LinkRecord,
  type PageDelta,
  type PageRecord,
  type PageSnapshot,
  type RawLink,
  type RedirectRecord,
} from '../core/types';
import type { Hop } from '../core/redirects';
import { capturedOf, mergeFolded, type Folded } from '../core/occurrences';
import { canonicalizeUrl, hostOf } from '../core/url';
import { hasRegistrableDomain, registrableDomain } from '../core/domain';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportFile,
  type ImportRows,
  withLastSeen,
} from '../core/transfer';
import type { IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import type { BacklinkDb, BacklinkSchema } from './db';
import { abortQuietly, getMany, queued } from './requests';
import {
  byTargetAnchor,
  clearLinks,
  addLinks,
  deleteLinks,
  getAllLinkKeys,
  getAllLinks,
  keyedLinks,
  putLinks,
  targetAnchorOf,
  type KeyedLink,
  type LinkKey as StoreKey,
} from './link-keys';
import { clearAuthority, forgetAuthority } from './authority';
import { forgetSiteReferrals, importReferrals } from './referrals';
import { nextVisitCount } from '../core/referrals';
import { rememberVisit } from '../core/delivery';
import { adjustTargetStats, factsOfSnapshot, forgetTargetStats } from './target-stats';
import {
  adjustSiteStats,
  forgetSiteStats,
  NOTHING_AHEAD,
  readSiteStats,
  siteStoresOf,
} from './site-stats';
import { deleteGraphRows, markGraphDirty, putGraphRow } from './graph';
import {
  beginStagedWrite,
  endStagedWrite,
  isStagedBy,
  sweepStagedWrites,
  type StagedWrite,
} from './staged-writes';
import { askRiskWatchers, forgetRiskSummaries, markRiskStale } from './risk-summary';
import { markTies, tiesOfHop, tiesOfPage, untieLoose } from './ties';

export interface RecordResult {
  url: string;
  /** Live outbound links now stored for the page. */
  links: number;
  added: number;
  /** Links this visit found gone (marked lost, not deleted). */
  lost: number;
}

type LinkKey = string;
const keyOf = targetAnchorOf;

/** A list of stores a write transaction takes. */
type Stores = ArrayLike<StoreNames<BacklinkSchema>>;
/** A write transaction over `S`: only the stores it names typecheck in `tx.objectStore`. */
export type WriteTx<S extends Stores = typeof PAGE_STORES> = IDBPTransaction<
  BacklinkSchema,
  S,
  'readwrite'
>;

/**
 * The stores a page load's write touches (writeSnapshot, recordDelta, bulk.ts): its record,
 * its links, and what is kept of them per target, per page and per risk line. Not
 * `redirects` or `referrals`, which it never writes, nor `meta`: readers of those need not
 * wait behind every recorded page.
 */
export const PAGE_STORES = [
  'pages',
  'links',
  'links-v1',
  'target-stats',
  'site-stats',
  'site-tallies',
  'graph',
  'risks',
  'ties',
] as const;
/**
 * What a page load's write asks of its transaction: the stores of PAGE_STORES, whichever
 * others its scope has (the staged write's last one also ends its journal entry in `meta`).
 */
export interface PageTx {
  objectStore<N extends (typeof PAGE_STORES)[number]>(
    name: N,
  ): IDBPObjectStore<BacklinkSchema, Stores, N, 'readwrite'>;
}
/** A staged write's first: the page and its links read, its journal entry written. */
const BEGIN_STORES = ['pages', 'links', 'links-v1', 'meta'] as const;
/** A staging transaction only adds links (a scope names both links stores: link-keys.ts). */
const STAGE_STORES = ['links', 'links-v1'] as const;
/** A staged write's last: the page's write, and its journal entry ended. */
const JOURNAL_STORES = [...PAGE_STORES, 'meta'] as const;
/**
 * Forgetting a site or everything, an import, or retention's deletions: every store recording
 * keeps, so that a store added to recording is one its removals see too.
 */
export const ALL_STORES = [...PAGE_STORES, 'redirects', 'referrals'] as const;
/** A redirect hop: the hops, the risk lines that read them, and the marks of its ends. */
const REDIRECT_STORES = ['redirects', 'risks', 'ties'] as const;

/** Per connection, the write that runs last: the next one starts after it (see writeAtomically). */
const lastWrite = new WeakMap<BacklinkDb, Promise<unknown>>();

/**
 * Run `body` in one read-write transaction over `stores`, the ones it writes and no others: a
 * reader waits behind every write whose scope overlaps its own. Writes it queues in `writes`
 * are awaited with the commit; if anything fails, the whole transaction is aborted.
 *
 * Writes on one connection run one after another, each transaction opened only when the one
 * before it is done: IndexedDB runs a read after every write transaction opened before it on
 * the same stores, so a burst of page loads queued at once would keep the popup's read waiting
 * for all of them; queued here, it waits for one at most (issue 7, item 5).
 */
export function writeAtomically<T, S extends Stores>(
  db: BacklinkDb,
  stores: S,
  body: (tx: WriteTx<S>, writes: Promise<unknown>[]) => Promise<T>,
): Promise<T> {
  const run = (lastWrite.get(db) ?? Promise.resolve()).then(() => writeNow(db, stores, body));
  // The next write waits for this one to end, not to succeed.
  lastWrite.set(
    db,
    run.catch(() => {}),
  );
  return run;
}

async function writeNow<T, S extends Stores>(
  db: BacklinkDb,
  stores: S,
  body: (tx: WriteTx<S>, writes: Promise<unknown>[]) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, 'readwrite');
  const writes: Promise<unknown>[] = [];
  try {
    const result = await body(tx, writes);
    await Promise.all(writes);
    commitQueued(tx);
    await tx.done;
    return result;
  } catch (error) {
    abortQuietly(tx, writes);
    // Ended before the next write opens its transaction.
    await tx.done.catch(() => {});
    throw error;
  }
}

/**
 * Once `body` and its `writes` are done, every request is queued: committing now lets the
 * browser commit as soon as the last put is done, while this page still hears their answers,
 * rather than after it has heard them all (Chromium's auto-commit waits for that). A write
 * whose last wait was not for IndexedDB finds its transaction committing on its own already.
 */
function commitQueued(tx: { commit(): void }): void {
  try {
    tx.commit();
  } catch {
    // Not active any more: it commits by itself.
  }
}

/**
 * The page's declared rel=canonical, canonicalized, if it is on the page's own site. A
 * canonical pointing at another site is not taken: any page could otherwise claim to be
 * another site's page and merge its backlinks with that page's.
 */
function sameSiteCanonical(source: string, declared: string | null): string | null {
  const canonical = declared ? canonicalizeUrl(declared) : null;
  if (!canonical) return null;
  return registrableDomain(hostOf(canonical)) === registrableDomain(hostOf(source))
    ? canonical
    : null;
}

const foldOf = (l: Folded): Folded => ({
  rel: l.rel,
  region: l.region,
  regions: l.regions,
  rels: l.rels,
  occurrences: l.occurrences,
  ...capturedOf(l),
});

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether a stored link holds what this visit found of it: then it is not written again, its
 * page's new lastSeen being its sighting (core/types#lastSeenOf).
 */
function sameAsFound(old: LinkRecord, found: LinkRecord): boolean {
  return (
    old.region === found.region &&
    old.occurrences === found.occurrences &&
    // A visit that captured no words or image flag keeps those stored (foldOf, capturedOf).
    (found.context === undefined || old.context === found.context) &&
    (found.image === undefined || old.image === found.image) &&
    old.sourceDomain === found.sourceDomain &&
    old.targetDomain === found.targetDomain &&
    sameList(old.rel, found.rel) &&
    sameList(old.rels, found.rels) &&
    sameList(old.regions, found.regions)
  );
}

type Fresh = Map<LinkKey, LinkRecord>;

/**
 * Links as records for `source`, self-links dropped, and links whose targets canonicalize to
 * the same URL (tracking parameters, fragments) folded into one.
 */
function recordsOf(
  source: string,
  selves: Set<string>,
  raws: readonly RawLink[],
  now: number,
): Fresh {
  const sourceDomain = registrableDomain(hostOf(source));
  const out: Fresh = new Map();
  for (const raw of raws) {
    const target = canonicalizeUrl(raw.href);
    if (!target || selves.has(target)) continue;
    const record: LinkRecord = {
      source,
      target,
      anchor: raw.anchor,
      ...foldOf(raw),
      sourceDomain,
      targetDomain: registrableDomain(hostOf(target)),
      firstSeen: now,
      lastSeen: now,
      lostAt: null,
    };
    const key = keyOf(record);
    const known = out.get(key);
    out.set(key, known ? mergeFolded(known, record) : record);
  }
  return out;
}

/**
 * Store one page load. In a single transaction the page's previous link set is replaced:
 * links still there and unchanged are left as stored (the page's lastSeen is theirs:
 * core/types#lastSeenOf), changed ones and ones back from lost are rewritten, new ones are
 * added, and ones no longer on the page are marked lost with the date, never deleted. A
 * truncated snapshot
 * cannot tell removed from unseen, so it marks nothing lost. A snapshot of a visit already
 * stored (the same `visit` id, resent after its reply was lost) changes nothing. Returns null
 * for a page that has no http(s) URL.
 *
 * A page with more than STAGE_LINKS links has its new links staged first, STAGE_LINKS per
 * transaction, each after `pause` (the write gate: platform/write-gate.ts), so that a screen
 * opened meanwhile waits for one short chunk at most (issue 7, item 5). The page's record, the
 * lost marks and the aggregates still land together in the last transaction, which is what
 * makes the staged links a recorded visit; until then a death leaves them for the sweep
 * (staged-writes.ts).
 */
export async function recordPage(
  db: BacklinkDb,
  snapshot: PageSnapshot,
  now: number = Date.now(),
  visit: string | null = null,
  pause: () => Promise<unknown> = () => Promise.resolve(),
): Promise<RecordResult | null> {
  const plan = planOf(snapshot, now);
  if (!plan) return null;
  // A page of STAGE_LINKS links or fewer has no more than that once folded: its links are
  // canonicalized in the transaction, while its pre-read runs.
  if (snapshot.links.length > STAGE_LINKS && plan.fresh().size > STAGE_LINKS) {
    return recordStaged(db, plan, snapshot, now, visit, pause);
  }
  return writeAtomically(db, PAGE_STORES, (tx, writes) =>
    writeSnapshot(tx, writes, plan, snapshot, now, visit),
  );
}

/**
 * New links put per staging transaction: 500 take about 130 ms to put on a quiet machine
 * (storage-scale's ingest row), a third of the popup's own first render.
 */
export const STAGE_LINKS = 500;

async function recordStaged(
  db: BacklinkDb,
  plan: Plan,
  snapshot: PageSnapshot,
  now: number,
  visit: string | null,
  pause: () => Promise<unknown>,
): Promise<RecordResult> {
  const write: StagedWrite = { source: plan.source, at: now };
  // The journal entry comes first, with the read of what the page has: from here on a death
  // leaves nothing the sweep would not find.
  const begun = await writeAtomically(db, BEGIN_STORES, async (tx) => {
    const [page, stored] = await Promise.all([
      tx.objectStore('pages').get(plan.source),
      keyedLinks(tx, 'by_source', plan.source),
    ]);
    if (visit !== null && page?.visitIds?.includes(visit)) return null;
    const left = await beginStagedWrite(tx, tx.objectStore('meta'), write, stored);
    const known = new Set(left.map((k) => keyOf(k.link)));
    const links = [...plan.fresh().values()].filter((link) => !known.has(keyOf(link)));
    return { links, hadLinks: left.length > 0 };
  });
  try {
    const staged: Staged | null = begun && { write, keys: [], ...begun };
    for (let i = 0; staged && i < staged.links.length; i += STAGE_LINKS) {
      await pause();
      const chunk = staged.links.slice(i, i + STAGE_LINKS);
      staged.keys.push(...(await writeAtomically(db, STAGE_STORES, (tx) => addLinks(tx, chunk))));
    }
    await pause();
    return await writeAtomically(db, JOURNAL_STORES, (tx, writes) => {
      writes.push(endStagedWrite(tx.objectStore('meta'), write));
      return writeSnapshot(tx, writes, plan, snapshot, now, visit, staged);
    });
  } catch (error) {
    // No staged link outlives its failed write; if this fails too, the next worker sweeps.
    await sweepStagedWrites(db, write).catch(() => {});
    throw error;
  }
}

/** What recordPage staged of a write: its new links, and the keys the store gave them. */
interface Staged {
  write: StagedWrite;
  links: LinkRecord[];
  keys: StoreKey[];
  /** Whether the page had stored links when staging began. */
  hadLinks: boolean;
}

/**
 * The page's stored links with their keys, for the diff. After staging into a page that had
 * none, its keys are enough: if they are exactly the staged ones, its records are the ones put
 * (the common large write, a first visit, then reads no record back).
 */
async function storedLinks(
  tx: PageTx,
  source: string,
  staged: Staged | null,
): Promise<KeyedLink[]> {
  if (staged && !staged.hadLinks) {
    const keys = await getAllLinkKeys(tx, 'by_source', source);
    const put = new Map(staged.keys.map((key, i) => [key, staged.links[i]!]));
    if (keys.length === put.size && keys.every((key) => put.has(key))) {
      return keys.map((key) => ({ key, link: put.get(key)! }));
    }
  }
  return keyedLinks(tx, 'by_source', source);
}

/** One page load's write, to run in an open write transaction: recordPage's, or bulk.ts's. */
export type PageWrite = (tx: PageTx, writes: Promise<unknown>[]) => Promise<RecordResult>;

/** What a page load stores: its URLs worked out before its transaction opens, its links once. */
interface Plan {
  source: string;
  declared: string | null;
  /** The page's links as records, worked out at the first call (the same map after). */
  fresh(): Fresh;
}

function planOf(snapshot: PageSnapshot, now: number): Plan | null {
  const source = canonicalizeUrl(snapshot.url);
  if (!source) return null;
  const declared = sameSiteCanonical(source, snapshot.canonical);
  let fresh: Fresh | null = null;
  const selves = new Set([source, declared ?? source]);
  return {
    source,
    declared,
    fresh: () => (fresh ??= recordsOf(source, selves, snapshot.links, now)),
  };
}

/** The write of one page load, in one transaction; null for a page without an http(s) URL. */
export function pageWrite(
  snapshot: PageSnapshot,
  now: number,
  visit: string | null,
): PageWrite | null {
  const plan = planOf(snapshot, now);
  return plan && ((tx, writes) => writeSnapshot(tx, writes, plan, snapshot, now, visit));
}

/**
 * The page's write; with `staged`, after its new links were staged by recordPage: those are
 * stored already, and count as added here, where the page record makes them a visit.
 */
async function writeSnapshot(
  tx: PageTx,
  writes: Promise<unknown>[],
  plan: Plan,
  snapshot: PageSnapshot,
  now: number,
  visit: string | null,
  staged: Staged | null = null,
): Promise<RecordResult> {
  const { source, declared } = plan;
  const pages = tx.objectStore('pages');
  const stats = tx.objectStore('target-stats');
  const risks = tx.objectStore('risks');
  // Everything the write reads is asked in this first round: after it, puts alone, and the
  // commit once they are done (writeNow). With their keys (see link-keys.ts), from the read
  // the diff needs anyway.
  const pageRead = pages.get(source);
  const reads = Promise.all([
    pageRead,
    storedLinks(tx, source, staged),
    declared && declared !== source ? pages.get(declared) : Promise.resolve(undefined),
    // Its authority row, not put again if it holds the same (putGraphRow).
    tx.objectStore('graph').get(source),
  ]);
  const storedTargets = stats.getAllKeys();
  // Canonicalized while the read runs (the browser reads as this page works).
  const fresh = plan.fresh();
  // A first visit (no record, or only the alias of a page that declared this URL) asks the site
  // aggregates its new links change as soon as that is known, while its links are read.
  const siteRead = readSiteStats(
    siteStoresOf(tx),
    fresh.values(),
    pageRead.then((page) => !page || page.aliasOf !== undefined),
  );
  // The links it will write are the page's, and those of its stored ones it marks lost: a
  // lost link's target domain not among the page's is looked up after the read.
  const watchers = askRiskWatchers(risks, { pages: [source], links: [...fresh.values()] });
  writes.push(storedTargets, watchers.urls);
  const [oldPage, storedKeyed, canonicalPage, storedRow] = await reads;
  const ownStaged = storedKeyed.filter((k) => staged && isStagedBy(staged.write, k.link));
  const oldKeyed = staged ? storedKeyed.filter((k) => !ownStaged.includes(k)) : storedKeyed;
  // Stored already, its reply lost to a stopped worker: storing it again would count the visit
  // twice, and mark lost the links of any visit stored in between.
  const oldLinks = oldKeyed.map((k) => k.link);
  if (visit !== null && oldPage?.visitIds?.includes(visit)) {
    writes.push(
      deleteLinks(
        tx,
        ownStaged.map((k) => k.key),
      ),
    );
    const live = oldLinks.filter((l) => l.lostAt === null).length;
    return { url: source, links: live, added: 0, lost: 0 };
  }
  // Put by recordPage's staging, as fresh would put them here.
  const stagedLinks = ownStaged.map((k) => k.link);
  for (const link of stagedLinks) fresh.delete(keyOf(link));

  let lost = 0;
  let live = 0;
  const changed: LinkRecord[] = [];
  const keyed: KeyedLink[] = [];
  for (const { key, link: old } of oldKeyed) {
    const seen = fresh.get(keyOf(old));
    let link: LinkRecord | null = null;
    if (seen) {
      fresh.delete(keyOf(old));
      live++;
      // Still there as it was: read and rewritten by every revisit otherwise (issue 7).
      if (old.lostAt === null && sameAsFound(old, seen)) continue;
      link = { ...old, ...foldOf(seen), lastSeen: now, lostAt: null };
    } else if (old.lostAt === null && !snapshot.truncated) {
      lost++;
      // Last seen at the page's visit before this one, which the page record is about to lose.
      link = { ...old, lastSeen: lastSeenOf(old, oldPage?.lastSeen), lostAt: now };
    } else if (old.lostAt === null) {
      live++; // absent from a truncated snapshot: not known to be gone
    }
    if (link) {
      changed.push(link);
      keyed.push({ key, link });
    }
  }
  const added = fresh.size + stagedLinks.length;
  putLinks(tx, keyed);
  putLinks(
    tx,
    [...fresh.values()].map((link) => ({ link })),
  );
  const rewritten = [...changed, ...stagedLinks, ...fresh.values()];
  writes.push(
    adjustTargetStats(
      stats,
      { links: oldLinks, page: oldPage ?? null },
      { links: rewritten, page: factsOfSnapshot(snapshot, now) },
      storedTargets,
    ),
  );
  writes.push(adjustSiteStats(siteStoresOf(tx), oldLinks, rewritten, siteRead));
  writes.push(markRiskStale(risks, { pages: [source], links: rewritten }, watchers));

  const host = hostOf(source);
  const visitIds = visit !== null ? rememberVisit(oldPage?.visitIds, visit) : oldPage?.visitIds;
  const page: PageRecord = {
    url: source,
    host,
    domain: registrableDomain(host),
    title: snapshot.title,
    canonical: declared,
    lang: snapshot.lang,
    robotsNoindex: snapshot.robots.noindex,
    robotsNofollow: snapshot.robots.nofollow,
    firstSeen: oldPage?.firstSeen ?? now,
    lastSeen: now,
    outboundCount: snapshot.links.length,
    truncated: snapshot.truncated,
    visits: nextVisitCount(oldPage, now),
    ...(visitIds ? { visitIds } : {}),
    // This visit's; a snapshot without them (an older content script) leaves them unknown.
    ...(snapshot.signals ? { signals: snapshot.signals } : {}),
    ...(snapshot.terms ? { terms: snapshot.terms } : {}),
  };
  queued(pages.put(page));
  // With the alias record below, if any: both are this page and the URL it declares.
  markTies(tx.objectStore('ties'), tiesOfPage(page));
  queued(putGraphRow(tx.objectStore('graph'), page, oldLinks, rewritten, storedRow));
  // The page is also known under the canonical URL it declares, unless that URL was visited.
  if (declared && declared !== source && (!canonicalPage || canonicalPage.aliasOf)) {
    const canonicalHost = hostOf(declared);
    const { visitIds: _ofTheVisitedUrl, ...visited } = page;
    queued(
      pages.put({
        ...visited,
        url: declared,
        host: canonicalHost,
        domain: registrableDomain(canonicalHost),
        firstSeen: canonicalPage?.firstSeen ?? now,
        aliasOf: source,
      }),
    );
  }
  return { url: source, links: live + added, added, lost };
}

/**
 * Merge links that appeared on a page after its snapshot into its current visit (the one that
 * began at the page's lastSeen). Nothing is marked lost: a delta only ever adds. A link already
 * seen in this visit gains the new placements and rels (its count is the larger one reported,
 * since the content script counts a link's occurrences on the whole page); one known from an
 * earlier visit comes back live. Null when the page has no current visit to merge into (its
 * snapshot was never recorded): the sender should send a whole snapshot instead.
 */
export async function recordDelta(
  db: BacklinkDb,
  delta: PageDelta,
  now: number = Date.now(),
): Promise<RecordResult | null> {
  const source = canonicalizeUrl(delta.url);
  if (!source) return null;
  return writeAtomically(db, PAGE_STORES, async (tx, writes) => {
    const pages = tx.objectStore('pages');
    const [page, stored] = await Promise.all([
      pages.get(source),
      keyedLinks(tx, 'by_source', source),
    ]);
    if (!page || page.aliasOf) return null;
    const fresh = recordsOf(source, new Set([source, page.canonical ?? source]), delta.links, now);
    const known = byTargetAnchor(stored);
    const olds = [...fresh.values()].map((l) => known.get(keyOf(l)));
    let added = 0;
    const rewritten: LinkRecord[] = [];
    const keyed: Array<{ key: KeyedLink['key'] | undefined; link: LinkRecord }> = [];
    [...fresh.values()].forEach((record, i) => {
      const old = olds[i]?.link;
      if (!old) added++;
      // A live link is in the page's latest visit: a full one marks lost what it lacks.
      const thisVisit = old && old.lostAt === null;
      const merged = !old
        ? record
        : thisVisit
          ? { ...mergeFolded(old, record, 'max'), lastSeen: now }
          : { ...old, ...foldOf(record), lastSeen: now, lostAt: null };
      keyed.push({ key: olds[i]?.key, link: merged });
      rewritten.push(merged);
    });
    putLinks(tx, keyed);
    writes.push(
      adjustTargetStats(
        tx.objectStore('target-stats'),
        // All of the page's links: the rows of those not in the delta show its new link count.
        { links: stored.map((k) => k.link), page },
        { links: rewritten, page: { ...page, outboundCount: page.outboundCount + added } },
      ),
    );
    writes.push(
      adjustSiteStats(
        siteStoresOf(tx),
        stored.map((k) => k.link),
        rewritten,
        NOTHING_AHEAD,
      ),
    );
    writes.push(markRiskStale(tx.objectStore('risks'), { pages: [source], links: rewritten }));
    if (added > 0) writes.push(pages.put({ ...page, outboundCount: page.outboundCount + added }));
    writes.push(markGraphDirty(tx.objectStore('graph'), [source]));
    return { url: source, links: page.outboundCount + added, added, lost: 0 };
  });
}

/**
 * Store one redirect hop the browser followed (already canonical and through the privacy gate:
 * core/redirects#redirectHop). A hop seen again keeps its first sighting and takes the new
 * status and time: the server may have turned a 302 into a 301.
 */
export function recordRedirect(
  db: BacklinkDb,
  hop: Hop,
  now: number = Date.now(),
): Promise<RedirectRecord> {
  return writeAtomically(db, REDIRECT_STORES, async (tx, writes) => {
    const redirects = tx.objectStore('redirects');
    const old = await redirects.get([hop.from, hop.to]);
    const record: RedirectRecord = { ...hop, firstSeen: old?.firstSeen ?? now, lastSeen: now };
    writes.push(redirects.put(record));
    markTies(tx.objectStore('ties'), tiesOfHop(hop));
    writes.push(markRiskStale(tx.objectStore('risks'), { targets: [hop.from, hop.to] }));
    return record;
  });
}

const isOnSite = (url: string, site: string) => {
  const host = hostOf(url);
  return host === site || host.endsWith(`.${site}`);
};

/**
 * Delete every stored page on a site (a hostname, its subdomains included) and the links those
 * pages contained, and every redirect from or to it, in one transaction: what excluding a site
 * means for what is already stored. Links from other sites into it stay: they are facts about
 * those other pages.
 */
export async function forgetSite(db: BacklinkDb, site: string): Promise<number> {
  const forgotten = await writeAtomically(db, ALL_STORES, async (tx, writes) => {
    const pages = tx.objectStore('pages');
    const redirects = tx.objectStore('redirects');
    // Hops are few (main-frame redirects only) and indexed by whole URL, not by host: their
    // keys are read in full, no record.
    for (const key of await redirects.getAllKeys()) {
      if (key.some((url) => isOnSite(url, site))) writes.push(redirects.delete(key));
    }
    // Its URLs' marks, once nothing left ties them: a page of another host of the same domain
    // (example.com declaring www.example.com as canonical) still does, after www is forgotten.
    const ties = tx.objectStore('ties');
    const onSiteTies = (await ties.getAllKeys()).filter((url) => isOnSite(url, site));
    // A site is found by its registrable domain's index entry; a public suffix (github.io) has
    // none, each of its sites being its own domain, so then every page URL is read (keys only).
    const candidates = hasRegistrableDomain(site)
      ? await pages.index('by_domain').getAllKeys(registrableDomain(site))
      : await pages.getAllKeys();
    const onSite = candidates.filter((url) => isOnSite(url, site));
    await forgetSiteReferrals(
      tx.objectStore('referrals'),
      hasRegistrableDomain(site) ? registrableDomain(site) : null,
      (url) => isOnSite(url, site),
      writes,
    );
    for (const url of onSite) {
      writes.push(pages.delete(url));
      writes.push(getAllLinkKeys(tx, 'by_source', url).then((keys) => deleteLinks(tx, keys)));
    }
    // Asked after the deletions above, so it sees what is left (as retention does).
    writes.push(untieLoose({ pages, redirects, ties }, onSiteTies));
    writes.push(forgetTargetStats(tx.objectStore('target-stats')));
    writes.push(forgetSiteStats(siteStoresOf(tx)));
    writes.push(forgetRiskSummaries(tx.objectStore('risks')));
    writes.push(deleteGraphRows(tx.objectStore('graph'), onSite));
    return onSite.length;
  });
  // Scores name the site's pages; the next computation would drop them, but not before.
  await forgetAuthority(db, (url) => isOnSite(url, site));
  return forgotten;
}

export async function clearAll(db: BacklinkDb): Promise<void> {
  await writeAtomically(db, ALL_STORES, async (tx, writes) => {
    writes.push(
      tx.objectStore('pages').clear(),
      clearLinks(tx),
      tx.objectStore('redirects').clear(),
      tx.objectStore('referrals').clear(),
      forgetTargetStats(tx.objectStore('target-stats')),
      forgetSiteStats(siteStoresOf(tx)),
      forgetRiskSummaries(tx.objectStore('risks')),
      tx.objectStore('graph').clear(),
      tx.objectStore('ties').clear(),
    );
  });
  // Scores name pages too, so they go with them; apart, since recording never touches them.
  await clearAuthority(db);
}

/** The whole store as one export, with the marked pages (settings, not the store) given. */
export async function exportAll(
  db: BacklinkDb,
  now: number = Date.now(),
  relatedPages: readonly string[] = [],
): Promise<ExportFile> {
  const tx = db.transaction(['pages', 'links', 'links-v1', 'redirects', 'referrals'], 'readonly');
  const [pages, links, redirects, referrals] = await Promise.all([
    tx.objectStore('pages').getAll(),
    getAllLinks(tx, null),
    tx.objectStore('redirects').getAll(),
    tx.objectStore('referrals').getAll(),
  ]);
  await tx.done;
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(now).toISOString(),
    relatedPages: [...relatedPages],
    pages,
    links: withLastSeen(links, new Map(pages.map((p) => [p.url, p.lastSeen]))),
    redirects,
    referrals,
  };
}

/** Of two records of the same thing, keep the newer one and the earliest first sighting. */
function merged<T extends { firstSeen: number; lastSeen: number }>(
  old: T | undefined,
  incoming: T,
): T {
  if (!old) return incoming;
  const newer = incoming.lastSeen > old.lastSeen ? incoming : old;
  return { ...newer, firstSeen: Math.min(old.firstSeen, incoming.firstSeen) };
}

/**
 * A link's newest news may be its loss: one copy saw it gone (lostAt) after the other copy last
 * saw it, so it stays lost; a sighting after the loss makes it live again.
 */
function mergedLink(old: LinkRecord | undefined, incoming: LinkRecord): LinkRecord {
  const link = merged(old, incoming);
  if (!old) return link;
  const lostAt = Math.max(old.lostAt ?? -1, incoming.lostAt ?? -1);
  return { ...link, lostAt: lostAt >= link.lastSeen ? lostAt : null };
}

/**
 * Rows of one file with the same key, merged with each other first: each row reads the store
 * before any writes, so two of them would otherwise both merge with the old record, and the
 * last would win whole.
 */
function foldByKey<T>(
  rows: readonly T[],
  keyOf: (row: T) => string,
  merge: (old: T | undefined, row: T) => T,
): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(keyOf(row), merge(byKey.get(keyOf(row)), row));
  return [...byKey.values()];
}

/** Merge an import into the store (nothing stored is dropped), in one transaction. */
export function importAll(
  db: BacklinkDb,
  data: ImportRows,
): Promise<{ pages: number; links: number; redirects: number; referrals: number }> {
  return writeAtomically(db, ALL_STORES, async (tx, writes) => {
    const pages = tx.objectStore('pages');
    const redirects = tx.objectStore('redirects');
    // A link is found among its source's stored links (link-keys.ts): one keyed read per source
    // (an export lists a page's links together), all issued before any write, so that no write
    // can fail unobserved while a read is awaited.
    const bySource = new Map<string, LinkRecord[]>();
    for (const link of foldByKey(data.links, linkKey, mergedLink)) {
      const rows = bySource.get(link.source);
      if (rows) rows.push(link);
      else bySource.set(link.source, [link]);
    }
    const sources = [...bySource.keys()];
    // Their pages too: a stored live link was last seen at its page's last visit (lastSeenOf).
    const [stored, storedPages] = await Promise.all([
      Promise.all(sources.map((s) => keyedLinks(tx, 'by_source', s))),
      getMany(pages, sources),
    ]);
    // Marked whichever record the merge keeps: the other's marks, if any, are stored already.
    const ties = tx.objectStore('ties');
    for (const page of foldByKey(data.pages, (p) => p.url, merged)) {
      writes.push(pages.get(page.url).then((old) => pages.put(merged(old, page))));
      markTies(ties, tiesOfPage(page));
    }
    sources.forEach((source, i) => {
      const known = byTargetAnchor(stored[i]!);
      const pageLastSeen = new Map(storedPages[i] ? [[source, storedPages[i].lastSeen]] : []);
      putLinks(
        tx,
        bySource.get(source)!.map((link) => {
          const old = known.get(keyOf(link));
          const was = old && withLastSeen([old.link], pageLastSeen)[0];
          return { key: old?.key, link: mergedLink(was, link) };
        }),
      );
    });
    for (const hop of foldByKey(data.redirects, (h) => `${h.from}\u0000${h.to}`, merged)) {
      writes.push(redirects.get([hop.from, hop.to]).then((old) => redirects.put(merged(old, hop))));
      markTies(ties, tiesOfHop(hop));
    }
    importReferrals(tx.objectStore('referrals'), data.referrals, writes);
    const touched = [...data.pages.map((p) => p.url), ...data.links.map((l) => l.source)];
    writes.push(markGraphDirty(tx.objectStore('graph'), touched));
    writes.push(forgetTargetStats(tx.objectStore('target-stats')));
    writes.push(forgetSiteStats(siteStoresOf(tx)));
    writes.push(forgetRiskSummaries(tx.objectStore('risks')));
    return {
      pages: data.pages.length,
      links: data.links.length,
      redirects: data.redirects.length,
      referrals: data.referrals.length,
    };
  });
}
