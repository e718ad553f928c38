import type { IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import { linkKey, type LinkRecord, type PageSnapshot } from '../core/types';
import type { SourceFacts } from '../core/summary';
import {
  adjustRows,
  applyChange,
  firstRows,
  HOT_TARGET_LINKS,
  keptDomains,
  markRefill,
  setAuthority,
  statsOf,
  stateOf,
  type Counted,
  type HeadRow,
  type TargetStats,
} from '../core/target-stats';
import { loadLiveScores } from './authority-live';
import { countLinks, getAllLinks } from './link-keys';
import type { BacklinkDb, BacklinkSchema } from './db';
import { getMany, putAll } from './requests';

/**
 * The `target-stats` store: core/target-stats.ts aggregates of hot targets with the popup's
 * first rows, built lazily (ensureTargetStats) and kept exact by the write paths inside their
 * own transaction: a recorded page adjusts the targets that have one (adjustTargetStats), a
 * bulk change (import, forgetting a site, retention) drops them (forgetTargetStats) to be
 * built again.
 */

type StatsStore = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  'target-stats',
  'readwrite'
>;

/** Some stored links of one source page, and that page's facts (null: not stored). */
export interface SourceLinks {
  links: readonly LinkRecord[];
  page: SourceFacts | null;
}

const countedOf = ({ links, page }: SourceLinks): Counted[] =>
  links.map((link) => ({ link, pageNofollow: Boolean(page?.robotsNofollow) }));

/** The facts a row shows of a page (only these: a page record also holds its terms). */
export const factsOf = (page: SourceFacts | null | undefined): SourceFacts | null =>
  page
    ? {
        title: page.title,
        robotsNofollow: page.robotsNofollow,
        robotsNoindex: page.robotsNoindex,
        outboundCount: page.outboundCount,
        // The order of its live links (core/types#lastSeenOf); a page has it, a row kept
        // before it was kept may not.
        ...(page.lastSeen !== undefined ? { lastSeen: page.lastSeen } : {}),
      }
    : null;

/** The facts of the page record a snapshot is stored as at `now` (records.ts#writeSnapshot). */
export const factsOfSnapshot = (snapshot: PageSnapshot, now: number): SourceFacts => ({
  title: snapshot.title,
  robotsNofollow: snapshot.robots.nofollow,
  robotsNoindex: snapshot.robots.noindex,
  outboundCount: snapshot.links.length,
  lastSeen: now,
});

/**
 * After a write of one source page's links: `before` are its stored links as read before the
 * write (all of them: the rows of those left as they were show the page's new facts too) and
 * its page, `rewritten` the records put (new or changed, the rest of `before` stays as it was)
 * and the page as written. The store's keys are read in the transaction rather than
 * trusted from memory: the options page's import writes too. `storedTargets`: those keys,
 * asked earlier in the same transaction (a page's write asks with its pre-read, so that after
 * it the write has only puts to make).
 * Contract: resolves when the puts are queued; rejects (aborting with the caller's
 * transaction) if a read or put fails.
 */
export async function adjustTargetStats(
  store: StatsStore,
  before: SourceLinks,
  rewritten: SourceLinks,
  storedTargets: Promise<string[]> = store.getAllKeys(),
): Promise<void> {
  // Most writes touch no target with an aggregate: found from the targets alone, before the
  // page's links are merged by key (a thousand keys of two URLs each on a large page).
  const touched = new Set(before.links.map((l) => l.target));
  for (const l of rewritten.links) touched.add(l.target);
  const kept = (await storedTargets).filter((k) => touched.has(k));
  if (kept.length === 0) return;
  const after = new Map(before.links.map((l) => [linkKey(l), l]));
  for (const l of rewritten.links) after.set(linkKey(l), l);
  const records = (await getMany(store, kept)).filter((r): r is TargetStats => !!r);
  const stats = new Map(records.map((r) => [r.target, r]));
  const now = { links: [...after.values()], page: rewritten.page };
  const domains = new Set(now.links.map((l) => l.sourceDomain));
  const was = new Map(records.map((r) => [r.target, stateOf(r, domains)]));
  const changed = applyChange(stats, countedOf(before), countedOf(now));
  const page = factsOf(rewritten.page);
  const rows = now.links.map((link) => ({ link, page }));
  for (const target of changed) adjustRows(stats.get(target)!, before.links, rows);
  // A record of up to 320 rows and thousands of tallies is cloned on every put: only when it
  // changed.
  putAll(
    store,
    [...changed].map((t) => stats.get(t)!).filter((r) => stateOf(r, domains) !== was.get(r.target)),
  );
}

/** Drop every aggregate (a bulk change): each is built again when next wanted. */
export function forgetTargetStats(store: StatsStore): Promise<void> {
  return store.clear();
}

/** Drop the aggregates of some targets (links into them were deleted). */
export async function forgetStatsOf(store: StatsStore, targets: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(targets)].map((t) => store.delete(t)));
}

