/**
 * International domain names as people read them, the way browsers show them: a host's
 * punycode (xn--) labels decoded to Unicode unless the result could mislead, in which case the
 * encoded form stays. This module is in the popup's bundle, so it carries a small RFC 3492
 * decoder and a handful of regexes instead of a punycode package or the Public Suffix List.
 */

import { MAX_URL_LENGTH } from './limits';
import { parseHttpUrl } from './url';

export interface DisplayHost {
  /** What to show: the Unicode form, or the encoded one when the Unicode form is refused. */
  text: string;
  /** The canonical ASCII (punycode) form, as stored and as the hover title shows. */
  encoded: string;
  /** False when a label is invalid or could mislead and the encoded form is shown instead. */
  readable: boolean;
}

// RFC 3492 section 5 parameters for IDNA.
const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const MAX_INT = 0x7fffffff;

/** RFC 3492 section 6.1. */
function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  for (; d > ((BASE - TMIN) * TMAX) >> 1; k += BASE) d = Math.floor(d / (BASE - TMIN));
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW));
}

/** a-z → 0..25, 0-9 → 26..35, anything else → -1. */
function digitValue(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  if (code >= 0x30 && code <= 0x39) return code - 22;
  return -1;
}

/**
 * Decode the part of a label after "xn--" (RFC 3492 section 6.2); null when malformed.
 * Lower-case input only: hosts reach us lower-cased by the URL parser.
 */
export function decodePunycode(input: string): string | null {
  const delimiter = input.lastIndexOf('-');
  const output: number[] = [];
  for (let j = 0; j < delimiter; j++) {
    const code = input.charCodeAt(j);
    if (code >= 0x80) return null;
    output.push(code);
  }
  let n = 0x80;
  let bias = 72;
  let i = 0;
  for (let pos = delimiter > 0 ? delimiter + 1 : 0; pos < input.length;) {
    const oldI = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) return null;
      const digit = digitValue(input.charCodeAt(pos++));
      if (digit < 0 || digit > Math.floor((MAX_INT - i) / w)) return null;
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) return null;
      w *= BASE - t;
    }
    const length = output.length + 1;
    bias = adapt(i - oldI, length, oldI === 0);
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

/**
 * Scripts that UTS #31 (Table 4) recommends for identifiers. A letter of any other script
 * (historic or limited-use, e.g. Cherokee, Runic) keeps the label encoded, as in UTS #39's
 * restriction levels, which only admit Recommended scripts.
 */
const RECOMMENDED_SCRIPTS = [
  'Latin',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
  'Cyrillic',
  'Greek',
  'Arabic',
  'Armenian',
  'Bengali',
  'Devanagari',
  'Ethiopic',
  'Georgian',
  'Gujarati',
  'Gurmukhi',
  'Hebrew',
  'Kannada',
  'Khmer',
  'Lao',
  'Malayalam',
  'Myanmar',
  'Oriya',
  'Sinhala',
  'Tamil',
  'Telugu',
  'Thaana',
  'Thai',
  'Tibetan',
].map((name) => ({ name, test: new RegExp(`^\\p{Script=${name}}$`, 'u') }));

/** Digits, hyphens and combining marks belong to every script: they are left out of the mix. */
const COMMON_OR_INHERITED = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * A label may mix scripts only as one East Asian language writes: Latin with Han and kana,
 * with Han and Bopomofo, or with Han and Hangul. This is UTS #39's "highly restrictive" level,
 * which Chromium uses; "moderately restrictive" would also let Latin mix with, say, Arabic, but
 * then we would show names the address bar shows encoded.
 * https://www.unicode.org/reports/tr39/#Restriction_Level_Detection
 */
const ALLOWED_MIXES = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

function isAllowedMix(scripts: ReadonlySet<string>): boolean {
  return (
    scripts.size <= 1 || ALLOWED_MIXES.some((set) => [...scripts].every((s) => set.includes(s)))
  );
}

