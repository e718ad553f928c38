/**
 * The remote index protocol (docs/index-protocol.md), shared by the extension (the client, in
 * its worker) and the reference server (server/, on Node 20): versions, the key a page or a
 * site is looked up by, its SHA-256, the prefix length that keeps a lookup anonymous among
 * k indexed keys, and validators for every answer a server gives. No Node-only import: the
 * hash is WebCrypto's (globalThis.crypto.subtle), present in both.
 */
import { isPlausibleTime, MAX_ANCHOR_LENGTH, MAX_REL_TOKEN_LENGTH, MAX_REL_TOKENS } from './limits';
import { asObject } from './guards';
import { LINK_REGIONS, type LinkRegion } from './types';
import { canonicalizeUrl, hostOf, parseHttpUrl } from './url';
import { registrableDomain } from './domain';
import { t, type MessageKey, type Slots } from './i18n';

/** Bumped on any change a version-1 client or server could misread. */
export const PROTOCOL_VERSION = 1;
/**
 * The canonical form of keys: src/core/url.ts#canonicalizeUrl for pages and
 * src/core/domain.ts#registrableDomain for sites, as of this number. A change to either that
 * alters any key of the test vectors (test/fixtures/index-protocol/vectors.json) must bump it:
 * a client and a server on different forms would hash the same page to different keys.
 */
export const CANONICAL_VERSION = 1;

/** A page (its canonical URL) or a site (its registrable domain). */
export type LookupKind = 'url' | 'domain';
export const LOOKUP_KINDS: readonly LookupKind[] = ['url', 'domain'];

/** Indexed keys a bucket holds in expectation, unless the user chose otherwise. */
export const DEFAULT_K = 50;
/** A SHA-256 in lower-case hex. */
export const HASH_HEX_LENGTH = 64;

/**
 * Ceilings a client holds any server to, whatever the server advertises: a bigger answer is
 * refused whole, never cut (a cut list would pass for the complete one).
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
export const MAX_ENTRIES = 500;
export const MAX_LINKS_PER_ENTRY = 500;
export const MAX_NAME_LENGTH = 100;
export const MAX_CURSOR_LENGTH = 200;
export const MAX_ERROR_MESSAGE_LENGTH = 500;
/** A registrable domain (or a host standing for itself) is at most 253 characters (RFC 1035). */
export const MAX_DOMAIN_LENGTH = 253;

/** Error codes a server answers with, in `{ error: { code, message } }`. */
export type IndexErrorCode =
  | 'bad_request'
  | 'bad_prefix'
  | 'bad_cursor'
  | 'unsupported_canonical_version'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'contributions_off'
  | 'too_large'
  | 'malformed_body'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface IndexLimits {
  /** Links sent per entry at most (the most recently seen first). */
  maxLinksPerEntry: number;
  /** Entries per lookup page at most; a bigger bucket pages with `next`. */
  maxEntries: number;
  /** Largest request body accepted (contributions), in bytes. */
  maxBodyBytes: number;
  /** Requests per minute from one address before 429. */
  ratePerMinute: number;
}

export interface IndexInfo {
  name: string;
  protocolVersion: number;
  canonicalVersion: number;
  /** How many distinct keys the index holds, per kind: what anonymity rests on. */
  keys: { urls: number; domains: number };
  links: number;
  /** Hex characters of a prefix, at least and at most. */
  minPrefixLength: number;
  maxPrefixLength: number;
  /** When the index last changed (ISO 8601), null when it is empty. */
  updatedAt: string | null;
  contributions: boolean;
  limits: IndexLimits;
}

/** One inbound link of an entry. Times in ms since the epoch; anchors are plain text. */
export interface IndexLink {
  source: string;
  target: string;
  anchor: string;
  rel: string[];
  region?: LinkRegion;
  firstSeen: number;
  lastSeen: number;
  lost: boolean;
}

export interface IndexSummary {
  /** Links to the key (live ones), all of them, not only those sent. */
  backlinks: number;
  referringDomains: number;
  referringPages: number;
  /** 0-100, where the index computed it. */
  authority?: number;
}

export interface IndexEntry {
  hash: string;
  key: string;
  summary: IndexSummary;
  links: IndexLink[];
}

export interface LookupResponse {
  kind: LookupKind;
  prefix: string;
  entries: IndexEntry[];
  /** Cursor for the rest of a bucket too big for one answer. */
  next?: string;
}