/**
 * Build the aggregate of each of `targets` that has none and at least `minLinks` links, with
 * its first rows, and refill the rows of those marked for it (markRefill): in one transaction
 * that reads the links and their source pages and writes the record, so no recorded page
 * slips between the read and the write. Returns the targets built or refilled. The links and
 * pages are read here, in the background, so that the popup never has to.
 */
export async function ensureTargetStats(
  db: BacklinkDb,
  targets: readonly string[],
  minLinks: number = HOT_TARGET_LINKS,
): Promise<string[]> {
  // A read first: the common case (built already, or cold) must not queue a write.
  const read = db.transaction(['links', 'links-v1', 'target-stats']);
  const statsStore = read.objectStore('target-stats');
  const [known, marked] = await Promise.all([
    Promise.all(targets.map((t) => statsStore.getKey(t))),
    Promise.all(targets.map((t) => statsStore.index('by_refill').getKey(t))),
  ]);
  const counts = await Promise.all(
    targets.map((t, i) => (known[i] ? 0 : countLinks(read, 'by_target', t))),
  );
  const wanted = targets.filter((_t, i) => counts[i]! >= minLinks || marked[i]);
  if (wanted.length === 0) return [];
  // Read apart: a write transaction over the scores would hold back the popup's read of them.
  // Only for a build: a refill alone (after writes, at a hot page's badges) reads none of
  // every domain's scores; a record forgotten since it was seen is built without them, and
  // takes them with the next computation (refreshStatsAuthority).
  const building = targets.some((_t, i) => counts[i]! >= minLinks);
  const scores = building ? await loadDomainAuthority(db) : new Map<string, number>();
  const tx = db.transaction(['links', 'links-v1', 'pages', 'target-stats'], 'readwrite');
  const stats = tx.objectStore('target-stats');
  const pagesOf = pagesOfIn(tx);
  const built: string[] = [];
  for (const target of wanted) {
    const stored = await stats.get(target);
    if (stored && !stored.refill) continue; // built or refilled meanwhile by another page
    const record = stored ?? (await buildStats(tx, target, pagesOf, scores));
    if (record.refill) await refillRows(tx, record, pagesOf);
    putAll(stats, [record]);
    built.push(target);
  }
  await tx.done;
  return built;
}

type Tx = Parameters<typeof getAllLinks>[0];
type PagesOf = (links: readonly LinkRecord[]) => Promise<Map<string, SourceFacts | null>>;

/** The facts of the linking pages of some links, read in `tx`. */
const pagesOfIn =
  (
    tx: IDBPTransaction<
      BacklinkSchema,
      ['links', 'links-v1', 'pages', 'target-stats'],
      'readonly' | 'readwrite'
    >,
  ): PagesOf =>
  async (links) => {
    const urls = [...new Set(links.map((l) => l.source))];
    const found = await getMany(tx.objectStore('pages'), urls);
    return new Map(urls.map((u, i) => [u, factsOf(found[i])]));
  };

