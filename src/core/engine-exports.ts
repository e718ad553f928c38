/**
 * The search engines' own link exports, read into what we store: Google Search Console's Links
 * report downloads (top linking sites, top linked pages, latest links, more sample links) and
 * Bing Webmaster Tools' backlinks export. These are the links an engine itself counted for a
 * site the user owns, so each row becomes a link record under the engine's name (its
 * provenance), which the report shows as "confirmed by Google" or "… by Bing".
 *
 * A file that is not one of these exports, or has no usable row, is refused whole with a
 * message that says why (EngineExportError); single bad rows are skipped and counted.
 */
import { registrableDomain } from './domain';
import { asString } from './guards';
import { isPlausibleTime, MAX_ANCHOR_LENGTH } from './limits';
import type { LinkRecord } from './types';
import { ENGINE_NAMES, type Engine } from './engines';
import { formatNumber, t, tn, type MessageKey, type Slots } from './i18n';
import { ImportError } from './transfer';
import { canonicalizeUrl, hostOf } from './url';

export { ENGINE_NAMES, type Engine };

export type EngineExportKind =
  | 'gsc-top-linking-sites'
  | 'gsc-top-linked-pages'
  | 'gsc-latest-links'
  | 'gsc-sample-links'
  | 'bing-backlinks';

/** A site the engine counts as linking to the user's site (GSC "Top linking sites"). */
export interface ConfirmedSite {
  domain: string;
  linkingPages: number | null;
  targetPages: number | null;
}

/** A page of the user's site the engine counts links to (GSC "Top linked pages"). */
export interface ConfirmedPage {
  url: string;
  incomingLinks: number | null;
  linkingSites: number | null;
}

export interface EngineImport {
  engine: Engine;
  /** ENGINE_NAMES[engine]: the provenance of the links. */
  name: string;
  kind: EngineExportKind;
  links: LinkRecord[];
  sites: ConfirmedSite[];
  pages: ConfirmedPage[];
  /** Rows left out: an address we would not record, a count that is not a number. */
  skipped: number;
}

/**
 * The file is not an export this reads; the message says what to do. An ImportError, so the
 * options page shows it as it is (ui/notice.ts#messageOf).
 */
export class EngineExportError extends ImportError {
  override name = 'EngineExportError';
}

const exportError = (key: MessageKey, slots?: Slots): EngineExportError =>
  new EngineExportError(t(key, slots), key);

/** Larger than any export the engines offer (GSC's sample is 100,000 rows of one URL each). */
export const MAX_EXPORT_CHARS = 32 * 1024 * 1024;
export const MAX_EXPORT_ROWS = 100_000;

export interface EngineExportOptions {
  /**
   * The page (or the site's home page) the links point to, for exports that do not name it:
   * GSC's latest and sample links list only linking pages, for the property or the page the
   * report was opened on.
   */
  target?: string;
  now?: number;
}

/**
 * Each export's columns as the engine writes them in English (lower-cased, compared after
 * trimming). GSC: support.google.com/webmasters/answer/9049606; Bing: the Backlinks report's
 * table. Aliases cover the older Webmaster Tools wording.
 */
const COLUMNS = {
  site: ['site', 'linking site', 'domain'],
  linkingPages: ['linking pages'],
  targetPages: ['target pages'],
  targetPage: ['target page', 'target url', 'target', 'linked page'],
  incomingLinks: ['incoming links', 'links'],
  linkingSites: ['linking sites'],
  linkingPage: [
    'linking page',
    'source url',
    'source page',
    'source',
    'linking url',
    'referring url',
  ],
  lastCrawled: ['last crawled', 'last crawl date', 'date', 'discovery date', 'first seen'],
  anchor: ['anchor text', 'anchor'],
} as const;

type Column = keyof typeof COLUMNS;

