import { describe, expect, it } from 'vitest';
import { countLabel, plural } from '../../src/core/format';

describe('countLabel', () => {
  it.each([
    [0, '0 links'],
    [1, '1 link'],
    [2, '2 links'],
    [21, '21 links'],
    [1.5, '1.5 links'],
  ])('%d → %s', (n, text) => {
    expect(countLabel(n, 'link', 'links')).toBe(text);
  });

  it('puts the count before phrases', () => {
    expect(countLabel(1, 'more referring domain', 'more referring domains')).toBe(
      '1 more referring domain',
    );
    expect(countLabel(3, 'live link', 'live links')).toBe('3 live links');
  });
});

describe('plural', () => {
  it('picks the word form without the number', () => {
    expect(plural(1, 'other site', 'other sites')).toBe('other site');
    expect(plural(0, 'other site', 'other sites')).toBe('other sites');
  });
});
