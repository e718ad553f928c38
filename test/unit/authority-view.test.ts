import { describe, expect, it } from 'vitest';
import { authorityLabel, freshnessLabel } from '../../src/core/authority-view';
import { T0 } from './helpers';

describe('freshnessLabel', () => {
  it.each([
    [null, 'not computed yet'],
    [T0, 'computed just now'],
    [T0 - 59_000, 'computed just now'],
    [T0 - 5 * 60_000, 'computed 5 min ago'],
    [T0 - 3 * 3_600_000 - 1, 'computed 3 h ago'],
    [T0 - 86_400_000, 'computed 1 day ago'],
    [T0 - 9 * 86_400_000, 'computed 9 days ago'],
    // A clock that went back reads as fresh, not as negative time.
    [T0 + 60_000, 'computed just now'],
  ])('computed at %s reads "%s"', (computedAt, label) => {
    expect(freshnessLabel(computedAt, T0)).toBe(label);
  });
});

describe('authorityLabel', () => {
  it('shows a whole number', () => {
    expect(authorityLabel(41.6)).toBe('42');
    expect(authorityLabel(0)).toBe('0');
  });
});
