import type { IDBPObjectStore, StoreNames } from 'idb';
import { linkKey, type LinkRecord } from '../core/types';
import {
  applyChange,
  HOT_TARGET_LINKS,
  statsOf,
  type Counted,
  type TargetStats,
} from '../core/target-stats';
import { countLinks, getAllLinks, LINK_STORES } from './link-keys';
import type { BacklinkDb, BacklinkSchema } from './db';
import { getMany, putAll } from './requests';

/**
 * The `target-stats` store: core/target-stats.ts aggregates of hot targets, built lazily
 * (ensureTargetStats) and kept exact by the write paths inside their own transaction: a
 * recorded page adjusts the targets that have one (adjustTargetStats), a bulk change (import,
 * forgetting a site, retention) drops them (forgetTargetStats) to be built again.
 */

type StatsStore = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  'target-stats',
  'readwrite'
>;

/** Some stored links of one source page, and whether that page says robots nofollow. */
export interface SourceLinks {
  links: readonly LinkRecord[];
  nofollow: boolean;
}

const countedOf = ({ links, nofollow }: SourceLinks): Counted[] =>
  links.map((link) => ({ link, pageNofollow: nofollow }));

/**
 * After a write of one source page's links: `before` are its stored links as read before the
 * write, `rewritten` the records put (new or changed, the rest of `before` stays as it was,
 * under the page's new robots). The store's keys are read in the transaction rather than
 * trusted from memory: the options page's import writes too.
 * Contract: resolves when the puts are queued; rejects (aborting with the caller's
 * transaction) if a read or put fails.
 */
export async function adjustTargetStats(
  store: StatsStore,
  before: SourceLinks,
  rewritten: SourceLinks,
): Promise<void> {
  const after = new Map(before.links.map((l) => [linkKey(l), l]));
  for (const l of rewritten.links) after.set(linkKey(l), l);
  const touched = new Set([...after.values()].map((l) => l.target));
  const kept = (await store.getAllKeys()).filter((k) => touched.has(k));
  if (kept.length === 0) return;
  const records = (await getMany(store, kept)).filter((r): r is TargetStats => !!r);
  const stats = new Map(records.map((r) => [r.target, r]));
  const changed = applyChange(
    stats,
    countedOf(before),
    countedOf({ links: [...after.values()], nofollow: rewritten.nofollow }),
  );
  putAll(
    store,
    [...changed].map((t) => stats.get(t)!),
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
 * Build the aggregate of each of `targets` that has none and at least `minLinks` links:
 * in one transaction that reads its links and their source pages and writes the record, so no
 * recorded page slips between the read and the write. Returns the targets built. The links
 * and pages are read in full once here, in the background, so that the popup never has to.
 */
export async function ensureTargetStats(
  db: BacklinkDb,
  targets: readonly string[],
  minLinks: number = HOT_TARGET_LINKS,
): Promise<string[]> {
  // A read first: the common case (built already, or cold) must not queue a write.
  const known = await Promise.all(targets.map((t) => db.getKey('target-stats', t)));
  const counts = await Promise.all(
    targets.map((t, i) => (known[i] ? 0 : countLinks(db.transaction(LINK_STORES), 'by_target', t))),
  );
  const wanted = targets.filter((_t, i) => counts[i]! >= minLinks);
  if (wanted.length === 0) return [];
  const tx = db.transaction(['links', 'links-v1', 'pages', 'target-stats'], 'readwrite');
  const stats = tx.objectStore('target-stats');
  const built: string[] = [];
  for (const target of wanted) {
    if (await stats.getKey(target)) continue; // built meanwhile by another page
    const links = await getAllLinks(tx, 'by_target', target);
    const sources = [...new Set(links.map((l) => l.source))];
    const pages = await getMany(tx.objectStore('pages'), sources);
    const nofollow = new Set(pages.filter((p) => p?.robotsNofollow).map((p) => p!.url));
    const counted = links.map((link) => ({ link, pageNofollow: nofollow.has(link.source) }));
    putAll(stats, [statsOf(target, counted)]);
    built.push(target);
  }
  await tx.done;
  return built;
}
