import { describe, expect, it } from 'vitest';
import {
  coerceSettings,
  isExcludedUrl,
  MAX_FOLD_PATHS,
  MAX_FOLD_SITES,
  MAX_RELATED_PAGES,
  normalizeSitePattern,
  siteToExclude,
  isAddressSite,
  shouldRecord,
  withMarkedPages,
  withRelatedPage,
} from '../../src/core/settings';
import { DEFAULT_SETTINGS, type Settings } from '../../src/core/types';

describe('normalizeSitePattern', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  Example.COM  ', 'example.com'],
    ['https://www.Example.com/path?q=1#x', 'www.example.com'],
    ['http://user:pw@shop.example.com:8080/', 'shop.example.com'],
    ['*.example.com', 'example.com'],
    ['example.com.', 'example.com'],
    ['example.com:8443', 'example.com'],
    ['example.com/some/path', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['localhost', 'localhost'],
    ['192.168.1.10', '192.168.1.10'],
    ['my_host.example.com', 'my_host.example.com'],
    ['http://[::1]:8080/', '[::1]'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeSitePattern(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    '*.',
    'not a site',
    'http://',
    'ftp://example.com',
    'javascript:alert(1)',
    'chrome://extensions',
    'exa mple.com',
    'http://[::1',
    '*',
    'ex*mple.com',
    // Node's parser refuses a space in a host; Chromium's keeps it as %20, and "!" in both.
    'not-a-site!!',
    'exa%20mple.com',
    'shop$.example.com',
  ])('rejects %j', (input) => {
    expect(normalizeSitePattern(input)).toBeNull();
  });
});

describe('siteToExclude', () => {
  it.each([
    ['https://www.Blog3.test/x', 'blog3.test'],
    ['www.example.co.uk', 'example.co.uk'],
    ['blog3.test', 'blog3.test'],
    ['www.localhost', 'www.localhost'],
    ['www2.example.com', 'www2.example.com'],
    ['shop.www.example.com', 'shop.www.example.com'],
    ['not a site', null],
  ])('%j -> %j', (input, expected) => {
    expect(siteToExclude(input)).toBe(expected);
  });
});

describe('isAddressSite', () => {
  it.each([
    ['192.0.2.7', true],
    ['[::1]', true],
    ['example.com', false],
    ['1.2.3.example', false],
    ['localhost', false],
  ])('%j -> %j', (site, expected) => {
    expect(isAddressSite(site)).toBe(expected);
  });
});

describe('isExcludedUrl', () => {
  const sites = ['example.com', 'private.org'];

  it('matches the site itself and its subdomains', () => {
    expect(isExcludedUrl('https://example.com/', sites)).toBe(true);
    expect(isExcludedUrl('http://www.example.com/a?b', sites)).toBe(true);
    expect(isExcludedUrl('https://a.b.c.example.com:8443/', sites)).toBe(true);
    expect(isExcludedUrl('https://EXAMPLE.com./x', sites)).toBe(true);
    expect(isExcludedUrl('https://mail.private.org/', sites)).toBe(true);
  });

  it('does not match hosts that merely end with the same letters or contain the site', () => {
    expect(isExcludedUrl('https://notexample.com/', sites)).toBe(false);
    expect(isExcludedUrl('https://example.com.evil.net/', sites)).toBe(false);
    expect(isExcludedUrl('https://evil.net/?u=https://example.com/', sites)).toBe(false);
    expect(isExcludedUrl('https://example.co/', sites)).toBe(false);
  });

  it('matches a subdomain entry but not its parent', () => {
    expect(isExcludedUrl('https://example.com/', ['shop.example.com'])).toBe(false);
    expect(isExcludedUrl('https://shop.example.com/', ['shop.example.com'])).toBe(true);
  });

  it('is false for non-http URLs and for an empty list', () => {
    expect(isExcludedUrl('ftp://example.com/', sites)).toBe(false);
    expect(isExcludedUrl('garbage', sites)).toBe(false);
    expect(isExcludedUrl('https://example.com/', [])).toBe(false);
  });
});

