import { describe, expect, it } from 'vitest';
import {
  confirmingClick,
  LATE_CLICK_MS,
  leadsTo,
  likelyTrafficSenders,
  MAX_ARRIVAL_TABS,
  MAX_PENDING_CLICKS,
  nextVisitCount,
  parseArrivals,
  parseLinkClick,
  parseReferralVisit,
  REFERRAL_WINDOW_MS,
  summarizeReferrals,
  unexpired,
  VISIT_GAP_MS,
  withArrival,
  type Landing,
  type PendingClick,
  type RecentHop,
  type ReferralVisit,
} from '../../src/core/referrals';
import { registrableDomain } from '../../src/core/domain';
import { DEFAULT_EXTRACT_OPTIONS } from '../../src/core/extract';
import { linkKey } from '../../src/core/types';
import { T0, makeLink } from './helpers';

const SOURCE = 'https://blog.com/post';
const TARGET = 'https://shop.com/item';

const click = (overrides: Partial<PendingClick> = {}): PendingClick => ({
  tabId: 1,
  source: SOURCE,
  href: TARGET,
  anchor: 'the item',
  kind: 'click',
  at: T0,
  ...overrides,
});
const landing = (overrides: Partial<Landing> = {}): Landing => ({
  tabId: 1,
  url: TARGET,
  at: T0 + 800,
  openerTabId: null,
  ...overrides,
});
const hop = (from: string, to: string, at = T0 + 300): RecentHop => ({ from, to, status: 301, at });

const visit = (overrides: Partial<ReferralVisit> = {}): ReferralVisit => ({
  source: SOURCE,
  target: TARGET,
  href: TARGET,
  anchor: 'the item',
  at: T0,
  sourceDomain: 'blog.com',
  targetDomain: 'shop.com',
  ...overrides,
});

describe('parseLinkClick', () => {
  it('keeps a valid click and caps the anchor as extraction does', () => {
    const long = 'x'.repeat(1000);
    expect(parseLinkClick({ page: SOURCE, href: TARGET, anchor: long, kind: 'middle' })).toEqual({
      page: SOURCE,
      href: TARGET,
      anchor: 'x'.repeat(DEFAULT_EXTRACT_OPTIONS.maxAnchorLength),
      kind: 'middle',
    });
  });

  it.each([
    ['not an object', 'click'],
    ['no page', { href: TARGET, kind: 'click' }],
    ['no href', { page: SOURCE, kind: 'click' }],
    ['an unknown kind', { page: SOURCE, href: TARGET, kind: 'hover' }],
    ['a non-string href', { page: SOURCE, href: 42, kind: 'click' }],
  ])('refuses %s', (_label, value) => {
    expect(parseLinkClick(value)).toBeNull();
  });
});

describe('matching a click with the navigation that followed', () => {
  it('a plain click is confirmed by the same tab landing on its href', () => {
    expect(confirmingClick([click()], landing(), [])).toEqual(click());
  });

  it('follows the redirects the browser took from the href, and no others', () => {
    const hops = [
      hop('https://shop.com/old', 'https://shop.com/older'),
      hop('https://shop.com/older', TARGET),
    ];
    const c = click({ href: 'https://shop.com/old' });
    expect(leadsTo(c.href, TARGET, hops)).toBe(true);
    expect(confirmingClick([c], landing(), hops)).toEqual(c);
    expect(confirmingClick([c], landing(), hops.slice(0, 1))).toBeUndefined();
    expect(confirmingClick([c], landing({ url: 'https://shop.com/elsewhere' }), hops)).toBe(
      undefined,
    );
  });

  it('a middle click, a ctrl-click or the menu is confirmed by a tab opened from its tab', () => {
    for (const kind of ['middle', 'modified', 'menu', 'click'] as const) {
      const c = click({ kind });
      expect(confirmingClick([c], landing({ tabId: 7, openerTabId: 1 }), [])).toEqual(c);
      // Not by a tab opened from another tab.
      expect(confirmingClick([c], landing({ tabId: 7, openerTabId: 3 }), [])).toBeUndefined();
    }
  });

  it('a middle click or the menu alone does not navigate the tab it was in', () => {
    expect(confirmingClick([click({ kind: 'middle' })], landing(), [])).toBeUndefined();
    expect(confirmingClick([click({ kind: 'menu' })], landing(), [])).toBeUndefined();
    expect(confirmingClick([click({ kind: 'modified' })], landing(), [])).toEqual(
      click({ kind: 'modified' }),
    );
  });

  it('a navigation in another tab, or to another page, confirms nothing', () => {
    expect(confirmingClick([click()], landing({ tabId: 2 }), [])).toBeUndefined();
    expect(confirmingClick([click()], landing({ url: 'https://shop.com/' }), [])).toBe(undefined);
  });

  it('a link to the page itself is a reload, not a referral', () => {
    const self = click({ href: SOURCE });
    expect(confirmingClick([self], landing({ url: SOURCE }), [])).toBeUndefined();
  });

  it('only within the window: a navigation long after the click does not confirm it', () => {
    const c = click();
    expect(confirmingClick([c], landing({ at: T0 + REFERRAL_WINDOW_MS }), [])).toEqual(c);
    expect(confirmingClick([c], landing({ at: T0 + REFERRAL_WINDOW_MS + 1 }), [])).toBe(undefined);
    // A click whose message came after the navigation, but not long after.
    expect(confirmingClick([c], landing({ at: T0 - LATE_CLICK_MS }), [])).toEqual(c);
    expect(confirmingClick([c], landing({ at: T0 - LATE_CLICK_MS - 1 }), [])).toBe(undefined);
  });

  it('of several clicks on the same link, the latest is the one confirmed', () => {
    const first = click({ at: T0 });
    const second = click({ at: T0 + 500, anchor: 'again' });
    expect(confirmingClick([first, second], landing(), [])).toEqual(second);
  });

  it('unconfirmed clicks expire after the window, and only so many wait', () => {
    const clicks = Array.from({ length: MAX_PENDING_CLICKS + 5 }, (_, i) => click({ at: T0 + i }));
    const now = T0 + REFERRAL_WINDOW_MS + 2;
    const kept = unexpired(clicks, now);
    expect(kept).toHaveLength(MAX_PENDING_CLICKS);
    expect(kept[0]!.at).toBe(T0 + 5);
    expect(unexpired(clicks, T0 + 10 * REFERRAL_WINDOW_MS)).toEqual([]);
  });
});

