import { describe, expect, it } from 'vitest';
import { countWords, forEachTerm, isTerm, termOf } from '../../src/core/terms';
import { seededRandom } from '../bench/random';

/** The terms and word count of `text` as the plain regular-expression reading gives them. */
function byRegex(text: string): { terms: string[]; words: number } {
  const terms: string[] = [];
  let words = 0;
  for (const [token] of text.matchAll(/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu)) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u.test(token)) {
      const chars = Array.from(token.toLowerCase());
      const grams = chars.length === 1 ? chars : chars.slice(1).map((c, i) => chars[i]! + c);
      words += grams.length;
      terms.push(...grams.filter((g) => /\p{L}/u.test(g)));
      continue;
    }
    words++;
    const term = termOf(token);
    if (term !== null) terms.push(term);
  }
  return { terms, words };
}

function termsOf(text: string): { terms: string[]; words: number } {
  const terms: string[] = [];
  let words = 0;
  forEachTerm(
    text,
    (t) => void terms.push(t),
    () => void words++,
  );
  return { terms, words };
}

const PIECES = [
  'Coffee',
  'brewing',
  'the',
  'AND',
  "don't",
  'don’t',
  "rock'n'roll",
  "it's42",
  "ab'1",
  "'quoted'",
  'x',
  'ab',
  'abc',
  'v2',
  '2024',
  'über',
  'café',
  'e\u0301te\u0301',
  '東京タワー',
  'ไทย',
  'a'.repeat(40),
  'word-word',
  'x.y,z;',
  '(espresso)',
  '¹²',
  '\u00a0',
  ' ',
  '\n\t',
  "'",
  '’',
  '"',
  '-',
];

describe('forEachTerm and countWords', () => {
  it('read ASCII text as the regular expressions do', () => {
    const text = "Don't  brew THE coffee's 42 v2 rock'n'roll ab'1 x'y 'quoted' it's42 hello-world";
    expect(termsOf(text)).toEqual(byRegex(text));
    expect(countWords(text)).toBe(byRegex(text).words);
  });

  it('agree with the regular expressions on random mixed text', () => {
    const random = seededRandom(6);
    for (let n = 0; n < 2000; n++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(random() * 12);
      for (let i = 0; i < count; i++) {
        parts.push(PIECES[Math.floor(random() * PIECES.length)]!);
        // Glued or spaced: tokens that touch across pieces are the hard cases.
        if (random() < 0.5) parts.push(random() < 0.8 ? ' ' : '\n');
      }
      const text = parts.join('');
      const expected = byRegex(text);
      expect(termsOf(text), JSON.stringify(text)).toEqual(expected);
      expect(countWords(text), JSON.stringify(text)).toBe(expected.words);
    }
  });

  it('stops as soon as a callback says so', () => {
    const seen: string[] = [];
    expect(forEachTerm('alpha beta gamma', (t) => seen.push(t) < 2)).toBe(false);
    expect(seen).toEqual(['alpha', 'beta']);
    let words = 0;
    expect(
      forEachTerm(
        'a b c d',
        () => true,
        () => ++words < 3,
      ),
    ).toBe(false);
    expect(words).toBe(3);
  });

  it('keeps isTerm as it was', () => {
    expect(isTerm('coffee')).toBe(true);
    expect(isTerm('the')).toBe(false);
    expect(isTerm('東京')).toBe(true);
    expect(isTerm('two words')).toBe(false);
  });
});
