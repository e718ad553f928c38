import type { IDBPObjectStore, StoreNames } from 'idb';
import { riskWatchOf, summarizeRisk, type RiskSummary } from '../core/flags';
import { profileTargetOf } from '../core/profile';
import { summarizeBacklinks } from '../core/summary';
import { canonicalizeUrl, hostOf } from '../core/url';
import { registrableDomain } from '../core/domain';
import type { LinkRecord } from '../core/types';
import type { BacklinkDb, BacklinkSchema } from './db';
import { readFlagInputs } from './flags';
import { loadBacklinks, loadSiteLinks, SITE_LINK_LIMIT, type Folds } from './queries';
import { getMany, putAll } from './requests';

/**
 * The popup's risk line, stored per page (the `risks` store): computed in the background from
 * the full read (buildRiskSummary), read by the popup with one get (risk-line.ts#loadRiskLine), and marked
 * stale inside every write transaction that changes one of its inputs (markRiskStale), so a
 * line that says it is current equals what findFlags gives over the full read.
 *
 * A record is current while it has `watch`: the keys of core/flags#riskWatchOf, indexed
 * (multiEntry), which a write looks up for its own page's domain and its links' target
 * domains. A build in progress watches '*', which every write matches: a write between its
 * reads and its store makes what it read old, and it is then stored as stale.
 */
export interface RiskRecord {
  /** The page's canonical URL. */
  url: string;
  /** The line as last built; none yet while the first build runs. */
  line?: RiskSummary;
  /** The variant folds it was read under (JSON of settings.folds). */
  folds: string;
  computedAt: number;
  current: boolean;
  watch?: string[];
  /** The build in progress that may store it as current. */
  building?: string;
}

type RiskStore = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  'risks',
  'readwrite'
>;

/** Watched by every write: a build in progress. */
const ANY_WRITE = '*';

/** What a write changed, for markRiskStale: pages written, links written, URLs redirected. */
export interface RiskChange {
  pages?: readonly string[];
  links?: readonly Pick<LinkRecord, 'targetDomain'>[];
  targets?: readonly string[];
}

let onStale: (urls: string[]) => void = () => {};

/** Told the pages whose stored line a write made stale (background/risk-job.ts rebuilds them). */
export function whenRiskStale(listener: (urls: string[]) => void): void {
  onStale = listener;
}

const domainOf = (url: string) => registrableDomain(hostOf(url));

/** The watch keys a change is looked up by: its pages' domains, its links' target domains. */
function watchKeysOf(change: RiskChange): Set<string> {
  const keys = new Set([ANY_WRITE]);
  for (const url of change.pages ?? []) keys.add(`p:${domainOf(url)}`);
  for (const l of change.links ?? []) keys.add(`t:${l.targetDomain}`);
  for (const url of change.targets ?? []) keys.add(`t:${domainOf(url)}`);
  return keys;
}

/** Lines watching some keys, asked ahead of markRiskStale (askRiskWatchers). */
export interface RiskWatchers {
  keys: ReadonlySet<string>;
  urls: Promise<string[]>;
}

/**
 * Ask now which lines watch what `change` names, for markRiskStale to use: a page's write asks
 * with its pre-read what it knows it will change (its page, its snapshot's links), so that
 * after that read it has only puts to make, not a round of reads behind its puts.
 */
export function askRiskWatchers(store: RiskStore, change: RiskChange): RiskWatchers {
  const keys = watchKeysOf(change);
  return { keys, urls: watchersOf(store, keys) };
}

/** The lines watching any of `keys`: pages' by key, targets' by one walk (watchersAmong). */
async function watchersOf(store: RiskStore, keys: ReadonlySet<string>): Promise<string[]> {
  const index = store.index('by_watch');
  const targets = new Set([...keys].filter((key) => key.startsWith('t:')));
  const hits = await Promise.all([
    ...[...keys].filter((key) => !targets.has(key)).map((key) => index.getAllKeys(key)),
    watchersAmong(index, targets),
  ]);
  return hits.flat();
}

/**
 * In a write transaction: mark stale every stored line that `change` may alter. A record is
 * rewritten once, when it turns stale. A page's domain is looked up by key; the target domains
 * of a write's links (hundreds on a large page) are matched by one walk of the index's few
 * 't:' entries (watchersAmong), not one lookup each: those lookups were a third of a large
 * page's write. `asked`: the lines of some of these keys, asked earlier in the transaction;
 * only the keys it did not ask are looked up here.
 * Contract: resolves when the puts are queued; rejects (aborting the caller's transaction) if
 * a read fails, so a write never lands while a line that rests on it stays current.
 */
