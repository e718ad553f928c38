import { afterEach, describe, expect, it } from 'vitest';
import { countsText, formatBytes, usageText } from '../../src/core/storage-view';
import { useLocale } from '../support/i18n-setup';

afterEach(() => useLocale('en'));

describe('formatBytes', () => {
  it('uses the largest unit under 1,024, one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1,023 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
    expect(formatBytes(3.2 * 1024 ** 3)).toBe('3.2 GB');
  });

  it('writes numbers the way the UI language does', () => {
    useLocale('de');
    expect(formatBytes(1023)).toBe('1.023 Byte');
    expect(formatBytes(1536)).toBe('1,5 KB');
    expect(usageText({ usage: 512 * 1024 ** 2, quota: 1024 ** 3 })).toBe(
      '512 MB auf dem Datenträger belegt, von 1,0 GB, die der Browser erlaubt (50 %).',
    );
  });
});

describe('usageText', () => {
  it('gives the share of the quota, and says when the browser does not tell', () => {
    expect(usageText({ usage: 512 * 1024 ** 2, quota: 1024 ** 3 })).toBe(
      '512 MB used on disk, of 1.0 GB the browser allows (50%).',
    );
    expect(usageText({ usage: 2048, quota: null })).toBe('2.0 KB used on disk.');
    expect(usageText({ usage: null, quota: null })).toBe(
      'This browser does not say how much space is used.',
    );
  });
});

describe('countsText', () => {
  it('counts pages and links in words', () => {
    expect(countsText({ pages: 1, links: 2 })).toBe('1 page and 2 links stored.');
    expect(countsText({ pages: 1200, links: 1 })).toBe('1,200 pages and 1 link stored.');
  });
});
