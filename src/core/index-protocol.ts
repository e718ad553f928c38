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

function fail(message: string): never {
  throw new ProtocolError(message);
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`The index sent ${what} that is not a whole number.`);
  }
  return value;
}

function positive(value: unknown, what: string): number {
  const n = count(value, what);
  return n > 0 ? n : fail(`The index sent ${what} of 0.`);
}

function text(value: unknown, max: number, what: string): string {
  if (typeof value !== 'string') fail(`The index sent ${what} that is not text.`);
  if (value.length > max) fail(`The index sent ${what} longer than ${max} characters.`);
  return value;
}

/** Read `/v1/info`. Throws ProtocolError when anything is missing, malformed or unsupported. */
export function parseInfo(json: unknown): IndexInfo {
  const v = asObject(json) ?? fail('The index did not answer with a description of itself.');
  const name = text(v.name, MAX_NAME_LENGTH, 'a name').trim();
  if (!name) fail('The index sent an empty name.');
  if (v.protocolVersion !== PROTOCOL_VERSION) {
    fail(
      `The index speaks protocol version ${JSON.stringify(v.protocolVersion)}; this extension speaks version ${PROTOCOL_VERSION}.`,
    );
  }
  if (v.canonicalVersion !== CANONICAL_VERSION) {
    fail(
      `The index keys pages by canonical form ${JSON.stringify(v.canonicalVersion)}; this extension uses form ${CANONICAL_VERSION}, so lookups would miss.`,
    );
  }
  const keys = asObject(v.keys) ?? fail('The index did not say how many keys it holds.');
  const minPrefixLength = positive(v.minPrefixLength, 'a minimum prefix length');
  const maxPrefixLength = positive(v.maxPrefixLength, 'a maximum prefix length');
  if (maxPrefixLength > HASH_HEX_LENGTH || minPrefixLength > maxPrefixLength) {
    fail(`The index sent impossible prefix lengths (${minPrefixLength} to ${maxPrefixLength}).`);
  }
  const updatedAt = v.updatedAt;
  if (
    updatedAt !== null &&
    (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))
  ) {
    fail('The index sent an update time that is not a date.');
  }
  if (typeof v.contributions !== 'boolean')
    fail('The index did not say if it takes contributions.');
  const limits = asObject(v.limits) ?? fail('The index did not state its limits.');
  return {
    name,
    protocolVersion: PROTOCOL_VERSION,
    canonicalVersion: CANONICAL_VERSION,
    keys: { urls: count(keys.urls, 'a URL count'), domains: count(keys.domains, 'a domain count') },
    links: count(v.links, 'a link count'),
    minPrefixLength,
    maxPrefixLength,
    updatedAt: updatedAt as string | null,
    contributions: v.contributions,
    limits: {
      maxLinksPerEntry: positive(limits.maxLinksPerEntry, 'a link limit'),
      maxEntries: positive(limits.maxEntries, 'an entry limit'),
      maxBodyBytes: positive(limits.maxBodyBytes, 'a body size limit'),
      ratePerMinute: positive(limits.ratePerMinute, 'a rate limit'),
    },
  };
}

/** An http(s) URL within the length limit, as sent; anything else (javascript:, data:) throws. */
function httpUrl(value: unknown, what: string): string {
  if (typeof value !== 'string' || parseHttpUrl(value) === null) {
    fail(`The index sent ${what} that is not an http(s) address.`);
  }
  return value;
}

