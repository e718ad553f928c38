/**
 * Relevance's corpus statistics and its one read for the popup. The background job counts in
 * how many stored pages each term occurs (document frequency) and keeps a compact table in
 * `meta`; the popup reads that table, the target's terms and the source pages' terms in one
 * transaction and scores each link (core/relevance.ts).
 */
import type { LinkRecord, PageRecord } from '../core/types';
import { linkKey } from '../core/types';
import { NO_TERM_STATS, relevanceTo, type TermStats } from '../core/relevance';
import type { BacklinkDb } from './db';
import { epochOf, loadDataEpoch } from './epoch';

/** Pages read per transaction while counting (short transactions: recording goes on). */
export const TERM_STATS_READ_BATCH = 2_000;
/** Terms kept in the table, the most frequent; the rest count as occurring in one page. */
export const MAX_DF_TERMS = 20_000;

/** The table as stored in `meta` (parallel arrays: smaller to store and read than an object). */
export interface StoredTermStats {
  /** Pages counted: those with terms, aliases of another page left out. */
  pages: number;
  terms: string[];
  counts: number[];
  computedAt: number;
  /** Pages recorded since this count, when a recount was not yet worth it (isRecountDue). */
  pending?: number;
}

/**
 * Share of the counted pages that may change before the table is counted again: one changed
 * page moves a term's document frequency by one, which hardly moves its IDF in a large corpus,
 * while a count reads every page (100,000 records at issue 6's size) after every update.
 */
export const TERM_STATS_RECOUNT_SHARE = 0.01;
/** Counted again at least this often, whatever changed. */
export const TERM_STATS_MAX_AGE_MS = 24 * 60 * 60_000;

/**
 * Whether to count again now, after an authority update that took in `changed` recorded pages
 * (null: not known which, as after a full read): always without a table or past its age, else
 * once the pages changed since the count exceed TERM_STATS_RECOUNT_SHARE of those counted.
 */
export function isRecountDue(
  last: Pick<StoredTermStats, 'pages' | 'computedAt' | 'pending'> | null,
  changed: number | null,
  now: number,
): boolean {
  if (!last || changed === null) return true;
  if (now < last.computedAt || now - last.computedAt >= TERM_STATS_MAX_AGE_MS) return true;
  return (last.pending ?? 0) + changed > Math.floor(last.pages * TERM_STATS_RECOUNT_SHARE);
}

