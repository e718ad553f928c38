import { describe, expect, it } from 'vitest';
import {
  byPlacement,
  foldedOf,
  foldOccurrences,
  mergeFolded,
  passesAuthority,
} from '../../src/core/occurrences';
import { LINK_REGIONS } from '../../src/core/types';

const at = (href: string, region: (typeof LINK_REGIONS)[number], rel: string[] = []) => ({
  href,
  anchor: 'A',
  rel,
  region,
});

describe('passesAuthority', () => {
  it.each([
    [[], true],
    [['noopener', 'external'], true],
    [['nofollow'], false],
    [['sponsored'], false],
    [['ugc', 'noopener'], false],
  ])('%j -> %s', (rel, passes) => {
    expect(passesAuthority(rel)).toBe(passes);
  });
});

describe('byPlacement', () => {
  it('ranks main content first and comments last', () => {
    expect([...LINK_REGIONS].sort(byPlacement)).toEqual([
      'main',
      'other',
      'aside',
      'header',
      'nav',
      'footer',
      'comments',
    ]);
  });
});

describe('foldOccurrences', () => {
  it('keeps a single occurrence as it is', () => {
    expect(foldOccurrences([at('https://a.example/', 'nav', ['nofollow'])])).toEqual([
      {
        href: 'https://a.example/',
        anchor: 'A',
        rel: ['nofollow'],
        region: 'nav',
        regions: ['nav'],
        rels: ['nofollow'],
        occurrences: 1,
      },
    ]);
  });

  it('takes the best placement and lists every region, best first', () => {
    const [link] = foldOccurrences([
      at('https://a.example/', 'footer'),
      at('https://a.example/', 'nav'),
      at('https://a.example/', 'main'),
      at('https://a.example/', 'nav'),
    ]);
    expect(link).toMatchObject({
      region: 'main',
      regions: ['main', 'nav', 'footer'],
      occurrences: 4,
    });
  });

  it('is followed if any occurrence is, and keeps every rel seen', () => {
    const [link] = foldOccurrences([
      at('https://a.example/', 'comments', ['nofollow', 'ugc']),
      at('https://a.example/', 'footer'),
    ]);
    expect(link).toMatchObject({
      rel: [],
      region: 'footer',
      regions: ['footer', 'comments'],
      rels: ['nofollow', 'ugc'],
      occurrences: 2,
    });
  });

  it('among unfollowed occurrences, takes the rel of the best placed one', () => {
    const [link] = foldOccurrences([
      at('https://a.example/', 'comments', ['ugc']),
      at('https://a.example/', 'main', ['sponsored']),
    ]);
    expect(link).toMatchObject({ rel: ['sponsored'], region: 'main', rels: ['ugc', 'sponsored'] });
  });

  it('keeps links with another href or other words apart, in page order', () => {
    const links = foldOccurrences([
      at('https://b.example/', 'main'),
      { ...at('https://a.example/', 'main'), anchor: 'other words' },
      at('https://a.example/', 'main'),
      at('https://b.example/', 'nav'),
    ]);
    expect(links.map((l) => [l.href, l.anchor, l.occurrences])).toEqual([
      ['https://b.example/', 'A', 2],
      ['https://a.example/', 'other words', 1],
      ['https://a.example/', 'A', 1],
    ]);
  });
});

describe('mergeFolded', () => {
  const main = { ...foldedOf({ rel: ['nofollow'], region: 'main' as const }), occurrences: 2 };
  const footer = { ...foldedOf({ rel: [], region: 'footer' as const }), occurrences: 3 };

  it('adds counts for two parts of one page', () => {
    expect(mergeFolded(main, footer)).toEqual({
      rel: [],
      region: 'main',
      regions: ['main', 'footer'],
      rels: ['nofollow'],
      occurrences: 5,
    });
  });

  it('keeps the larger count for a later report of the same occurrences', () => {
    expect(mergeFolded(main, footer, 'max').occurrences).toBe(3);
  });

  it('is the same fold whichever side comes first, but for counts', () => {
    expect(mergeFolded(footer, main)).toEqual(mergeFolded(main, footer));
  });

  it('does not change its inputs', () => {
    const before = structuredClone(main);
    mergeFolded(main, footer);
    expect(main).toEqual(before);
  });
});

describe('folding the capture (context, image)', () => {
  const nav = { href: 'https://a.example/', anchor: 'A', rel: [], region: 'nav' as const };
  const main = { ...nav, region: 'main' as const };

  it('keeps the words and image flag of the best placed occurrence, whatever the order', () => {
    for (const order of [
      [
        { ...nav, context: 'menu A entry', image: true },
        { ...main, context: 'our review of A', image: false },
      ],
      [
        { ...main, context: 'our review of A', image: false },
        { ...nav, context: 'menu A entry', image: true },
      ],
    ]) {
      expect(foldOccurrences(order)[0]).toMatchObject({
        region: 'main',
        context: 'our review of A',
        image: false,
      });
    }
  });

  it('keeps the first among equally placed occurrences (page order)', () => {
    const [link] = foldOccurrences([
      { ...main, context: 'first', image: false },
      { ...main, context: 'second', image: true },
    ]);
    expect(link).toMatchObject({ context: 'first', image: false, occurrences: 2 });
  });

  it('does not erase what one side knows when the other never captured it (old records)', () => {
    const old = foldedOf({ rel: [], region: 'main' });
    const fresh = foldedOf({ rel: [], region: 'footer', context: 'words', image: true });
    expect(mergeFolded(old, fresh, 'max')).toMatchObject({ context: 'words', image: true });
    expect(old).not.toHaveProperty('context');
  });
});