/** A target's aggregate, its domains' `scores` and kept rows from every link into it. */
async function buildStats(
  tx: Tx,
  target: string,
  pagesOf: PagesOf,
  scores: ReadonlyMap<string, number>,
): Promise<TargetStats> {
  const links = await getAllLinks(tx, 'by_target', target);
  const pages = await pagesOf(links);
  const counted = links.map((link) => ({
    link,
    pageNofollow: Boolean(pages.get(link.source)?.robotsNofollow),
  }));
  const record = statsOf(target, counted);
  setAuthority(record, scores); // before the kept domains: they are the strongest first
  const groups = new Map<string, HeadRow[]>();
  for (const link of links) {
    if (link.source === target) continue; // never stored; as tallyLink
    const row = { link, page: pages.get(link.source) ?? null };
    const group = groups.get(link.sourceDomain);
    if (group) group.push(row);
    else groups.set(link.sourceDomain, [row]);
  }
  record.rows = {};
  for (const domain of keptDomains(record)) record.rows[domain] = firstRows(groups.get(domain)!);
  return record;
}

/** Read the groups of the record's kept domains that have no rows, and keep their first. */
async function refillRows(tx: Tx, record: TargetStats, pagesOf: PagesOf): Promise<void> {
  const rows = (record.rows ??= {});
  const missing = [...keptDomains(record)].filter((d) => !rows[d]);
  const groups = await Promise.all(
    missing.map((d) => getAllLinks(tx, 'by_target_source_domain', [record.target, d])),
  );
  const pages = await pagesOf(groups.flat());
  missing.forEach((domain, i) => {
    const group = groups[i]!.filter((l) => l.source !== l.target);
    rows[domain] = firstRows(group.map((link) => ({ link, page: pages.get(link.source) ?? null })));
  });
  markRefill(record);
}

/**
 * Every domain's stored authority (0–100), of the generation the popup reads
 * (queries.ts#loadAuthority): a range of keys, not the pages' scores too.
 */
export async function loadDomainAuthority(db: BacklinkDb): Promise<Map<string, number>> {
  return new Map((await loadLiveScores(db, 'domain')).map((r) => [r.key, r.display]));
}

/**
 * After an authority computation: keep its domain scores with every aggregate whose domains'
 * scores moved, and the rows of the groups that now come first (refillRows). Each record is
 * read, scored and refilled in a read-only transaction, then put in a write of the aggregates'
 * store alone, which holds up a popup's read for a get and a put. With the refill's reads in
 * it, 41 records at 1M held the stores 1.1-1.2 s a refresh, 19-22 ms each (median; load 10-18,
 * storage-refresh.ts); so, 0.8 s and 6.6 ms.
 * A record some write changed between the two (a page recorded) is scored again in the write
 * and its rows left to be refilled (markRefill) at its next build. `put` is told of each target
 * as soon as its record is stored, not at the end: a refresh cut short (a failure, the worker
 * stopped) has told of every record it changed. Returns the targets whose record changed. A
 * target forgotten meanwhile stays forgotten.
 */
export async function refreshStatsAuthority(
  db: BacklinkDb,
  put: (target: string) => Promise<void> = async () => {},
): Promise<string[]> {
  const [targets, scores] = await Promise.all([
    db.getAllKeys('target-stats'),
    loadDomainAuthority(db),
  ]);
  const changed: string[] = [];
  for (const target of targets) {
    // Read first: a record whose scores did not move is not written (nor a writer held up).
    const read = db.transaction(['links', 'links-v1', 'pages', 'target-stats']);
    const scored = await read.objectStore('target-stats').get(target);
    if (!scored || !setAuthority(scored, scores)) continue;
    const was = wholeStateOf(scored);
    markRefill(scored);
    if (scored.refill) await refillRows(read, scored, pagesOfIn(read));
    await read.done;
    const tx = db.transaction('target-stats', 'readwrite');
    const record = await tx.store.get(target);
    if (record) {
      setAuthority(record, scores);
      // Written since the read: its counts and rows are the write's, their order the scores'.
      const written = wholeStateOf(record) !== was;
      if (written) markRefill(record);
      putAll(tx.store, [written ? record : scored]);
      changed.push(target);
    }
    await tx.done;
    if (changed.at(-1) === target) await put(target);
  }
  return changed;
}

/** A record's state over all its domains (core/target-stats.ts#stateOf). */
const wholeStateOf = (stats: TargetStats) => stateOf(stats, Object.keys(stats.domains));
