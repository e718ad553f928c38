import {
  linkKey,
  type AuthorityKind,
  type LinkRecord,
  type PageRecord,
  type RedirectRecord,
  type SiteFolds,
} from '../core/types';
import type { AuthorityView } from '../core/authority-view';
import { canonicalizeUrl } from '../core/url';
import {
  MAX_REDIRECT_HOPS,
  redirectChainFrom,
  redirectsInto,
  type RedirectChain,
} from '../core/redirects';
import type { Via } from '../core/summary';
import {
  compareVariants,
  foldedGroups,
  isFolded,
  variantBases,
  variantKinds,
  type FoldGroup,
  type VariantCount,
} from '../core/variants';
import type { BacklinkDb } from './db';

// Read-only queries, kept apart from records.ts so the popup's bundle stays small.

export interface BacklinkReport {
  /** The canonical URL asked about. */
  url: string;
  /** Every URL taken to be the same page (declared canonicals, both ways). */
  aliases: string[];
  page: PageRecord | null;
  /** Inbound links to any alias, to a URL that redirects here, or to a folded variant. */
  links: LinkRecord[];
  /** How links to other URLs than the aliases count for the page, by target. */
  via: Record<string, Via>;
  /** Where this URL itself redirects, if it does. */
  redirect: RedirectChain | null;
  /** Stored link targets that are variants of the page, folded or not, with their counts. */
  variants: VariantCount[];
  /** The variant groups the user folded for this page. */
  folded: FoldGroup[];
  /** Stored facts of each linking page, by its URL. */
  sources: Record<string, PageRecord>;
}

/** Folds as stored in Settings.folds. */
export type Folds = Readonly<Record<string, SiteFolds>>;

/** Distinct variants read at most per address (a page with thousands of query strings). */
export const VARIANT_LIMIT = 50;

type ReadTx = ReturnType<typeof readTransaction>;
const readTransaction = (db: BacklinkDb) =>
  db.transaction(['pages', 'links', 'redirects'], 'readonly');

/**
 * The hops core/redirects needs to walk backwards from `targets`: hops into each URL reached,
 * level by level up to the bound, and every hop out of the URLs found, so that a URL that now
 * redirects elsewhere is known as such.
 */
async function readHopsInto(tx: ReadTx, targets: readonly string[]): Promise<RedirectRecord[]> {
  const store = tx.objectStore('redirects');
  const hops: RedirectRecord[] = [];
  const seen = new Set(targets);
  let frontier = [...targets];
  for (let depth = 0; depth < MAX_REDIRECT_HOPS && frontier.length > 0; depth++) {
    const into = (await Promise.all(frontier.map((u) => store.index('by_to').getAll(u)))).flat();
    const froms = [...new Set(into.map((h) => h.from))].filter((u) => !seen.has(u));
    froms.forEach((u) => seen.add(u));
    hops.push(...(await Promise.all(froms.map((u) => store.index('by_from').getAll(u)))).flat());
    frontier = froms;
  }
  return hops;
}

/** The hops along the chain forwards from `start`, up to one past the bound (to tell it). */
async function readHopsFrom(tx: ReadTx, start: string): Promise<RedirectRecord[]> {
  const byFrom = tx.objectStore('redirects').index('by_from');
  const hops: RedirectRecord[] = [];
  const seen = new Set<string>();
  let url: string | undefined = start;
  for (let depth = 0; url && !seen.has(url) && depth <= MAX_REDIRECT_HOPS; depth++) {
    seen.add(url);
    const out: RedirectRecord[] = await byFrom.getAll(url);
    hops.push(...out);
    url = redirectChainFrom(url, out, 1)?.steps[0]?.url;
  }
  return hops;
}

/**
 * Distinct link targets that are variants of `url` (scheme, www, slash, query), with how many
 * links each has. Bounded key-range reads on by_target: a unique key cursor over `base?…` for
 * each address base, and a count per variant; no link record is read.
 */
