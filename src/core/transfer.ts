import { csvFile, isoOrEmpty } from './csv';
import {
  lastSeenOf,
  LINK_REGIONS,
  type LinkRecord,
  type PageRecord,
  type RedirectRecord,
} from './types';
import { asCount, asObject, asString, asStringArray, asTime, oneOf } from './guards';
import { asCanonicalUrl, hostOf } from './url';
import { registrableDomain } from './domain';
import { REDIRECT_STATUSES } from './redirects';
import { coerceRelatedPages, isExcludedUrl } from './settings';
import {
  MAX_ANCHOR_LENGTH,
  MAX_LANG_LENGTH,
  MAX_REL_TOKEN_LENGTH,
  MAX_REL_TOKENS,
  MAX_TITLE_LENGTH,
  isPlausibleTime,
} from './limits';
import { parseReferralVisit, type ReferralVisit } from './referrals';
import { parseCaptured, parsePageSignals, parsePageTerms } from './snapshot';
import { t, type MessageKey, type Slots } from './i18n';

export const EXPORT_FORMAT = 'backlink-lens';
/**
 * 5: the related or competitor pages the person marked (relatedPages, a short list of URLs
 * after the header; absent reads as none). 4: the visits made by following links (referrals);
 * pages carry their signals and terms, links their context and image flag (each optional:
 * absent on records captured before). 3: the redirects the browser followed. 2: links carry
 * their folded occurrences (regions, rels, occurrences). 1 to 4 still import (with no redirects
 * before 3, no referrals and the capture fields unknown before 4, no marked pages before 5).
 */
export const EXPORT_VERSION = 5;

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  /** The marked related pages (settings, not the store): the link intersect's. */
  relatedPages: string[];
  pages: PageRecord[];
  links: LinkRecord[];
  redirects: RedirectRecord[];
  referrals: ReferralVisit[];
}

/** The rows of an import, or of one batch of it: what the store takes (records#importAll). */
export interface ImportRows {
  pages: PageRecord[];
  links: LinkRecord[];
  redirects: RedirectRecord[];
  referrals: ReferralVisit[];
  /** Rows that were not valid records and were left out. */
  skipped: number;
}

export interface ParsedImport extends ImportRows {
  /**
   * The file's marked related pages, checked as the settings check them; they go to the
   * settings (platform/settings-store#markRelatedPages), not the store.
   */
  relatedPages: string[];
}

export class ImportError extends Error {
  /** The message's key when it came from the messages (the server's own are plain English). */
  constructor(
    message: string,
    readonly key?: MessageKey,
  ) {
    super(message);
  }
}

/** An ImportError in the UI's language, named by its message key. */
export const importError = (key: MessageKey, slots?: Slots): ImportError =>
  new ImportError(t(key, slots), key);

/**
 * An import without what the privacy rules now keep out: pages of excluded sites, the links
 * on them, and redirects from or to them (an export may predate the exclusion). `excluded`
 * counts the rows left out.
 */
export function withoutExcludedSites<T extends ImportRows>(
  data: T,
  excludedSites: readonly string[],
): { data: T; excluded: number } {
  const out = (url: string) => isExcludedUrl(url, excludedSites);
  const pages = data.pages.filter((p) => !out(p.url));
  const links = data.links.filter((l) => !out(l.source));
  const redirects = data.redirects.filter((r) => !out(r.from) && !out(r.to));
  const referrals = data.referrals.filter((r) => !out(r.source) && !out(r.target));
  const excluded =
    data.pages.length -
    pages.length +
    data.links.length -
    links.length +
    data.redirects.length -
    redirects.length +
    data.referrals.length -
    referrals.length;
  return { data: { ...data, pages, links, redirects, referrals }, excluded };
}

export function parsePage(value: unknown, now: number): PageRecord | null {
  const v = asObject(value);
  const url = v && asCanonicalUrl(v.url);
  if (!v || !url) return null;
  const firstSeen = asTime(v.firstSeen, now);
  const lastSeen = asTime(v.lastSeen, now);
  if (firstSeen === null || lastSeen === null) return null;
  const aliasOf = asCanonicalUrl(v.aliasOf);
  const host = hostOf(url);
  const signals = parsePageSignals(v.signals);
  const terms = parsePageTerms(v.terms);
  return {
    url,
    host,
    domain: registrableDomain(host),
    title: asString(v.title, MAX_TITLE_LENGTH) ?? '',
    canonical: asCanonicalUrl(v.canonical),
    lang: asString(v.lang, MAX_LANG_LENGTH) ?? '',
    robotsNoindex: v.robotsNoindex === true,
    robotsNofollow: v.robotsNofollow === true,
    firstSeen: Math.min(firstSeen, lastSeen),
    lastSeen,
    outboundCount: asCount(v.outboundCount, Number.MAX_SAFE_INTEGER) ?? 0,
    truncated: v.truncated === true,
    ...(Number.isInteger(v.visits) && (v.visits as number) > 0
      ? { visits: v.visits as number }
      : {}),
    ...(aliasOf ? { aliasOf } : {}),
    ...(signals ? { signals } : {}),
    ...(terms ? { terms } : {}),
  };
}

