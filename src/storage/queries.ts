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
import { getMany } from './requests';
import { readSourcePages } from './source-pages';

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

export type ReadTx = ReturnType<typeof readTransaction>;
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
export async function readHopsFrom(tx: ReadTx, start: string): Promise<RedirectRecord[]> {
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
 * links each has. Bounded key-range reads on by_target: for every address base at once, a count
 * and a unique key cursor over `base?…`; then a count per variant found. No link record is
 * read. The caller leaves out the URLs it counts otherwise (aliases, redirects).
 */
async function findVariants(
  tx: ReadTx,
  url: string,
): Promise<Array<{ url: string; links: number }>> {
  const byTarget = tx.objectStore('links').index('by_target');
  const ofBase = async (base: string): Promise<Array<{ url: string; links: number }>> => {
    const queries = IDBKeyRange.bound(`${base}?`, `${base}?\uffff`);
    const [links, first] = await Promise.all([
      base === url ? 0 : byTarget.count(base),
      byTarget.openKeyCursor(queries, 'nextunique'),
    ]);
    const keys: string[] = [];
    let cursor = first;
    for (let n = 0; cursor && n < VARIANT_LIMIT; n++) {
      keys.push(cursor.key);
      cursor = await cursor.continue();
    }
    const counts = await Promise.all(keys.map((v) => byTarget.count(v)));
    return [
      ...(links > 0 ? [{ url: base, links }] : []),
      ...keys.map((v, i) => ({ url: v, links: counts[i]! })),
    ];
  };
  return (await Promise.all(variantBases(url).map(ofBase))).flat();
}

export type Found = Omit<BacklinkReport, 'sources' | 'redirect' | 'links'> & {
  /** Every URL whose links count for the page: the aliases, then those in `via`. */
  targets: string[];
};

/**
 * The URL's aliases, the URLs that redirect to it, and its variants, through the by_canonical,
 * by_to and by_target indexes. Variants are only looked up when `listVariants` asks for them or
 * the user folded some. `first`: more reads of the URL alone, issued with the first round.
 * A cold lookup (nothing stored about the URL) is one round trip: every read that depends on
 * the URL alone is issued at once; a second round reads what the first names (its canonical,
 * the page it is an alias of).
 */
export async function findTargets<T>(
  tx: ReadTx,
  url: string,
  folds: Folds,
  listVariants: boolean,
  first: () => Promise<T>,
): Promise<[Found, T]> {
  const pages = tx.objectStore('pages');
  const byCanonical = pages.index('by_canonical');
  const folded = foldedGroups(url, folds);
  const wantVariants = listVariants || folded.length > 0;
  const [stored, declaring, hopsToUrl, rawVariants, extra] = await Promise.all([
    pages.get(url),
    byCanonical.getAllKeys(url),
    readHopsInto(tx, [url]),
    wantVariants ? findVariants(tx, url) : Promise.resolve([]),
    first(),
  ]);
  const page = stored ?? null;
  // The page's own canonical and the page it stands for, and every page declaring either.
  const linked = [page?.canonical, page?.aliasOf].filter((a): a is string => !!a && a !== url);
  const aliases = new Set([url, ...linked, ...declaring]);
  const [declaringLinked, hopsToLinked] = await Promise.all([
    Promise.all(linked.map((a) => byCanonical.getAllKeys(a))),
    readHopsInto(
      tx,
      [...aliases].filter((a) => a !== url),
    ),
  ]);
  for (const key of declaringLinked.flat()) aliases.add(key);
  const via: Record<string, Via> = {};
  const redirects = redirectsInto([...aliases], [...hopsToUrl, ...hopsToLinked]);
  for (const [from, how] of redirects) via[from] = { kind: 'redirect', ...how };

  let variants: VariantCount[] = [];
  if (wantVariants) {
    const known = new Set([...aliases, ...redirects.keys()]);
    variants = rawVariants
      .filter((v) => !known.has(v.url))
      .map((v) => {
        const kinds = variantKinds(url, v.url);
        return { ...v, kinds, folded: isFolded(kinds, folded) };
      })
      .sort(compareVariants);
    for (const v of variants) if (v.folded) via[v.url] = { kind: 'variant', kinds: v.kinds };
  }
  const targets = [...aliases, ...Object.keys(via)];
  return [{ url, aliases: [...aliases], page, via, variants, folded, targets }, extra];
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
  const byTarget = tx.objectStore('links').index('by_target');
  // The URL's own links and where it redirects, asked with the first round.
  const [found, [own, hopsFrom]] = await findTargets(tx, url, folds, true, () =>
    Promise.all([byTarget.getAll(url), readHopsFrom(tx, url)]),
  );
  const others = await Promise.all(found.targets.slice(1).map((t) => byTarget.getAll(t)));
  // A link from the page to what now counts as the page is a self-link.
  const merged = new Set(found.targets);
  const links = [own, ...others].flat().filter((l) => !merged.has(l.source));
  const sources = await readSourcePages(tx.objectStore('pages'), links);
  await tx.done;
  const { targets: _counted, ...report } = found;
  return { ...report, links, redirect: redirectChainFrom(url, hopsFrom), sources };
}

/**
 * Live (not lost) backlinks of a URL, the same ones loadBacklinks counts: the badge number.
 * Counted, not read: every link of each target (by_target) minus its lost ones
 * (by_target_lost), minus the live links between the targets themselves (self-links, read by
 * primary key range: a handful). Variants only when some are folded.
 */
export async function countLiveBacklinks(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds = {},
): Promise<number> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return 0;
  const tx = readTransaction(db);
  const links = tx.objectStore('links');
  const countOf = (target: string) =>
    Promise.all([
      links.index('by_target').count(target),
      links
        .index('by_target_lost')
        .count(IDBKeyRange.bound([target, -Infinity], [target, Infinity])),
    ]).then(([all, lost]) => all - lost);
  const selfLinks = (source: string, target: string) =>
    links.getAll(IDBKeyRange.bound([source, target], [source, target, []]));
  // The URL's own count with the first round: a URL with no aliases is counted in one.
  const [found, [own, ownSelves]] = await findTargets(tx, url, folds, false, () =>
    Promise.all([countOf(url), selfLinks(url, url)]),
  );
  const { targets } = found;
  const [others, selves] = await Promise.all([
    Promise.all(targets.slice(1).map(countOf)),
    Promise.all(
      targets.flatMap((source) =>
        targets.filter((t) => source !== url || t !== url).map((t) => selfLinks(source, t)),
      ),
    ),
  ]);
  await tx.done;
  const selfLive = [ownSelves, ...selves].flat().filter((l) => l.lostAt === null).length;
  return [own, ...others].reduce((a, b) => a + b, 0) - selfLive;
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
      const read = await getMany(store, missing);
      read.forEach((l) => l && byKey.set(linkKey(l), l));
      // In index order, as one getAll would give them; a link deleted meanwhile is left out.
      links = keys.map((k) => byKey.get(keyOf(k))).filter((l): l is LinkRecord => !!l);
    }
    return { domain, links, complete: keys.length < limit };
  }
  return null;
}

/** The stored records of some pages, by URL (those not stored are left out). */
export async function readPages(
  store: { get(url: string): Promise<PageRecord | undefined> },
  urls: readonly string[],
): Promise<Record<string, PageRecord>> {
  const found = await getMany(store, urls);
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
