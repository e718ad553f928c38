/**
 * Words as topical terms: one tokenizer and one stop-word list for what the content script
 * captures (core/capture.ts), what message parsing and import accept (core/snapshot.ts,
 * core/transfer.ts) and what relevance compares (core/relevance.ts). Pure, no DOM.
 */
import type { PageTerms } from './types';

/** Terms kept per page, the heaviest first: enough to tell a topic, small enough to store. */
export const MAX_PAGE_TERMS = 40;
/** Longer tokens are ids, hashes or glued-together text, not words. */
export const MAX_TERM_LENGTH = 32;
/** Shorter tokens (a, of, 42, en) say nothing about a topic; CJK bigrams are the exception. */
const MIN_TERM_LENGTH = 3;
/** A term's weight is at most this (a page repeating one word 100,000 times gains nothing). */
export const MAX_TERM_WEIGHT = 10_000;

/**
 * A compact stop-word list: the English function words, and the commonest ones of German,
 * French, Spanish, Italian, Portuguese and Dutch. Words of one or two letters are dropped by
 * length anyway, so they are not listed.
 */
const STOP_WORDS = new Set(
  // English
  (
    'the and for are but not you all any can had her was one our out has him his how its may ' +
    'new now old see two way who did get let put say she too use than that this with from have ' +
    'they will your what when were been more some such them then there these those into also ' +
    'just like only over very would could should about after again their which while where ' +
    'being other each most much many both here does doing done because before between below ' +
    'above under during through until without within upon off own same why whom whose yours ' +
    'ours theirs myself itself himself herself themselves ourselves yourself cannot can’t ' +
    'isn aren wasn weren hasn haven hadn doesn didn won wouldn shouldn couldn mustn don ' +
    'yes via per etc even ever every still yet well back make made much must might shall ' +
    'any anyone anything something nothing everything someone everyone thing things ' +
    'get got getting go goes going gone come came comes take took know knew want way ' +
    'read click here more less next previous share posted post comments comment reply ' +
    // German
    'der die das den dem des ein eine einer eines einem einen und oder aber nicht mit von ' +
    'auf für ist sind war wie auch als bei nach aus zum zur sich noch nur über unter wird ' +
    'werden wurde kann können hat haben sein ihr ihre ich wir sie dass wenn dann doch ' +
    // French
    'les des une est pas pour que qui dans sur avec par plus son ses aux ont été sont mais ' +
    'comme tout nous vous ils elle leur cette ces aussi être avoir fait très sans ' +
    // Spanish
    'los las del una por con para como pero más sus fue son sin sobre este esta entre ' +
    'cuando todo también hay muy ser está han desde ' +
    // Italian
    'della delle degli dei del gli che non per una sono alla nel nella come anche più suo ' +
    'sua dal dalla questo questa essere stato tra ' +
    // Portuguese
    'não uma com para por mais dos das foi são como mas seu sua isso este esta pelo pela ' +
    'entre quando muito também ' +
    // Dutch
    'het een van en dat die niet zijn voor met wordt ook aan als bij door naar maar nog ' +
    'wel kan dit om uit tot hun zij worden'
  ).split(/\s+/),
);