export function parseLinkRecord(value: unknown, now: number): LinkRecord | null {
  const v = asObject(value);
  if (!v) return null;
  const source = asCanonicalUrl(v.source);
  const target = asCanonicalUrl(v.target);
  const firstSeen = asTime(v.firstSeen, now);
  const lastSeen = asTime(v.lastSeen, now);
  if (!source || !target || firstSeen === null || lastSeen === null) return null;
  const lost = v.lostAt ?? null;
  const lostAt = lost === null ? null : asTime(lost, now);
  // A loss time that is there but impossible makes the row as doubtful as a bad sighting.
  if (lost !== null && lostAt === null) return null;
  const rel = asStringArray(v.rel, MAX_REL_TOKENS, MAX_REL_TOKEN_LENGTH);
  const region = oneOf(v.region, LINK_REGIONS, 'other');
  const regions = asStringArray(v.regions, LINK_REGIONS.length, 16)
    .map((r) => oneOf(r, LINK_REGIONS, region))
    .filter((r) => r !== region);
  const occurrences = asCount(v.occurrences, Number.MAX_SAFE_INTEGER);
  return {
    source,
    target,
    anchor: asString(v.anchor, MAX_ANCHOR_LENGTH) ?? '',
    rel,
    region,
    // A version 1 export has no folding: one occurrence, where it was.
    regions: [region, ...new Set(regions)],
    rels: [
      ...new Set([...rel, ...asStringArray(v.rels, 2 * MAX_REL_TOKENS, MAX_REL_TOKEN_LENGTH)]),
    ],
    occurrences: occurrences !== null && occurrences > 0 ? occurrences : 1,
    sourceDomain: registrableDomain(hostOf(source)),
    targetDomain: registrableDomain(hostOf(target)),
    firstSeen: Math.min(firstSeen, lastSeen),
    lastSeen,
    lostAt,
    ...parseCaptured(v),
  };
}

function parseRedirect(value: unknown, now: number): RedirectRecord | null {
  const v = asObject(value);
  if (!v) return null;
  const from = asCanonicalUrl(v.from);
  const to = asCanonicalUrl(v.to);
  const firstSeen = asTime(v.firstSeen, now);
  const lastSeen = asTime(v.lastSeen, now);
  if (!from || !to || from === to || firstSeen === null || lastSeen === null) return null;
  if (typeof v.status !== 'number' || !REDIRECT_STATUSES.includes(v.status)) return null;
  return { from, to, status: v.status, firstSeen: Math.min(firstSeen, lastSeen), lastSeen };
}

/** What a version number this import cannot read is, in words a person can act on. */
function unsupportedVersion(version: unknown): ImportError {
  if (typeof version === 'number' && Number.isInteger(version) && version > EXPORT_VERSION) {
    return importError('import_newer_version', { version, supported: EXPORT_VERSION });
  }
  const shown = JSON.stringify(version) ?? t('import_no_version');
  return importError('import_bad_version', { version: shown, supported: EXPORT_VERSION });
}

/**
 * One row of an export (a page, a link) is never longer than this: a longer one is skipped
 * unread, so a hostile file cannot make a reader hold more than this per row.
 */
export const MAX_ROW_CHARS = 1024 * 1024;

/** The lists of an export, in the order an export writes them. */
export const EXPORT_LISTS = ['pages', 'links', 'redirects', 'referrals'] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];

/** One row of an export, parsed: its list and record, or null for a row that is not valid. */
export type ParsedRow =
  | { list: 'pages'; record: PageRecord }
  | { list: 'links'; record: LinkRecord }
  | { list: 'redirects'; record: RedirectRecord }
  | { list: 'referrals'; record: ReferralVisit };

/** Parse one row of one list (the same rules for a whole file and for a streamed one). */
export function parseRow(list: ExportList, value: unknown, now: number): ParsedRow | null {
  switch (list) {
    case 'pages': {
      const record = parsePage(value, now);
      return record && { list, record };
    }
    case 'links': {
      const record = parseLinkRecord(value, now);
      return record && { list, record };
    }
    case 'redirects': {
      const record = parseRedirect(value, now);
      return record && { list, record };
    }
    case 'referrals': {
      const record = parseReferralVisit(value, registrableDomain);
      return record && isPlausibleTime(record.at, now) ? { list, record } : null;
    }
  }
}

/**
 * The export's version, once its format and version fields are checked; an ImportError in
 * words a person can act on otherwise.
 */
