import { describe, expect, it } from 'vitest';
import { parseDelta, parseSnapshot } from '../../src/core/snapshot';
import { dispatch, type Handlers } from '../../src/core/messages';
import { DEFAULT_EXTRACT_OPTIONS } from '../../src/core/extract';
import { MAX_URL_LENGTH } from '../../src/core/limits';
import { makeSnapshot, rawLink } from './helpers';
import { MAX_CONTEXT_LENGTH, MAX_COUNTED_WORDS } from '../../src/core/capture';
import { MAX_PAGE_TERMS, MAX_TERM_LENGTH, MAX_TERM_WEIGHT } from '../../src/core/terms';

const URL_ = 'https://example.com/page';

describe('parseSnapshot', () => {
  it('passes a well-formed snapshot through unchanged', () => {
    const snapshot = makeSnapshot(
      URL_,
      [
        rawLink('https://a.example/', { anchor: 'A', rel: ['nofollow'], region: 'nav' }),
        rawLink('https://b.example/x', { anchor: '', rel: [], region: 'comments' }),
      ],
      { canonical: 'https://example.com/canonical', robots: { noindex: true, nofollow: false } },
    );
    expect(parseSnapshot(structuredClone(snapshot))).toEqual(snapshot);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'https://example.com/'],
    ['a number', 7],
    ['an array', [URL_]],
    ['no url', { links: [] }],
    ['an empty url', { url: '', links: [] }],
    ['a non-string url', { url: 42, links: [] }],
    ['no links', { url: URL_ }],
    ['links not an array', { url: URL_, links: { 0: { href: 'https://a.example/' }, length: 1 } }],
    ['links a string', { url: URL_, links: 'https://a.example/' }],
  ])('rejects %s', (_label, value) => {
    expect(parseSnapshot(value)).toBeNull();
  });

  it('defaults missing or mistyped page fields', () => {
    expect(
      parseSnapshot({
        url: URL_,
        links: [],
        title: 123,
        canonical: { href: 'x' },
        lang: ['en'],
        robots: 'noindex',
        totalLinks: '9',
        truncated: 'yes',
      }),
    ).toEqual({
      url: URL_,
      title: '',
      canonical: null,
      lang: '',
      robots: { noindex: false, nofollow: false },
      links: [],
      totalLinks: 0,
      truncated: false,
    });
  });

  it('only takes robots flags that are literally true', () => {
    const parsed = parseSnapshot({
      url: URL_,
      links: [],
      robots: { noindex: 'true', nofollow: 1 },
    });
    expect(parsed?.robots).toEqual({ noindex: false, nofollow: false });
    const parsed2 = parseSnapshot({
      url: URL_,
      links: [],
      robots: { noindex: true, nofollow: true },
    });
    expect(parsed2?.robots).toEqual({ noindex: true, nofollow: true });
  });

  it('drops links that are not objects or have no string href, and fixes bad fields', () => {
    const parsed = parseSnapshot({
      url: URL_,
      links: [
        null,
        'https://string.example/',
        42,
        ['https://array.example/'],
        { anchor: 'no href' },
        { href: '' },
        { href: 17 },
        { href: 'https://ok.example/', anchor: 5, rel: 'nofollow', region: 'sidebar' },
        { href: 'https://ok2.example/', rel: ['ugc', 7, null, 'sponsored'], region: 'footer' },
        { href: 'https://ok3.example/', region: '__proto__' },
      ],
    });
    expect(parsed?.links).toEqual([
      rawLink('https://ok.example/', { anchor: '', rel: [], region: 'other' }),
      rawLink('https://ok2.example/', { anchor: '', rel: ['ugc', 'sponsored'], region: 'footer' }),
      rawLink('https://ok3.example/', { anchor: '', rel: [], region: 'other' }),
    ]);
    // totalLinks defaults to what was kept.
    expect(parsed?.totalLinks).toBe(3);
  });

  it('caps every text, and refuses URLs over the limit instead of cutting them', () => {
    const long = (n: number) => 'x'.repeat(n);
    expect(parseSnapshot({ url: `https://example.com/${long(20_000)}`, links: [] })).toBeNull();
    const parsed = parseSnapshot({
      url: URL_,
      title: long(10_000),
      canonical: `https://example.com/${long(20_000)}`,
      lang: long(100),
      links: [
        { href: `https://a.example/${long(1_000_000)}` },
        { href: `https://a.example/${long(MAX_URL_LENGTH - 18)}` },
        {
          href: 'https://a.example/short',
          anchor: long(10_000),
          rel: Array.from({ length: 20 }, (_, i) => `${i}${long(100)}`),
        },
      ],
    });
    expect(parsed).not.toBeNull();
    expect(parsed!.canonical).toBeNull();
    expect(parsed!.title).toHaveLength(DEFAULT_EXTRACT_OPTIONS.maxTitleLength);
    expect(parsed!.lang).toHaveLength(35);
    // The megabyte href is left out; one at the limit exactly is kept whole.
    expect(parsed!.links.map((l) => l.href.length)).toEqual([MAX_URL_LENGTH, 23]);
    const link = parsed!.links[1];
    expect(link!.anchor).toHaveLength(DEFAULT_EXTRACT_OPTIONS.maxAnchorLength);
    expect(link!.rel).toHaveLength(8);
    expect(link!.rel.every((r) => r.length === 40)).toBe(true);
    expect(link!.rel[0]!.startsWith('0x')).toBe(true);
  });

  it('caps a huge link list at 5000 and marks it truncated', () => {
    const links = Array.from({ length: 100_000 }, (_, i) => ({ href: `https://a.example/${i}` }));
    const parsed = parseSnapshot({ url: URL_, links, totalLinks: 100_000, truncated: false });
    expect(parsed!.links).toHaveLength(5000);
    expect(parsed!.links[4999]!.href).toBe('https://a.example/4999');
    expect(parsed!.truncated).toBe(true);
    expect(parsed!.totalLinks).toBe(100_000);
  });

  it('keeps exactly 5000 links untruncated, and honours a truncated flag from the page', () => {
    const links = Array.from({ length: 5000 }, (_, i) => ({ href: `https://a.example/${i}` }));
    expect(parseSnapshot({ url: URL_, links })!.truncated).toBe(false);
    expect(parseSnapshot({ url: URL_, links: [], truncated: true })!.truncated).toBe(true);
  });

  it('ignores fields smuggled in under a __proto__ key', () => {
    const value = JSON.parse(
      '{"url":"https://example.com/","links":[{"href":"https://a.example/","__proto__":{"region":"nav"}}],"__proto__":{"title":"injected"}}',
    ) as unknown;
    const parsed = parseSnapshot(value);
    expect(parsed?.title).toBe('');
    expect(parsed?.links[0]?.region).toBe('other');
  });
});

