import type { IDBPObjectStore, StoreNames } from 'idb';
import type { ReferralVisit } from '../core/referrals';
import type { BacklinkDb, BacklinkSchema } from './db';

type ReferralStore = IDBPObjectStore<
  BacklinkSchema,
  ArrayLike<StoreNames<BacklinkSchema>>,
  'referrals',
  'readwrite'
>;

/**
 * Visits kept per pair of pages: the count shown stays honest far beyond what one person
 * clicks, and a page that keeps sending the user on (a redirecting loop of clicks, a script
 * the user keeps following) cannot grow the store without bound. The oldest go first.
 */
export const MAX_VISITS_PER_PAIR = 1_000;

/**
 * Store one visit made by following a link (already confirmed and through the privacy gate:
 * background/referrals.ts). Domains are the registrable domains of both ends.
 */
export async function recordReferral(
  db: BacklinkDb,
  visit: ReferralVisit,
  cap: number = MAX_VISITS_PER_PAIR,
): Promise<void> {
  const tx = db.transaction('referrals', 'readwrite');
  await tx.store.put(visit);
  const pair = IDBKeyRange.bound(
    [visit.source, visit.target, -Infinity],
    [visit.source, visit.target, Infinity],
  );
  let extra = (await tx.store.count(pair)) - cap;
  // Keys sort by time within the pair: the cursor meets the oldest first.
  for (let cursor = await tx.store.openKeyCursor(pair); cursor && extra > 0; extra--) {
    await tx.store.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
  await tx.done;
}

/** Every visit that landed on one of `targets` (a page and its aliases), by the target index. */
export async function loadReferralsInto(
  db: BacklinkDb,
  targets: readonly string[],
): Promise<ReferralVisit[]> {
  const index = db.transaction('referrals').store.index('by_target');
  return (await Promise.all([...new Set(targets)].map((t) => index.getAll(t)))).flat();
}

/**
 * Queue the deletion of every visit from or to a site (`onSite` tells its URLs) in the caller's
 * transaction: a visit is browsing history of both pages. Candidates are found by either end's
 * registrable domain (`domain`), or, for a site that has none (a public suffix), by every key.
 */
export async function forgetSiteReferrals(
  store: ReferralStore,
  domain: string | null,
  onSite: (url: string) => boolean,
  writes: Promise<unknown>[],
): Promise<void> {
  const keys =
    domain === null
      ? await store.getAllKeys()
      : (
          await Promise.all([
            store.index('by_source_domain').getAllKeys(domain),
            store.index('by_target_domain').getAllKeys(domain),
          ])
        ).flat();
  for (const key of keys) {
    if (onSite(key[0]) || onSite(key[1])) writes.push(store.delete(key));
  }
}

/** Queue the merge of imported visits: one record per visit, so importing twice adds nothing. */
export function importReferrals(
  store: ReferralStore,
  visits: readonly ReferralVisit[],
  writes: Promise<unknown>[],
): void {
  for (const visit of visits) writes.push(store.put(visit));
}
