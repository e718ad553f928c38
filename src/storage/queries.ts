import {
  type AuthorityKind,
  type LinkRecord,
  type PageRecord,
  type RedirectRecord,
  type SiteFolds,
} from '../core/types';
import type { AuthorityView } from '../core/authority-view';
import { canonicalizeUrl, hostOf } from '../core/url';
import {
  MAX_REDIRECT_HOPS,
  redirectChainFrom,
  redirectsInto,
  type RedirectChain,
} from '../core/redirects';
import type { DomainAuthority, SiteSummary, Via } from '../core/summary';
import { pendingPages, summarizeSiteStats, topTalliesOf } from '../core/site-stats';
import { authorityOfTargets, HOT_TARGET_LINKS } from '../core/target-stats';
import {
  compareVariants,
  foldedGroups,
  isFolded,
  variantBases,
  variantKinds,
  type FoldGroup,
  type VariantCount,
} from '../core/variants';
import { unwrap } from 'idb';
import type { BacklinkDb } from './db';
import { answered, getMany } from './requests';
import { countLinks, getAllLinkKeys, getAllLinks, LINK_STORES } from './link-keys';
import { readSourcePages } from './source-pages';
import { isTied } from './ties';
import { hotByHint } from './hot-targets';

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
  /**
   * The referring domains' authority kept with the targets' aggregates, to rank groups as the
   * first render of a hot page did (storage/head.ts); absent or empty for a page without one.
   */
  domainAuthority?: DomainAuthority;
}

/** Folds as stored in Settings.folds. */
export type Folds = Readonly<Record<string, SiteFolds>>;

/** Distinct variants read at most per address (a page with thousands of query strings). */
export const VARIANT_LIMIT = 50;