describe('parseSnapshot: folded occurrences', () => {
  it('keeps regions, rels and counts, and puts the best placement first whatever was claimed', () => {
    const parsed = parseSnapshot({
      url: URL_,
      links: [
        {
          href: 'https://a.example/',
          anchor: 'A',
          rel: [],
          region: 'footer',
          regions: ['nav', 'main', 'bogus', 7],
          rels: ['nofollow', 3],
          occurrences: 4,
        },
      ],
    });
    expect(parsed?.links).toEqual([
      {
        href: 'https://a.example/',
        anchor: 'A',
        rel: [],
        region: 'main',
        regions: ['main', 'nav', 'footer'],
        rels: ['nofollow'],
        occurrences: 4,
      },
    ]);
  });

  it.each([
    [undefined, 1],
    [0, 1],
    [-5, 1],
    [2.5, 1],
    ['3', 1],
    [1e12, 100_000],
  ])('bounds an occurrence count of %j to %j', (occurrences, expected) => {
    const parsed = parseSnapshot({
      url: URL_,
      links: [{ href: 'https://a.example/', occurrences }],
    });
    expect(parsed?.links[0]?.occurrences).toBe(expected);
  });

  it('caps the rels seen', () => {
    const rels = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const parsed = parseSnapshot({ url: URL_, links: [{ href: 'https://a.example/', rels }] });
    expect(parsed?.links[0]?.rels).toHaveLength(16);
  });
});

describe('parseDelta', () => {
  it('passes a well-formed delta through', () => {
    const delta = { url: URL_, links: [rawLink('https://a.example/', { region: 'aside' })] };
    expect(parseDelta(structuredClone(delta))).toEqual(delta);
  });

  it.each([null, 'x', { links: [] }, { url: URL_ }, { url: 7, links: [] }])(
    'rejects %j',
    (value) => {
      expect(parseDelta(value)).toBeNull();
    },
  );

  it('keeps at most maxLinks links and drops bad ones', () => {
    const links = [
      null,
      { href: 5 },
      ...Array.from({ length: DEFAULT_EXTRACT_OPTIONS.maxLinks + 10 }, (_, i) => ({
        href: `https://a.example/${i}`,
      })),
    ];
    const parsed = parseDelta({ url: URL_, links });
    expect(parsed?.links).toHaveLength(DEFAULT_EXTRACT_OPTIONS.maxLinks - 2);
  });
});