export async function markRiskStale(
  store: RiskStore,
  change: RiskChange,
  asked: RiskWatchers | null = null,
): Promise<void> {
  const missing = new Set([...watchKeysOf(change)].filter((key) => !asked?.keys.has(key)));
  const hits = await Promise.all([
    asked?.urls ?? [],
    missing.size > 0 ? watchersOf(store, missing) : [],
  ]);
  const urls = [...new Set(hits.flat())];
  if (urls.length === 0) return;
  const records = await getMany(store, urls);
  putAll(store, records.filter((r): r is RiskRecord => r !== undefined).map(staleOf));
  onStale(urls);
}

/**
 * The records watching any of `keys`, by one key cursor over the index from the least of them
 * to the greatest: an entry that is not wanted sends the cursor on to the next wanted key, so
 * it visits at most the entries there are and two per wanted key. Current lines are few, and
 * each watches few target domains, so a write's hundreds of keys cost a few steps.
 */
async function watchersAmong(
  index: ReturnType<RiskStore['index']>,
  keys: ReadonlySet<string>,
): Promise<string[]> {
  const wanted = [...keys].sort();
  if (wanted.length === 0) return [];
  const range = IDBKeyRange.bound(wanted[0], wanted[wanted.length - 1]);
  const found: string[] = [];
  let cursor = await index.openKeyCursor(range);
  while (cursor) {
    const key = cursor.key as string;
    if (keys.has(key)) {
      found.push(cursor.primaryKey);
      cursor = await cursor.continue();
      continue;
    }
    const next = firstAfter(wanted, key);
    if (next === undefined) break;
    cursor = await cursor.continue(next);
  }
  return found;
}

/** The first of `sorted` greater than `key`. */
function firstAfter(sorted: readonly string[], key: string): string | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

function staleOf(record: RiskRecord): RiskRecord {
  const { watch: _watch, building: _building, ...rest } = record;
  return { ...rest, current: false };
}

/**
 * At most this many stored lines: each costs about a record per page with 200 or more links,
 * plus its watch keys; a line dropped is built again the next time its popup needs it.
 */
export const RISK_SUMMARY_LIMIT = 1_000;

/**
 * Drop the lines built longest ago beyond `limit` (by_computed, a key cursor: no line is
 * read). Resolves to how many were dropped.
 */
export async function capRiskSummaries(
  db: BacklinkDb,
  limit: number = RISK_SUMMARY_LIMIT,
): Promise<number> {
  const tx = db.transaction('risks', 'readwrite');
  let over = (await tx.store.count()) - limit;
  const dropped = Math.max(over, 0);
  let cursor = over > 0 ? await tx.store.index('by_computed').openKeyCursor() : null;
  while (cursor && over-- > 0) {
    void tx.store.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
  await tx.done;
  return dropped;
}

/** Drop every stored line (a bulk change: import, a forgotten site, retention, clear). */
export function forgetRiskSummaries(store: RiskStore): Promise<void> {
  return store.clear();
}

/**
 * Read `rawUrl`'s report, flag inputs and site links as the popup does, and store its risk
 * line: current if no write touched the store between the first read and the store, else
 * stale (the next build tries again). A page with fewer than `minLinks` links is not kept (its
 * full read is quick). Resolves to whether a current line was stored.
 */
export async function buildRiskSummary(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds,
  minLinks: number,
  now: number = Date.now(),
): Promise<boolean> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return false;
  const token = crypto.randomUUID();
  // Watched by every write from here on; what was stored stays (the popup shows it, aged).
  const claim = db.transaction('risks', 'readwrite');
  const old = await claim.store.get(url);
  const pending: RiskRecord = old
    ? { ...staleOf(old), watch: [ANY_WRITE], building: token }
    : { url, folds: '', computedAt: now, current: false, watch: [ANY_WRITE], building: token };
  await claim.store.put(pending);
  await claim.done;

  const report = await loadBacklinks(db, url, folds);
  if (!report || report.links.length < minLinks) {
    await db.delete('risks', url);
    return false;
  }
  const summary = summarizeBacklinks(report.links, report.sources, {
    via: report.via,
    domain: report.page?.domain ?? null,
  });
  const target = profileTargetOf(report.url, report.page, summary);
  const [reads, site] = await Promise.all([
    readFlagInputs(db, target.domain, report.links, report.sources),
    loadSiteLinks(db, url, SITE_LINK_LIMIT, report.links),
  ]);
  const input = {
    target,
    links: report.links,
    sources: report.sources,
    now,
    ...reads,
    siteLinks: site?.links,
  };
  const record: RiskRecord = {
    url,
    folds: JSON.stringify(folds),
    computedAt: now,
    current: true,
    line: summarizeRisk(input, reads.complete),
    watch: riskWatchOf(input),
  };
  const tx = db.transaction('risks', 'readwrite');
  // A write since the claim took its watch away: what was read may be old already.
  const unchanged = (await tx.store.get(url))?.building === token;
  await tx.store.put(unchanged ? record : staleOf(record));
  await tx.done;
  return unchanged;
}
