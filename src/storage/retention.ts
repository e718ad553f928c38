import type { BacklinkDb } from './db';
import { abortQuietly, queued } from './requests';
import { countLinks, deleteLinks, getAllLinkKeys, keyedLinks, LINK_STORES } from './link-keys';
import { forgetAuthority } from './authority';
import { isExpired, isQuotaError, linksOverCap, quotaPruneCount } from '../core/retention';
import { t } from '../core/i18n';
import { forgetStatsOf, forgetTargetStats } from './target-stats';
import { forgetSiteStats, forgetStatsOfSites, siteStoresOf } from './site-stats';
import { forgetRiskSummaries, markRiskStale } from './risk-summary';
import { deleteGraphRows, markGraphDirty } from './graph';
import { tiesOfPage, untieLoose } from './ties';
import { ALL_STORES } from './records';

/** Pages deleted per transaction: short enough that a popup's read never waits long behind it. */
const PAGES_PER_TRANSACTION = 200;

/**
 * Delete pages and what they alone account for, in one transaction per batch: the page, the
 * alias record of the canonical URL it declared, the links on it, the redirect hops from or to
 * it, and the referral visits from or to it; then their authority scores (as forgetSite does).
 * Links from other pages to them stay: those are facts about the other pages. Returns how many
 * of the pages were stored.
 */
export async function removePages(db: BacklinkDb, urls: readonly string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < urls.length; i += PAGES_PER_TRANSACTION) {
    removed += await removeBatch(db, urls.slice(i, i + PAGES_PER_TRANSACTION));
  }
  if (removed > 0) {
    const gone = new Set(urls);
    // Scores name these pages; the next computation would drop them, but not before. On a full
    // disk its bookkeeping write may fail: the pages are gone all the same, that is what counts.
    await forgetAuthority(db, (url) => gone.has(url)).catch((error: unknown) => {
      if (!isQuotaError(error)) throw error;
    });
  }
  return removed;
}

async function removeBatch(db: BacklinkDb, urls: readonly string[]): Promise<number> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  const pages = tx.objectStore('pages');
  const redirects = tx.objectStore('redirects');
  const referrals = tx.objectStore('referrals');
  // A failed delete aborts the transaction and tx.done reports it (queued): nothing
  // half-deleted.
  let removed = 0;
  // The URLs whose pages or hops go: their marks too, unless something else ties them.
  const untied: string[] = [];
  try {
    for (const url of urls) {
      const page = await pages.get(url);
      if (!page) continue;
      removed++;
      queued(pages.delete(url));
      queued(deleteGraphRows(tx.objectStore('graph'), [url]));
      if (page.canonical && page.canonical !== url) {
        const alias = await pages.get(page.canonical);
        if (alias?.aliasOf === url) {
          queued(pages.delete(page.canonical));
          queued(deleteGraphRows(tx.objectStore('graph'), [page.canonical]));
        }
      }
      const [linkKeys, hopsFrom, hopsTo, visitsFrom, visitsTo] = await Promise.all([
        getAllLinkKeys(tx, 'by_source', url),
        redirects.index('by_from').getAllKeys(url),
        redirects.index('by_to').getAllKeys(url),
        // Keys are [source, target, at]: every key starting with the URL (arrays sort last).
        referrals.getAllKeys(IDBKeyRange.bound([url], [url, []])),
        referrals.index('by_target').getAllKeys(url),
      ]);
      queued(deleteLinks(tx, linkKeys));
      for (const key of [...hopsFrom, ...hopsTo]) queued(redirects.delete(key));
      untied.push(url, ...tiesOfPage(page), ...[...hopsFrom, ...hopsTo].flat());
      for (const key of [...visitsFrom, ...visitsTo]) queued(referrals.delete(key));
    }
    if (removed > 0) queued(forgetTargetStats(tx.objectStore('target-stats')));
    if (removed > 0) queued(forgetSiteStats(siteStoresOf(tx)));
    if (removed > 0) queued(forgetRiskSummaries(tx.objectStore('risks')));
    queued(untieLoose({ pages, redirects, ties: tx.objectStore('ties') }, untied));
  } catch (error) {
    abortQuietly(tx);
    throw error;
  }
  await tx.done;
  return removed;
}

