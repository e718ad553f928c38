import { describe, expect, it } from 'vitest';
import {
  currentHops,
  MAX_REDIRECT_HOPS,
  redirectChainFrom,
  redirectHop,
  redirectsInto,
} from '../../src/core/redirects';
import type { Settings } from '../../src/core/types';
import { at, makeRedirect } from './helpers';

const A = 'https://a.test/';
const B = 'https://b.test/';
const C = 'https://c.test/';
const D = 'https://d.test/';
const E = 'https://e.test/';

describe('redirectHop', () => {
  const settings: Settings = {
    paused: false,
    excludedSites: ['secret.test'],
    folds: {},
    relatedPages: [],
    retentionMonths: 12,
  };
  const visible = { incognito: false };

  it('canonicalizes both ends and keeps the status', () => {
    expect(
      redirectHop(
        { from: 'HTTP://Old.test/a?utm_source=x#f', to: 'https://new.test/a', status: 301 },
        settings,
        visible,
      ),
    ).toEqual({
      record: true,
      hop: { from: 'http://old.test/a', to: 'https://new.test/a', status: 301 },
    });
  });

  it.each([301, 302, 303, 307, 308])('takes status %i', (status) => {
    expect(redirectHop({ from: A, to: B, status }, settings, visible).record).toBe(true);
  });

  it.each([200, 300, 304, 0, 399])('is no redirect with status %i', (status) => {
    expect(redirectHop({ from: A, to: B, status }, settings, visible)).toEqual({
      record: false,
      reason: 'not-redirect',
    });
  });

  it('applies the privacy gate to both ends', () => {
    const hop = (from: string, to: string) =>
      redirectHop({ from, to, status: 301 }, settings, visible);
    expect(hop('https://www.secret.test/x', B)).toEqual({ record: false, reason: 'excluded' });
    expect(hop(A, 'https://secret.test/y')).toEqual({ record: false, reason: 'excluded' });
    expect(
      redirectHop({ from: A, to: B, status: 301 }, { ...settings, paused: true }, visible),
    ).toEqual({ record: false, reason: 'paused' });
    expect(redirectHop({ from: A, to: B, status: 301 }, settings, { incognito: true })).toEqual({
      record: false,
      reason: 'incognito',
    });
  });

  it('skips hops to or from something that is not a web page', () => {
    expect(redirectHop({ from: A, to: 'myapp://open', status: 302 }, settings, visible)).toEqual({
      record: false,
      reason: 'not-http',
    });
  });

  it('skips a hop whose ends are the same page once canonical', () => {
    expect(
      redirectHop(
        { from: 'https://a.test/p?utm_medium=mail', to: 'https://a.test/p#top', status: 302 },
        settings,
        visible,
      ),
    ).toEqual({ record: false, reason: 'same-url' });
  });
});

describe('currentHops', () => {
  it('keeps the hop seen last from each URL', () => {
    const old = makeRedirect(A, B, { lastSeen: at(1) });
    const now = makeRedirect(A, C, { lastSeen: at(5), status: 302 });
    const other = makeRedirect(D, B);
    expect(currentHops([now, old, other])).toEqual(
      new Map([
        [A, now],
        [D, other],
      ]),
    );
  });
});

