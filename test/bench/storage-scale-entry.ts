// Bundled into one IIFE (global BacklinkScale) and run in an extension page of the built
// extension, so every figure is the extension's own IndexedDB in real Chromium.
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { recordPages, type PageLoad } from '../../src/storage/bulk';
import { getMany } from '../../src/storage/requests';
import { canonicalizeUrl } from '../../src/core/url';
import { countLiveBacklinks, loadBacklinks } from '../../src/storage/queries';
import { loadFirstRead } from '../../src/storage/head';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { hintHotTargets, listHotTargets } from '../../src/storage/hot-targets';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';
import type { PageSnapshot, RawLink } from '../../src/core/types';
import { foldedOf } from '../../src/core/occurrences';
import { seededRandom } from './random';
import { pairOrder } from './pair-order';
import { countRequests, type RequestCount } from '../support/idb-requests';

// The ingest rows' half (storage-ingest.ts), in the same page.
export { ingestTurn, siteHeadTurn, siteLineExact } from './storage-ingest-entry';
// The refresh rows' half (measureRefresh in storage-scale.ts).
export * as refresh from './storage-refresh-entry';

/** The shape of a generated store: same options, same data, in any chunking. */
export interface ScaleOptions {
  seed: number;
  /** Source pages; each links to `linksPerPage` targets. */
  pages: number;
  linksPerPage: number;
  /** Distinct targets the links are drawn from (Zipf: target k has weight 1/k). */
  targets: number;
  /** The first `hotLinks` pages link to the hot target. */
  hotLinks: number;
}

export const HOT = 'https://www.hot-target.com/the-definitive-guide';
export const COLD = 'https://www.hot-target.com/nobody-links-here';
/** Source pages per referring domain. */
export const PAGES_PER_DOMAIN = 5;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const WORDS = ['guide', 'review', 'news', 'how to', 'best of', 'interview', 'story', 'list'];
const REGIONS = ['main', 'main', 'main', 'nav', 'footer', 'aside', 'comments'] as const;

const targetUrl = (k: number, domains: number) =>
  `https://www.target${k % domains}.com/articles/${k}/${WORDS[k % WORDS.length]!.replace(' ', '-')}`;

/** Zipf(1) over 1..n by inverse transform of the continuous law: k = floor(n^u). */
const zipf = (random: () => number, n: number) => Math.max(1, Math.floor(n ** random()));

/** A link as the content script reports it. */
function rawLink(random: () => number, href: string): RawLink {
  const r = random();
  const rel = r < 0.1 ? ['nofollow'] : r < 0.13 ? ['sponsored'] : [];
  return {
    href,
    anchor: `${WORDS[Math.floor(random() * WORDS.length)]} ${Math.floor(random() * 1000)}`,
    ...foldedOf({ rel, region: REGIONS[Math.floor(random() * REGIONS.length)]! }),
    context: 'some words before the link and some words after it on the page',
  };
}

/** Source page p's snapshot, the same for the same options whatever the chunk. */
export function pageSnapshot(options: ScaleOptions, p: number): PageSnapshot {
  const random = seededRandom(options.seed * 1_000_003 + p);
  const domains = Math.max(1, Math.floor(options.targets / 20));
  const hrefs = new Set<string>();
  if (p < options.hotLinks) hrefs.add(HOT);
  while (hrefs.size < options.linksPerPage) {
    hrefs.add(targetUrl(zipf(random, options.targets), domains));
  }
  const links = [...hrefs].map((href) => rawLink(random, href));
  return {
    url: `https://www.source${Math.floor(p / PAGES_PER_DOMAIN)}.com/posts/${p}`,
    title: `Post ${p} on source ${Math.floor(p / PAGES_PER_DOMAIN)}`,
    canonical: null,
    lang: 'en',
    robots: { noindex: false, nofollow: false },
    links,
    totalLinks: links.length,
    truncated: false,
  };
}

/** The target of Zipf rank k (1 the most linked): rank 1,000 has a few links at 100k. */
export function rankedTarget(options: ScaleOptions, k: number): string {
  return targetUrl(k, Math.max(1, Math.floor(options.targets / 20)));
}

let connection: Promise<BacklinkDb> | null = null;
const db = () => (connection ??= openBacklinkDb());

/**
 * A connection of its own for the badge, which runs in the worker: the worker's knows which
 * pages have an aggregate (background/hot-targets.ts), this page's reads are a screen's before
 * its early script was told.
 */