/** Walk every page record once, in key order, handing each URL and last visit to `visit`. */
async function eachPage(db: BacklinkDb, visit: (url: string, lastSeen: number) => void) {
  let cursor = await db.transaction('pages').store.openCursor();
  while (cursor) {
    // An alias goes with the page that declared it (removePages), never on its own.
    if (!cursor.value.aliasOf) visit(cursor.value.url, cursor.value.lastSeen);
    cursor = await cursor.continue();
  }
}

/** Pages last visited before `cutoff` (none without one): what the retention setting deletes. */
export async function expiredPages(db: BacklinkDb, cutoff: number | null): Promise<string[]> {
  const out: string[] = [];
  if (cutoff === null) return out;
  await eachPage(db, (url, lastSeen) => {
    if (isExpired(lastSeen, cutoff)) out.push(url);
  });
  return out;
}

/** Delete every page past the retention cutoff, with its links. Returns the pages deleted. */
export async function pruneExpired(db: BacklinkDb, cutoff: number | null): Promise<number> {
  return removePages(db, await expiredPages(db, cutoff));
}

/**
 * Make room after a QuotaExceededError: the pages past the retention cutoff, or when there are
 * none (kept forever, or all recent), the pages not visited for longest (quotaPruneCount).
 */
export async function pruneForSpace(db: BacklinkDb, cutoff: number | null): Promise<number> {
  const expired = await pruneExpired(db, cutoff);
  if (expired > 0) return expired;
  const all: Array<[number, string]> = [];
  await eachPage(db, (url, lastSeen) => all.push([lastSeen, url]));
  all.sort((a, b) => a[0] - b[0]);
  const oldest = all.slice(0, quotaPruneCount(all.length)).map(([, url]) => url);
  return removePages(db, oldest);
}

/**
 * Keep at most `cap` links for a source page (core/retention#linksOverCap). The count is a
 * key count of the index, so a page under the cap costs no record read. Returns links deleted.
 */
export async function capSourceLinks(db: BacklinkDb, source: string, cap: number): Promise<number> {
  if ((await countLinks(db.transaction(LINK_STORES), 'by_source', source)) <= cap) return 0;
  const tx = db.transaction(
    ['links', 'links-v1', 'pages', 'target-stats', 'site-stats', 'site-tallies', 'graph', 'risks'],
    'readwrite',
  );
  const [stored, page] = await Promise.all([
    keyedLinks(tx, 'by_source', source),
    tx.objectStore('pages').get(source),
  ]);
  const keys = new Map(stored.map(({ key, link }) => [link, key]));
  const over = linksOverCap(
    stored.map((k) => k.link),
    cap,
    page?.lastSeen,
  );
  void deleteLinks(
    tx,
    over.map((l) => keys.get(l)!),
  ).catch(() => {});
  void markGraphDirty(tx.objectStore('graph'), [source]).catch(() => {});
  void forgetStatsOf(
    tx.objectStore('target-stats'),
    over.map((l) => l.target),
  ).catch(() => {});
  void forgetStatsOfSites(
    siteStoresOf(tx),
    over.map((l) => l.targetDomain),
  ).catch(() => {});
  void markRiskStale(tx.objectStore('risks'), { pages: [source], links: over }).catch(() => {});
  await tx.done;
  return over.length;
}

/** A write that failed for lack of room even after pages were deleted to make some. */
export class StorageFullError extends Error {
  constructor(
    readonly removed: number,
    cause: unknown,
  ) {
    super(t('storage_full_error'), { cause });
    this.name = 'StorageFullError';
  }
}

/**
 * Run a write (one atomic transaction, as recordPage is); when it fails for a full quota, make
 * room (pruneForSpace) and try it once more. A failed attempt left nothing behind, since the
 * transaction aborted whole. `removed` is null when the first attempt went through.
 * Contract: resolves with the write's result; rejects with StorageFullError when the retry
 * was full too, or with the write's own error for anything else.
 */
export async function writeWithRoom<T>(
  db: BacklinkDb,
  cutoff: number | null,
  write: () => Promise<T>,
): Promise<{ result: T; removed: number | null }> {
  try {
    return { result: await write(), removed: null };
  } catch (error) {
    if (!isQuotaError(error)) throw error;
  }
  const removed = await pruneForSpace(db, cutoff);
  try {
    return { result: await write(), removed };
  } catch (error) {
    throw isQuotaError(error) ? new StorageFullError(removed, error) : error;
  }
}
