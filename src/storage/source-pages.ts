import { unwrap } from 'idb';
import type { LinkRecord, PageRecord } from '../core/types';
import { getMany } from './requests';

/**
 * A store of pages as read here: by URL, and by registrable domain (`by_domain`). Any
 * transaction's pages store will do.
 */
interface PagesStore {
  get(url: string): Promise<PageRecord | undefined>;
  index(name: 'by_domain'): unknown;
}

/**
 * Pages of a domain read at most by one index read, per linking page of it: a domain whose
 * visited pages are mostly its linking pages is read in one request; one with many more
 * visited pages (a large site linking from a few) is cut short, and its linking pages not
 * among those read are read one by one.
 */
export const PAGES_PER_SOURCE = 2;
/** Plus this many, so that a domain linking from two pages may have a few others visited. */
export const PAGES_SLACK = 8;

/** Pages stored per domain, for the domains whose pages readSourcePages read in full. */
const domainCounts = new WeakMap<object, Readonly<Record<string, number>>>();

/**
 * How many pages of each domain are stored, for the domains whose pages readSourcePages read
 * in full with `sources` (the flags count pages per referring domain: these need no count).
 * Empty for sources read otherwise.
 */
export const knownDomainPages = (sources: object): Readonly<Record<string, number>> =>
  domainCounts.get(sources) ?? {};

/**
 * The stored pages of the links' sources, by URL: what readPages gives for their URLs, read
 * in fewer requests. A hot page's sources are mostly several pages of each referring domain,
 * and one index read of a domain's pages costs far less than a get of each (in Chromium, 5,000
 * pages of 1,000 domains: about a third of the time). A domain with one linking page is read
 * by key beside those reads; a linking page that its domain's read did not return, by key
 * after them.
 */
export async function readSourcePages(
  store: PagesStore,
  links: readonly Pick<LinkRecord, 'source' | 'sourceDomain'>[],
): Promise<Record<string, PageRecord>> {
  const byDomain = new Map<string, Set<string>>();
  for (const { source, sourceDomain } of links) {
    const urls = byDomain.get(sourceDomain) ?? new Set<string>();
    byDomain.set(sourceDomain, urls.add(source));
  }
  const grouped = [...byDomain].filter(([, urls]) => urls.size > 1);
  const singles = [...byDomain.values()].filter((urls) => urls.size === 1).flatMap((u) => [...u]);
  const index = unwrap(store.index('by_domain') as never) as unknown as IDBIndex;
  // The single sources by key in the same round as the domains' reads: a cold page's linking
  // pages are then one round, not two (issue 7: the cold read against a raw read of its rows).
  const [read, single] = await Promise.all([
    getAllOf(
      index,
      grouped.map(([domain, urls]) => [domain, urls.size * PAGES_PER_SOURCE + PAGES_SLACK]),
    ),
    getMany(store, singles),
  ]);
  const pages: Record<string, PageRecord> = {};
  for (const p of single) if (p) pages[p.url] = p;
  const counts: Record<string, number> = {};
  grouped.forEach(([domain, urls], i) => {
    const all = read[i]!;
    for (const page of all) if (urls.has(page.url)) pages[page.url] = page;
    // Fewer than asked for: every page of the domain was read, so their number is known.
    if (all.length < urls.size * PAGES_PER_SOURCE + PAGES_SLACK) counts[domain] = all.length;
  });
  domainCounts.set(pages, counts);
  // Those past a domain's cap, and any whose stored domain differs from the link's (a record
  // written under another Public Suffix List): by key, as readPages would, in a second round.
  const rest = grouped.flatMap(([, urls]) => [...urls].filter((u) => !pages[u]));
  const found = await getMany(store, rest);
  for (const p of found) if (p) pages[p.url] = p;
  return pages;
}

/**
 * One getAll per [key, count], as plain requests in one round (see storage/requests.ts: a
 * promise each costs more than the read). Rejects with the first request's error.
 */
function getAllOf(
  index: IDBIndex,
  queries: ReadonlyArray<readonly [string, number]>,
): Promise<PageRecord[][]> {
  if (queries.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const values = new Array<PageRecord[]>(queries.length);
    let left = queries.length;
    queries.forEach(([key, count], i) => {
      const request = index.getAll(key, count) as IDBRequest<PageRecord[]>;
      request.onsuccess = () => {
        values[i] = request.result;
        if (--left === 0) resolve(values);
      };
      request.onerror = () => reject(request.error);
    });
  });
}