export interface IndexErrorBody {
  error: { code: string; message: string };
}

/** A server's answer broke the protocol; the message says how, in plain words. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const HEX = /^[0-9a-f]+$/;
const HASH = /^[0-9a-f]{64}$/;
const CURSOR = /^[A-Za-z0-9_-]+$/;
// Lower-case ASCII (punycode) hosts and bracketed IPv6: what registrableDomain yields.
const DOMAIN_KEY = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/;

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export async function hashKey(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The key a URL is looked up by, for a kind: its canonical form, or its registrable domain.
 * Null for what is never indexed (not http(s), a secret path, over the length limit).
 */
export function lookupKey(kind: LookupKind, url: string): string | null {
  const canonical = canonicalizeUrl(url);
  if (canonical === null) return null;
  return kind === 'url' ? canonical : registrableDomain(hostOf(canonical));
}

/** Whether `value` is a prefix a lookup may ask for: lower-case hex, length in [min, max]. */
export function isValidPrefix(value: string, min: number, max: number): boolean {
  return value.length >= min && value.length <= max && HEX.test(value);
}

/** Whether `value` is a full key hash (64 lower-case hex characters). */
export function isKeyHash(value: string): boolean {
  return HASH.test(value);
}

/** Indexed keys of a kind in one bucket of `length` hex characters, in expectation. */
export function expectedBucketSize(info: IndexInfo, length: number, kind: LookupKind = 'url') {
  return keyCount(info, kind) / 16 ** length;
}

const keyCount = (info: IndexInfo, kind: LookupKind) =>
  kind === 'url' ? info.keys.urls : info.keys.domains;

/**
 * Hex characters of the prefix to ask for: the longest one whose bucket still holds >= k
 * indexed keys in expectation (N / 16^L >= k), clamped to what the server allows. A server
 * whose minimum is longer than that, or whose index is smaller than k, gets its minimum: the
 * bucket then holds fewer than k keys, which expectedBucketSize lets the options page say.
 */
export function choosePrefixLength(info: IndexInfo, k: number, kind: LookupKind = 'url'): number {
  const n = keyCount(info, kind);
  const wanted = n > 0 && k > 0 ? Math.floor(Math.log(n / k) / Math.log(16) + 1e-9) : 0;
  return Math.min(info.maxPrefixLength, Math.max(info.minPrefixLength, wanted));
}

/**
 * `count` decoy prefixes of `length` hex characters to ask for along with the real one, so
 * the server cannot tell which bucket was wanted (docs/index-protocol.md, decoys). They are
 * derived from the key's hash with a secret kept on the device (HMAC-SHA-256), so looking up
 * the same page again sends the same decoys: fresh random ones each time would let the
 * server find the real prefix as the one that repeats.
 */
export async function decoyPrefixes(
  secret: Uint8Array,
  hash: string,
  length: number,
  count: number,
): Promise<string[]> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    secret as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const encoder = new TextEncoder();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const mac = await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(`${hash}:${i}`));
      return toHex(new Uint8Array(mac)).slice(0, length);
    }),
  );
}

/** The path and query of a lookup, as the client sends it and the server reads it. */
export function lookupPath(kind: LookupKind, prefix: string, cursor?: string): string {
  const query = new URLSearchParams({ kind, prefix, cv: String(CANONICAL_VERSION) });
  if (cursor !== undefined) query.set('cursor', cursor);
  return `/v1/lookup?${query.toString()}`;
}

/** The entry for exactly this key, if the bucket has it; the rest of the bucket is dropped. */
export function pickEntry(
  response: LookupResponse,
  hash: string,
  key: string,
): IndexEntry | undefined {
  return response.entries.find((e) => e.hash === hash && e.key === key);
}

// --- Validators: everything a server says is untrusted. ---

/** The reason for refusing an answer, as a message (the popup shows it, core/i18n). */
function fail(key: MessageKey, slots?: Slots): never {
  throw new ProtocolError(t(key, slots));
}

/** A field of an answer, named in the reasons that refuse it. */
type Field = Extract<MessageKey, `index_field_${string}`>;

function count(value: unknown, what: Field): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail('index_bad_not_whole', { what: t(what) });
  }
  return value;
}

