import { describe, expect, it } from 'vitest';
import {
  canFold,
  compareVariants,
  foldChoices,
  foldedGroups,
  isFolded,
  movedBy,
  pathKey,
  siteKey,
  variantBases,
  variantKinds,
  withFold,
  type VariantCount,
} from '../../src/core/variants';

describe('variantBases', () => {
  it('crosses scheme, www and trailing slash, without query', () => {
    expect(variantBases('http://x.test/page?ref=1').sort()).toEqual(
      [
        'http://x.test/page',
        'http://x.test/page/',
        'http://www.x.test/page',
        'http://www.x.test/page/',
        'https://x.test/page',
        'https://x.test/page/',
        'https://www.x.test/page',
        'https://www.x.test/page/',
      ].sort(),
    );
  });

  it('starts from www or not, slash or not, alike', () => {
    expect(variantBases('https://www.x.test/page/').sort()).toEqual(
      variantBases('http://x.test/page').sort(),
    );
  });

  it('has no slash variant for the root, and no www form for an IP address', () => {
    expect(variantBases('http://x.test/').sort()).toEqual(
      ['http://x.test/', 'http://www.x.test/', 'https://x.test/', 'https://www.x.test/'].sort(),
    );
    expect(variantBases('http://10.0.0.1:8080/a').sort()).toEqual(
      [
        'http://10.0.0.1:8080/a',
        'http://10.0.0.1:8080/a/',
        'https://10.0.0.1:8080/a',
        'https://10.0.0.1:8080/a/',
      ].sort(),
    );
  });

  it('gives canonical URLs only (port kept, other subdomains untouched)', () => {
    for (const base of variantBases('https://blog.x.test:8443/a%20b/')) {
      expect(base).toMatch(/^https?:\/\/(www\.)?blog\.x\.test:8443\/a%20b\/?$/);
    }
  });
});

describe('variantKinds', () => {
  const page = 'http://x.test/page';
  it.each([
    ['https://x.test/page', ['scheme']],
    ['http://www.x.test/page', ['www']],
    ['http://x.test/page/', ['slash']],
    ['http://x.test/page?ref=1', ['query']],
    ['https://www.x.test/page/?a=1', ['scheme', 'www', 'slash', 'query']],
    [page, []],
  ])('%s differs by %j', (variant, kinds) => {
    expect(variantKinds(page, variant)).toEqual(kinds);
  });
});

describe('siteKey and pathKey', () => {
  it('keys a fold by the host without www', () => {
    expect(siteKey('https://www.x.test/a')).toBe('x.test');
    expect(siteKey('http://x.test/')).toBe('x.test');
    expect(siteKey('http://blog.x.test/')).toBe('blog.x.test');
  });

  it('drops one trailing slash, not the root', () => {
    expect(pathKey('/a/')).toBe('/a');
    expect(pathKey('/a')).toBe('/a');
    expect(pathKey('/')).toBe('/');
  });
});

describe('folding', () => {
  const page = 'https://www.x.test/page/';

  it('folds nothing by default', () => {
    expect(foldedGroups(page, {})).toEqual([]);
  });

  it('remembers the address fold for the whole site, www or not', () => {
    const folds = withFold({}, page, 'address', true);
    expect(folds).toEqual({ 'x.test': { address: true, queryPaths: [] } });
    expect(foldedGroups('http://x.test/other', folds)).toEqual(['address']);
    expect(foldedGroups('http://blog.x.test/page', folds)).toEqual([]);
  });

  it('remembers the query fold for the path only, slash or not', () => {
    const folds = withFold({}, page, 'query', true);
    expect(folds).toEqual({ 'x.test': { address: false, queryPaths: ['/page'] } });
    expect(foldedGroups('http://x.test/page', folds)).toEqual(['query']);
    expect(foldedGroups('http://x.test/', folds)).toEqual([]);
  });

  it('never folds queries into a page that has a query itself', () => {
    expect(canFold('http://x.test/?p=12', 'query')).toBe(false);
    expect(canFold('http://x.test/?p=12', 'address')).toBe(true);
    const folds = withFold({}, 'http://x.test/', 'query', true);
    expect(foldedGroups('http://x.test/?p=12', folds)).toEqual([]);
    expect(foldedGroups('http://x.test/', folds)).toEqual(['query']);
  });

  it('unfolds each group apart, and drops a site that folds nothing', () => {
    let folds = withFold(withFold({}, page, 'address', true), page, 'query', true);
    expect(foldedGroups(page, folds)).toEqual(['address', 'query']);
    folds = withFold(folds, page, 'address', false);
    expect(folds).toEqual({ 'x.test': { address: false, queryPaths: ['/page'] } });
    folds = withFold(folds, page, 'query', false);
    expect(folds).toEqual({});
  });

  it('leaves other sites alone and does not repeat a path', () => {
    const other = { 'y.test': { address: true, queryPaths: [] } };
    const folds = withFold(withFold(other, page, 'query', true), page, 'query', true);
    expect(folds).toEqual({ ...other, 'x.test': { address: false, queryPaths: ['/page'] } });
  });

  it('folds a variant when every way it differs is folded', () => {
    expect(isFolded(['www', 'slash'], ['address'])).toBe(true);
    expect(isFolded(['www', 'query'], ['address'])).toBe(false);
    expect(isFolded(['www', 'query'], ['address', 'query'])).toBe(true);
    expect(isFolded(['query'], ['address'])).toBe(false);
    expect(isFolded([], ['address', 'query'])).toBe(false);
  });
});

describe('fold choices', () => {
  const page = 'http://x.test/page';
  const variant = (url: string, folded = false): VariantCount => ({
    url,
    kinds: [],
    links: 1,
    folded,
  });
  const list = (folded: ('address' | 'query')[]) =>
    [
      { ...variant('https://x.test/page'), kinds: ['scheme' as const] },
      { ...variant('http://www.x.test/page/'), kinds: ['www' as const, 'slash' as const] },
      { ...variant('http://x.test/page?ref=1'), kinds: ['query' as const] },
      { ...variant('http://www.x.test/page?ref=2'), kinds: ['www' as const, 'query' as const] },
    ].map((v) => ({ ...v, folded: isFolded(v.kinds, folded) }));

  it('offers each group with the variants it would move', () => {
    expect(foldChoices(page, list([]), [])).toEqual([
      { group: 'address', folded: false, moves: 2 },
      { group: 'query', folded: false, moves: 1 },
    ]);
    // With addresses folded, the query fold also brings in the www variant with a query.
    expect(foldChoices(page, list(['address']), ['address'])).toEqual([
      { group: 'address', folded: true, moves: 2 },
      { group: 'query', folded: false, moves: 2 },
    ]);
    expect(
      movedBy(list(['address', 'query']), ['address', 'query'], 'address', false),
    ).toHaveLength(3);
  });

  it('offers no query fold on a page with a query, and nothing without variants', () => {
    expect(foldChoices('http://x.test/page?ref=3', list([]), []).map((c) => c.group)).toEqual([
      'address',
    ]);
    expect(foldChoices(page, [], [])).toEqual([]);
  });

  it('lists address variants first, then by links', () => {
    const a = { ...variant('http://x.test/page?q=1'), kinds: ['query' as const], links: 9 };
    const b = { ...variant('https://x.test/page'), kinds: ['scheme' as const], links: 1 };
    const c = { ...variant('http://x.test/page/'), kinds: ['slash' as const], links: 4 };
    expect([a, b, c].sort(compareVariants).map((v) => v.url)).toEqual([c.url, b.url, a.url]);
  });
});