describe('shouldRecord', () => {
  const on: Settings = {
    paused: false,
    excludedSites: ['excluded.com'],
    folds: {},
    relatedPages: [],
    retentionMonths: 12,
  };

  it('records an ordinary http(s) page', () => {
    expect(shouldRecord('https://news.example/a', on, { incognito: false })).toEqual({
      record: true,
    });
    expect(shouldRecord('http://news.example/a', on, { incognito: false })).toEqual({
      record: true,
    });
  });

  it('never records incognito tabs, whatever else holds', () => {
    expect(shouldRecord('https://news.example/a', on, { incognito: true })).toEqual({
      record: false,
      reason: 'incognito',
    });
    expect(
      shouldRecord('https://excluded.com/', { ...on, paused: true }, { incognito: true }),
    ).toEqual({ record: false, reason: 'incognito' });
  });

  it('does not record while paused', () => {
    expect(
      shouldRecord('https://news.example/a', { ...on, paused: true }, { incognito: false }),
    ).toEqual({
      record: false,
      reason: 'paused',
    });
  });

  it('does not record excluded sites or their subdomains', () => {
    expect(shouldRecord('https://www.excluded.com/x', on, { incognito: false })).toEqual({
      record: false,
      reason: 'excluded',
    });
    expect(shouldRecord('https://notexcluded.com/x', on, { incognito: false })).toEqual({
      record: true,
    });
  });

  it('does not record a page whose address is a one-time secret, and records one stripped', () => {
    const reset = 'https://app.example/reset-password/8d2f0e6a41b94c3e9a7f';
    expect(shouldRecord(reset, on, { incognito: false })).toEqual({
      record: false,
      reason: 'secret',
    });
    expect(shouldRecord('https://app.example/a?token=abc', on, { incognito: false })).toEqual({
      record: true,
    });
  });

  it.each([
    'chrome://newtab/',
    'file:///home/me/page.html',
    'about:blank',
    'ftp://excluded.com/',
    '',
  ])('does not record the non-http URL %j', (url) => {
    expect(shouldRecord(url, on, { incognito: false })).toEqual({
      record: false,
      reason: 'not-http',
    });
  });
});

describe('coerceSettings', () => {
  it('keeps related pages canonical: secrets stripped, overlong and secret addresses left out', () => {
    const relatedPages = [
      'https://a.example/p?sid=0123456789abcdef&x=1',
      `https://a.example/${'x'.repeat(20_000)}`,
      'https://a.example/magic-link/abc',
      42,
    ];
    expect(coerceSettings({ relatedPages }).relatedPages).toEqual(['https://a.example/p?x=1']);
  });

  it.each([undefined, null, 42, 'paused', true, [], [1, 2]])(
    'defaults everything for %j',
    (value) => {
      expect(coerceSettings(value)).toEqual(DEFAULT_SETTINGS);
    },
  );

  it('keeps valid values', () => {
    expect(coerceSettings({ paused: true, excludedSites: ['example.com'] })).toEqual({
      paused: true,
      excludedSites: ['example.com'],
      folds: {},
      relatedPages: [],
      retentionMonths: 12,
    });
  });

  it('defaults fields of the wrong type', () => {
    expect(coerceSettings({ paused: 'yes', excludedSites: 'example.com', folds: [] })).toEqual({
      paused: false,
      excludedSites: [],
      folds: {},
      relatedPages: [],
      retentionMonths: 12,
    });
    expect(coerceSettings({ paused: 1, excludedSites: { 0: 'example.com' } })).toEqual(
      DEFAULT_SETTINGS,
    );
  });

  it('normalizes the site list, dropping junk and duplicates, keeping order', () => {
    expect(
      coerceSettings({
        paused: false,
        excludedSites: [
          'Example.com',
          42,
          null,
          '*.example.com',
          'bad site',
          'https://www.Other.org/a',
          { host: 'x.com' },
          'example.com.',
          '',
        ],
        extra: 'ignored',
      }),
    ).toEqual({
      paused: false,
      excludedSites: ['example.com', 'www.other.org'],
      folds: {},
      relatedPages: [],
      retentionMonths: 12,
    });
  });

  it('does not share the default list between results', () => {
    const a = coerceSettings(null);
    a.excludedSites.push('mutated.com');
    expect(coerceSettings(null).excludedSites).toEqual([]);
    expect(DEFAULT_SETTINGS.excludedSites).toEqual([]);
    a.folds['x.com'] = { address: true, queryPaths: [] };
    expect(coerceSettings(null).folds).toEqual({});
  });

  it('keeps valid folds, one entry per site', () => {
    const folds = {
      'x.test': { address: true, queryPaths: ['/page', '/'] },
      'y.test': { address: false, queryPaths: ['/a'] },
    };
    expect(coerceSettings({ folds }).folds).toEqual(folds);
  });

  it('drops folds that are malformed or fold nothing, and repairs their fields', () => {
    expect(
      coerceSettings({
        folds: {
          'x.test': { address: 'yes', queryPaths: ['/a', '/a', 'no-slash', '/q?x=1', '/f#x', 7] },
          'www.x.test': { address: true, queryPaths: [] },
          'Upper.test': { address: true, queryPaths: [] },
          'bad host.test': { address: true, queryPaths: [] },
          'empty.test': { address: false, queryPaths: [] },
          'array.test': [true],
          'null.test': null,
          '[::1]': { address: true },
        },
      }).folds,
    ).toEqual({
      'x.test': { address: false, queryPaths: ['/a'] },
      '[::1]': { address: true, queryPaths: [] },
    });
  });

  it('bounds the number of folded sites and paths', () => {
    const many = Object.fromEntries(
      Array.from({ length: 1200 }, (_, i) => [
        `s${i}.test`,
        { address: true, queryPaths: Array.from({ length: 300 }, (_, j) => `/p${j}`) },
      ]),
    );
    const folds = coerceSettings({ folds: many }).folds;
    expect(Object.keys(folds)).toHaveLength(MAX_FOLD_SITES);
    expect(folds['s0.test']!.queryPaths).toHaveLength(MAX_FOLD_PATHS);
  });
});

