import type { SiteFolds } from './types';
import { canonicalizeUrl } from './url';

/**
 * URL variants of one page: the same address but for the scheme, a leading "www.", a trailing
 * slash, or the query string. They are only ever listed; they count as the page when the user
 * folds them (remembered per site in Settings.folds), never silently.
 */
export type VariantKind = 'scheme' | 'www' | 'slash' | 'query';

export const VARIANT_KINDS: readonly VariantKind[] = ['scheme', 'www', 'slash', 'query'];

/**
 * What one click folds. Address variants (scheme, www, slash) say how a server is set up, so the
 * choice holds for the whole site. Query variants are folded per path: on a site whose pages are
 * told apart by the query (/?p=12) a site-wide fold would merge them all into its home page.
 */
export type FoldGroup = 'address' | 'query';

export const groupOf = (kind: VariantKind): FoldGroup => (kind === 'query' ? 'query' : 'address');

interface Parts {
  scheme: string;
  host: string;
  port: string;
  path: string;
  query: string;
}

function partsOf(canonical: string): Parts {
  const url = new URL(canonical);
  const query = canonical.indexOf('?');
  return {
    scheme: url.protocol,
    host: url.hostname,
    port: url.port ? `:${url.port}` : '',
    path: url.pathname,
    query: query < 0 ? '' : canonical.slice(query),
  };
}

/** An IP address has no www form. */
const hasWwwForm = (host: string) => !/^[\d.]+$/.test(host) && !host.startsWith('[');

const withoutWww = (host: string) => host.replace(/^www\./, '');

/** The path without one trailing slash (the root stays "/"): one key for /a and /a/. */
export function pathKey(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * The site a fold is remembered for: the host without a leading "www.". Not the registrable
 * domain: blog.example.com and shop.example.com are often different servers with their own
 * rules, while www.example.com and example.com are the one site the www fold is about. It also
 * needs no Public Suffix List, which the popup does not load.
 */
export function siteKey(canonical: string): string {
  return withoutWww(new URL(canonical).hostname);
}

export const hasQuery = (canonical: string) => canonical.includes('?');

/**
 * Every address of the page but for scheme, www and trailing slash, without query (the page's
 * own address among them): where its variants are looked up in the by_target index, as is and
 * followed by "?".
 */
export function variantBases(canonical: string): string[] {
  const { scheme, host, port, path } = partsOf(canonical);
  const schemes = ['http:', 'https:'];
  const hosts = hasWwwForm(host) ? [withoutWww(host), `www.${withoutWww(host)}`] : [host];
  const key = pathKey(path);
  const paths = key === '/' ? ['/'] : [key, `${key}/`];
  const bases = new Set<string>();
  for (const s of [scheme, ...schemes]) {
    for (const h of hosts) {
      for (const p of paths) {
        const base = canonicalizeUrl(`${s}//${h}${port}${p}`);
        if (base) bases.add(base);
      }
    }
  }
  return [...bases];
}

/** How `variant` differs from `canonical` (empty when they are the same URL). */
export function variantKinds(canonical: string, variant: string): VariantKind[] {
  const a = partsOf(canonical);
  const b = partsOf(variant);
  const kinds: VariantKind[] = [];
  if (a.scheme !== b.scheme) kinds.push('scheme');
  if (a.host !== b.host) kinds.push('www');
  if (a.path !== b.path) kinds.push('slash');
  if (a.query !== b.query) kinds.push('query');
  return kinds;
}

/**
 * The groups the user folded for this page. Query variants fold only into a page without a
 * query: folding the other queries into /?p=12 would merge distinct pages into one of them.
 */
export function foldedGroups(
  canonical: string,
  folds: Readonly<Record<string, SiteFolds>>,
): FoldGroup[] {
  const site = folds[siteKey(canonical)];
  if (!site) return [];
  const groups: FoldGroup[] = [];
  if (site.address) groups.push('address');
  if (!hasQuery(canonical) && site.queryPaths.includes(pathKey(partsOf(canonical).path))) {
    groups.push('query');
  }
  return groups;
}

/** A variant counts as the page when every way it differs is folded. */
export function isFolded(kinds: readonly VariantKind[], groups: readonly FoldGroup[]): boolean {
  return kinds.length > 0 && kinds.every((k) => groups.includes(groupOf(k)));
}

/** Whether the page offers this fold at all (no query folding into a page with a query). */
export function canFold(canonical: string, group: FoldGroup): boolean {
  return group === 'address' || !hasQuery(canonical);
}

/** The folds after the user folds (on) or unfolds (off) one group for this page. */
export function withFold(
  folds: Readonly<Record<string, SiteFolds>>,
  canonical: string,
  group: FoldGroup,
  on: boolean,
): Record<string, SiteFolds> {
  const key = siteKey(canonical);
  const site = folds[key] ?? { address: false, queryPaths: [] };
  const path = pathKey(partsOf(canonical).path);
  const next: SiteFolds =
    group === 'address'
      ? { ...site, address: on }
      : {
          ...site,
          queryPaths: on
            ? [...new Set([...site.queryPaths, path])]
            : site.queryPaths.filter((p) => p !== path),
        };
  const { [key]: _old, ...others } = folds;
  // An entry that folds nothing is dropped, so settings do not fill up with empty sites.
  return next.address || next.queryPaths.length > 0 ? { ...others, [key]: next } : others;
}

export interface VariantCount {
  url: string;
  kinds: VariantKind[];
  /** Stored links to it (lost ones included): counted by key, no record read. */
  links: number;
  folded: boolean;
}

/** The variants that folding (on) or unfolding (off) `group` moves in or out of the page. */
export function movedBy(
  variants: readonly VariantCount[],
  folded: readonly FoldGroup[],
  group: FoldGroup,
  on: boolean,
): VariantCount[] {
  const after = on ? [...folded, group] : folded.filter((g) => g !== group);
  return variants.filter((v) => v.folded !== isFolded(v.kinds, after));
}

/** Address variants first, then by how many links, then by URL. */
export function compareVariants(a: VariantCount, b: VariantCount): number {
  return (
    Number(a.kinds.includes('query')) - Number(b.kinds.includes('query')) ||
    b.links - a.links ||
    a.url.localeCompare(b.url)
  );
}

/** One fold button: its group, whether it is on now, and how many variants it moves. */
export interface FoldChoice {
  group: FoldGroup;
  folded: boolean;
  moves: number;
}

/** The fold buttons a page offers: each group it can fold that would move a variant. */
export function foldChoices(
  canonical: string,
  variants: readonly VariantCount[],
  folded: readonly FoldGroup[],
): FoldChoice[] {
  return (['address', 'query'] as const)
    .filter((group) => canFold(canonical, group))
    .map((group) => {
      const on = folded.includes(group);
      return { group, folded: on, moves: movedBy(variants, folded, group, !on).length };
    })
    .filter((choice) => choice.moves > 0);
}
