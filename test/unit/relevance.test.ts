import { describe, expect, it } from 'vitest';
import {
  CONTEXT_SHARE,
  idf,
  linkRelevance,
  NO_TERM_STATS,
  relevanceTo,
  type TermStats,
} from '../../src/core/relevance';

/** Four pages counted: coffee in 2, grinder in 1, espresso in 3; tax is not in the table. */
const STATS: TermStats = {
  pages: 4,
  df: new Map([
    ['coffee', 2],
    ['grinder', 1],
    ['espresso', 3],
  ]),
};
// By hand: idf = 1 + ln((1 + N) / (1 + df)).
const IDF = {
  coffee: 1 + Math.log(5 / 3),
  grinder: 1 + Math.log(5 / 2),
  espresso: 1 + Math.log(5 / 4),
  tax: 1 + Math.log(5 / 2), // not listed: df 1
};
const norm = (...xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));

describe('idf', () => {
  it('is 1 + ln((1 + N) / (1 + df)), a term left out of the table counting as df 1', () => {
    expect(idf(STATS, 'coffee')).toBeCloseTo(IDF.coffee, 12);
    expect(idf(STATS, 'espresso')).toBeCloseTo(IDF.espresso, 12);
    expect(idf(STATS, 'tax')).toBeCloseTo(IDF.tax, 12);
  });

  it('stays positive when a stale table says more pages than it counted', () => {
    expect(idf({ pages: 2, df: new Map([['x', 9]]) }, 'x')).toBe(1);
    expect(idf(NO_TERM_STATS, 'anything')).toBe(1);
  });
});

describe('linkRelevance', () => {
  // Target: coffee once, grinder e times (tf = 1 + ln e = 2).
  const target = { coffee: 1, grinder: Math.E };
  const t = { coffee: IDF.coffee, grinder: 2 * IDF.grinder };
  const tLength = norm(t.coffee, t.grinder);

  it('is the TF-IDF cosine of the source page and the target', () => {
    const source = { coffee: 1, tax: 1 };
    const expected = (IDF.coffee * t.coffee) / (norm(IDF.coffee, IDF.tax) * tLength);
    expect(Math.abs(linkRelevance(source, undefined, target, STATS)! - expected)).toBeLessThan(
      1e-9,
    );
  });

  it('mixes in the words around the link, weighted more than the page', () => {
    const source = { coffee: 1, tax: 1 };
    // Context: grinder twice (tf 1 + ln 2), espresso once; "the" and "of" are stop words.
    const context = 'the grinder of espresso grinder';
    const pLength = norm(IDF.coffee, IDF.tax);
    const c = { grinder: (1 + Math.log(2)) * IDF.grinder, espresso: IDF.espresso };
    const cLength = norm(c.grinder, c.espresso);
    const s = {
      coffee: ((1 - CONTEXT_SHARE) * IDF.coffee) / pLength,
      tax: ((1 - CONTEXT_SHARE) * IDF.tax) / pLength,
      grinder: (CONTEXT_SHARE * c.grinder) / cLength,
      espresso: (CONTEXT_SHARE * c.espresso) / cLength,
    };
    const expected =
      (s.coffee * t.coffee + s.grinder * t.grinder) /
      (norm(s.coffee, s.tax, s.grinder, s.espresso) * tLength);
    const got = linkRelevance(source, context, target, STATS)!;
    expect(Math.abs(got - expected)).toBeLessThan(1e-9);
    // The context about grinders lifts a page that only shares "coffee".
    expect(got).toBeGreaterThan(linkRelevance(source, undefined, target, STATS)!);
  });

  it('ranks a source on the same topic above an unrelated one', () => {
    const sameTopic = { coffee: 5, grinder: 3, burr: 2 };
    const unrelated = { taxes: 5, accountant: 3, coffee: 1 };
    const same = linkRelevance(sameTopic, 'our grinder pick', target, STATS)!;
    const other = linkRelevance(unrelated, 'file your taxes', target, STATS)!;
    expect(same).toBeGreaterThan(0.5);
    expect(other).toBeLessThan(0.2);
    expect(same).toBeGreaterThan(other);
  });

  it('is 1 for the same terms and 0 for no shared term', () => {
    expect(linkRelevance(target, undefined, target, STATS)).toBeCloseTo(1, 12);
    expect(linkRelevance({ tax: 3 }, 'accountant', target, STATS)).toBe(0);
  });

  it('is unknown (null), never 0, when either side has no terms', () => {
    expect(linkRelevance(undefined, undefined, target, STATS)).toBeNull();
    expect(linkRelevance({}, '', target, STATS)).toBeNull();
    expect(linkRelevance({ coffee: 1 }, 'coffee', undefined, STATS)).toBeNull();
    expect(linkRelevance({ coffee: 1 }, 'coffee', {}, STATS)).toBeNull();
    // The words around the link alone are enough on the source side.
    expect(linkRelevance(undefined, 'coffee grinder', target, STATS)).toBeGreaterThan(0.9);
  });

  it('is the plain cosine of the term frequencies before any document frequency is known', () => {
    const got = linkRelevance({ coffee: 1, tax: 1 }, undefined, { coffee: 1, grinder: 1 });
    expect(got).toBeCloseTo(0.5, 12);
  });
});

describe('relevanceTo', () => {
  it('scores many links into one target the same as one by one', () => {
    const target = { coffee: 3, grinder: 1 };
    const score = relevanceTo(target, STATS);
    const page = { coffee: 1, espresso: 2 };
    expect(score(page, 'grinder')).toBe(linkRelevance(page, 'grinder', target, STATS));
    expect(score(page, undefined)).toBe(linkRelevance(page, undefined, target, STATS));
    expect(relevanceTo(undefined)(page, 'x')).toBeNull();
  });
});