describe('summarizeReferrals', () => {
  it('aggregates per (source, target): count, first and last visit, most visits first', () => {
    const other = 'https://news.com/a';
    const view = summarizeReferrals(
      [
        visit({ at: T0 + 2000 }),
        visit({ at: T0 }),
        visit({ source: other, anchor: 'news', at: T0 + 5000 }),
        visit({ at: T0 + 1000, anchor: 'renamed' }),
      ],
      [],
    );
    expect(view.total).toBe(4);
    expect(view.sources).toEqual([
      {
        source: SOURCE,
        target: TARGET,
        anchor: 'the item',
        count: 3,
        firstVisit: T0,
        lastVisit: T0 + 2000,
      },
      {
        source: other,
        target: TARGET,
        anchor: 'news',
        count: 1,
        firstVisit: T0 + 5000,
        lastVisit: T0 + 5000,
      },
    ]);
  });

  it('credits each visit to the link followed: same source, href and anchor', () => {
    const text = makeLink(SOURCE, TARGET, { anchor: 'the item' });
    const image = makeLink(SOURCE, TARGET, { anchor: 'Item photo' });
    const old = makeLink(SOURCE, 'https://shop.com/old', { anchor: 'old item' });
    const view = summarizeReferrals(
      [
        visit({ at: T0 }),
        visit({ at: T0 + 10 }),
        visit({ anchor: 'Item photo', at: T0 + 20 }),
        // Through a redirect: the link's own target is the old address.
        visit({ href: 'https://shop.com/old', anchor: 'old item', at: T0 + 30 }),
      ],
      [text, image, old],
    );
    expect(view.byLink).toEqual({
      [linkKey(text)]: { count: 2, firstVisit: T0, lastVisit: T0 + 10 },
      [linkKey(image)]: { count: 1, firstVisit: T0 + 20, lastVisit: T0 + 20 },
      [linkKey(old)]: { count: 1, firstVisit: T0 + 30, lastVisit: T0 + 30 },
    });
  });

  it('a link whose words changed since still gets its visits, once', () => {
    const first = makeLink(SOURCE, TARGET, { anchor: 'new words' });
    const second = makeLink(SOURCE, TARGET, { anchor: 'other words' });
    const view = summarizeReferrals([visit({ anchor: 'old words' })], [first, second]);
    expect(view.byLink).toEqual({ [linkKey(first)]: { count: 1, firstVisit: T0, lastVisit: T0 } });
  });

  it('a visit from a page with no stored link here is listed, credited to no row', () => {
    const view = summarizeReferrals([visit()], [makeLink('https://else.com/', TARGET)]);
    expect(view.byLink).toEqual({});
    expect(view.sources).toHaveLength(1);
  });
});