/** Letters (any script), their marks and digits; an apostrophe tail (’s, n't) is dropped. */
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const HAS_LETTER = /\p{L}/u;
/** Scripts written without spaces between words: a run of them is cut into bigrams. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** The term a raw token stands for, or null when it says nothing about a topic. */
export function termOf(token: string): string | null {
  const cut = token.search(/['’]/);
  const word = (cut === -1 ? token : token.slice(0, cut)).toLowerCase();
  if (word.length < MIN_TERM_LENGTH || word.length > MAX_TERM_LENGTH) return null;
  if (!HAS_LETTER.test(word) || STOP_WORDS.has(word)) return null;
  return word;
}

/**
 * Call `onTerm` for each term of `text` in order; `onWord` (if given) for each word, terms or
 * not. A run of Chinese or Japanese characters has no spaces to split on: it yields its
 * overlapping bigrams, the usual cheap stand-in for word segmentation.
 * Returns false as soon as a callback does (the caller has enough).
 */
export function forEachTerm(
  text: string,
  onTerm: (term: string) => boolean | void,
  onWord?: () => boolean | void,
): boolean {
  // No token spans an ASCII space, so the text is read a space-free chunk at a time: an ASCII
  // chunk by character codes, the rest by the regular expressions (the content script reads
  // 15,000 characters of a page this way; the expressions took most of that time).
  for (let start = 0; start < text.length;) {
    while (start < text.length && isAsciiSpace(text.charCodeAt(start))) start++;
    let end = start;
    let ascii = true;
    for (let c: number; end < text.length && !isAsciiSpace((c = text.charCodeAt(end))); end++) {
      if (c > 127) ascii = false;
    }
    if (start === end) break;
    const goOn = ascii
      ? asciiTerms(text, start, end, onTerm, onWord)
      : regexTerms(text.slice(start, end), onTerm, onWord);
    if (!goOn) return false;
    start = end;
  }
  return true;
}

const isAsciiSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isAsciiLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const APOSTROPHE = 39;

/**
 * Where the token starting at `i` ends, in ASCII text: letters and digits, then any number of
 * an apostrophe and letters (what TOKEN matches there).
 */
function asciiTokenEnd(text: string, i: number, end: number): number {
  while (i < end && (isAsciiLetter(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)))) i++;
  while (
    i + 1 < end &&
    text.charCodeAt(i) === APOSTROPHE &&
    isAsciiLetter(text.charCodeAt(i + 1))
  ) {
    i += 2;
    while (i < end && isAsciiLetter(text.charCodeAt(i))) i++;
  }
  return i;
}

/** forEachTerm over text[start, end), all of it ASCII: what termOf keeps, without a regex. */
function asciiTerms(
  text: string,
  start: number,
  end: number,
  onTerm: (term: string) => boolean | void,
  onWord?: () => boolean | void,
): boolean {
  for (let i = start; i < end;) {
    const c = text.charCodeAt(i);
    if (!isAsciiLetter(c) && !isDigit(c)) {
      i++;
      continue;
    }
    const tokenEnd = asciiTokenEnd(text, i, end);
    if (onWord?.() === false) return false;
    // The word is the token up to its apostrophe; it needs a letter and a length in bounds.
    let wordEnd = i;
    let letter = false;
    while (wordEnd < tokenEnd && text.charCodeAt(wordEnd) !== APOSTROPHE) {
      letter ||= isAsciiLetter(text.charCodeAt(wordEnd));
      wordEnd++;
    }
    const length = wordEnd - i;
    if (letter && length >= MIN_TERM_LENGTH && length <= MAX_TERM_LENGTH) {
      const word = text.slice(i, wordEnd).toLowerCase();
      if (!STOP_WORDS.has(word) && onTerm(word) === false) return false;
    }
    i = tokenEnd;
  }
  return true;
}

/** forEachTerm for text of any script, by the regular expressions. */
function regexTerms(
  text: string,
  onTerm: (term: string) => boolean | void,
  onWord?: () => boolean | void,
): boolean {
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    if (UNSPACED.test(token)) {
      const chars = Array.from(token.toLowerCase());
      const grams = chars.length === 1 ? chars : chars.slice(1).map((c, i) => `${chars[i]!}${c}`);
      for (const gram of grams) {
        if (onWord?.() === false) return false;
        if (HAS_LETTER.test(gram) && onTerm(gram) === false) return false;
      }
      continue;
    }
    if (onWord?.() === false) return false;
    const term = termOf(token);
    if (term !== null && onTerm(term) === false) return false;
  }
  return true;
}

/** Words in `text`, as forEachTerm counts them (a CJK run as its bigrams), without the terms. */
export function countWords(text: string): number {
  // ASCII text by character codes: the content script counts up to 3,000 words of every page.
  let count = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c > 127) return regexWordCount(text);
    if (!isAsciiLetter(c) && !isDigit(c)) {
      i++;
      continue;
    }
    // A letter of another script after it would have continued the token: the check above
    // sends the whole text to the regular expression then.
    i = asciiTokenEnd(text, i, text.length);
    count++;
  }
  return count;
}

function regexWordCount(text: string): number {
  let count = 0;
  for (const m of text.matchAll(TOKEN)) {
    count += UNSPACED.test(m[0]) ? Math.max(1, Array.from(m[0]).length - 1) : 1;
  }
  return count;
}

/** Each term of `text` with how often it occurs. */
export function countTerms(text: string, into = new Map<string, number>()): Map<string, number> {
  forEachTerm(text, (t) => void into.set(t, (into.get(t) ?? 0) + 1));
  return into;
}

/** The `max` heaviest terms (ties by term, so the result does not depend on insertion order). */
export function topTerms(weights: ReadonlyMap<string, number>, max = MAX_PAGE_TERMS): PageTerms {
  const top = [...weights]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, max);
  const out: PageTerms = {};
  for (const [term, weight] of top) out[term] = Math.min(weight, MAX_TERM_WEIGHT);
  return out;
}

/** True for a string that is one term as termOf or a CJK bigram makes it. */
export function isTerm(value: string): boolean {
  if (value.length > MAX_TERM_LENGTH) return false;
  let only: string | null = null;
  let count = 0;
  forEachTerm(value, (t) => {
    only = t;
    return ++count < 2;
  });
  return count === 1 && only === value;
}