/**
 * Letters that pass for Latin ones, and the TLDs where a label made only of them is a real
 * word rather than a disguise: Chromium's whole-script confusable data for the two scripts.
 * https://source.chromium.org/chromium/chromium/src/+/main:components/url_formatter/spoof_checks/idn_spoof_checker.cc
 */
const WHOLE_SCRIPT_CONFUSABLES = [
  {
    script: 'Cyrillic',
    lookalikes: /^[аысԁеԍһіюкјӏорԗԛѕԝхуъьҽпгѵѡ]+$/u,
    tlds: ['bg', 'by', 'kz', 'pyc', 'ru', 'su', 'ua', 'uz'],
  },
  { script: 'Greek', lookalikes: /^[αικνρυωηοτ]+$/u, tlds: ['gr'] },
];

/**
 * Only letters, marks, decimal digits and the hyphen may appear (an approximation of UTS #39's
 * identifier profile): this refuses spaces, symbols and lookalike punctuation such as ⁄ or ．.
 */
const IDENTIFIER = /^[\p{L}\p{M}\p{Nd}-]+$/u;
/**
 * Invisible characters (e.g. the Hangul filler, a letter) and the IDNA 2008 deviation
 * characters ß, ς, ZWJ and ZWNJ, which older IDNA mapped to other names (UTS #46 section 4).
 */
const INVISIBLE_OR_DEVIATION = /[\p{Default_Ignorable_Code_Point}\u00df\u03c2]/u;

/** The script of a character, null for Common/Inherited, 'restricted' for non-Recommended. */
function scriptOf(char: string): string | null {
  if (COMMON_OR_INHERITED.test(char)) return null;
  return RECOMMENDED_SCRIPTS.find((s) => s.test.test(char))?.name ?? 'restricted';
}

/** The decoded label when it is valid and safe to show, else null. */
function readableLabel(label: string, tld: string): string | null {
  if (!label.startsWith('xn--')) return label;
  const text = decodePunycode(label.slice(4));
  // An A-label must decode to a lower-case NFC name with non-ASCII in it (RFC 5891 section 5.4).
  if (!text || /^\p{ASCII}*$/u.test(text) || text !== text.normalize('NFC')) return null;
  if (text !== text.toLowerCase() || /^\p{M}/u.test(text)) return null;
  if (!IDENTIFIER.test(text) || INVISIBLE_OR_DEVIATION.test(text)) return null;
  const scripts = new Set<string>();
  let letters = '';
  for (const char of text) {
    const script = scriptOf(char);
    if (script === 'restricted') return null;
    if (script) {
      scripts.add(script);
      letters += char;
    }
  }
  if (!isAllowedMix(scripts)) return null;
  const confusable = WHOLE_SCRIPT_CONFUSABLES.find((c) => scripts.has(c.script));
  if (scripts.size === 1 && confusable?.lookalikes.test(letters)) {
    // Under a TLD written in the same script, or one of the listed ones, it is taken as a word.
    const tldScripts = new Set([...tld].map(scriptOf));
    const tldInScript = tldScripts.size === 1 && tldScripts.has(confusable.script);
    if (!tldInScript && !confusable.tlds.includes(tld)) return null;
  }
  return text;
}

/**
 * How to show a host: Unicode where it reads true, the encoded form where any label is invalid
 * or could mislead (one bad label keeps the whole host encoded, as Chromium does).
 */
export function displayHost(host: string): DisplayHost {
  // Lower-case ASCII with no A-label: every label reads as it is (most hosts, with no work).
  if (PLAIN_HOST.test(host) && !host.includes('xn--')) {
    return { text: host, encoded: host, readable: true };
  }
  let encoded = host.toLowerCase();
  if (/\P{ASCII}/u.test(encoded)) {
    try {
      encoded = new URL(`http://${encoded}/`).hostname;
    } catch {
      return { text: host, encoded: host, readable: false };
    }
  }
  const labels = encoded.split('.');
  const lastLabel = labels.at(-1) || (labels.at(-2) ?? '');
  const tld = lastLabel.startsWith('xn--') ? (decodePunycode(lastLabel.slice(4)) ?? '') : lastLabel;
  const decoded = labels.map((label) => readableLabel(label, tld));
  if (decoded.some((label) => label === null)) return { text: encoded, encoded, readable: false };
  return { text: decoded.join('.'), encoded, readable: true };
}