export type ReadTx = ReturnType<typeof readTransaction>;
const READ_STORES = ['pages', 'links', 'links-v1', 'redirects'] as const;
const readTransaction = (db: BacklinkDb) => db.transaction([...READ_STORES], 'readonly');

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
 * read. The caller leaves out the URLs it counts otherwise (aliases, redirects). Not one count
 * over a whole scheme and host: Chromium counts by walking the range, and a host's range holds
 * every link into the site (a hot root page's lookup took 233 ms instead of 16).
 */
async function findVariants(
  tx: ReadTx,
  url: string,
): Promise<Array<{ url: string; links: number }>> {
  const count = (target: string) => countLinks(tx, 'by_target', target);
  const ofBase = async (base: string): Promise<Array<{ url: string; links: number }>> => {
    const queries = IDBKeyRange.bound(`${base}?`, `${base}?\uffff`);
    const uniqueTargets = async (store: 'links' | 'links-v1') => {
      const keys: string[] = [];
      let cursor = await tx
        .objectStore(store)
        .index('by_target')
        .openKeyCursor(queries, 'nextunique');
      for (let n = 0; cursor && n < VARIANT_LIMIT; n++) {
        keys.push(cursor.key);
        cursor = await cursor.continue();
      }
      return keys;
    };
    // A count of the range first: most pages have no query variant, and a count costs a
    // request where the cursors cost two (a cold lookup stays one round of few requests).
    const [links, queried] = await Promise.all([
      base === url ? 0 : count(base),
      countLinks(tx, 'by_target', queries),
    ]);
    // Both link stores (link-keys.ts): the first distinct targets of either, in order.
    const [fresh, old] =
      queried === 0
        ? [[], []]
        : await Promise.all([uniqueTargets('links'), uniqueTargets('links-v1')]);
    const keys = [...new Set([...fresh, ...old])].sort().slice(0, VARIANT_LIMIT);
    const counts = await Promise.all(keys.map(count));
    return [
      ...(links > 0 ? [{ url: base, links }] : []),
      ...keys.map((v, i) => ({ url: v, links: counts[i]! })),
    ];
  };
  return (await Promise.all(variantBases(url).map(ofBase))).flat();
}

/** The variants found as a report lists them: the URLs counted otherwise left out, in order. */
function variantsOf(
  url: string,
  found: ReadonlyArray<{ url: string; links: number }>,
  known: readonly string[],
  folded: readonly FoldGroup[],
): VariantCount[] {
  const counted = new Set(known);
  return found
    .filter((v) => !counted.has(v.url))
    .map((v) => {
      const kinds = variantKinds(url, v.url);
      return { ...v, kinds, folded: isFolded(kinds, folded) };
    })
    .sort(compareVariants);
}

/**
 * The variants of a report read without them (a first read with none folded, storage/head.ts):
 * the list loadBacklinks gives, in a read of its own, after the rows are shown. Their lookup
 * is most of a cold page's requests (15 counts of its 27, 8 addresses), and none of its rows.
 */
export async function loadVariants(
  db: BacklinkDb,
  report: Pick<BacklinkReport, 'url' | 'aliases' | 'via' | 'folded'>,
): Promise<VariantCount[]> {
  const tx = readTransaction(db);
  const found = await findVariants(tx, report.url);
  await tx.done;
  const redirects = Object.entries(report.via).filter(([, how]) => how.kind === 'redirect');
  const known = [...report.aliases, ...redirects.map(([from]) => from)];
  return variantsOf(report.url, found, known, report.folded);
}

export type Found = Omit<BacklinkReport, 'sources' | 'redirect' | 'links'> & {
  /** Every URL whose links count for the page: the aliases, then those in `via`. */
  targets: string[];
};

/** How findTargets may skip its lookups (see there). */
export interface TargetsOptions {
  /** The variants' link counts wait for it (link-keys.ts#oldStoreKnown). */
  linksKnown?: Promise<void>;
  /** Whether the URL has ties (storage/ties.ts#isTied), asked in the caller's first round. */
  tied?: Promise<boolean>;
  /** Without it, an untied URL's page record is not read (Found.page is then null). */
  page?: boolean;
}

/**
 * The URL's aliases, the URLs that redirect to it, and its variants, through the by_canonical,
 * by_to and by_target indexes. Variants are only looked up when `listVariants` asks for them or
 * the user folded some. `first`: more reads of the URL alone, issued with the first round.
 * A cold lookup (nothing stored about the URL) is one round trip: every read that depends on
 * the URL alone is issued at once; a second round reads what the first names (its canonical,
 * the page it is an alias of). With `tied`, a URL without ties has no alias and no redirect
 * into it, and none of those lookups is made; a URL with some makes them once it is known,
 * a round later.
 */
export async function findTargets<T>(
  tx: ReadTx,
  url: string,
  folds: Folds,
  listVariants: boolean,
  first: () => Promise<T>,
  { linksKnown = Promise.resolve(), tied, page: wantPage = true }: TargetsOptions = {},
): Promise<[Found, T]> {
  const pages = tx.objectStore('pages');
  const byCanonical = pages.index('by_canonical');
  const folded = foldedGroups(url, folds);
  const wantVariants = listVariants || folded.length > 0;
  const ifTied = <R>(read: () => Promise<R>, untied: R): Promise<R> =>
    tied ? tied.then((t) => (t ? read() : untied)) : read();
  const [stored, declaring, hopsToUrl, rawVariants, extra] = await Promise.all([
    wantPage ? pages.get(url) : ifTied(() => pages.get(url), undefined),
    ifTied(() => byCanonical.getAllKeys(url), []),
    ifTied(() => readHopsInto(tx, [url]), []),
    wantVariants ? linksKnown.then(() => findVariants(tx, url)) : Promise.resolve([]),
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

  const variants = wantVariants
    ? variantsOf(url, rawVariants, [...aliases, ...redirects.keys()], folded)
    : [];
  for (const v of variants) if (v.folded) via[v.url] = { kind: 'variant', kinds: v.kinds };
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
  const full = db.transaction([...READ_STORES, 'target-stats'], 'readonly');
  // The same transaction has the stores findTargets and readReport read, and one more.
  const tx = full as unknown as ReadTx;
  const statsStore = full.objectStore('target-stats');
  // The URL's own links, where it redirects and its aggregate, asked with the first round: the
  // scores kept with the aggregates rank the groups as the head did.
  const [found, [own, hopsFrom, ownStats]] = await findTargets(tx, url, folds, true, () =>
    Promise.all([getAllLinks(tx, 'by_target', url), readHopsFrom(tx, url), statsStore.get(url)]),
  );
  // The other targets' aggregates (the URL is the first target) with the rest of the report.
  const [report, others] = await Promise.all([
    readReport(tx, found, own, hopsFrom),
    getMany(statsStore, found.targets.slice(1)),
  ]);
  await full.done;
  const domainAuthority = authorityOfTargets([ownStats, ...others]);
  return Object.keys(domainAuthority).length > 0 ? { ...report, domainAuthority } : report;
}

/**
 * The rest of a report in `tx` once its targets are found: the links of every target but the
 * URL's own (`own`, read with the first round), and their linking pages. A cold page's other
 * targets are none: its linking pages are then the second and last round.
 */
export async function readReport(
  tx: ReadTx,
  found: Found,
  own: readonly LinkRecord[],
  hopsFrom: readonly RedirectRecord[],
): Promise<BacklinkReport> {
  const others = await Promise.all(
    found.targets.slice(1).map((target) => getAllLinks(tx, 'by_target', target)),
  );
  // A link from the page to what now counts as the page is a self-link.
  const merged = new Set(found.targets);
  const links = [own, ...others].flat().filter((l) => !merged.has(l.source));
  const sources = await readSourcePages(tx.objectStore('pages'), links);
  const { targets: _counted, ...report } = found;
  return { ...report, links, redirect: redirectChainFrom(found.url, hopsFrom), sources };
}

/**
 * A page's own links the badge reads with its first round, at most, when the worker has no hint
 * (storage/hot-targets.ts). A hot page reads them for nothing: 200 records took longer than the
 * three reads of 200 keys they replaced (10k, hot, one run at load 23: 29 against 16 ms), 50
 * about as long as one of those.
 */
const BADGE_FIRST_LINKS = 50;

/**
 * Links in from other sites from which a page told cold is counted (countAlone) rather than
 * read: below, its links cost less to read than the counts (3 to 5 requests where the read is
 * 2). Loaded runs, against a raw key count: 10k and 100k cold pages (2 and 6 links) 1.58x and
 * 1.54x read, 2.42x and 2.43x counted; 1M (79 links) 2.32x read, 1.78x counted. Links from its
 * own site are not counted towards it: the count reads them (countLiveSelfLinksOf), and on a
 * real site most links into a page are its own site's navigation.
 */
const COUNT_FROM_LINKS = 50;

/**
 * Per connection, the pages told cold whose links in were COUNT_FROM_LINKS or more when last
 * read or counted: their next badge counts. Nothing tells before a page's first badge, which
 * reads its links; the worker counts a tab's page again and again (on load, after each page
 * recorded), so the later ones count. Only the way to the number: either way gives the same.
 */
const countedPages = new WeakMap<IDBDatabase, Set<string>>();
/** Pages remembered at most per connection: far more than a worker's tabs. */
const MAX_COUNTED_PAGES = 1000;

const isCountedPage = (db: BacklinkDb, url: string): boolean =>
  countedPages.get(unwrap(db))?.has(url) === true;

function noteLinksIn(db: BacklinkDb, url: string, links: number): void {
  const raw = unwrap(db);
  const pages = countedPages.get(raw) ?? new Set<string>();
  countedPages.set(raw, pages);
  if (links < COUNT_FROM_LINKS) {
    pages.delete(url);
    return;
  }
  if (pages.size >= MAX_COUNTED_PAGES) pages.clear();
  pages.add(url);
}

/** The scope of the badge's one transaction. */
const badgeTransaction = (db: BacklinkDb) =>
  db.transaction(['pages', 'links', 'links-v1', 'redirects', 'target-stats', 'ties']);
type BadgeTx = ReturnType<typeof badgeTransaction>;

/** What the first round tells of a URL counted alone: its live links, or null (count them). */
type Alone = () => Promise<number | null>;

/** The lost links of `target` in by_target_lost, whenever lost. */
const lostOf = (target: string) => IDBKeyRange.bound([target, -Infinity], [target, Infinity]);

/**
 * Live (not lost) backlinks of a URL, the same ones loadBacklinks counts: the badge number.
 * A URL that counts alone (no alias, redirect or folded variant) is counted from its first
 * round: from index counts for a page the worker's hint names cold (countAlone), else from its
 * aggregate or its first links (readAlone). Else counted, not read: every link of each target
 * (by_target) minus its lost ones (by_target_lost), minus the live links between the targets
 * themselves (self-links, see countLiveSelfLinks). Variants only when some are folded.
 */
export async function countLiveBacklinks(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds = {},
): Promise<number> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return 0;
  const scope = badgeTransaction(db);
  // findTargets reads the stores of a ReadTx, all in this scope.
  const tx = scope as unknown as ReadTx;
  // With the first round, what counts the URL alone. One without ties is that round's reads
  // and the tie's (storage/ties.ts), its page record not read.
  const hot = hotByHint(db, url);
  const [found, alone] = await findTargets(
    tx,
    url,
    folds,
    false,
    () =>
      hot === false && isCountedPage(db, url)
        ? countAlone(tx, url, (into) => noteLinksIn(db, url, into))
        : readAlone(scope, url, hot, (read) => noteLinksIn(db, url, read)),
    { tied: isTied(scope.objectStore('ties'), url), page: false },
  );
  // Its commit is not awaited (0.4 ms of a cold badge's 2); the reads below are, one by one.
  answered(scope);
  const live = found.targets.length === 1 ? await alone() : null;
  if (live !== null) return live;
  const all = await Promise.all(found.targets.map((target) => countsOf(tx, target)));
  const selfLive = await countLiveSelfLinks(tx, all);
  return all.reduce((sum, c) => sum + c.into - c.lost, 0) - selfLive;
}

/**
 * A page told cold with many links (COUNT_FROM_LINKS), counted without reading a link: its links
 * in minus its lost ones, minus its live links from itself (countLiveSelfLinksOf), in one round
 * but for such links. Reading its links took 2.0–2.6x a raw key count of them (1M, 79 links):
 * the values are the cost, where a count walks keys. A wrong hint (a hot page) is counted alike,
 * its counts walking more; a tied page is counted by the caller, these counts unused. `noted`:
 * its links in from other sites.
 */
async function countAlone(tx: ReadTx, url: string, noted: (into: number) => void): Promise<Alone> {
  const sites = domainCandidates(hostOf(url), Infinity);
  const [into, lost, fromSites] = await Promise.all([
    countLinks(tx, 'by_target', url),
    countLinks(tx, 'by_target_lost', lostOf(url)),
    Promise.all(sites.map((site) => countLinks(tx, 'by_target_source_domain', [url, site]))),
  ]);
  noted(into - fromSites.reduce((sum, n) => sum + n, 0));
  const linked = sites.filter((_site, i) => fromSites[i]! > 0);
  return async () => into - lost - (await countLiveSelfLinksOf(tx, url, linked));
}

/**
 * Live links from `url` to itself (an import can bring one): such a link is from the page's own
 * site, so it is among the links into the page by_target_source_domain keys by that site. The
 * site is the registrable domain the writer stored (core/domain.ts), one of the host's parent
 * domains: each is asked, not computed here, where the popup's bundle has no Public Suffix
 * List, and so whichever list's version stored it. Only `linked` sites (with links in, counted
 * before) are read: none for a page no page of its own site links to.
 */
async function countLiveSelfLinksOf(
  tx: ReadTx,
  url: string,
  linked: readonly string[],
): Promise<number> {
  const read = await Promise.all(
    linked.map((site) => getAllLinks(tx, 'by_target_source_domain', [url, site])),
  );
  return read.flat().filter((l) => l.lostAt === null && l.source === url).length;
}

/**
 * A page counted from what it reads: its links in, up to the hot threshold for a page told cold
 * (it has fewer, as a rule) and BADGE_FIRST_LINKS for one the hint does not name; its aggregate
 * unless told cold (one get, where a count walks every link into the page: Chromium counts entry
 * by entry; it leaves self-links out). Most pages have a few links, counted from them in one
 * round; a page named hot reads none: its aggregate answers. One with no aggregate and more
 * links than read (a wrong hint) is counted by the caller. `noted`: for a page told cold, how
 * many of the links it read are from other sites.
 */
async function readAlone(
  scope: BadgeTx,
  url: string,
  hot: boolean | undefined,
  noted: (read: number) => void,
): Promise<Alone> {
  const firstLinks = hot === undefined ? BADGE_FIRST_LINKS : hot ? 0 : HOT_TARGET_LINKS;
  const [kept, own] = await Promise.all([
    hot === false ? undefined : scope.objectStore('target-stats').get(url),
    firstLinks > 0 ? getAllLinks(scope, 'by_target', url, firstLinks) : [],
  ]);
  if (hot === false) {
    const ownSite = new Set(domainCandidates(hostOf(url), Infinity));
    noted(own.filter((l) => !ownSite.has(l.sourceDomain)).length);
  }
  // A link from the page to itself is a self-link (an import can bring one).
  const counted =
    own.length < firstLinks
      ? own.filter((l) => l.lostAt === null && l.source !== url).length
      : null;
  return () => Promise.resolve(counted ?? kept?.live ?? null);
}

/** Count a target's links in, lost among them, and out: three key counts, no record read. */
const countsOf = (tx: ReadTx, target: string): Promise<LinkCounts> =>
  Promise.all([
    countLinks(tx, 'by_target', target),
    countLinks(tx, 'by_target_lost', lostOf(target)),
    countLinks(tx, 'by_source', target),
  ]).then(([into, lost, out]) => ({ target, into, lost, out }));

/** A target's links in, lost among them, and out (see countLiveBacklinks). */
interface LinkCounts {
  target: string;
  into: number;
  lost: number;
  out: number;
}

/**
 * Live links between the targets themselves (self-links), read from the smaller side: the links
 * out of the targets or the links into them. A link's key names no URL (link-keys.ts), so a key
 * range cannot pick them out; a target never recorded as a page has no links out, and costs
 * nothing here.
 */
async function countLiveSelfLinks(
  tx: ReadTx,
  counts: ReadonlyArray<{ target: string; into: number; out: number }>,
): Promise<number> {
  const sum = (side: 'into' | 'out') => counts.reduce((n, c) => n + c[side], 0);
  if (sum('out') === 0) return 0;
  const side = sum('out') <= sum('into') ? 'out' : 'into';
  const read = await Promise.all(
    counts
      .filter((c) => c[side] > 0)
      .map((c) => getAllLinks(tx, side === 'out' ? 'by_source' : 'by_target', c.target)),
  );
  const targets = new Set(counts.map((c) => c.target));
  return read
    .flat()
    .filter((l) => l.lostAt === null && targets.has(l.source) && targets.has(l.target)).length;
}

/** Links read at most for a site-wide view, so a hugely linked site stays quick to show. */
export const SITE_LINK_LIMIT = 20_000;

/**
 * The host and each parent domain down to two labels (the host alone if it has one label):
 * exactly one of them is the registrable domain. The first `limit` of them.
 */
export function domainCandidates(host: string, limit = 10): string[] {
  const labels = host.split('.');
  if (labels.length < 2) return [host];
  return labels
    .slice(0, -1)
    .map((_l, i) => labels.slice(i).join('.'))
    .slice(0, limit);
}

/**
 * Every stored link into the site (registrable domain) of a URL, through the by_target_domain
 * index. Stored target domains are registrable domains, so probing the host's parent domains
 * finds the site without loading the Public Suffix List into the popup. A domain with no link
 * costs a key count. `_known` (links already read) no longer saves reads: a link's key names no
 * URL since the number keys (link-keys.ts), so the known ones cannot be told from their keys.
 * Tried and taken back (s14): a key probe per candidate at once, then the links: fewer entries,
 * but the site's links (up to `limit`) were then asked at once, and a popup opened right after
 * another on the same site read its first rows behind them (boot-hot, 100k: first viewport
 * 433 against 281 ms).
 */
export async function loadSiteLinks(
  db: BacklinkDb,
  rawUrl: string,
  limit = SITE_LINK_LIMIT,
  _known: readonly LinkRecord[] = [],
): Promise<{ domain: string; links: LinkRecord[]; complete: boolean } | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const tx = db.transaction(LINK_STORES);
  for (const domain of domainCandidates(new URL(url).hostname)) {
    if ((await countLinks(tx, 'by_target_domain', domain)) === 0) continue;
    const links = await getAllLinks(tx, 'by_target_domain', domain, limit);
    return { domain, links, complete: links.length < limit };
  }
  return null;
}

/** The site's most linked pages the site line lists (the report page's; the popup's shows none). */
export const SITE_TOP_TARGETS = 10;

/**
 * The index of a URL's site among its domain candidates, as loadSiteLinks finds it: the first
 * (most specific) with a stored link. `built[i]` says whether candidate i has an aggregate
 * (only a linked site has one), `linked[i]` whether it has a link; `linked` may leave out the
 * last candidate (with no other linked, it is the site: its aggregate decides). -1: none found.
 */
export const siteIndexOf = (linked: readonly boolean[], built: readonly boolean[]): number =>
  built.findIndex((b, i) => b || linked[i] === true);

/** A site's page tallies in the by_top index (its domain tallies have no `top`). */
const topRange = (site: string) => IDBKeyRange.bound([site, -Infinity], [site, 0], false, true);

/**
 * The site line of a URL's site from its maintained aggregate (storage/site-stats.ts), without
 * reading a link record: one round in one transaction, a head per candidate domain, the `top`
 * most linked pages of each from the by_top index (tiny records), and one key per candidate
 * but the last, so that a parent's aggregate is never taken for the site of a host that has
 * links of its own (a host under a public suffix: bucket.s3.amazonaws.com, s3.amazonaws.com).
 * A second round only when the head's pending counts lowered pages of the first `top` read
 * so far that the read cannot tell the top (topTalliesOf): at most top + MAX_PENDING tallies
 * then. Null when the site has no aggregate (a small site, or one not
 * built yet): then its links are read (loadSiteLinks).
 */
export async function loadSiteStats(
  db: BacklinkDb,
  rawUrl: string,
  top = SITE_TOP_TARGETS,
): Promise<SiteSummary | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const candidates = domainCandidates(new URL(url).hostname);
  const tx = db.transaction([...LINK_STORES, 'site-stats', 'site-tallies']);
  const byTop = tx.objectStore('site-tallies').index('by_top');
  const [heads, tops, linked] = await Promise.all([
    getMany(tx.objectStore('site-stats'), candidates),
    Promise.all(candidates.map((d) => (top > 0 ? byTop.getAll(topRange(d), top) : []))),
    Promise.all(
      candidates
        .slice(0, -1)
        .map((d) => getAllLinkKeys(tx, 'by_target_domain', d, 1).then((k) => k.length > 0)),
    ),
  ]);
  const i = siteIndexOf(
    linked,
    heads.map((h) => h !== undefined),
  );
  const head = i < 0 ? undefined : heads[i];
  if (!head) return null;
  // Pending counts (core/site-stats.ts#SiteHead) replace their pages' stored tallies: read more
  // of the index, in a second round, only if lowered ones leave the first read unable to tell.
  const pages = pendingPages(head).length;
  const found =
    topTalliesOf(head, tops[i]!, top, top) ??
    // With room for every pending page, the read always tells.
    topTalliesOf(
      head,
      await byTop.getAll(topRange(candidates[i]!), top + pages),
      top,
      top + pages,
    )!;
  return summarizeSiteStats(head, found);
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
 * report's, so it never delays it. The scores are those of the generation the meta record
 * names (storage/authority.ts#writeAuthority): a write of the next one does not hold this read
 * for more than one of its chunks, and this read never sees a mix of the two.
 */
export async function loadAuthority(
  db: BacklinkDb,
  url: string,
  domain: string | null,
  sources: readonly string[],
  sourceDomains: readonly string[] = [],
): Promise<AuthorityView> {
  const tx = db.transaction(['authority', 'authority-scores', 'meta'], 'readonly');
  const record = await tx.objectStore('meta').get('authority');
  const meta = record?.id === 'authority' ? record : null;
  const gen = meta?.gen;
  // No generation named: the scores an earlier version stored, in the store it kept them in.
  const get = (kind: AuthorityKind, key: string) =>
    gen === undefined
      ? tx.objectStore('authority').get([kind, key])
      : tx.objectStore('authority-scores').get([gen, kind, key]);
  const display = (kind: AuthorityKind, key: string) =>
    get(kind, key).then((r) => r?.display ?? null);
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
  const [page, site, bySource, byDomain] = await Promise.all([
    display('page', url),
    domain === null ? null : display('domain', domain),
    scoredOf('page', sources),
    scoredOf('domain', sourceDomains),
  ]);
  await tx.done;
  return {
    computedAt: meta?.computedAt ?? null,
    page,
    domain: site,
    sources: bySource,
    sourceDomains: byDomain,
  };
}
