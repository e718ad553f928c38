import { unwrap } from 'idb';
import type { PageRecord, RedirectRecord } from '../core/types';
import type { UpgradeTx } from './db';

/**
 * URLs tied to another one (issue 7: the cold badge and the popup's first read): either end of a
 * declared canonical (a page declaring another URL, the record kept under that URL) or of a
 * redirect hop. Only such a URL has links of other URLs counting for it, and a redirect out of
 * it, so a URL not named here skips the lookups of its aliases and redirects (storage/queries.ts
 * #findTargets): one key read, where by_canonical, by_to and by_from took three.
 *
 * Kept exact by the writers: every put of a page record or a hop marks its ends in the same
 * transaction (records.ts), and the upgrade that made the store marked what was stored before
 * (db.ts). A mark is only taken back when forgetting a site or everything: a stale one costs the
 * lookups, never a count, where a missing one would lose the page's other URLs' links.
 */
export interface Tie {
  url: string;
}

/** The URLs a page record ties together: none when it declares no other URL. */
export function tiesOfPage(page: Pick<PageRecord, 'url' | 'canonical' | 'aliasOf'>): string[] {
  const others = [page.canonical, page.aliasOf].filter(
    (u): u is string => typeof u === 'string' && u !== page.url,
  );
  return others.length === 0 ? [] : [page.url, ...others];
}

/** The two ends of a hop. */
export const tiesOfHop = (hop: Pick<RedirectRecord, 'from' | 'to'>): string[] => [hop.from, hop.to];

/**
 * Mark `urls` as tied, as plain puts in the writer's transaction (requests.ts#putAll): a failed
 * put aborts it, so a page or hop never lands without its marks.
 */
export function markTies(store: object, urls: Iterable<string>): void {
  const raw = unwrap(store as never) as unknown as IDBObjectStore;
  for (const url of new Set(urls)) raw.put({ url } satisfies Tie);
}

/** Whether `url` is marked: one key read (no record), in the reader's transaction. */
export function isTied(store: { getKey(url: string): Promise<string | undefined> }, url: string) {
  return store.getKey(url).then((key) => key !== undefined);
}

/** Records read per request while marking what an older database stored. */
const BACKFILL_BATCH = 1000;

/**
 * Mark the ties of everything stored before the store existed, in the upgrade that creates it:
 * the hops by their keys alone, the pages a batch at a time. A background pass was the other
 * way (the store "unknown" until it ended), but every read would then ask whether it had ended;
 * the pages are read once, only by an install that has some.
 */
export async function markStoredTies(tx: UpgradeTx): Promise<void> {
  const ties = tx.objectStore('ties');
  for (const [from, to] of await tx.objectStore('redirects').getAllKeys()) {
    markTies(ties, [from, to]);
  }
  const pages = tx.objectStore('pages');
  let after: string | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const batch: PageRecord[] = await pages.getAll(range, BACKFILL_BATCH);
    for (const page of batch) markTies(ties, tiesOfPage(page));
    if (batch.length < BACKFILL_BATCH) return;
    after = batch[batch.length - 1]!.url;
  }
}