describe('related pages', () => {
  it('keeps canonical http(s) URLs once each, dropping junk', () => {
    expect(
      coerceSettings({
        relatedPages: [
          'HTTPS://Rival.com/page?utm_source=x#top',
          'https://rival.com/page',
          'javascript:alert(1)',
          42,
          'not a url',
          'http://other.org/',
        ],
      }).relatedPages,
    ).toEqual(['https://rival.com/page', 'http://other.org/']);
    expect(coerceSettings({ relatedPages: 'https://rival.com/' }).relatedPages).toEqual([]);
  });

  it(`keeps at most ${MAX_RELATED_PAGES}`, () => {
    const many = Array.from({ length: MAX_RELATED_PAGES + 5 }, (_, i) => `https://r${i}.com/`);
    const kept = coerceSettings({ relatedPages: many }).relatedPages;
    expect(kept).toEqual(many.slice(0, MAX_RELATED_PAGES));
  });

  it("adds an import's pages after the marked ones, while the list has room", () => {
    expect(withMarkedPages(['https://a.com/'], ['https://b.com/', 'https://a.com/'])).toEqual({
      pages: ['https://a.com/', 'https://b.com/'],
      added: 1,
      leftOut: 0,
    });
    const full = Array.from({ length: MAX_RELATED_PAGES - 1 }, (_, i) => `https://r${i}.com/`);
    const incoming = ['https://r0.com/', 'https://x.com/', 'https://y.com/', 'https://x.com/'];
    expect(withMarkedPages(full, incoming)).toEqual({
      pages: [...full, 'https://x.com/'],
      added: 1,
      leftOut: 1,
    });
    const over = [...full, 'https://z.com/'];
    expect(withMarkedPages(over, ['https://x.com/'])).toEqual({
      pages: over,
      added: 0,
      leftOut: 1,
    });
  });

  it('marks and unmarks a page by its canonical URL', () => {
    expect(withRelatedPage(['https://a.com/'], 'https://B.com/x#y', true)).toEqual([
      'https://a.com/',
      'https://b.com/x',
    ]);
    expect(
      withRelatedPage(['https://a.com/', 'https://b.com/x'], 'https://b.com/x', false),
    ).toEqual(['https://a.com/']);
    expect(withRelatedPage(['https://a.com/'], 'https://a.com/', true)).toEqual(['https://a.com/']);
    expect(withRelatedPage([], 'ftp://a.com/', true)).toBeNull();
  });
});