async function findVariants(
  tx: ReadTx,
  url: string,
  known: ReadonlySet<string>,
): Promise<Array<{ url: string; links: number }>> {
  const byTarget = tx.objectStore('links').index('by_target');
  const found: string[] = [];
  for (const base of variantBases(url)) {
    if (!known.has(base) && (await byTarget.count(base)) > 0) found.push(base);
    const queries = IDBKeyRange.bound(`${base}?`, `${base}?\uffff`);
    let cursor = await byTarget.openKeyCursor(queries, 'nextunique');
    for (let n = 0; cursor && n < VARIANT_LIMIT; n++) {
      if (!known.has(cursor.key)) found.push(cursor.key);
      cursor = await cursor.continue();
    }
  }
  const counts = await Promise.all(found.map((v) => byTarget.count(v)));
  return found.map((v, i) => ({ url: v, links: counts[i]! }));
}

type Found = Omit<BacklinkReport, 'sources' | 'redirect'>;

/**
 * The URL's aliases, the URLs that redirect to it, its variants, and every link to any of them
 * that counts for it, through the by_canonical, by_to and by_target indexes. Variants are only
 * looked up when `listVariants` asks for them or the user folded some.
 */
async function findBacklinks(
  tx: ReadTx,
  url: string,
  folds: Folds,
  listVariants: boolean,
): Promise<Found> {
  const pages = tx.objectStore('pages');
  const aliases = new Set([url]);
  const page = (await pages.get(url)) ?? null;
  if (page?.canonical) aliases.add(page.canonical);
  if (page?.aliasOf) aliases.add(page.aliasOf);
  for (const alias of [...aliases]) {
    for (const key of await pages.index('by_canonical').getAllKeys(alias)) aliases.add(key);
  }
  const via: Record<string, Via> = {};
  const redirects = redirectsInto([...aliases], await readHopsInto(tx, [...aliases]));
  for (const [from, how] of redirects) via[from] = { kind: 'redirect', ...how };

  const folded = foldedGroups(url, folds);
  let variants: VariantCount[] = [];
  if (listVariants || folded.length > 0) {
    const known = new Set([...aliases, ...redirects.keys()]);
    variants = (await findVariants(tx, url, known))
      .map((v) => {
        const kinds = variantKinds(url, v.url);
        return { ...v, kinds, folded: isFolded(kinds, folded) };
      })
      .sort(compareVariants);
    for (const v of variants) if (v.folded) via[v.url] = { kind: 'variant', kinds: v.kinds };
  }

  const targets = [...aliases, ...Object.keys(via)];
  const byTarget = tx.objectStore('links').index('by_target');
  const found = await Promise.all(targets.map((t) => byTarget.getAll(t)));
  // A link from the page to what now counts as the page is a self-link.
  const merged = new Set(targets);
  const links = found.flat().filter((l) => !merged.has(l.source));
  return { url, aliases: [...aliases], page, links, via, variants, folded };
}

/**
 * Everything the popup and report show for one URL, read through indexes only: pages by
 * canonical, links by target, redirects by either end. Null when the URL is not an http(s)
 * page. `folds`: the variants the user counts as one page (Settings.folds).
 */
export async function loadBacklinks(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds = {},
): Promise<BacklinkReport | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const tx = readTransaction(db);
  const found = await findBacklinks(tx, url, folds, true);
  const redirect = redirectChainFrom(url, await readHopsFrom(tx, url));
  const sourceUrls = [...new Set(found.links.map((l) => l.source))];
  const sources = await readPages(tx.objectStore('pages'), sourceUrls);
  await tx.done;
  return { ...found, redirect, sources };
}

/**
 * Live (not lost) backlinks of a URL, the same ones loadBacklinks counts: the badge number.
 * Skips loading the source pages, and variants unless some are folded.
 */
export async function countLiveBacklinks(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds = {},
): Promise<number> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return 0;
  const tx = readTransaction(db);
  const { links } = await findBacklinks(tx, url, folds, false);
  await tx.done;
  return links.filter((l) => l.lostAt === null).length;
}

/** Links read at most for a site-wide view, so a hugely linked site stays quick to show. */
export const SITE_LINK_LIMIT = 20_000;

/**
 * The host and each parent domain down to two labels (the host alone if it has one label):
 * exactly one of them is the registrable domain.
 */
function domainCandidates(host: string): string[] {
  const labels = host.split('.');
  if (labels.length < 2) return [host];
  return labels
    .slice(0, -1)
    .map((_l, i) => labels.slice(i).join('.'))
    .slice(0, 10);
}