function parseLink(value: unknown, now: number): IndexLink {
  const v = asObject(value) ?? fail('The index sent a link that is not an object.');
  const anchor = text(v.anchor, MAX_ANCHOR_LENGTH, 'an anchor');
  if (!Array.isArray(v.rel) || v.rel.length > MAX_REL_TOKENS) {
    fail(`The index sent a rel list that is not a list of at most ${MAX_REL_TOKENS} tokens.`);
  }
  const rel = v.rel.map((t) => text(t, MAX_REL_TOKEN_LENGTH, 'a rel token'));
  if (v.region !== undefined && !LINK_REGIONS.includes(v.region as LinkRegion)) {
    fail('The index sent a link region this extension does not know.');
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
    fail('The index sent a link with impossible first or last seen times.');
  }
  if (typeof v.lost !== 'boolean') fail('The index sent a link without a lost flag.');
  return {
    source: httpUrl(v.source, 'a linking page'),
    target: httpUrl(v.target, 'a link target'),
    anchor,
    rel,
    ...(v.region !== undefined ? { region: v.region as LinkRegion } : {}),
    firstSeen,
    lastSeen,
    lost: v.lost,
  };
}

function parseSummary(value: unknown): IndexSummary {
  const v = asObject(value) ?? fail('The index sent an entry without a summary.');
  const authority = v.authority;
  if (
    authority !== undefined &&
    (typeof authority !== 'number' || !(authority >= 0 && authority <= 100))
  ) {
    fail('The index sent an authority outside 0 to 100.');
  }
  return {
    backlinks: count(v.backlinks, 'a backlink count'),
    referringDomains: count(v.referringDomains, 'a referring domain count'),
    referringPages: count(v.referringPages, 'a referring page count'),
    ...(authority !== undefined ? { authority: authority as number } : {}),
  };
}

function parseKey(value: unknown, kind: LookupKind): string {
  if (kind === 'url') {
    const key = httpUrl(value, 'a page key');
    // A key not in canonical form cannot be the one the client hashed.
    return canonicalizeUrl(key) === key
      ? key
      : fail('The index sent a page key not in canonical form.');
  }
  const key = text(value, MAX_DOMAIN_LENGTH, 'a site key');
  return DOMAIN_KEY.test(key) ? key : fail('The index sent a site key that is not a domain.');
}

function parseEntry(value: unknown, prefix: string, kind: LookupKind, now: number): IndexEntry {
  const v = asObject(value) ?? fail('The index sent an entry that is not an object.');
  if (typeof v.hash !== 'string' || !HASH.test(v.hash)) {
    fail('The index sent an entry whose hash is not a SHA-256 in hex.');
  }
  if (!v.hash.startsWith(prefix)) {
    fail(`The index sent an entry outside the bucket asked for (${prefix}).`);
  }
  const key = parseKey(v.key, kind);
  if (!Array.isArray(v.links) || v.links.length > MAX_LINKS_PER_ENTRY) {
    fail(`The index sent an entry with more than ${MAX_LINKS_PER_ENTRY} links, or none listed.`);
  }
  const links = v.links.map((l) => parseLink(l, now));
  // Links of a page entry all point at that page: anything else was not asked for.
  if (kind === 'url' && links.some((l) => canonicalizeUrl(l.target) !== key)) {
    fail('The index sent a link to another page than the entry it was listed under.');
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
  if (!isValidPrefix(prefix, 1, HASH_HEX_LENGTH)) fail(`"${prefix}" is not a hex prefix.`);
  const v = asObject(json) ?? fail('The index did not answer the lookup with an object.');
  if (v.kind !== kind) fail(`The index answered about ${JSON.stringify(v.kind)}, not ${kind}.`);
  if (v.prefix !== prefix) fail('The index answered about another prefix than the one asked.');
  if (!Array.isArray(v.entries)) fail('The index answered without a list of entries.');
  if (v.entries.length > MAX_ENTRIES) {
    fail(`The index sent ${v.entries.length} entries; at most ${MAX_ENTRIES} are accepted.`);
  }
  const entries = v.entries.map((e) => parseEntry(e, prefix, kind, now));
  if (new Set(entries.map((e) => e.hash)).size !== entries.length) {
    fail('The index sent the same entry twice.');
  }
  const next = v.next;
  if (next !== undefined && next !== null) {
    const cursor = text(next, MAX_CURSOR_LENGTH, 'a page cursor');
    if (!CURSOR.test(cursor)) fail('The index sent a page cursor with unexpected characters.');
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