export function checkHeader(format: unknown, version: unknown): number {
  if (format !== EXPORT_FORMAT) throw importError('import_not_export');
  if (
    !Number.isInteger(version) ||
    (version as number) < 1 ||
    (version as number) > EXPORT_VERSION
  ) {
    throw unsupportedVersion(version);
  }
  return version as number;
}

/** The lists a file of this version must have: redirects from 3 on, referrals from 4 on. */
export function listsOf(version: number): ExportList[] {
  return EXPORT_LISTS.filter(
    (l) => (l !== 'redirects' || version >= 3) && (l !== 'referrals' || version >= 4),
  );
}

/** An ImportError for a list a file of its version must have and lacks. */
export function missingList(list: ExportList): ImportError {
  return list === 'pages' || list === 'links'
    ? importError('import_no_pages_or_links')
    : importError('import_no_list', { list });
}

/** The marked pages a file of this version holds: none before 5, and none that is no web page. */
export const relatedPagesOf = (version: number, value: unknown): string[] =>
  version >= 5 ? coerceRelatedPages(value) : [];

/** An empty import, to add rows to. */
export const emptyImport = (): ImportRows => ({
  pages: [],
  links: [],
  redirects: [],
  referrals: [],
  skipped: 0,
});

/** Add a parsed row to an import, or count it skipped. */
export function addRow(into: ImportRows, row: ParsedRow | null): void {
  if (!row) into.skipped++;
  else (into[row.list] as ParsedRow['record'][]).push(row.record);
}

/**
 * Read an export file back, whole (core/import-stream.ts reads a big one in pieces). The file
 * is untrusted: every record is re-validated (URLs re-canonicalized, so secrets are stripped
 * and overlong URLs refused; times within core/limits' bounds at `now`); a wrong file as a
 * whole is an ImportError, a bad row is skipped and counted.
 */
export function parseExport(text: string, now: number = Date.now()): ParsedImport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw importError('import_not_json');
  }
  const v = asObject(data);
  if (!v) throw importError('import_not_export');
  const version = checkHeader(v.format, v.version);
  const out: ParsedImport = {
    ...emptyImport(),
    relatedPages: relatedPagesOf(version, v.relatedPages),
  };
  // Versions before 3 had no redirects and before 4 no referrals: such lists are not read.
  for (const list of listsOf(version)) {
    const rows = v[list];
    if (!Array.isArray(rows)) throw missingList(list);
    for (const row of rows) addRow(out, parseRow(list, row, now));
  }
  return out;
}

const CSV_COLUMNS = [
  'source',
  'target',
  'anchor',
  'rel',
  'region',
  'also_in',
  'occurrences',
  'source_domain',
  'target_domain',
  'first_seen',
  'last_seen',
  'lost_at',
] as const;

/** The CSV cells of each link, in CSV_COLUMNS order. */
export function linkCsvRows(links: readonly LinkRecord[]): string[][] {
  return links.map((l) => [
    l.source,
    l.target,
    l.anchor,
    l.rel.join(' '),
    l.region,
    l.regions.filter((r) => r !== l.region).join(' '),
    String(l.occurrences),
    l.sourceDomain,
    l.targetDomain,
    isoOrEmpty(l.firstSeen),
    isoOrEmpty(l.lastSeen),
    isoOrEmpty(l.lostAt),
  ]);
}

export function linksToCsv(links: readonly LinkRecord[]): string {
  return csvFile(CSV_COLUMNS, linkCsvRows(links));
}

/** The CSV export's header line. */
export const csvHeader = (): string => csvFile(CSV_COLUMNS, []);

/** A file to save: its name, text and media type. */
export interface ExportDocument {
  name: string;
  text: string;
  type: string;
}

/** The export's file name, after its day, and media type. */
export function exportFileOf(
  kind: 'json' | 'csv',
  exportedAt: string,
): Omit<ExportDocument, 'text'> {
  const day = exportedAt.slice(0, 10);
  return kind === 'json'
    ? { name: `backlink-lens-${day}.json`, type: 'application/json' }
    : { name: `backlink-lens-links-${day}.csv`, type: 'text/csv' };
}

/** The whole store as a JSON export, or its links as CSV, named after the export's day. */
export function exportDocument(data: ExportFile, kind: 'json' | 'csv'): ExportDocument {
  const text = kind === 'json' ? JSON.stringify(data) : linksToCsv(data.links);
  return { ...exportFileOf(kind, data.exportedAt), text };
}

/**
 * Links as an export or an upload writes them: each with its last sighting (core/types#
 * lastSeenOf), its source page's last visit as known from `pageLastSeen`, so that a reader
 * needs no page to know it, and an older version reads it as it always did.
 */
export function withLastSeen(
  links: readonly LinkRecord[],
  pageLastSeen: ReadonlyMap<string, number>,
): LinkRecord[] {
  return links.map((link) => {
    const lastSeen = lastSeenOf(link, pageLastSeen.get(link.source));
    return lastSeen === link.lastSeen ? link : { ...link, lastSeen };
  });
}