describe('parseReferralVisit', () => {
  it('re-canonicalizes URLs, derives domains and caps the anchor', () => {
    expect(
      parseReferralVisit(
        {
          source: 'HTTPS://Blog.com/post?utm_source=x#top',
          target: 'https://shop.com:443/item',
          href: 'https://shop.com/item?fbclid=1',
          anchor: 'a'.repeat(500),
          at: T0,
          sourceDomain: 'lies.com',
          extra: '<script>',
        },
        registrableDomain,
      ),
    ).toEqual(visit({ anchor: 'a'.repeat(DEFAULT_EXTRACT_OPTIONS.maxAnchorLength) }));
  });

  it.each([
    ['no source', { target: TARGET, at: T0 }],
    ['a javascript: target', { source: SOURCE, target: 'javascript:alert(1)', at: T0 }],
    ['no time', { source: SOURCE, target: TARGET }],
    ['a negative time', { source: SOURCE, target: TARGET, at: -1 }],
    ['the same page at both ends', { source: SOURCE, target: SOURCE, at: T0 }],
  ])('refuses %s', (_label, value) => {
    expect(parseReferralVisit(value, registrableDomain)).toBeNull();
  });

  it('takes the target as the href when the href is missing', () => {
    expect(
      parseReferralVisit({ source: SOURCE, target: TARGET, at: T0 }, registrableDomain),
    ).toEqual(visit({ anchor: '' }));
  });
});

describe('arrivals per tab', () => {
  const arrival = { source: SOURCE, target: TARGET, anchor: 'the item', at: T0 };

  it('keeps valid entries only', () => {
    expect(
      parseArrivals({
        '3': arrival,
        x: arrival,
        '4': { ...arrival, source: 'javascript:1' },
        '5': { ...arrival, at: 'now' },
        '6': null,
      }),
    ).toEqual({ '3': arrival });
    expect(parseArrivals(undefined)).toEqual({});
  });

  it('sets, replaces and removes one tab, dropping the oldest past the cap', () => {
    const one = withArrival({}, 3, arrival);
    expect(one).toEqual({ '3': arrival });
    expect(withArrival(one, 3, { ...arrival, at: T0 + 1 })).toEqual({
      '3': { ...arrival, at: T0 + 1 },
    });
    expect(withArrival(one, 3, null)).toEqual({});
    let many: Record<string, typeof arrival> = {};
    for (let i = 0; i <= MAX_ARRIVAL_TABS; i++)
      many = withArrival(many, i, { ...arrival, at: T0 + i });
    expect(Object.keys(many)).toHaveLength(MAX_ARRIVAL_TABS);
    expect(many['0']).toBeUndefined();
    expect(many[String(MAX_ARRIVAL_TABS)]).toBeDefined();
  });
});

describe('visits per page', () => {
  it('counts loads half an hour apart, reloads within it as the same visit', () => {
    expect(nextVisitCount(undefined, T0)).toBe(1);
    expect(nextVisitCount({ lastSeen: T0, visits: 1 }, T0 + 60_000)).toBe(1);
    expect(nextVisitCount({ lastSeen: T0, visits: 1 }, T0 + VISIT_GAP_MS)).toBe(2);
    // A page stored before visits were counted was visited once at least.
    expect(nextVisitCount({ lastSeen: T0 }, T0 + VISIT_GAP_MS)).toBe(2);
  });
});

describe('likelyTrafficSenders', () => {
  const page = 'https://shop.com/item';
  const often = 'https://often.com/post';
  const links = [
    makeLink(often, page, { region: 'main', rel: ['nofollow'] }),
    makeLink('https://rare.com/post', page, { region: 'main' }),
    makeLink('https://footer.com/', page, { region: 'footer' }),
    makeLink('https://lost.com/', page, { region: 'main', lostAt: T0 }),
    makeLink('https://shop.com/other', page, { region: 'main' }),
    makeLink('https://daily.com/', page, { region: 'main' }),
  ];
  const sources = {
    [often]: { visits: 4 },
    'https://rare.com/post': { visits: 1 },
    'https://footer.com/': { visits: 9 },
    'https://lost.com/': { visits: 9 },
    'https://shop.com/other': { visits: 9 },
    'https://daily.com/': { visits: 12 },
  };

  it('lists live editorial links from other sites on pages visited often, most visited first', () => {
    const senders = likelyTrafficSenders(links, sources, null);
    expect(senders.map((s) => [s.link.source, s.visits])).toEqual([
      ['https://daily.com/', 12],
      [often, 4],
    ]);
  });

  it('says how many visits each already sent', () => {
    const referrals = summarizeReferrals(
      [visit({ source: often, target: page, href: page, anchor: links[0]!.anchor })],
      links,
    );
    const senders = likelyTrafficSenders(links, sources, referrals);
    expect(senders.find((s) => s.link.source === often)?.referrals?.count).toBe(1);
    expect(senders.find((s) => s.link.source === 'https://daily.com/')?.referrals).toBeNull();
  });
});