function positive(value: unknown, what: Field): number {
  const n = count(value, what);
  return n > 0 ? n : fail('index_bad_zero_value', { what: t(what) });
}

function text(value: unknown, max: number, what: Field): string {
  if (typeof value !== 'string') fail('index_bad_not_text', { what: t(what) });
  if (value.length > max) fail('index_bad_too_long', { what: t(what), max });
  return value;
}

/** Read `/v1/info`. Throws ProtocolError when anything is missing, malformed or unsupported. */
export function parseInfo(json: unknown): IndexInfo {
  const v = asObject(json) ?? fail('index_bad_no_description');
  const name = text(v.name, MAX_NAME_LENGTH, 'index_field_name').trim();
  if (!name) fail('index_bad_empty_name');
  if (v.protocolVersion !== PROTOCOL_VERSION) {
    fail('index_bad_protocol_version', {
      theirs: String(JSON.stringify(v.protocolVersion)),
      ours: PROTOCOL_VERSION,
    });
  }
  if (v.canonicalVersion !== CANONICAL_VERSION) {
    fail('index_bad_canonical_version', {
      theirs: String(JSON.stringify(v.canonicalVersion)),
      ours: CANONICAL_VERSION,
    });
  }
  const keys = asObject(v.keys) ?? fail('index_bad_no_keys');
  const minPrefixLength = positive(v.minPrefixLength, 'index_field_min_prefix');
  const maxPrefixLength = positive(v.maxPrefixLength, 'index_field_max_prefix');
  if (maxPrefixLength > HASH_HEX_LENGTH || minPrefixLength > maxPrefixLength) {
    fail('index_bad_prefix_lengths', { min: minPrefixLength, max: maxPrefixLength });
  }
  const updatedAt = v.updatedAt;
  if (
    updatedAt !== null &&
    (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))
  ) {
    fail('index_bad_update_time');
  }
  if (typeof v.contributions !== 'boolean') fail('index_bad_contributions');
  const limits = asObject(v.limits) ?? fail('index_bad_limits');
  return {
    name,
    protocolVersion: PROTOCOL_VERSION,
    canonicalVersion: CANONICAL_VERSION,
    keys: {
      urls: count(keys.urls, 'index_field_url_count'),
      domains: count(keys.domains, 'index_field_domain_count'),
    },
    links: count(v.links, 'index_field_link_count'),
    minPrefixLength,
    maxPrefixLength,
    updatedAt: updatedAt as string | null,
    contributions: v.contributions,
    limits: {
      maxLinksPerEntry: positive(limits.maxLinksPerEntry, 'index_field_link_limit'),
      maxEntries: positive(limits.maxEntries, 'index_field_entry_limit'),
      maxBodyBytes: positive(limits.maxBodyBytes, 'index_field_body_limit'),
      ratePerMinute: positive(limits.ratePerMinute, 'index_field_rate_limit'),
    },
  };
}

/** An http(s) URL within the length limit, as sent; anything else (javascript:, data:) throws. */
function httpUrl(value: unknown, what: Field): string {
  if (typeof value !== 'string' || parseHttpUrl(value) === null) {
    fail('index_bad_not_http', { what: t(what) });
  }
  return value;
}

function parseLink(value: unknown, now: number): IndexLink {
  const v = asObject(value) ?? fail('index_bad_link_object');
  const anchor = text(v.anchor, MAX_ANCHOR_LENGTH, 'index_field_anchor');
  if (!Array.isArray(v.rel) || v.rel.length > MAX_REL_TOKENS) {
    fail('index_bad_rel_list', { max: MAX_REL_TOKENS });
  }
  const rel = v.rel.map((token) => text(token, MAX_REL_TOKEN_LENGTH, 'index_field_rel_token'));
  if (v.region !== undefined && !LINK_REGIONS.includes(v.region as LinkRegion)) {
    fail('index_bad_region');
  }
  const firstSeen = v.firstSeen;
  const lastSeen = v.lastSeen;
  if (
    typeof firstSeen !== 'number' ||
    typeof lastSeen !== 'number' ||
    !isPlausibleTime(firstSeen, now) ||
    !isPlausibleTime(lastSeen, now) ||
    firstSeen > lastSeen
  ) {
    fail('index_bad_seen_times');
  }
  if (typeof v.lost !== 'boolean') fail('index_bad_lost_flag');
  return {
    source: httpUrl(v.source, 'index_field_source'),
    target: httpUrl(v.target, 'index_field_target'),
    anchor,
    rel,
    ...(v.region !== undefined ? { region: v.region as LinkRegion } : {}),
    firstSeen,
    lastSeen,
    lost: v.lost,
  };
}

