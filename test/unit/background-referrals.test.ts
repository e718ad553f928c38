import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import { closeTestDbs, openTestDb } from './helpers';
import type { BacklinkDb } from '../../src/storage/db';

/** The browser as the worker sees it: two tabs, session and local storage in memory. */
const store: { local: Record<string, unknown>; session: Record<string, unknown> } = {
  local: {},
  session: {},
};
const area = (name: 'local' | 'session') => ({
  get: async (key: string) => ({ [key]: store[name][key] }),
  set: async (items: Record<string, unknown>) => void Object.assign(store[name], items),
});
const tabs: Record<number, { id: number; incognito: boolean; openerTabId?: number }> = {
  1: { id: 1, incognito: false },
  2: { id: 2, incognito: false, openerTabId: 1 },
};
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: { id: 'ext' },
    storage: { local: area('local'), session: area('session') },
    tabs: {
      get: async (id: number) => {
        if (!tabs[id]) throw new Error('no tab');
        return tabs[id];
      },
    },
  },
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
// The recording module schedules badges and authority after snapshots; clicks use neither.
vi.mock('../../src/background/badge', () => ({ scheduleBadgeRefresh: () => {} }));
vi.mock('../../src/background/authority-job', () => ({ noteRecorded: () => {} }));

const { onLinkClick, onNavigation, onNewTab, noteHop, onTabClosed } =
  await import('../../src/background/referrals');
const { loadArrival } = await import('../../src/platform/arrivals-store');

const SOURCE = 'https://blog.com/post';
const TARGET = 'https://shop.com/item';

const sender = (tabId = 1, url = SOURCE): Runtime.MessageSender =>
  ({
    id: 'ext',
    frameId: 0,
    url,
    tab: { id: tabId, url, incognito: false },
    documentLifecycle: 'active',
  }) as unknown as Runtime.MessageSender;

const clickOn = (href: string, kind = 'click', tabId = 1) =>
  onLinkClick(
    { type: 'referral/click', click: { page: SOURCE, href, anchor: 'the item', kind } } as never,
    sender(tabId),
  );
const navigate = (tabId: number, url: string, extra: object = {}) =>
  onNavigation({ tabId, frameId: 0, url, transitionType: 'link', ...extra });

let clock = Date.UTC(2024, 0, 1);
beforeEach(async () => {
  db = await openTestDb();
  store.local = {};
  store.session = {};
  vi.useFakeTimers({ toFake: ['Date'] });
  // An hour apart: what one test leaves waiting in the worker has expired for the next.
  clock += 3_600_000;
  vi.setSystemTime(clock);
});
afterEach(() => {
  vi.useRealTimers();
  closeTestDbs();
});