describe('redirectsInto', () => {
  it('finds a single hop with its status, pointing at the page', () => {
    expect(redirectsInto([B], [makeRedirect(A, B, { status: 308 })])).toEqual(
      new Map([[A, { status: 308, next: B, hops: 1 }]]),
    );
  });

  it('follows a chain backwards: each URL with its own first hop', () => {
    const hops = [makeRedirect(A, B), makeRedirect(B, C, { status: 308 })];
    expect(redirectsInto([C], hops)).toEqual(
      new Map([
        [B, { status: 308, next: C, hops: 1 }],
        [A, { status: 301, next: B, hops: 2 }],
      ]),
    );
  });

  it('follows branches: several URLs into one, and a chain into one of them', () => {
    const hops = [makeRedirect(A, C), makeRedirect(B, C, { status: 302 }), makeRedirect(D, A)];
    expect(redirectsInto([C], hops)).toEqual(
      new Map([
        [A, { status: 301, next: C, hops: 1 }],
        [B, { status: 302, next: C, hops: 1 }],
        [D, { status: 301, next: A, hops: 2 }],
      ]),
    );
  });

  it('starts from every alias of the page', () => {
    const hops = [makeRedirect(A, B), makeRedirect(D, C)];
    expect([...redirectsInto([B, C], hops).keys()].sort()).toEqual([A, D]);
  });

  it('terminates on a loop and leaves the page itself out', () => {
    const hops = [makeRedirect(A, B), makeRedirect(B, A, { status: 302 })];
    expect(redirectsInto([A], hops)).toEqual(new Map([[B, { status: 302, next: A, hops: 1 }]]));
    const triangle = [makeRedirect(A, B), makeRedirect(B, C), makeRedirect(C, A)];
    expect([...redirectsInto([A], triangle).keys()]).toEqual([C, B]);
  });

  it('leaves out a loop elsewhere in the graph', () => {
    // Each URL has one current hop, so a loop never also leads to the page.
    const hops = [makeRedirect(D, E), makeRedirect(E, D), makeRedirect(A, C)];
    expect([...redirectsInto([C], hops).keys()]).toEqual([A]);
  });

  it('stops at the hop bound', () => {
    const urls = Array.from({ length: MAX_REDIRECT_HOPS + 3 }, (_, i) => `https://h${i}.test/`);
    const hops = urls.slice(1).map((to, i) => makeRedirect(urls[i]!, to));
    const last = urls.at(-1)!;
    const found = redirectsInto([last], hops);
    expect(found.size).toBe(MAX_REDIRECT_HOPS);
    expect(Math.max(...[...found.values()].map((v) => v.hops))).toBe(MAX_REDIRECT_HOPS);
    expect(redirectsInto([last], hops, 2).size).toBe(2);
  });

  it('does not credit a page a URL no longer redirects to', () => {
    const hops = [makeRedirect(A, B, { lastSeen: at(1) }), makeRedirect(A, C, { lastSeen: at(2) })];
    expect(redirectsInto([B], hops).size).toBe(0);
    expect([...redirectsInto([C], hops).keys()]).toEqual([A]);
  });

  it('is empty without hops', () => {
    expect(redirectsInto([A], []).size).toBe(0);
  });
});

describe('redirectChainFrom', () => {
  it('is null for a URL that does not redirect', () => {
    expect(redirectChainFrom(A, [makeRedirect(B, A)])).toBeNull();
  });

  it('follows a chain to its end with each status', () => {
    const hops = [makeRedirect(A, B), makeRedirect(B, C, { status: 308 })];
    expect(redirectChainFrom(A, hops)).toEqual({
      steps: [
        { url: B, status: 301 },
        { url: C, status: 308 },
      ],
      loop: false,
      bounded: false,
    });
  });

  it('states a loop, ending at the URL seen again', () => {
    const hops = [makeRedirect(A, B, { status: 302 }), makeRedirect(B, A)];
    expect(redirectChainFrom(A, hops)).toEqual({
      steps: [
        { url: B, status: 302 },
        { url: A, status: 301 },
      ],
      loop: true,
      bounded: false,
    });
    const lasso = [makeRedirect(A, B), makeRedirect(B, C), makeRedirect(C, B)];
    expect(redirectChainFrom(A, lasso)?.steps.map((s) => s.url)).toEqual([B, C, B]);
    expect(redirectChainFrom(A, lasso)?.loop).toBe(true);
  });

  it('stops at the hop bound and says so', () => {
    const urls = Array.from({ length: 10 }, (_, i) => `https://h${i}.test/`);
    const hops = urls.slice(1).map((to, i) => makeRedirect(urls[i]!, to));
    const chain = redirectChainFrom(urls[0]!, hops, 3);
    expect(chain).toEqual({
      steps: urls.slice(1, 4).map((url) => ({ url, status: 301 })),
      loop: false,
      bounded: true,
    });
    // Exactly at the bound is a whole chain.
    expect(redirectChainFrom(urls[6]!, hops, 3)?.bounded).toBe(false);
  });

  it('takes the hop seen last from each URL', () => {
    const hops = [makeRedirect(A, B, { lastSeen: at(3) }), makeRedirect(A, C, { lastSeen: at(1) })];
    expect(redirectChainFrom(A, hops)?.steps).toEqual([{ url: B, status: 301 }]);
  });
});