let badgeConnection: Promise<BacklinkDb> | null = null;
async function workerDb(): Promise<BacklinkDb> {
  const w = await (badgeConnection ??= openBacklinkDb());
  const hint = parseHotTargets(storedHotTargets(await listHotTargets(w)));
  hintHotTargets(w, () => hint);
  return w;
}

/** Page loads recorded per transaction while seeding: 5,000 links at 10 per page. */
const SEED_TX_PAGES = 500;
const seededAt = (p: number) => T0 + (p % 90) * DAY;

/**
 * Record pages [from, to) through the worker's write path, `SEED_TX_PAGES` loads per
 * transaction (storage/bulk.ts: each stored as recordPage stores it). Pages already stored are
 * skipped, so a chunk that was cut short (its page crashed, it timed out) can simply run again:
 * each transaction landed whole or not at all. Memory stays bounded by one transaction's loads.
 * `stored`: pages of [from, to) in the store now, recorded by this call or before it.
 */
export async function seedPages(
  options: ScaleOptions,
  from: number,
  to: number,
): Promise<{ added: number; skipped: number; stored: number }> {
  const d = await db();
  let added = 0;
  let skipped = 0;
  let stored = 0;
  for (let start = from; start < to; start += SEED_TX_PAGES) {
    const loads: PageLoad[] = [];
    for (let p = start; p < Math.min(to, start + SEED_TX_PAGES); p++) {
      loads.push({ snapshot: pageSnapshot(options, p), at: seededAt(p) });
    }
    const found = await getMany(
      d.transaction('pages').objectStore('pages'),
      loads.map((l) => canonicalizeUrl(l.snapshot.url) ?? l.snapshot.url),
    );
    const fresh = loads.filter((_l, i) => found[i] === undefined);
    skipped += loads.length - fresh.length;
    for (const result of await recordPages(d, fresh)) {
      added += result?.added ?? 0;
      if (result) stored += 1;
    }
  }
  return { added, skipped, stored: stored + skipped };
}

export async function countStored(): Promise<{ pages: number; links: number }> {
  const d = await db();
  const [pages, links] = await Promise.all([d.count('pages'), d.count('links')]);
  return { pages, links };
}

/** The origin's usage as the browser estimates it (IndexedDB included). */
export async function usageBytes(): Promise<number> {
  return (await navigator.storage.estimate()).usage ?? 0;
}

/** Time one async call in this page. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
}

/** Calls of a read timed together at most, and the milliseconds they fill at least. */
const BATCH_CALLS = 20;
const BATCH_MS = 20;

/**
 * Milliseconds per call of `run`, called back to back until BATCH_MS have passed (BATCH_CALLS
 * calls at most): a cold badge (0.5 ms) is a few ticks of this page's clock (0.1 ms), and one
 * call per turn gave medians of 3 from 0.6 to 5 ms for the same count.
 */
async function timedCalls<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  let calls = 0;
  let result: T;
  do {
    result = await run();
    calls += 1;
  } while (calls < BATCH_CALLS && performance.now() - start < BATCH_MS);
  return { ms: (performance.now() - start) / calls, result };
}

/** Whether timedPair times the read first this turn, per read. */
const oursFirstOf = pairOrder();

/**
 * A read and its baseline timed in turn first (timedCalls each): whichever goes first meets
 * what the worker still writes after a popup (a write holds the stores the reads ask), and
 * leaves the second the pages it read warm.
 */
async function timedPair<T>(
  key: string,
  ours: () => Promise<T>,
  baseline: () => Promise<unknown>,
): Promise<{ ours: { ms: number; result: T }; raw: { ms: number } }> {
  const oursFirst = oursFirstOf(key);
  const early = oursFirst ? null : await timedCalls(baseline);
  const read = await timedCalls(ours);
  return { ours: read, raw: early ?? (await timedCalls(baseline)) };
}

/** IndexedDB requests of one read, the rounds they took and the entries they touched. */
export interface Requests {
  requests: number;
  rounds: number;
  records: number;
}

/** Ours and the raw baseline once more each, untimed, their requests counted. */
async function countedPair(
  ours: () => Promise<unknown>,
  raw: () => Promise<unknown>,
): Promise<{ ours: Requests; raw: Requests }> {
  let count: RequestCount | undefined;
  const counted = async (run: () => Promise<unknown>): Promise<Requests> => {
    const counting = countRequests();
    await run().finally(() => (count = counting.stop()));
    const { requests, rounds, records } = count!;
    return { requests, rounds, records };
  };
  return { ours: await counted(ours), raw: await counted(raw) };
}

