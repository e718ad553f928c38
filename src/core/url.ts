import { MAX_URL_LENGTH } from './limits';
import { isSecretParam, isSecretPath, stripPathSecrets } from './secrets';

/**
 * Query parameters that only track the click, never change what the page is.
 * Matched case-insensitively; entries ending in '_' are prefixes.
 */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'ttclid',
  'twclid',
  'li_fat_id',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  'rb_clickid',
  's_cid',
  'srsltid',
  'ref_src',
  'ref_url',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'hsa_'];

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** A query parameter's name, decoded and lower-cased, for matching against the lists. */
function paramName(rawKey: string): string {
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return rawKey.toLowerCase();
  }
}

function isTrackingParam(key: string): boolean {
  return TRACKING_PARAMS.has(key) || TRACKING_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * Decode escapes of unreserved characters, upper-case the hex of the rest (RFC 3986 6.2.2). A hex
 * digit stays escaped after a lone "%" (and its one hex digit): decoded, "%a%41" would read
 * "%aA", an escape of another character the next time, so the same URL would canonicalize twice
 * to two keys.
 */
function normalizePercentEncoding(part: string): string {
  let out = '';
  let from = 0;
  for (const m of part.matchAll(/%([0-9a-fA-F]{2})/g)) {
    out += part.slice(from, m.index);
    from = m.index + 3;
    const hex = m[1]!;
    const ch = String.fromCharCode(parseInt(hex, 16));
    const decode = UNRESERVED.test(ch) && !(HEX_DIGIT.test(ch) && LONE_PERCENT.test(out));
    out += decode ? ch : `%${hex.toUpperCase()}`;
  }
  return out + part.slice(from);
}
const HEX_DIGIT = /^[0-9a-fA-F]$/;
/** Output ending in a "%" that no escape follows yet, maybe with one hex digit after it. */
const LONE_PERCENT = /%[0-9a-fA-F]?$/;

/** The query without tracking parameters and secrets (core/secrets.ts), escapes normalized. */
function cleanQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = paramName(eq === -1 ? pair : pair.slice(0, eq));
      return { pair, key, value: eq === -1 ? '' : pair.slice(eq + 1) };
    });
  const keys = new Set(pairs.map((p) => p.key));
  const kept = pairs
    .filter(({ key, value }) => !isTrackingParam(key) && !isSecretParam(key, value, keys))
    .map(({ pair }) => normalizePercentEncoding(pair));
  return kept.length ? `?${kept.join('&')}` : '';
}

/**
 * Leading and trailing C0 controls and spaces: what the URL parser itself strips. Not
 * String#trim, which also strips Unicode spaces the parser keeps (a path ending in U+00A0 is
 * another URL, and the tab shows it as %C2%A0). https://url.spec.whatwg.org/#concept-basic-url-parser
 */
// eslint-disable-next-line no-control-regex -- the parser's rule is about C0 controls
const URL_EDGE_SPACE = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;

export function stripUrlEdges(input: string): string {
  return input.replace(URL_EDGE_SPACE, '');
}

/** Parse as an http(s) URL, optionally against a base; null for anything else. */
export function parseHttpUrl(input: string, base?: string): URL | null {
  if (typeof input !== 'string' || input.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    const trimmed = stripUrlEdges(input);
    url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url;
}

/**
 * Whether `input` is an http(s) address whose path is itself a secret (core/secrets.ts): one
 * canonicalizeUrl refuses for that, not for being no web address.
 */
export function isSecretAddress(input: string): boolean {
  const url = parseHttpUrl(input);
  return url !== null && isSecretPath(url.pathname);
}

/**
 * The one canonical form of a URL, used as the key everywhere. WHATWG URL parsing already
 * lower-cases scheme and host, converts IDN to punycode, drops default ports and resolves
 * dot segments; on top of that we drop the fragment and credentials, strip a trailing dot
 * from the host, normalize percent-encoding and remove tracking parameters and secrets.
 * Returns null for anything that is not a usable http(s) URL, and for one whose path is a
 * secret (core/secrets.ts): such a URL is never recorded.
 */
export function canonicalizeUrl(input: string, base?: string): string | null {
  const url = parseHttpUrl(input, base);
  if (!url) return null;
  const host = url.hostname.replace(/\.+$/, '');
  if (!host) return null;
  const port = url.port ? `:${url.port}` : '';
  if (isSecretPath(url.pathname)) return null;
  const path = normalizePercentEncoding(stripPathSecrets(url.pathname || '/'));
  const canonical = `${url.protocol}//${host}${port}${path}${cleanQuery(url.search)}`;
  // A short relative href can resolve against a long base into an address over the limit.
  return canonical.length > MAX_URL_LENGTH ? null : canonical;
}

/**
 * A page's address as a screen may show and keep it (in its own address, its title): the
 * canonical form, without secrets and trackers; '' for one whose path is a secret. Not
 * http(s): as given (nothing is kept for it, and it names no page on the web).
 */
export function shareableUrl(input: string): string {
  return canonicalizeUrl(input) ?? (parseHttpUrl(input) ? '' : input);
}

/** Hostname of a canonical URL (no port). */
export function hostOf(canonicalUrl: string): string {
  return new URL(canonicalUrl).hostname;
}

export function isHttpUrl(value: string): boolean {
  return parseHttpUrl(value) !== null;
}

/**
 * An untrusted field (a file, storage) read as a canonical URL: null when it is not a string,
 * is over the length limit (refused, never cut), is not http(s) or carries a secret path.
 */
export function asCanonicalUrl(value: unknown): string | null {
  return typeof value === 'string' ? canonicalizeUrl(value) : null;
}