/** Parse an export file into confirmed links, sites or pages (throws EngineExportError). */
export function parseEngineExport(text: string, options: EngineExportOptions = {}): EngineImport {
  const now = options.now ?? Date.now();
  const rows = parseCsv(checkedText(text));
  const header = rows.shift()?.map((h) => h.trim().toLowerCase()) ?? [];
  const at = (column: Column) =>
    header.findIndex((h) => (COLUMNS[column] as readonly string[]).includes(h));
  const kind = kindOf(at);
  if (!kind) {
    throw exportError('engine_error_not_export', { columns: describe(header) });
  }
  const body = rows.filter((r) => r.some((cell) => cell.trim() !== ''));
  if (body.length === 0) throw exportError('engine_error_no_rows');
  if (body.length > MAX_EXPORT_ROWS) {
    throw exportError('engine_error_too_many_rows', { max: formatNumber(MAX_EXPORT_ROWS) });
  }
  const engine: Engine = kind === 'bing-backlinks' ? 'bing' : 'google';
  const result: EngineImport = {
    engine,
    name: ENGINE_NAMES[engine],
    kind,
    links: [],
    sites: [],
    pages: [],
    skipped: 0,
  };
  const cell = (row: readonly string[], column: Column) => {
    const i = at(column);
    return i < 0 ? '' : (row[i] ?? '').trim();
  };
  const target =
    kind === 'gsc-latest-links' || kind === 'gsc-sample-links' ? targetOf(options.target) : null;
  for (const row of body) {
    const kept =
      kind === 'gsc-top-linking-sites'
        ? pushSite(
            result.sites,
            cell(row, 'site'),
            cell(row, 'linkingPages'),
            cell(row, 'targetPages'),
          )
        : kind === 'gsc-top-linked-pages'
          ? pushPage(
              result.pages,
              cell(row, 'targetPage'),
              cell(row, 'incomingLinks'),
              cell(row, 'linkingSites'),
            )
          : pushLink(result.links, {
              source: cell(row, 'linkingPage'),
              target: target ?? cell(row, 'targetPage'),
              anchor: cell(row, 'anchor'),
              seen: dateOf(cell(row, 'lastCrawled'), now) ?? now,
            });
    if (!kept) result.skipped++;
  }
  if (result.skipped === body.length) {
    throw new EngineExportError(
      tn('engine_error_no_readable_rows', body.length),
      'engine_error_no_readable_rows_other',
    );
  }
  return result;
}

/** The text, refused early when it is too big or is a spreadsheet rather than CSV. */
function checkedText(text: string): string {
  if (text.length > MAX_EXPORT_CHARS) throw exportError('engine_error_too_large');
  if (text.startsWith('PK') || text.includes('\u0000')) {
    throw exportError('engine_error_spreadsheet');
  }
  // A UTF-8 byte-order mark, which Search Console writes and the header must not keep.
  const clean = text.replace(/^\uFEFF/, '');
  if (clean.trim() === '') throw exportError('engine_error_empty');
  return clean;
}

/** Which export the header is; the columns each needs, not their order, decide. */
function kindOf(at: (column: Column) => number): EngineExportKind | null {
  const has = (...columns: Column[]) => columns.every((c) => at(c) >= 0);
  if (has('site', 'linkingPages')) return 'gsc-top-linking-sites';
  if (has('targetPage', 'incomingLinks')) return 'gsc-top-linked-pages';
  if (has('linkingPage', 'targetPage')) return 'bing-backlinks';
  if (has('linkingPage', 'lastCrawled')) return 'gsc-latest-links';
  if (has('linkingPage')) return 'gsc-sample-links';
  return null;
}

const describe = (header: readonly string[]) =>
  header.length === 0 || header.every((h) => h === '')
    ? t('engine_error_no_columns')
    : header
        .slice(0, 6)
        .map((h) => `"${h.slice(0, 40)}"`)
        .join(', ');

function targetOf(target: string | undefined): string {
  const canonical = target ? canonicalizeUrl(target) : null;
  if (!canonical) {
    throw exportError('engine_error_needs_target');
  }
  return canonical;
}

/** "1,234" or "1234" as a count; null when the cell is empty; NaN marks a bad cell. */
function countOf(cell: string): number | null {
  if (cell === '') return null;
  const n = Number(cell.replace(/[,\s\u00a0]/g, ''));
  return Number.isInteger(n) && n >= 0 ? n : NaN;
}