/**
 * Past this many links of the site not already read, one getAll of the whole site costs less
 * than a get for each.
 */
export const SITE_GET_LIMIT = 500;

/**
 * Every stored link into the site (registrable domain) of a URL, through the by_target_domain
 * index. Stored target domains are registrable domains, so probing the host's parent domains
 * finds the site without loading the Public Suffix List into the popup. `known`: links already
 * read (the page's own, with the report): the site's keys are read first and only the links
 * not known are read in full, unless there are many of those.
 */
export async function loadSiteLinks(
  db: BacklinkDb,
  rawUrl: string,
  limit = SITE_LINK_LIMIT,
  known: readonly LinkRecord[] = [],
): Promise<{ domain: string; links: LinkRecord[]; complete: boolean } | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const store = db.transaction('links').store;
  const index = store.index('by_target_domain');
  const byKey = new Map(known.map((l) => [linkKey(l), l]));
  for (const domain of domainCandidates(new URL(url).hostname)) {
    const keys = await index.getAllKeys(domain, limit);
    if (keys.length === 0) continue;
    const keyOf = ([source, target, anchor]: readonly string[]) =>
      linkKey({ source: source!, target: target!, anchor: anchor! });
    const missing = keys.filter((k) => !byKey.has(keyOf(k)));
    let links: LinkRecord[];
    if (missing.length > SITE_GET_LIMIT) {
      links = await index.getAll(domain, limit);
    } else {
      const read = await Promise.all(missing.map((k) => store.get(k)));
      read.forEach((l) => l && byKey.set(linkKey(l), l));
      // In index order, as one getAll would give them; a link deleted meanwhile is left out.
      links = keys.map((k) => byKey.get(keyOf(k))).filter((l): l is LinkRecord => !!l);
    }
    return { domain, links, complete: keys.length < limit };
  }
  return null;
}

/** The stored records of some pages, by URL (those not stored are left out). */
async function readPages(
  store: { get(url: string): Promise<PageRecord | undefined> },
  urls: readonly string[],
): Promise<Record<string, PageRecord>> {
  const found = await Promise.all(urls.map((u) => store.get(u)));
  const pages: Record<string, PageRecord> = {};
  for (const p of found) if (p) pages[p.url] = p;
  return pages;
}

/** readPages in a transaction of its own. */
export async function loadPages(
  db: BacklinkDb,
  urls: readonly string[],
): Promise<Record<string, PageRecord>> {
  const tx = db.transaction('pages');
  const pages = await readPages(tx.store, urls);
  await tx.done;
  return pages;
}

/**
 * The stored authority of a page, its domain, its linking pages and (for the quality score)
 * their domains, on the 0–100 scale: one read-only transaction of key lookups, apart from the
 * report's, so it never delays it.
 */
export async function loadAuthority(
  db: BacklinkDb,
  url: string,
  domain: string | null,
  sources: readonly string[],
  sourceDomains: readonly string[] = [],
): Promise<AuthorityView> {
  const tx = db.transaction(['authority', 'meta'], 'readonly');
  const store = tx.objectStore('authority');
  const display = (kind: AuthorityKind, key: string) =>
    store.get([kind, key]).then((r) => r?.display ?? null);
  // Keys the last computation did not score are left out, rather than given a zero.
  const scoredOf = async (kind: AuthorityKind, keys: readonly string[]) => {
    const found = await Promise.all(keys.map((k) => display(kind, k)));
    const byKey: Record<string, number> = {};
    keys.forEach((k, i) => {
      const d = found[i];
      if (d !== null && d !== undefined) byKey[k] = d;
    });
    return byKey;
  };
  const [meta, page, site, bySource, byDomain] = await Promise.all([
    tx.objectStore('meta').get('authority'),
    display('page', url),
    domain === null ? null : display('domain', domain),
    scoredOf('page', sources),
    scoredOf('domain', sourceDomains),
  ]);
  await tx.done;
  const computedAt = meta?.id === 'authority' ? meta.computedAt : null;
  return { computedAt, page, domain: site, sources: bySource, sourceDomains: byDomain };
}