/** Characters shown decoded in a path: letters, marks, numbers, connectors and dashes. */
const READABLE_CHAR = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}]$/u;
/** Runs of escaped bytes outside ASCII: the UTF-8 of a non-ASCII character. */
const NON_ASCII_ESCAPES = /(?:%[89a-f][0-9a-f])+/gi;

/**
 * Decode the escapes of non-ASCII UTF-8 for reading. ASCII escapes (%2F, %3F, %20, …) stay,
 * since decoding them would change what the URL says; so do invisible or space characters.
 */
function readablePath(path: string): string {
  return path.replace(NON_ASCII_ESCAPES, (run) => {
    let text: string;
    try {
      text = decodeURIComponent(run);
    } catch {
      return run; // not valid UTF-8: show the bytes as they are
    }
    return [...text].map((c) => (READABLE_CHAR.test(c) ? c : encodeURIComponent(c))).join('');
  });
}

/**
 * A URL as an address bar shows it: host in Unicode (when safe, see displayHost) and
 * non-ASCII path and query characters decoded. Only for display: keys stay encoded.
 */
export function displayUrl(url: string): string {
  return displayHttpUrl(url) ?? url;
}

/** A host displayHost shows as it is, unless it has an A-label (xn--). */
const PLAIN_HOST = /^[a-z0-9.-]+$/;

/**
 * An http(s) URL that the URL parser gives back as it is and that shows as it is: a lower-case
 * host of named labels (no port, no A-label, not an IPv4 address), a path, and only characters
 * the parser neither encodes nor decodes, with no escape, no dot segment and no empty query or
 * fragment (the parser keeps their mark, which the display leaves out). Most stored
 * sources are: the popup's 150 rows parsed theirs for display, a seventh of the rows' render
 * (CPU profile, 100k hot popup, s23).
 */
const PLAIN_HTTP_URL =
  /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\.?\/[A-Za-z0-9\-._~/?#&=+,;:@!$*()]*$/;

const isPlainHttpUrl = (url: string): boolean =>
  url.length <= MAX_URL_LENGTH &&
  PLAIN_HTTP_URL.test(url) &&
  !url.includes('xn--') &&
  !url.includes('/.') &&
  !/\?(?:#|$)|#$/.test(url);

/** URLs as displayHttpUrl shows them: a row shows its source twice, and again on each render. */
const shownUrls = new Map<string, string | null>();
/** URLs kept shown at most: a popup shows 150 sources, a report's table pages of 200. */
const URLS_KEPT = 2_000;

/** displayUrl's text for an http(s) URL, null for anything else (which is no link). */
export function displayHttpUrl(url: string): string | null {
  let shown = shownUrls.get(url);
  if (shown === undefined) {
    if (isPlainHttpUrl(url)) shown = url;
    else {
      const parsed = parseHttpUrl(url);
      shown =
        parsed &&
        `${parsed.protocol}//${displayHost(parsed.hostname).text}${portOf(parsed)}${restOf(parsed)}`;
    }
    if (shownUrls.size >= URLS_KEPT) shownUrls.clear();
    shownUrls.set(url, shown);
  }
  return shown;
}

const portOf = (url: URL) => (url.port ? `:${url.port}` : '');
const restOf = (url: URL) => readablePath(url.pathname + url.search + url.hash);

/**
 * A page of a site as the site's table names it: its path and query, after its host only when
 * that is not the site's own name (a www. or blog. subdomain). Every row's target is on the one
 * site, so "http://coffee-blog.test/" before each path only squeezed the paths apart.
 */
export function displaySitePath(url: string, siteDomain: string): string {
  const parsed = parseHttpUrl(url);
  if (!parsed) return url;
  if (parsed.hostname === siteDomain && !parsed.port) return restOf(parsed);
  return `${displayHost(parsed.hostname).text}${portOf(parsed)}${restOf(parsed)}`;
}
