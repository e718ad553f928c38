// The in-page half of the ingest rows of storage-scale.ts (bundled with storage-scale-entry.ts
// into its page): recordPage against raw puts of the very same records, in real Chromium.
import { unwrap } from 'idb';
import { getMany } from '../../src/storage/requests';
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import { loadSiteLinks, loadSiteStats } from '../../src/storage/queries';
import { summarizeSite } from '../../src/core/summary';
import * as siteStats from '../../src/storage/site-stats';
import type { LinkRecord, PageRecord, PageSnapshot } from '../../src/core/types';
import { countRequestsOf } from '../support/idb-requests';
import { HOT, pageSnapshot, type ScaleOptions } from './storage-scale-entry';
import { registrableDomain } from '../../src/core/domain';
import { hostOf } from '../../src/core/url';
import * as coreSite from '../../src/core/site-stats';
import { countsOnSite, DOMAIN_PART, PAGE_PART } from '../../src/core/site-stats';

/** The fold of the tree bundled: a tree from before it (BENCH_BEFORE_SRC) has none. */
const foldOf = (siteStats as Partial<typeof siteStats>).foldSiteStats;
/** Its bound on a head's pending parts (0: none, a tree from before them). */
const MAX_PENDING = (coreSite as Partial<typeof coreSite>).MAX_PENDING ?? 0;

let connection: Promise<BacklinkDb> | null = null;
const db = () => (connection ??= openBacklinkDb());

const DAY = 86_400_000;
/** Options whose page 0 serves as an empty page's shape (forgetPage). */
const EMPTY: ScaleOptions = { seed: 1, pages: 1, linksPerPage: 0, targets: 1, hotLinks: 0 };
const T0 = Date.UTC(2024, 0, 1);
/**
 * The hot target's site: the one with an aggregate that the rows into a site write into. A
 * function: HOT is not yet defined while this module loads (storage-scale-entry.ts imports it).
 */
const siteOfHot = () => registrableDomain(hostOf(HOT));

/** What a page's load stored: its record and its outbound links, with their keys. */
async function storedOf(
  url: string,
): Promise<{ page: PageRecord; links: LinkRecord[]; keys: IDBValidKey[] }> {
  const d = await db();
  const tx = d.transaction(['pages', 'links']);
  const bySource = tx.objectStore('links').index('by_source');
  const [page, links, keys] = await Promise.all([
    tx.objectStore('pages').get(url),
    bySource.getAll(url),
    bySource.getAllKeys(url),
  ]);
  await tx.done;
  if (!page) throw new Error(`nothing stored for ${url}`);
  return { page, links, keys };
}

/**
 * Page p's snapshot, with `into` of its links (its first ones) instead into pages of the hot
 * target's site, the same ones for every page: a page write into a site with an aggregate.
 */
function snapshotOf(options: ScaleOptions, p: number, into: number): PageSnapshot {
  const snapshot = pageSnapshot(options, p);
  const site = new URL(HOT).origin;
  const links = snapshot.links.map((link, i) =>
    i < into ? { ...link, href: `${site}/articles/${i}` } : link,
  );
  return { ...snapshot, links };
}

/**
 * Delete a page's record and links (to insert them again). `counted` (a page into a site with
 * an aggregate): its links marked lost first through the write path, which takes them off the
 * aggregate, so that deleting them keeps it exact.
 */
async function forgetPage(url: string, counted = false, at = 0): Promise<void> {
  const d = await db();
  if (counted && (await d.getKey('pages', url)) !== undefined) {
    await recordPage(d, { ...pageSnapshot(EMPTY, 0), url, links: [], totalLinks: 0 }, at);
  }
  await deleteRecords(url);
}

/** The page's record and its links deleted as plain IndexedDB deletes, no aggregate told. */
async function deleteRecords(url: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['pages', 'links'], 'readwrite');
  const links = tx.objectStore('links');
  const keys = await links.index('by_source').getAllKeys(url);
  await Promise.all([
    ...keys.map((k) => links.delete(k)),
    tx.objectStore('pages').delete(url),
    tx.done,
  ]);
}

/**
 * The records in one read-write transaction, plain IndexedDB puts, then the commit. With
 * `keys` (a revisit) each link is put back under its key, an overwrite; without, inserted.
 * A store whose key is in the record (before the number keys) takes no key argument.
 */
