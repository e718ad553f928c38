/**
 * Common Crawl WAT files: for every crawled page, a WARC `metadata` record whose JSON payload
 * describes the response, down to the page's links
 * (Envelope → Payload-Metadata → HTTP-Response-Metadata → HTML-Metadata → Links, each link a
 * `{ path: 'A@/href', url, text?, rel?, title?, alt? }`; the head's `Metas`, `Link` and `Base`
 * beside them). Layout as read by Common Crawl's own link extraction (cc-pyspark,
 * wat_extract_links.py) and seen in published WAT files.
 */
import { asObject } from '../../../src/core/guards';
import { DEFAULT_EXTRACT_OPTIONS } from '../../../src/core/extract';
import {
  MAX_ANCHOR_LENGTH,
  MAX_REL_TOKEN_LENGTH,
  MAX_REL_TOKENS,
  MAX_URL_LENGTH,
  isPlausibleTime,
} from '../../../src/core/limits';
import { foldOccurrences, type Occurrence } from '../../../src/core/occurrences';
import { parseHttpUrl } from '../../../src/core/url';
import type { IndexedLink, IndexedPage, SkippedRecord } from '../model';
import { readWarc, type WarcRecord, type WarcSkipReason } from './warc';

export type WatSkipReason =
  | WarcSkipReason
  | 'malformed JSON'
  | 'not a WAT record'
  | 'missing target URL'
  | 'URL too long'
  | 'not an http(s) page'
  | 'no crawl date';

export interface WatSkip extends SkippedRecord {
  skipped: WatSkipReason;
}

/** Elements whose href is a link a reader follows: what the extension reads (a[href], area[href]). */
const ANCHOR_PATHS = new Set(['A@/href', 'AREA@/href']);
/**
 * Head links that name another version of the same content, which link indexes list as
 * backlinks of their own kind (a canonical, a translation); stylesheets, icons and preloads are
 * not links to a page.
 */
const HEAD_LINK_RELS = new Set(['canonical', 'alternate']);

/** A page keeps at most as many links as the extension reads from one page. */
export const MAX_LINKS_PER_PAGE = DEFAULT_EXTRACT_OPTIONS.maxLinks;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** rel tokens as the extension keeps them: lower-case, each once, capped in number and length. */
export function relTokensOf(rel: unknown): string[] {
  const text = str(rel);
  if (!text) return [];
  const tokens = text.toLowerCase().split(/\s+/).filter(Boolean);
  return [...new Set(tokens.map((t) => t.slice(0, MAX_REL_TOKEN_LENGTH)))].slice(0, MAX_REL_TOKENS);
}

/** Whether a robots directive (meta content or X-Robots-Tag value) says nofollow. */
export function saysNofollow(directive: string): boolean {
  const tokens = directive.toLowerCase().split(/[\s,]+/);
  return tokens.includes('nofollow') || tokens.includes('none');
}

function anchorText(link: Record<string, unknown>): string {
  // Image links carry no text; their alt or title is what the link says, as in the extension.
  const text = str(link.text) || str(link.alt) || str(link.title) || '';
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_ANCHOR_LENGTH);
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function pageNofollow(
  http: Record<string, unknown>,
  head: Record<string, unknown> | null,
): boolean {
  const metas = Array.isArray(head?.Metas) ? head.Metas : [];
  for (const meta of metas) {
    const m = asObject(meta);
    if (str(m?.name)?.toLowerCase() === 'robots' && saysNofollow(str(m?.content) ?? ''))
      return true;
  }
  const headers = asObject(http.Headers) ?? {};
  for (const [name, value] of Object.entries(headers)) {
    // A value naming a crawler ("googlebot: nofollow") is about that crawler only.
    const v = str(value);
    if (name.toLowerCase() === 'x-robots-tag' && v && !/^[\w-]+\s*:/.test(v) && saysNofollow(v)) {
      return true;
    }
  }
  return false;
}

