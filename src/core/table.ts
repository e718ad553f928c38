/**
 * The report page's table of inbound links: which rows a view shows (filters), in what order
 * (sort), and the same rows as CSV or JSON. A view lives in the report page's URL, so it can be
 * bookmarked and shared: `parseTableView` reads it (anything unknown or malformed is ignored),
 * `tableViewQuery` writes it back with defaults left out. Pure: `now` is passed in.
 */
import type { BacklinkView } from './summary';
import { LINK_REGIONS, type LinkRegion } from './types';
import { DAY_MS, RECENT_DAYS } from './profile-basics';
import { csvFile, isoOrEmpty } from './csv';
import { parseHttpUrl } from './url';

/** One row: a link and the figures computed for it after the report loaded (null: not yet). */
export interface TableRow {
  link: BacklinkView;
  /** Quality score 0–100. */
  score: number | null;
  /** The linking page's authority, 0–100. */
  authority: number | null;
  /** Kinds of the risk flags the link is evidence of. */
  flags: readonly string[];
  /** Who knows the link ("this browser", a remote index), once a remote source answered. */
  provenance?: readonly string[];
}

export const REL_FILTERS = ['followed', 'unfollowed', 'nofollow', 'sponsored', 'ugc'] as const;
export type RelFilter = (typeof REL_FILTERS)[number];