function parseSummary(value: unknown): IndexSummary {
  const v = asObject(value) ?? fail('index_bad_no_summary');
  const authority = v.authority;
  if (
    authority !== undefined &&
    (typeof authority !== 'number' || !(authority >= 0 && authority <= 100))
  ) {
    fail('index_bad_authority');
  }
  return {
    backlinks: count(v.backlinks, 'index_field_backlink_count'),
    referringDomains: count(v.referringDomains, 'index_field_domain_referrers'),
    referringPages: count(v.referringPages, 'index_field_page_referrers'),
    ...(authority !== undefined ? { authority: authority as number } : {}),
  };
}

function parseKey(value: unknown, kind: LookupKind): string {
  if (kind === 'url') {
    const key = httpUrl(value, 'index_field_page_key');
    // A key not in canonical form cannot be the one the client hashed.
    return canonicalizeUrl(key) === key ? key : fail('index_bad_page_key');
  }
  const key = text(value, MAX_DOMAIN_LENGTH, 'index_field_site_key');
  return DOMAIN_KEY.test(key) ? key : fail('index_bad_site_key');
}

function parseEntry(value: unknown, prefix: string, kind: LookupKind, now: number): IndexEntry {
  const v = asObject(value) ?? fail('index_bad_entry_object');
  if (typeof v.hash !== 'string' || !HASH.test(v.hash)) {
    fail('index_bad_entry_hash');
  }
  if (!v.hash.startsWith(prefix)) {
    fail('index_bad_entry_bucket', { prefix });
  }
  const key = parseKey(v.key, kind);
  if (!Array.isArray(v.links) || v.links.length > MAX_LINKS_PER_ENTRY) {
    fail('index_bad_entry_links', { max: MAX_LINKS_PER_ENTRY });
  }
  const links = v.links.map((l) => parseLink(l, now));
  // Links of a page entry all point at that page: anything else was not asked for.
  if (kind === 'url' && links.some((l) => canonicalizeUrl(l.target) !== key)) {
    fail('index_bad_link_target');
  }
  return { hash: v.hash, key, summary: parseSummary(v.summary), links };
}

/**
 * Read a `/v1/lookup` answer to the question (kind, prefix). Throws ProtocolError on anything
 * malformed, oversized, off the bucket, or carrying non-http(s) URLs; `now` bounds the times.
 */
export function parseLookup(
  json: unknown,
  prefix: string,
  kind: LookupKind,
  now: number = Date.now(),
): LookupResponse {
  if (!isValidPrefix(prefix, 1, HASH_HEX_LENGTH)) fail('index_bad_prefix', { prefix });
  const v = asObject(json) ?? fail('index_bad_lookup_object');
  if (v.kind !== kind)
    fail('index_bad_kind', { theirs: String(JSON.stringify(v.kind)), ours: kind });
  if (v.prefix !== prefix) fail('index_bad_wrong_prefix');
  if (!Array.isArray(v.entries)) fail('index_bad_no_entries');
  if (v.entries.length > MAX_ENTRIES) {
    fail('index_bad_too_many_entries', { sent: v.entries.length, max: MAX_ENTRIES });
  }
  const entries = v.entries.map((e) => parseEntry(e, prefix, kind, now));
  if (new Set(entries.map((e) => e.hash)).size !== entries.length) {
    fail('index_bad_same_entry');
  }
  const next = v.next;
  if (next !== undefined && next !== null) {
    const cursor = text(next, MAX_CURSOR_LENGTH, 'index_field_cursor');
    if (!CURSOR.test(cursor)) fail('index_bad_cursor');
    return { kind, prefix, entries, next: cursor };
  }
  return { kind, prefix, entries };
}

/** The `{ error: { code, message } }` of a failed request, or null when the body is not one. */
export function parseErrorBody(json: unknown): { code: string; message: string } | null {
  const error = asObject(asObject(json)?.error);
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return null;
  return {
    code: error.code.slice(0, 40),
    message: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
  };
}