export interface TermStatsOutcome {
  pages: number;
  terms: number;
  /** False when stored data was forgotten meanwhile: nothing was written, the next run redoes it. */
  written: boolean;
  /** Not counted: too few pages changed since the last count (isRecountDue). */
  skipped?: true;
  ms: number;
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Count every stored page's terms into a document-frequency table and store it, replacing the
 * last one in a single put. Pages are read in batches of short transactions with a turn of
 * the event loop between them. If the worker is stopped part-way, nothing is written: the
 * previous table stays in use and the next completed authority run counts again.
 */
export async function updateTermStats(
  db: BacklinkDb,
  { batch = TERM_STATS_READ_BATCH, maxTerms = MAX_DF_TERMS, now = Date.now() } = {},
): Promise<TermStatsOutcome> {
  const started = performance.now();
  const epoch = await loadDataEpoch(db);
  const df = new Map<string, number>();
  let pages = 0;
  let range: IDBKeyRange | null = null;
  for (;;) {
    const records: PageRecord[] = await db.transaction('pages').store.getAll(range, batch);
    for (const page of records) {
      // An alias is a copy of another page's record: counting it would count that page twice.
      if (!page.terms || page.aliasOf) continue;
      let any = false;
      for (const term in page.terms) {
        if (!Object.hasOwn(page.terms, term)) continue;
        df.set(term, (df.get(term) ?? 0) + 1);
        any = true;
      }
      if (any) pages++;
    }
    if (records.length < batch) break;
    range = IDBKeyRange.lowerBound(records[records.length - 1]!.url, true);
    await pause();
  }
  const top = [...df].sort((a, b) => b[1] - a[1]).slice(0, maxTerms);
  const stored: StoredTermStats = {
    pages,
    terms: top.map(([t]) => t),
    counts: top.map(([, c]) => c),
    computedAt: now,
  };
  const tx = db.transaction('meta', 'readwrite');
  const meta = tx.objectStore('meta');
  const current = await meta.get('data-epoch');
  // Data forgotten since the pages were read (cleared, a site excluded): its words would stay
  // counted. Nothing is written; the next run counts what is left.
  const written = epochOf(current) === epoch;
  if (written) await meta.put({ id: 'term-stats', ...stored });
  await tx.done;
  return { pages, terms: top.length, written, ms: performance.now() - started };
}

/**
 * updateTermStats for the background job, after an update that took in `changed` pages (null:
 * unknown), when a recount is due; else the change is added to the table's pending count. A
 * failure is logged here and costs nothing else.
 */
export async function updateTermStatsQuietly(
  db: BacklinkDb,
  changed: number | null = null,
  now = Date.now(),
): Promise<TermStatsOutcome | null> {
  try {
    const started = performance.now();
    const tx = db.transaction('meta', 'readwrite');
    const last = await tx.store.get('term-stats');
    const stats = last?.id === 'term-stats' ? last : null;
    if (stats && !isRecountDue(stats, changed, now)) {
      await Promise.all([
        tx.store.put({ ...stats, pending: (stats.pending ?? 0) + changed! }),
        tx.done,
      ]);
      const [pages, terms] = [stats.pages, stats.terms.length];
      return { pages, terms, written: false, skipped: true, ms: performance.now() - started };
    }
    await tx.done;
    return await updateTermStats(db, { now });
  } catch (error) {
    console.error('Backlink Lens could not count terms for relevance:', error);
    return null;
  }
}

function termStatsOf(record: unknown): TermStats {
  const r = record as Partial<StoredTermStats & { id: string }> | undefined;
  if (r?.id !== 'term-stats' || !Array.isArray(r.terms) || !Array.isArray(r.counts)) {
    return NO_TERM_STATS;
  }
  const df = new Map<string, number>();
  r.terms.forEach((t, i) => df.set(t, r.counts![i] ?? 1));
  return { pages: r.pages ?? 0, df };
}

/** The stored document-frequency table (empty before the first count). */
export async function loadTermStats(db: BacklinkDb): Promise<TermStats> {
  return termStatsOf(await db.get('meta', 'term-stats'));
}

/**
 * The relevance of each link into `targetUrl` (0..1, or null when the source or the target
 * has no captured terms), keyed by linkKey. Reads the table, the target page (and each link's
 * own target, when the view folds URL variants) and every source page in one read-only
 * transaction, but for the pages in `known` (already read with the report); no write, nothing
 * computed in the background is waited for.
 */
export async function loadRelevance(
  db: BacklinkDb,
  targetUrl: string,
  links: ReadonlyArray<Pick<LinkRecord, 'source' | 'target' | 'anchor' | 'context'>>,
  known: Readonly<Record<string, PageRecord>> = {},
): Promise<Map<string, number | null>> {
  const urls = [
    ...new Set([targetUrl, ...links.map((l) => l.target), ...links.map((l) => l.source)]),
  ].filter((url) => !Object.hasOwn(known, url));
  const tx = db.transaction(['pages', 'meta'], 'readonly');
  const pages = tx.objectStore('pages');
  const [statsRecord, ...records] = await Promise.all([
    tx.objectStore('meta').get('term-stats'),
    ...urls.map((url) => pages.get(url)),
  ]);
  await tx.done;
  const byUrl = new Map<string, PageRecord>(Object.entries(known));
  records.forEach((page, i) => page && byUrl.set(urls[i]!, page));
  const stats = termStatsOf(statsRecord);
  const fallback = byUrl.get(targetUrl)?.terms;
  const scorers = new Map<string, ReturnType<typeof relevanceTo>>();
  const out = new Map<string, number | null>();
  for (const link of links) {
    const target = byUrl.get(link.target)?.terms ? link.target : targetUrl;
    let score = scorers.get(target);
    if (!score) {
      score = relevanceTo(byUrl.get(target)?.terms ?? fallback, stats);
      scorers.set(target, score);
    }
    out.set(linkKey(link), score(byUrl.get(link.source)?.terms, link.context));
  }
  return out;
}