async function putRaw(
  page: PageRecord,
  links: readonly LinkRecord[],
  keys: readonly IDBValidKey[] | null,
): Promise<void> {
  const raw = unwrap(await db()) as unknown as IDBDatabase;
  const tx = raw.transaction(['pages', 'links'], 'readwrite');
  const store = tx.objectStore('links');
  const outOfLine = store.keyPath === null;
  links.forEach((link, i) => (keys && outOfLine ? store.put(link, keys[i]) : store.put(link)));
  tx.objectStore('pages').put(page);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
}

declare global {
  interface Window {
    /** CPU nanoseconds of the benchmark's browser so far (cpu-time.ts), given by Node. */
    benchCpuNs?: () => Promise<number>;
  }
}

const cpuNs = (): Promise<number> => window.benchCpuNs?.() ?? Promise.resolve(Number.NaN);

/**
 * One write timed, wall and CPU, or (`counted`) its IndexedDB requests counted instead: the
 * counter listens to every request, a cost that would be timed too, alike for both writes,
 * and would shrink their ratio. The CPU time is the whole browser's (every process of it)
 * from just before the write to just after: what the write made it do, whoever waited.
 */
async function timedOrCounted(run: () => Promise<unknown>, counted: boolean): Promise<Figures> {
  if (counted) {
    const { count } = await countRequestsOf(run);
    return {
      ms: Number.NaN,
      cpuMs: Number.NaN,
      requests: count.requests,
      rounds: count.rounds,
      records: count.records,
    };
  }
  const cpu = await cpuNs();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  return { ms, cpuMs: ((await cpuNs()) - cpu) / 1e6, requests: 0, rounds: 0, records: 0 };
}

/** A write's figures: its wall and CPU time, or its requests and rounds (load-independent). */
export interface Figures {
  ms: number;
  cpuMs: number;
  requests: number;
  rounds: number;
  /** Entries its reads answered (idb-requests.ts): a counted read's size. */
  records: number;
}

export interface IngestTurn {
  /** Each write's figures: its times the means of its two in the turn. */
  ours: Figures;
  raw: Figures;
  links: number;
  /**
   * Counted only, into a site: the requests and rounds of the fold that puts the tallies the
   * write left pending in the site's head (storage/site-stats.ts#foldSiteStats), which the
   * worker runs once recording is quiet. Null without one (a tree without folds).
   */
  fold?: Figures | null;
  /** Counted only, into a site: the site line's read (loadSiteStats) before and after it. */
  siteLine?: { pending: Figures; folded: Figures } | null;
}

/**
 * One turn of ingest for source page `p`: its load recorded (recordPage) and the very same
 * records put raw, on a first visit (inserts: the page is forgotten before each) or a revisit
 * (the page's links are all stored already, overwritten). Each write runs twice, in the order
 * ours, raw, raw, ours (`rawFirst`: raw, ours, ours, raw): a load that grows or falls through
 * the turn falls on both alike, and so does whatever the write before leaves behind (LevelDB
 * flushing its log). `counted`: the requests of each write counted once, not its time.
 * `into`: that many of the page's links go into the hot target's site, whose aggregate
 * (storage/site-stats.ts) is built first, as the worker builds it once its popup is wanted.
 */
export async function ingestTurn(
  options: ScaleOptions,
  p: number,
  revisit: boolean,
  rawFirst: boolean,
  counted = false,
  into = 0,
): Promise<IngestTurn> {
  const d = await db();
  const snapshot = snapshotOf(options, p, into);
  const at = T0 + 200 * DAY;
  // Built once (null after: built already); a page of the site with at least one stored link.
  if (into > 0) await siteStats.ensureSiteStats(d, HOT, 1);
  // The records of this write, stored once untimed: what the raw puts write.
  await forgetPage(snapshot.url, into > 0, at + DAY);
  await recordPage(d, snapshot, at + DAY);
  const { page, links, keys } = await storedOf(snapshot.url);
  // Each write after the same untimed one: the page as an earlier visit left it, or gone.
  const before = () =>
    revisit ? recordPage(d, snapshot, at) : forgetPage(snapshot.url, into > 0, at + DAY);
  // Counted, into the site: what earlier writes left pending is put first (untimed), so that
  // the fold counted after the write is its own.
  const settle = async () => {
    if (counted && into > 0) await foldOf?.(d, [siteOfHot()]);
  };
  const ours = async () => {
    await before();
    await settle();
    return timedOrCounted(() => recordPage(d, snapshot, at + DAY), counted);
  };
  const raw = async () => {
    await before();
    const figures = await timedOrCounted(() => putRaw(page, links, revisit ? keys : null), counted);
    // Raw puts tell no aggregate: a first visit's are taken out as plainly, or the next
    // forgetPage would count their links lost from a site aggregate that never counted them
    // (the site line check found the hot site's 900 links short after 3 turns at 10k).
    if (!revisit) await deleteRecords(snapshot.url);
    return figures;
  };
  if (counted) {
    const o = await ours();
    // The site line's read with the write's counts pending, then the fold the worker runs
    // later, apart from the write (its cost is deferred, not gone), then the read again.
    const line = () => timedOrCounted(() => loadSiteStats(d, HOT), true);
    const pending = into > 0 ? await line() : null;
    const fold =
      into > 0 && foldOf ? await timedOrCounted(() => foldOf(d, [siteOfHot()]), true) : null;
    const folded = into > 0 ? await line() : null;
    const siteLine = pending && folded && { pending, folded };
    return { ours: o, raw: await raw(), links: links.length, fold, siteLine };
  }
  const [o, r] = await abba(ours, raw, rawFirst);
  return { ours: o, raw: r, links: links.length };
}

