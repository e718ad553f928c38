import { describe, expect, it } from 'vitest';
import { csvCell, isoOrEmpty, toCsv } from '../../src/core/csv';

describe('isoOrEmpty', () => {
  it('writes a time as ISO 8601', () => {
    expect(isoOrEmpty(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02T03:04:05.000Z');
  });

  it.each([
    ['no time', null],
    ['a time no Date holds', 1e20],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('writes an empty cell for %s, without throwing', (_label, time) => {
    expect(isoOrEmpty(time)).toBe('');
  });
});

describe('toCsv', () => {
  it('quotes, defuses formulas and ends lines with CRLF', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n');
  });
});