function linksOf(
  html: Record<string, unknown>,
  head: Record<string, unknown> | null,
  page: URL,
  base: string,
): IndexedLink[] {
  const pageNoFragment = withoutFragment(page.href);
  const occurrences: Occurrence[] = [];
  const add = (entry: Record<string, unknown>, rel: string[]) => {
    const href = str(entry.url);
    if (!href || href.startsWith('#')) return;
    const url = parseHttpUrl(href, base);
    // A same-document fragment is a jump within the page, not a link to another.
    if (!url || (url.hash && withoutFragment(url.href) === pageNoFragment)) return;
    occurrences.push({ href: url.href, anchor: anchorText(entry), rel, region: 'other' });
  };
  for (const entry of Array.isArray(html.Links) ? html.Links : []) {
    const e = asObject(entry);
    if (e && ANCHOR_PATHS.has(str(e.path) ?? '')) add(e, relTokensOf(e.rel));
  }
  for (const entry of Array.isArray(head?.Link) ? head.Link : []) {
    const e = asObject(entry);
    const rel = relTokensOf(e?.rel);
    if (!e || str(e.path) !== 'LINK@/href' || !rel.some((r) => HEAD_LINK_RELS.has(r))) continue;
    // A canonical naming the page itself says nothing about any other page.
    const target = parseHttpUrl(str(e.url) ?? '', base);
    if (target && withoutFragment(target.href) !== pageNoFragment) add(e, rel);
  }
  // Repeats of one href with the same words are one link, folded as the extension folds them.
  return foldOccurrences(occurrences).map((l) => ({ url: l.href, anchor: l.anchor, rel: l.rel }));
}

function crawlTime(...dates: unknown[]): number | null {
  for (const date of dates) {
    const time = Date.parse(str(date) ?? '');
    if (isPlausibleTime(time)) return time;
  }
  return null;
}

/**
 * The page a WAT record describes, a skip saying why the record is unusable, or null for a
 * record that describes no page (warcinfo, the request's or the crawl's own metadata, a
 * response that is not HTML).
 */
export function pageOfWatRecord(record: WarcRecord, origin?: string): IndexedPage | WatSkip | null {
  if (record.headers.get('warc-type') !== 'metadata') return null;
  if (!record.headers.get('content-type')?.startsWith('application/json')) return null;
  let json: unknown;
  try {
    json = JSON.parse(record.block.toString('utf8'));
  } catch {
    return { skipped: 'malformed JSON' };
  }
  const envelope = asObject(asObject(json)?.Envelope);
  const warc = asObject(envelope?.['WARC-Header-Metadata']);
  if (!envelope || !warc) return { skipped: 'not a WAT record' };
  if (warc['WARC-Type'] !== 'response') return null;
  const http = asObject(asObject(envelope['Payload-Metadata'])?.['HTTP-Response-Metadata']);
  const html = asObject(http?.['HTML-Metadata']);
  if (!http || !html) return null;

  const target = str(warc['WARC-Target-URI']) || record.headers.get('warc-target-uri');
  if (!target) return { skipped: 'missing target URL' };
  if (target.length > MAX_URL_LENGTH) return { skipped: 'URL too long' };
  const page = parseHttpUrl(target);
  if (!page) return { skipped: 'not an http(s) page' };
  const seenAt = crawlTime(warc['WARC-Date'], record.headers.get('warc-date'));
  if (seenAt === null) return { skipped: 'no crawl date' };

  const head = asObject(html.Head);
  // Relative links resolve against <base href> when the page declares one.
  const base = parseHttpUrl(str(head?.Base) ?? '', page.href)?.href ?? page.href;
  const links = linksOf(html, head, page, base);
  // The crawler cut the response short (WARC-Truncated), or the page has more links than are
  // kept: links missing from the list are not gone from the page.
  const truncated = warc['WARC-Truncated'] !== undefined || links.length > MAX_LINKS_PER_PAGE;
  return {
    url: page.href,
    seenAt,
    links: links.slice(0, MAX_LINKS_PER_PAGE),
    ...(pageNofollow(http, head) ? { nofollow: true } : {}),
    ...(truncated ? { truncated: true } : {}),
    ...(origin ? { origin } : {}),
  };
}

/** The pages of a gzipped WAT byte stream, with a skip for every record that cannot be used. */
export async function* readWat(
  chunks: AsyncIterable<Buffer>,
  origin?: string,
): AsyncGenerator<IndexedPage | WatSkip> {
  for await (const record of readWarc(chunks)) {
    if ('skipped' in record) {
      yield record;
      continue;
    }
    const item = pageOfWatRecord(record, origin);
    if (item) yield item;
  }
}