/** `new`: first seen in the last RECENT_DAYS days (live or not). */
export const STATUS_FILTERS = ['live', 'lost', 'new'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const SORT_KEYS = [
  'score',
  'authority',
  'domain',
  'anchor',
  'region',
  'firstSeen',
  'lastSeen',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface TableView {
  /** Part of the linking domain, lower case. */
  domain: string;
  /** Words to find in the anchor, the linking page's title or its URL. */
  text: string;
  rel: RelFilter | null;
  region: LinkRegion | null;
  status: StatusFilter | null;
  /** Rows whose score is known and at least this. */
  minScore: number | null;
  flag: string | null;
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_TABLE_VIEW: TableView = {
  domain: '',
  text: '',
  rel: null,
  region: null,
  status: null,
  minScore: null,
  flag: null,
  sort: 'score',
  descending: true,
};

/** Longest text filter kept from a URL: a view is a few words, not a document. */
export const MAX_FILTER_LENGTH = 200;
const FLAG_KIND = /^[a-z][a-z-]{0,39}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;
}

/** The view a report URL's query asks for; what is unknown or malformed falls back to the default. */
export function parseTableView(query: URLSearchParams): TableView {
  const text = (name: string) => (query.get(name) ?? '').trim().slice(0, MAX_FILTER_LENGTH);
  const min = Number(query.get('min'));
  const flag = query.get('flag');
  return {
    domain: text('domain').toLowerCase(),
    text: text('q'),
    rel: oneOf(REL_FILTERS, query.get('rel')),
    region: oneOf(LINK_REGIONS, query.get('region')),
    status: oneOf(STATUS_FILTERS, query.get('status')),
    minScore:
      query.has('min') && Number.isFinite(min) && min > 0 ? Math.min(100, Math.round(min)) : null,
    flag: flag !== null && FLAG_KIND.test(flag) ? flag : null,
    sort: oneOf(SORT_KEYS, query.get('sort')) ?? DEFAULT_TABLE_VIEW.sort,
    descending: query.has('sort') ? query.get('dir') !== 'asc' : DEFAULT_TABLE_VIEW.descending,
  };
}

/** The view's query parameters, defaults left out, in a fixed order so equal views give equal URLs. */
export function tableViewQuery(view: TableView): [string, string][] {
  const params: [string, string][] = [];
  if (view.domain) params.push(['domain', view.domain]);
  if (view.text) params.push(['q', view.text]);
  if (view.rel) params.push(['rel', view.rel]);
  if (view.region) params.push(['region', view.region]);
  if (view.status) params.push(['status', view.status]);
  if (view.minScore !== null) params.push(['min', String(view.minScore)]);
  if (view.flag) params.push(['flag', view.flag]);
  if (view.sort !== DEFAULT_TABLE_VIEW.sort || view.descending !== DEFAULT_TABLE_VIEW.descending) {
    params.push(['sort', view.sort], ['dir', view.descending ? 'desc' : 'asc']);
  }
  return params;
}

/** True when the view filters nothing out. */
export function isUnfiltered(view: TableView): boolean {
  return tableViewQuery({ ...view, sort: DEFAULT_TABLE_VIEW.sort, descending: true }).length === 0;
}

function matchesRel(link: BacklinkView, rel: RelFilter): boolean {
  switch (rel) {
    case 'followed':
      return !link.unfollowed;
    case 'unfollowed':
      return link.unfollowed;
    default:
      return link.rel.includes(rel);
  }
}

function matchesStatus(link: BacklinkView, status: StatusFilter, now: number): boolean {
  switch (status) {
    case 'live':
      return link.lostAt === null;
    case 'lost':
      return link.lostAt !== null;
    case 'new':
      return link.firstSeen > now - RECENT_DAYS * DAY_MS && link.firstSeen <= now;
  }
}

/**
 * What the domain filter looks for in a linking domain: a pasted address ("https://www.news.com/a")
 * or a "www." name is its host without "www."; part of a name ("news", "123") is itself. Not
 * parsed as a URL: "123" would be the address 0.0.0.123.
 */
export function domainNeedle(input: string): string {
  const host = input
    .replace(/^[a-z][a-z0-9+.-]*:\/\/([^@/]*@)?/, '')
    .split(/[/?#]/)[0]!
    .replace(/:\d*$/, '');
  // Domains are kept in punycode: a name typed in its own script is looked for in that form.
  const ascii = /[^\x20-\x7e]/.test(host)
    ? (parseHttpUrl(`http://${host}`)?.hostname ?? host)
    : host;
  return ascii.replace(/^www\./, '').replace(/\.+$/, '');
}

/** The rows the view's filters let through, in the input's order. */
export function filterRows(rows: readonly TableRow[], view: TableView, now: number): TableRow[] {
  const words = view.text.toLowerCase().split(/\s+/).filter(Boolean);
  const domain = view.domain && domainNeedle(view.domain);
  return rows.filter(({ link, score, flags }) => {
    if (domain && !link.sourceDomain.includes(domain)) return false;
    if (view.rel && !matchesRel(link, view.rel)) return false;
    if (view.region && link.region !== view.region) return false;
    if (view.status && !matchesStatus(link, view.status, now)) return false;
    if (view.minScore !== null && (score === null || score < view.minScore)) return false;
    if (view.flag && !flags.includes(view.flag)) return false;
    if (words.length > 0) {
      const haystack = `${link.anchor}\n${link.sourceTitle}\n${link.source}`.toLowerCase();
      if (!words.every((w) => haystack.includes(w))) return false;
    }
    return true;
  });
}

type Value = number | string | null;

const SORT_VALUE: Record<SortKey, (row: TableRow) => Value> = {
  score: (r) => r.score,
  authority: (r) => r.authority,
  domain: (r) => r.link.sourceDomain,
  anchor: (r) => r.link.anchor.toLowerCase(),
  region: (r) => r.link.region,
  firstSeen: (r) => r.link.firstSeen,
  lastSeen: (r) => r.link.lastSeen,
};

/**
 * Rows in the view's order; rows without a value (no score yet) last either way, ties kept in
 * the input's order (the report's: live first, followed first, newest first).
 */
export function sortRows(rows: readonly TableRow[], view: TableView): TableRow[] {
  const valueOf = SORT_VALUE[view.sort];
  const sign = view.descending ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i, v: valueOf(row) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null)
        return Number(a.v === null) - Number(b.v === null) || a.i - b.i;
      const order =
        typeof a.v === 'number' && typeof b.v === 'number'
          ? a.v - b.v
          : String(a.v).localeCompare(String(b.v));
      return sign * order || a.i - b.i;
    })
    .map((x) => x.row);
}

/** Figures known for the links (each may be missing, shown as not known yet). */
export interface RowFigures {
  score?: (link: BacklinkView) => number | null | undefined;
  authority?: (link: BacklinkView) => number | null | undefined;
  flags?: (link: BacklinkView) => readonly string[] | undefined;
  provenance?: (link: BacklinkView) => readonly string[] | undefined;
}

/** The table's rows for a report's links, in the report's order. */
export function tableRowsOf(links: readonly BacklinkView[], figures: RowFigures = {}): TableRow[] {
  return links.map((link) => {
    const authority = figures.authority?.(link);
    const provenance = figures.provenance?.(link);
    return {
      ...(provenance ? { provenance } : {}),
      link,
      score: figures.score?.(link) ?? null,
      // Shown, sorted and exported as the whole number the rows of the list show.
      authority: authority === null || authority === undefined ? null : Math.round(authority),
      flags: figures.flags?.(link) ?? [],
    };
  });
}

/** Filter, then sort: the rows a view shows. */
export function applyTableView(
  rows: readonly TableRow[],
  view: TableView,
  now: number,
): TableRow[] {
  return sortRows(filterRows(rows, view, now), view);
}

const EXPORT_COLUMNS = [
  'source',
  'source_title',
  'source_domain',
  'target',
  'anchor',
  'rel',
  'followed',
  'region',
  'score',
  'source_authority',
  'flags',
  'first_seen',
  'last_seen',
  'lost_at',
] as const;

function exportCells(row: TableRow): Record<(typeof EXPORT_COLUMNS)[number], string> {
  const { link } = row;
  return {
    source: link.source,
    source_title: link.sourceTitle,
    source_domain: link.sourceDomain,
    target: link.target,
    anchor: link.anchor,
    rel: link.rel.join(' '),
    followed: link.unfollowed ? 'no' : 'yes',
    region: link.region,
    score: row.score === null ? '' : String(row.score),
    source_authority: row.authority === null ? '' : String(row.authority),
    flags: row.flags.join(' '),
    first_seen: isoOrEmpty(link.firstSeen),
    last_seen: isoOrEmpty(link.lastSeen),
    lost_at: isoOrEmpty(link.lostAt),
  };
}

/** The rows as CSV, one line per link, the columns of EXPORT_COLUMNS. */
export function rowsToCsv(rows: readonly TableRow[]): string {
  return csvFile(
    EXPORT_COLUMNS,
    rows.map((r) => {
      const cells = exportCells(r);
      return EXPORT_COLUMNS.map((c) => cells[c]);
    }),
  );
}

/** The rows as JSON, with what they are links to and the view that chose them. */
export function rowsToJson(
  rows: readonly TableRow[],
  about: { url: string; scope: string; view: TableView; exportedAt: number },
): string {
  return JSON.stringify(
    {
      app: 'backlink-lens',
      kind: 'table-view',
      url: about.url,
      scope: about.scope,
      filters: Object.fromEntries(tableViewQuery(about.view)),
      exportedAt: new Date(about.exportedAt).toISOString(),
      links: rows.map((r) => ({
        ...exportCells(r),
        score: r.score,
        source_authority: r.authority,
        flags: [...r.flags],
        followed: !r.link.unfollowed,
        rel: r.link.rel,
      })),
    },
    null,
    2,
  );
}