/**
 * Two writes (or reads) timed twice each, in the order A B B A (`bFirst`: B A A B): a load that
 * grows or falls through the turn falls on both alike, and so does whatever the one before
 * leaves behind (LevelDB flushing its log). Resolves to A's and B's figures, each time the mean
 * of its two.
 */
async function abba(
  a: () => Promise<Figures>,
  b: () => Promise<Figures>,
  bFirst: boolean,
): Promise<[Figures, Figures]> {
  const [x, y] = bFirst ? [b, a] : [a, b];
  const first = [await x(), await y()];
  const second = [await y(), await x()];
  const mean = (u: Figures, v: Figures): Figures => ({
    ...u,
    ms: (u.ms + v.ms) / 2,
    cpuMs: (u.cpuMs + v.cpuMs) / 2,
  });
  const [xs, ys] = [mean(first[0]!, second[1]!), mean(first[1]!, second[0]!)];
  return bFirst ? [ys, xs] : [xs, ys];
}

/** One write or read of the site head rows: with the head full of pending parts, and folded. */
export interface SiteHeadTurn {
  full: Figures;
  folded: Figures;
  /** The head's bytes (JSON) as each was met: full, and folded. */
  bytes: { full: number; folded: number };
  /** Parts pending in the full head. */
  pending: number;
}

const jsonBytes = (value: unknown): number =>
  new TextEncoder().encode(JSON.stringify(value)).length;

/** What a site head row fills the head with, and what it times (siteHeadTurn). */
export interface HeadKind {
  /** The site line's read (loadSiteStats), else a first visit into the site. */
  read: boolean;
  /**
   * The site's most linked pages pending too, crowding its top: at their stored counts (kept),
   * one more (raised: as by a burst of writes into them) or one less (lowered: as by lost links).
   * Null: its top not pending. Raised or lowered counts are inexact: only a read's (see setHead).
   */
  crowd: 'kept' | 'raised' | 'lowered' | null;
  /** Links of the page written into the site (ingestTurn's `into`). */
  into: number;
}

const CHANGE = { kept: 0, raised: 1, lowered: -1 } as const;

/**
 * Empty the site's head (`exact`: folded; else its pending parts dropped, as a read's head,
 * which holds counts that differ from the links, must be), then (`full`) fill it with
 * MAX_PENDING - 1 parts pending: `first` (a write's own parts, so that it adds none and does not
 * fold), then (`crowd`) the site's most linked pages, then pages of the site with no link, at 0,
 * whose URLs are of a usual length (the bench's own are short): about 60 bytes a part. Kept
 * counts stay exact (nothing pending differs from what is stored), but a reader or a writer pays
 * for the head as after a burst of writes into the site. Resolves to the head's bytes and the
 * parts pending in it.
 */