/**
 * The badge: countLiveBacklinks, and the raw key count of the same index entries. A hot
 * page's aggregate is built first (untimed), as the worker's badge builds it once it counts
 * HOT_TARGET_LINKS (background/badge.ts): every badge after that one reads it. The two are
 * timed in turn first (timedPair): going first put 20–200 ms on ours alone.
 */
export async function badgePair(url: string): Promise<Pair & { n: number }> {
  const d = await db();
  await ensureTargetStats(d, [url]);
  const w = await workerDb();
  const ours = () => countLiveBacklinks(w, url);
  const baseline = () => d.countFromIndex('links', 'by_target', url);
  const { ours: count, raw } = await timedPair(`badge ${url}`, ours, baseline);
  return {
    ours: count.ms,
    raw: raw.ms,
    n: count.result,
    requests: await countedPair(ours, baseline),
  };
}

/** Rows the popup shows: 30 referring domains, up to 5 links each (src/ui/popup/main.tsx). */
export const SHOWN_ROWS = 150;
const POPUP_GROUPS = 30;
const POPUP_ROWS = { domains: POPUP_GROUPS, perDomain: SHOWN_ROWS / POPUP_GROUPS };

/** One turn of a read and of its raw baseline: milliseconds, and one more run of each counted. */
export interface Pair {
  ours: number;
  raw: number;
  requests?: { ours: Requests; raw: Requests };
}

/**
 * The popup's read (loadBacklinks) and a raw read of the rows it shows: in one transaction the
 * page, the first SHOWN_ROWS links by target and their source pages.
 */
export async function readPair(url: string): Promise<Pair & { links: number; rows: number }> {
  const d = await db();
  const ours = () => loadBacklinks(d, url);
  const baseline = () => readShownRaw(d, url);
  const load = await timed(ours);
  const raw = await timed(baseline);
  return {
    ours: load.ms,
    raw: raw.ms,
    links: load.result?.links.length ?? 0,
    rows: raw.result,
    requests: await countedPair(ours, baseline),
  };
}

/**
 * The popup's first read of a page (storage/head.ts, loadFirstRead: a cold page's whole report
 * in one transaction) and the same raw read of the rows shown as readPair's.
 */
export async function firstReadPair(url: string): Promise<Pair & { kind: string }> {
  const d = await db();
  const ours = () => loadFirstRead(d, url, {}, POPUP_ROWS);
  const baseline = () => readShownRaw(d, url);
  const { ours: first, raw } = await timedPair(`first read ${url}`, ours, baseline);
  return {
    ours: first.ms,
    raw: raw.ms,
    kind: first.result.kind,
    requests: await countedPair(ours, baseline),
  };
}

/** In one transaction the page, the first SHOWN_ROWS links by target and their source pages. */
async function readShownRaw(d: BacklinkDb, url: string): Promise<number> {
  const tx = d.transaction(['pages', 'links']);
  const pages = tx.objectStore('pages');
  const [, rows] = await Promise.all([
    pages.get(url),
    tx.objectStore('links').index('by_target').getAll(url, SHOWN_ROWS),
  ]);
  await Promise.all([...new Set(rows.map((l) => l.source))].map((s) => pages.get(s)));
  await tx.done;
  return rows.length;
}

/**
 * The popup's first read of a hot page (storage/head.ts, loadFirstRead as the popup calls it:
 * aggregates, then the shown groups' rows), its aggregate built first as the worker does
 * (untimed), and the same raw read of the rows shown as readPair's. `rows`: the links the head
 * read for its 30 groups.
 */
export async function headPair(url: string): Promise<Pair & { rows: number }> {
  const d = await db();
  await ensureTargetStats(d, [url]);
  const ours = () => loadFirstRead(d, url, {}, POPUP_ROWS);
  const baseline = () => readShownRaw(d, url);
  const first = await timed(ours);
  const raw = await timed(baseline);
  if (first.result.kind !== 'head') throw new Error(`no head for ${url}`);
  const rows = first.result.head.summary.groups.reduce((n, g) => n + g.links.length, 0);
  return { ours: first.ms, raw: raw.ms, rows, requests: await countedPair(ours, baseline) };
}
