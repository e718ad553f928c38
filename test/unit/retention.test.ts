import { describe, expect, it } from 'vitest';
import {
  alertText,
  asRetention,
  isCurrentAlert,
  isExpired,
  isQuotaError,
  linksOverCap,
  parseStorageAlert,
  pruneText,
  quotaPruneCount,
  retentionCutoff,
} from '../../src/core/retention';
import { at, DAY, makeLink } from './helpers';

describe('retentionCutoff', () => {
  it('goes back whole calendar months, and not at all when pages are kept forever', () => {
    const now = Date.UTC(2025, 2, 15, 10);
    expect(retentionCutoff(now, 12)).toBe(Date.UTC(2024, 2, 15, 10));
    expect(retentionCutoff(now, 3)).toBe(Date.UTC(2024, 11, 15, 10));
    expect(retentionCutoff(now, 'forever')).toBeNull();
  });

  it('expires a page last seen before the cutoff, and none without a cutoff', () => {
    const cutoff = at(100);
    expect(isExpired(at(99), cutoff)).toBe(true);
    expect(isExpired(cutoff, cutoff)).toBe(false);
    expect(isExpired(at(0), null)).toBe(false);
  });
});

describe('asRetention', () => {
  it('keeps a listed choice and defaults anything else to a year', () => {
    expect(asRetention(3)).toBe(3);
    expect(asRetention('forever')).toBe('forever');
    expect(asRetention(7)).toBe(12);
    expect(asRetention('12')).toBe(12);
    expect(asRetention(undefined)).toBe(12);
  });
});

describe('linksOverCap', () => {
  const src = 'https://src.com/';
  it('deletes nothing under the cap', () => {
    const links = [makeLink(src, 'https://a.com/'), makeLink(src, 'https://b.com/')];
    expect(linksOverCap(links, 2)).toEqual([]);
  });

  it('deletes the longest-lost links first, then the live ones seen longest ago', () => {
    const live = makeLink(src, 'https://live.com/', { lastSeen: at(10) });
    const staleLive = makeLink(src, 'https://stale.com/', { lastSeen: at(2) });
    const lostEarly = makeLink(src, 'https://early.com/', { lastSeen: at(1), lostAt: at(3) });
    const lostLate = makeLink(src, 'https://late.com/', { lastSeen: at(1), lostAt: at(9) });
    const all = [live, lostLate, staleLive, lostEarly];
    expect(linksOverCap(all, 3)).toEqual([lostEarly]);
    expect(linksOverCap(all, 2)).toEqual([lostEarly, lostLate]);
    expect(linksOverCap(all, 1)).toEqual([lostEarly, lostLate, staleLive]);
  });
});

describe('quota', () => {
  it('recognises a QuotaExceededError however it is wrapped', () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new Error('aborted', { cause: quota }))).toBe(true);
    expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });

  it('prunes 5% of the pages for room, at least 50, never more than there are', () => {
    expect(quotaPruneCount(10_000)).toBe(500);
    expect(quotaPruneCount(200)).toBe(50);
    expect(quotaPruneCount(20)).toBe(20);
  });
});

describe('storage alerts', () => {
  it('parses a stored alert and refuses a malformed one', () => {
    expect(parseStorageAlert({ kind: 'pruned', at: at(1), removed: 3 })).toEqual({
      kind: 'pruned',
      at: at(1),
      removed: 3,
    });
    expect(parseStorageAlert({ kind: 'pruned', removed: 3 })).toBeNull();
    expect(parseStorageAlert('full')).toBeNull();
  });

  it('keeps a pruned alert for a week and a full one until it is lifted', () => {
    const pruned = { kind: 'pruned' as const, at: at(0), removed: 3 };
    expect(isCurrentAlert(pruned, at(0) + 6 * DAY)).toBe(true);
    expect(isCurrentAlert(pruned, at(0) + 8 * DAY)).toBe(false);
    expect(isCurrentAlert({ ...pruned, kind: 'full' }, at(0) + 80 * DAY)).toBe(true);
    expect(isCurrentAlert(null, at(0))).toBe(false);
  });

  it('says what was deleted, and whether recording goes on', () => {
    expect(alertText({ kind: 'pruned', at: at(0), removed: 1200 })).toBe(
      'Storage was full: Backlink Lens deleted the 1,200 pages not visited for longest to keep recording.',
    );
    expect(alertText({ kind: 'full', at: at(0), removed: 1 })).toMatch(
      /^Storage is full: new pages are not recorded\. .*1 page not/,
    );
  });

  it('describes a prune in words', () => {
    expect(pruneText(0, 12)).toBe('Nothing to delete: every page was visited in the last 1 year.');
    expect(pruneText(2, 24)).toBe(
      'Deleted 2 pages not visited in the last 2 years, with their links.',
    );
    expect(pruneText(0, 'forever')).toBe('Pages are kept forever: nothing was deleted.');
  });
});