describe('confirming clicks in the worker', () => {
  it('records a click confirmed by the same tab, and the tab arrival', async () => {
    expect(await clickOn(TARGET)).toEqual({ noted: true });
    vi.advanceTimersByTime(500);
    expect(await navigate(1, TARGET)).toBe('recorded');
    const [visit] = await db.getAll('referrals');
    expect(visit).toMatchObject({
      source: SOURCE,
      target: TARGET,
      href: TARGET,
      anchor: 'the item',
    });
    expect(await loadArrival(1)).toMatchObject({ source: SOURCE, target: TARGET });
    // Consumed: the next navigation to the same page is not confirmed again.
    expect(await navigate(1, TARGET)).toBe('unconfirmed');
    expect(await loadArrival(1)).toBeNull();
  });

  it('keeps the arrival when the page rewrites its own URL on load, not when it moves on', async () => {
    await clickOn(TARGET);
    expect(await navigate(1, TARGET)).toBe('recorded');
    expect(await navigate(1, `${TARGET}?utm_source=x`, { inPage: true })).toBe('same-page');
    expect(await loadArrival(1)).toMatchObject({ source: SOURCE });
    expect(await navigate(1, 'https://shop.com/next', { inPage: true })).toBe('unconfirmed');
    expect(await loadArrival(1)).toBeNull();
  });

  it('confirms a click whose message came after its navigation', async () => {
    expect(await navigate(1, TARGET)).toBe('unconfirmed');
    await clickOn(TARGET);
    expect(await db.count('referrals')).toBe(1);
    expect(await loadArrival(1)).toMatchObject({ source: SOURCE });
  });

  it('forgets what it held for a tab that was closed', async () => {
    // The navigation came first and the tab closed before the click's message arrived.
    expect(await navigate(1, TARGET)).toBe('unconfirmed');
    onTabClosed(1);
    expect(await clickOn(TARGET)).toEqual({ noted: true });
    expect(await db.count('referrals')).toBe(0);
  });

  it('does not confirm a click with a navigation the tab made before the page clicked on', async () => {
    // The tab went to the target by hand, then to the source; the link clicked there points
    // to an old address whose redirect (already reported) leads to the target.
    expect(await navigate(1, TARGET, { transitionType: 'typed' })).toBe('unconfirmed');
    vi.advanceTimersByTime(1_000);
    expect(await navigate(1, SOURCE)).toBe('unconfirmed');
    vi.advanceTimersByTime(1_000);
    noteHop({
      tabId: 1,
      url: 'https://shop.com/old',
      redirectUrl: TARGET,
      statusCode: 301,
    } as never);
    await clickOn('https://shop.com/old');
    expect(await db.count('referrals')).toBe(0);
    // The navigation the click started confirms it, and the tab's arrival is kept.
    expect(await navigate(1, TARGET)).toBe('recorded');
    expect(await db.count('referrals')).toBe(1);
    expect(await loadArrival(1)).toMatchObject({ source: SOURCE, target: TARGET });
  });

  it('follows the redirect hops the browser reported, in a tab opened from the click', async () => {
    await clickOn('https://shop.com/old', 'middle');
    noteHop({
      tabId: 2,
      url: 'https://shop.com/old',
      redirectUrl: TARGET,
      statusCode: 301,
    } as never);
    onNewTab({ sourceTabId: 1, tabId: 2 });
    expect(await navigate(2, TARGET)).toBe('recorded');
    expect((await db.getAll('referrals'))[0]).toMatchObject({
      href: 'https://shop.com/old',
      target: TARGET,
    });
    expect(await loadArrival(2)).toMatchObject({ source: SOURCE });
  });

  it("without onCreatedNavigationTarget, the new tab's opener stands in", async () => {
    await clickOn(TARGET, 'menu');
    expect(await navigate(2, TARGET)).toBe('recorded');
  });

  it('lets unconfirmed clicks expire', async () => {
    await clickOn(TARGET);
    vi.advanceTimersByTime(60_000);
    expect(await navigate(1, TARGET)).toBe('unconfirmed');
    expect(await db.count('referrals')).toBe(0);
  });

  it('a reload or a step back is no referral', async () => {
    await clickOn(TARGET);
    expect(await navigate(1, TARGET, { transitionType: 'reload' })).toBe('not-a-link');
    expect(await navigate(1, TARGET, { transitionQualifiers: ['forward_back'] })).toBe(
      'not-a-link',
    );
  });

  it('records nothing when recording was paused after the click, or the target is excluded', async () => {
    await clickOn(TARGET);
    store.local.settings = { paused: true };
    expect(await navigate(1, TARGET)).toBe('paused');
    store.local.settings = { excludedSites: ['shop.com'] };
    await clickOn(TARGET);
    expect(await navigate(1, TARGET)).toBe('excluded');
    expect(await db.count('referrals')).toBe(0);
  });

  it('refuses a click from a page it cannot vouch for, or while paused', async () => {
    const other = await onLinkClick(
      {
        type: 'referral/click',
        click: { page: 'https://evil.com/', href: TARGET, anchor: '', kind: 'click' },
      } as never,
      sender(),
    );
    expect(other).toEqual({ noted: false, reason: 'stale' });
    // A magic-login page is refused as a secret, not as a page the tab has left.
    const MAGIC = 'https://blog.com/magic-link/Zk8qP2xV9aLm4TnR7sYw';
    const magic = await onLinkClick(
      {
        type: 'referral/click',
        click: { page: MAGIC, href: TARGET, anchor: '', kind: 'click' },
      } as never,
      sender(1, MAGIC),
    );
    expect(magic).toEqual({ noted: false, reason: 'secret' });
    expect(await onLinkClick({ type: 'referral/click', click: 'nope' } as never, sender())).toEqual(
      {
        noted: false,
        reason: 'malformed',
      },
    );
    store.local.settings = { paused: true };
    expect(await clickOn(TARGET)).toEqual({ noted: false, reason: 'paused' });
  });
});
