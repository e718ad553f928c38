import type { PageRecord, RedirectRecord } from '../core/types';
import type { UpgradeTx } from './db';
import { getMany, putAll } from './requests';

/**
 * URLs tied to another one (issue 7: the cold badge and the popup's first read): either end of a
 * declared canonical (a page declaring another URL, the record kept under that URL) or of a
 * redirect hop. Only such a URL has links of other URLs counting for it, and a redirect out of
 * it, so a URL not named here skips the lookups of its aliases and redirects (storage/queries.ts
 * #findTargets): one key read, where by_canonical, by_to and by_from took three.
 *
 * Kept exact by the writers: every put of a page record or a hop marks its ends in the same
 * transaction (records.ts), and the upgrade that made the store marked what was stored before
 * (db.ts). A mark is only taken back by clearing everything, and by forgetting a site or
 * retention once nothing ties it (untieLoose): a stale one costs the lookups, never a count,
 * where a missing one would lose the page's other URLs' links.
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
export function markTies(store: { put(tie: Tie): unknown }, urls: Iterable<string>): void {
  putAll(
    store,
    [...new Set(urls)].map((url) => ({ url })),
  );
}

/** Whether `url` is marked: one key read (no record), in the reader's transaction. */
export function isTied(store: { getKey(url: string): Promise<string | undefined> }, url: string) {
  return store.getKey(url).then((key) => key !== undefined);
}

/** The stores untieLoose reads and writes, of one read-write transaction. */
export interface TieStores {
  pages: {
    get(url: string): Promise<PageRecord | undefined>;
    index(name: 'by_canonical'): { getAllKeys(url: string): Promise<string[]> };
  };
  redirects: { index(name: 'by_to' | 'by_from'): { count(url: string): Promise<number> } };
  ties: { getKey(url: string): Promise<string | undefined>; delete(url: string): Promise<unknown> };
}

/**
 * Take back the marks of `urls` that nothing ties any more, once a deletion in the same
 * transaction took their pages or hops (retention.ts): a deleted page's URL is not kept here
 * either. Asked after the deletions, so it sees what is left; a URL still tied keeps its mark.
 * Only the marked ones are looked into: most deleted pages have no mark, and cost one key read.
 */
export async function untieLoose(
  { pages, redirects, ties }: TieStores,
  urls: Iterable<string>,
): Promise<void> {
  const loose = await Promise.all(
    [...new Set(urls)].map(async (url) => {
      if ((await ties.getKey(url)) === undefined) return null;
      const [page, declaring, into, out] = await Promise.all([
        pages.get(url),
        pages.index('by_canonical').getAllKeys(url),
        redirects.index('by_to').count(url),
        redirects.index('by_from').count(url),
      ]);
      const tied =
        (page !== undefined && tiesOfPage(page).length > 0) ||
        declaring.some((u) => u !== url) ||
        into + out > 0;
      return tied ? null : url;
    }),
  );
  await Promise.all(loose.map((url) => (url === null ? null : ties.delete(url))));
}

/** Records read per request while marking what an older database stored. */
const BACKFILL_BATCH = 1000;

/**
 * Mark the ties of everything stored before the store existed, in the upgrade that creates it:
 * the hops by their keys alone, then the pages that declare a canonical, by by_canonical a batch
 * at a time. A background pass was the other way (the store "unknown" until it ended), but every
 * read would then ask whether it had ended.
 *
 * A page declaring no canonical has no entry in by_canonical, and is not read: its record ties
 * nothing, as an alias record (records.ts: written under the URL a page declares, `aliasOf` that
 * page) declares its own URL. So a store whose pages declare none is marked without reading a
 * page (100,000 records read at 1M links before). The one record this leaves out, an imported
 * one with `aliasOf` and no canonical, neither the writers nor an export make.
 */
export async function markStoredTies(tx: UpgradeTx): Promise<void> {
  const ties = tx.objectStore('ties');
  for (const [from, to] of await tx.objectStore('redirects').getAllKeys()) {
    markTies(ties, [from, to]);
  }
  const pages = tx.objectStore('pages');
  const declaring = pages.index('by_canonical');
  const mark = (batch: Array<PageRecord | undefined>) => {
    for (const page of batch) if (page) markTies(ties, tiesOfPage(page));
  };
  let after: IDBKeyRange | null = null;
  for (;;) {
    const batch: PageRecord[] = await declaring.getAll(after, BACKFILL_BATCH);
    mark(batch);
    if (batch.length < BACKFILL_BATCH) return;
    // The pages declaring the batch's last canonical may go on past it (in URL order): the rest
    // of them by key, then on from the next canonical.
    const { url, canonical } = batch[batch.length - 1]!;
    const same = await declaring.getAllKeys(canonical!);
    const rest = same.slice(same.indexOf(url) + 1);
    for (let i = 0; i < rest.length; i += BACKFILL_BATCH) {
      mark(await getMany(pages, rest.slice(i, i + BACKFILL_BATCH)));
    }
    after = IDBKeyRange.lowerBound(canonical, true);
  }
}