describe('dispatch', () => {
  const calls: string[] = [];
  const handlers: Handlers<string> = {
    'page/snapshot': async (m, sender) => {
      calls.push(`snapshot from ${sender}`);
      return { recorded: false, reason: typeof m.snapshot };
    },
    'page/links': async (_m, sender) => {
      calls.push(`links from ${sender}`);
      return { recorded: false, reason: 'no-visit' };
    },
    'referral/click': async () => ({ noted: false, reason: 'paused' }),
    'data/changed': async () => ({ ok: true }),
    'remote/lookup': async () => ({ status: 'off' }),
    'provider/lookup': async () => ({ status: 'off' }),
    'provider/test': async () => ({ ok: false, message: 'not here' }),
    'stats/build': async () => ({ built: 0 }),
    'risk/build': async () => ({ queued: false }),
  };

  it('routes each message type to its handler with the sender', async () => {
    calls.length = 0;
    await expect(
      dispatch(handlers, { type: 'page/snapshot', snapshot: {} }, 'tab 1'),
    ).resolves.toEqual({
      recorded: false,
      reason: 'object',
    });
    await expect(dispatch(handlers, { type: 'page/links', delta: {} }, 'tab 2')).resolves.toEqual({
      recorded: false,
      reason: 'no-visit',
    });
    await expect(dispatch(handlers, { type: 'data/changed' }, 'options')).resolves.toEqual({
      ok: true,
    });
    expect(calls).toEqual(['snapshot from tab 1', 'links from tab 2']);
  });

  it.each([
    null,
    undefined,
    'page/snapshot',
    1,
    [],
    {},
    { type: 'other' },
    { type: 42 },
    { Type: 'data/changed' },
    { type: 'toString' },
    { type: '__proto__' },
    { type: 'hasOwnProperty' },
  ])('answers nothing for %j', (value) => {
    expect(dispatch(handlers, value, 'tab')).toBeUndefined();
  });

  it('makes a missing or unknown handler a type error', () => {
    // @ts-expect-error: 'page/links' has no handler
    const missing: Handlers<string> = {
      'page/snapshot': handlers['page/snapshot'],
      'referral/click': handlers['referral/click'],
      'data/changed': handlers['data/changed'],
    };
    const extra: Handlers<string> = {
      ...handlers,
      // @ts-expect-error: no such message
      'page/unknown': async () => ({ ok: true }),
    };
    expect(Object.keys(missing)).toHaveLength(3);
    expect(Object.keys(extra)).toHaveLength(Object.keys(handlers).length + 1);
  });
});

describe('parseSnapshot: the capture', () => {
  const snapshot = (extra: Record<string, unknown>, link: Record<string, unknown> = {}) =>
    parseSnapshot({
      url: URL_,
      title: 't',
      links: [{ ...rawLink('https://a.example/'), ...link }],
      ...extra,
    });

  it('passes well-formed signals, terms, context and image through', () => {
    const signals = {
      words: 300,
      descriptionLength: 80,
      favicon: true,
      contactLinked: false,
      aboutLinked: true,
    };
    const parsed = snapshot(
      { signals, terms: { coffee: 3, 咖啡: 1 } },
      { context: 'around', image: true },
    );
    expect(parsed?.signals).toEqual(signals);
    expect(parsed?.terms).toEqual({ coffee: 3, 咖啡: 1 });
    expect(parsed?.links[0]).toMatchObject({ context: 'around', image: true });
  });

  it('bounds a hostile page’s values the way the capture does', () => {
    const many = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [
        `term${String.fromCharCode(97 + (i % 26))}q${i}`,
        i + 1,
      ]),
    );
    const parsed = snapshot(
      {
        signals: { words: 1e9, descriptionLength: Infinity, favicon: 1, contactLinked: 'yes' },
        terms: many,
      },
      { context: 'x'.repeat(1e6), image: 'yes' },
    );
    expect(parsed?.signals).toEqual({
      words: MAX_COUNTED_WORDS,
      descriptionLength: 0,
      favicon: false,
      contactLinked: false,
      aboutLinked: false,
    });
    expect(Object.keys(parsed!.terms!).length).toBeLessThanOrEqual(MAX_PAGE_TERMS);
    expect(parsed?.links[0]?.context).toHaveLength(MAX_CONTEXT_LENGTH);
    expect(parsed?.links[0]).not.toHaveProperty('image');
  });

  it('keeps only terms the capture could have made, with positive capped weights', () => {
    const parsed = snapshot({
      terms: {
        coffee: 2,
        Coffee: 2,
        'two words': 2,
        the: 2,
        ab: 2,
        '12345': 2,
        ['x'.repeat(MAX_TERM_LENGTH + 1)]: 2,
        zero: 0,
        negative: -4,
        nan: Number.NaN,
        text: 'many',
        huge: 1e300,
        constructor: 1,
      },
    });
    expect(parsed?.terms).toEqual({ huge: MAX_TERM_WEIGHT, coffee: 2, constructor: 1 });
  });

  it('leaves the capture unknown when it is missing or of the wrong type', () => {
    for (const extra of [{}, { signals: 'x', terms: ['coffee'] }, { signals: null, terms: 5 }]) {
      const parsed = snapshot(extra, { context: 5, image: null });
      expect(parsed).not.toHaveProperty('signals');
      expect(parsed).not.toHaveProperty('terms');
      expect(parsed?.links[0]).not.toHaveProperty('context');
      expect(parsed?.links[0]).not.toHaveProperty('image');
    }
  });

  it('bounds the capture of links that came later too', () => {
    const delta = parseDelta({
      url: URL_,
      links: [{ ...rawLink('https://a.example/'), context: 'y'.repeat(5000), image: false }],
    });
    expect(delta?.links[0]?.context).toHaveLength(MAX_CONTEXT_LENGTH);
    expect(delta?.links[0]?.image).toBe(false);
  });
});