async function setHead(
  site: string,
  full: boolean,
  kind: HeadKind,
  first: readonly string[],
): Promise<{ bytes: number; pending: number }> {
  const d = await db();
  const exact = !kind.read;
  if (exact) await foldOf?.(d, [site]);
  const tx = d.transaction(siteStats.SITE_STORES, 'readwrite');
  const heads = tx.objectStore('site-stats');
  const tallies = tx.objectStore('site-tallies');
  const [head, own, top] = await Promise.all([
    heads.get(site),
    getMany(
      tallies,
      first.map((part): [string, string] => [site, part]),
    ),
    kind.crowd ? tallies.index('by_top').getAll(topOf(site), MAX_PENDING) : [],
  ]);
  if (!head) throw new Error(`no aggregate for ${site}`);
  delete head.pending;
  if (full) {
    const change = kind.crowd ? CHANGE[kind.crowd] : 0;
    const live = new Map([
      // A write's own parts as stored: it changes them itself.
      ...own.flatMap((t) => (t ? [[t.part, t.live] as const] : [])),
      ...top.map((t) => [t.part, Math.max(0, t.live + change)] as const),
    ]);
    const parts = new Set([...first, ...live.keys()]);
    for (let i = 0; parts.size < MAX_PENDING - 1; i++) {
      parts.add(`${PAGE_PART}${new URL(HOT).origin}/blog/2024/${i}/a-post-with-a-title`);
    }
    const pending = [...parts].slice(0, MAX_PENDING - 1).map((part) => [part, live.get(part) ?? 0]);
    head.pending = Object.fromEntries(pending);
  }
  if (full || !exact) await heads.put(head);
  await tx.done;
  return { bytes: jsonBytes(head), pending: Object.keys(head.pending ?? {}).length };
}

/** A site's page tallies in the by_top index (queries.ts reads the same range). */
const topOf = (site: string) => IDBKeyRange.bound([site, -Infinity], [site, 0], false, true);

/**
 * One turn of a site head row (issue 6/7), `kind` (HeadKind): a first visit of page p with
 * `into` of its links into the hot target's site (as ingestTurn's rows into a hot site), or the
 * site line's read (loadSiteStats), with the site's head holding MAX_PENDING - 1 parts (a
 * write's own among them: it adds none, and does not fold) against the same with the head
 * folded. ABBA as ingestTurn (`rawFirst`: folded first), each after an untimed setup (setHead);
 * `counted`: requests counted instead of time. Leaves the head folded.
 */
export async function siteHeadTurn(
  options: ScaleOptions,
  p: number,
  kind: HeadKind,
  rawFirst: boolean,
  counted = false,
): Promise<SiteHeadTurn> {
  const { read, into } = kind;
  const d = await db();
  const snapshot = snapshotOf(options, p, into);
  const at = T0 + 200 * DAY;
  await siteStats.ensureSiteStats(d, HOT, 1); // built once (null after: built already)
  // What earlier writes left pending put first: a read's turn drops what it pends.
  await foldOf?.(d, [siteOfHot()]);
  let first: string[] = [];
  if (!read) {
    await forgetPage(snapshot.url, true, at + DAY);
    await recordPage(d, snapshot, at + DAY);
    const { links } = await storedOf(snapshot.url);
    const counted = links.filter((l) => l.targetDomain === siteOfHot() && countsOnSite(l));
    first = [
      ...new Set(counted.flatMap((l) => [DOMAIN_PART + l.sourceDomain, PAGE_PART + l.target])),
    ];
  }
  const bytes = { full: 0, folded: 0 };
  let filled = 0;
  const once = async (full: boolean) => {
    if (!read) await forgetPage(snapshot.url, true, at + DAY);
    const head = await setHead(siteOfHot(), full, kind, first);
    bytes[full ? 'full' : 'folded'] = head.bytes;
    if (full) filled = head.pending;
    return timedOrCounted(
      () => (read ? loadSiteStats(d, HOT) : recordPage(d, snapshot, at + DAY)),
      counted,
    );
  };
  const [full, folded] = counted
    ? [await once(true), await once(false)]
    : await abba(
        () => once(true),
        () => once(false),
        rawFirst,
      );
  await setHead(siteOfHot(), false, kind, first);
  return { full, folded, bytes, pending: filled };
}

/**
 * Whether the hot site's line from its aggregate, folded, is the one from its links: the site
 * head rows, which fill its head with counts of their own, left it exact.
 */
export async function siteLineExact(): Promise<string> {
  const d = await db();
  await foldOf?.(d, [siteOfHot()]);
  const [stats, site] = await Promise.all([loadSiteStats(d, HOT), loadSiteLinks(d, HOT, 1e9)]);
  const line = site && summarizeSite(site.domain, site.links, 10, site.complete);
  if (JSON.stringify(stats) === JSON.stringify(line)) return '';
  // What differs, for the check's line: each field of the two, as JSON, where not equal.
  const a = (stats ?? {}) as Record<string, unknown>;
  const b = (line ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: aggregate ${JSON.stringify(a[k])}, links ${JSON.stringify(b[k])}`)
    .join('; ')
    .slice(0, 2000);
}