/** A crawl date ("2026-11-20", "Nov 20, 2026") in ms, or null when absent or implausible. */
function dateOf(cell: string, now: number): number | null {
  if (cell === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(cell) ? `${cell}T00:00:00Z` : cell;
  const time = Date.parse(iso);
  return isPlausibleTime(time, now) ? time : null;
}

/**
 * A cell as a canonical URL whose host is a plain host name. Chromium's URL parser, unlike
 * Node's, takes "not a host name" as a host (spaces escaped as %20), so the host is checked here
 * rather than left to the parser.
 */
function urlOf(cell: string): string | null {
  const url = canonicalizeUrl(cell);
  return url && /^[a-z0-9_.-]+$|^\[[0-9a-f:.]+\]$/.test(hostOf(url)) ? url : null;
}

function pushSite(sites: ConfirmedSite[], site: string, pages: string, targets: string): boolean {
  const host = site.includes('://') ? urlOf(site) : urlOf(`https://${site}/`);
  const linkingPages = countOf(pages);
  const targetPages = countOf(targets);
  if (!host || Number.isNaN(linkingPages) || Number.isNaN(targetPages)) return false;
  sites.push({ domain: registrableDomain(hostOf(host)), linkingPages, targetPages });
  return true;
}

function pushPage(pages: ConfirmedPage[], page: string, links: string, sites: string): boolean {
  const url = urlOf(page);
  const incomingLinks = countOf(links);
  const linkingSites = countOf(sites);
  if (!url || Number.isNaN(incomingLinks) || Number.isNaN(linkingSites)) return false;
  pages.push({ url, incomingLinks, linkingSites });
  return true;
}

/** One engine-confirmed link; the engines do not say rel or placement, so neither is claimed. */
function pushLink(
  links: LinkRecord[],
  row: { source: string; target: string; anchor: string; seen: number },
): boolean {
  const source = urlOf(row.source);
  const target = urlOf(row.target);
  if (!source || !target || source === target) return false;
  links.push({
    source,
    target,
    anchor: (asString(row.anchor, MAX_ANCHOR_LENGTH) ?? '').replace(/\s+/g, ' ').trim(),
    rel: [],
    region: 'other',
    regions: ['other'],
    rels: [],
    occurrences: 1,
    sourceDomain: registrableDomain(hostOf(source)),
    targetDomain: registrableDomain(hostOf(target)),
    firstSeen: row.seen,
    lastSeen: row.seen,
    lostAt: null,
  });
  return true;
}

/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) with the delimiter of the header
 * line: a comma, or the tab or semicolon a spreadsheet in another locale saves with.
 * An unterminated quote is a broken file, not a long cell.
 */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', '\t', ';'].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (quoted) throw exportError('engine_error_open_quote');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** An export read, with the site (property) it is for: the registrable domain its links point to. */
export interface ReadExport {
  parsed: EngineImport;
  site: string;
}

/**
 * Read an export file for the options page. `target` is what the user typed for the site or
 * page the export was downloaded for ("coffee-blog.example" or a full address); it is needed
 * where the file does not name it (GSC's latest links, sample links, top linking sites), and
 * otherwise names the site the import is listed under.
 */
export function readEngineExport(
  text: string,
  options: { target?: string; now?: number } = {},
): ReadExport {
  const typed = options.target?.trim() ?? '';
  const target = typed === '' ? undefined : typed.includes('://') ? typed : `https://${typed}/`;
  if (target !== undefined && !canonicalizeUrl(target)) {
    throw exportError('engine_error_bad_target', { typed: typed.slice(0, 80) });
  }
  const parsed = parseEngineExport(text, { now: options.now, target });
  const site = target ? siteOf(target) : mostCommon(parsed);
  if (!site) {
    throw exportError('engine_error_no_site');
  }
  return { parsed, site };
}

const siteOf = (url: string) => registrableDomain(hostOf(canonicalizeUrl(url)!));

/** The domain most of the export's links or pages point to (an export is of one property). */
function mostCommon(parsed: EngineImport): string | null {
  const domains = [
    ...parsed.links.map((l) => l.targetDomain),
    ...parsed.pages.map((p) => siteOf(p.url)),
  ];
  const counts = new Map<string, number>();
  for (const d of domains) counts.set(d, (counts.get(d) ?? 0) + 1);
  let best: string | null = null;
  for (const [d, n] of counts) if (best === null || n > counts.get(best)!) best = d;
  return best;
}
