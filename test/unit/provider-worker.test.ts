import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import type { BacklinkDb } from '../../src/storage/db';
import { PROVIDER_PAUSES_KEY, PROVIDERS_KEY } from '../../src/sources/providers/settings';
import { ProviderError } from '../../src/sources/providers/types';
import { closeTestDbs, openTestDb } from './helpers';
import { EXTENSION_ORIGIN as ORIGIN, storedLocal as local } from './fake-browser';
import { byPath, fixture, fixtureReply, useFakeApi, type Reply } from './providers-server';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

const { onProviderLookup, onProviderTest, pauseAfter, providerActivity } =
  await import('../../src/background/providers');

const KEY = 'ahrefs-unit-key-Qw3Er4Ty5';
const PAGE = 'https://coffee-blog.example/brewing-guide';
const OTHER = 'https://coffee-blog.example/grinders';
const POPUP: Runtime.MessageSender = { id: 'lens', url: `${ORIGIN}src/ui/popup/index.html` };
const OPTIONS: Runtime.MessageSender = { id: 'lens', url: `${ORIGIN}src/ui/options/index.html` };
const fake = useFakeApi();

const ahrefsRoutes = byPath({
  '/v3/site-explorer/all-backlinks': fixtureReply('ahrefs/all-backlinks.json'),
  '/v3/site-explorer/domain-rating': fixtureReply('ahrefs/domain-rating.json'),
  '/v3/site-explorer/url-rating-history': fixtureReply('ahrefs/url-rating-history.json'),
  '/v3/subscription-info/limits-and-usage': fixtureReply('ahrefs/limits-and-usage.json'),
});

/** Store Ahrefs with the test key, pointed at the fake API. */
function addAhrefs(overrides: Record<string, unknown> = {}) {
  local[PROVIDERS_KEY] = {
    ahrefs: { credentials: { key: KEY }, enabled: true, endpoint: fake.api.origin, ...overrides },
  };
}

const lookup = (url = PAGE, sender = POPUP, provider = 'ahrefs') =>
  onProviderLookup(
    { type: 'provider/lookup', provider: provider as 'ahrefs', kind: 'url', url },
    sender,
  );

/** Every request answered with `reply`, whatever it asks. */
const replyAll = (reply: Reply) => fake.api.route(() => reply);

beforeEach(async () => {
  db = await openTestDb();
  for (const key of Object.keys(local)) delete local[key];
  for (const key of Object.keys(providerActivity)) delete providerActivity[key as 'off'];
  fake.api.route(ahrefsRoutes);
  addAhrefs();
});
afterEach(() => {
  closeTestDbs();
  vi.restoreAllMocks();
});

describe('onProviderLookup', () => {
  it('answers off for a provider without a key, turned off, or unknown, asking nothing', async () => {
    delete local[PROVIDERS_KEY];
    expect(await lookup()).toEqual({ status: 'off' });
    addAhrefs({ enabled: false });
    expect(await lookup()).toEqual({ status: 'off' });
    expect(await lookup(PAGE, POPUP, 'semrush')).toEqual({ status: 'off' });
    expect(fake.api.requests).toHaveLength(0);
    expect(providerActivity).toEqual({ off: 2, refused: 1 });
  });

  it('refuses pages: a content script would make lookups on page load', async () => {
    const tab: Runtime.MessageSender = { id: 'lens', url: PAGE, tab: { id: 3 } as never };
    expect(await lookup(PAGE, tab)).toEqual({ status: 'off' });
    expect(await lookup('javascript:alert(1)')).toEqual({ status: 'off' });
    expect(fake.api.requests).toHaveLength(0);
  });

  it('asks once with the canonical URL, keeps the answer with its figures and serves it from the cache', async () => {
    const first = await lookup(`${PAGE}?utm_source=x#top`);
    expect(first.status).toBe('answered');
    if (first.status !== 'answered') return;
    expect(first.answer.name).toBe('Ahrefs');
    expect(first.answer.links.map((l) => l.source)).toEqual([
      'https://news-daily.example/2026/11/best-coffee',
      'https://deals.example/coffee-gear?ref=aff',
    ]);
    expect(first.answer.metrics?.map((m) => `${m.name} ${m.value}`)).toEqual(['DR 47', 'UR 19']);
    const asked = fake.api.requests.find((r) => r.url.includes('all-backlinks'));
    expect(new URL(asked!.url, fake.api.origin).searchParams.get('target')).toBe(PAGE);
    expect(fake.api.requests).toHaveLength(3);
    expect(await db.count('remote-cache')).toBe(1);
    expect(await db.get('remote-cache', ['provider:ahrefs', 'url', PAGE])).toBeDefined();

    expect(await lookup()).toEqual(first);
    expect(fake.api.requests).toHaveLength(3);
    expect(providerActivity).toEqual({ fetched: 1, cached: 1 });
  });

  it('asks again once the answer is older than the provider TTL (a day)', async () => {
    await lookup();
    const record = (await db.get('remote-cache', ['provider:ahrefs', 'url', PAGE]))!;
    await db.put('remote-cache', { ...record, fetchedAt: Date.now() - 23 * 60 * 60 * 1000 });
    await lookup();
    expect(fake.api.requests).toHaveLength(3);
    await db.put('remote-cache', { ...record, fetchedAt: Date.now() - 25 * 60 * 60 * 1000 });
    await lookup();
    expect(fake.api.requests).toHaveLength(6);
  });

  it('a lookup made while the same one is under way waits for it: one request per page', async () => {
    const [a, b, c] = await Promise.all([lookup(), lookup(), lookup(OTHER)]);
    expect(a).toEqual(b);
    expect(c.status).toBe('answered');
    expect(fake.api.requests).toHaveLength(6);
    expect(providerActivity).toEqual({ fetched: 2, joined: 1 });
  });

  it('after a 429 with Retry-After it does not ask again until then, and says so', async () => {
    replyAll({
      status: 429,
      headers: { 'retry-after': '3600' },
      body: fixture('ahrefs/error-rate-limit.json'),
    });
    const failed = await lookup();
    expect(failed).toMatchObject({ status: 'failed', name: 'Ahrefs' });
    const message = failed.status === 'failed' ? failed.message : '';
    expect(message).toMatch(/^Ahrefs asks to slow down \(too many requests\)\./);
    expect(message).toMatch(/Ahrefs is not asked again before .+\.$/);
    const until = (local[PROVIDER_PAUSES_KEY] as Record<string, number>).ahrefs!;
    expect(until - Date.now()).toBeGreaterThan(3590_000);
    expect(until - Date.now()).toBeLessThanOrEqual(3600_000);

    const asked = fake.api.requests.length;
    fake.api.route(ahrefsRoutes);
    const paused = await lookup(OTHER);
    expect(paused).toMatchObject({ status: 'failed', name: 'Ahrefs' });
    expect(paused.status === 'failed' && paused.message).toMatch(/^Ahrefs is not asked again/);
    expect(fake.api.requests).toHaveLength(asked);
    expect(await db.count('remote-cache')).toBe(0);
    expect(providerActivity).toMatchObject({ failed: 1, paused: 1 });
  });

  it('after a spent quota it waits an hour; a working key test lifts the pause', async () => {
    replyAll({ status: 403, body: fixture('ahrefs/error-units.json') });
    const failed = await lookup();
    expect(failed.status === 'failed' && failed.message).toMatch(/^Your Ahrefs quota is used up/);
    const until = (local[PROVIDER_PAUSES_KEY] as Record<string, number>).ahrefs!;
    expect(Math.round((until - Date.now()) / 60_000)).toBe(60);

    fake.api.route(ahrefsRoutes);
    expect(await onProviderTest({ type: 'provider/test', provider: 'ahrefs' }, OPTIONS)).toEqual({
      ok: true,
      quota: { remaining: 126_250, unit: 'API units' },
    });
    expect(local[PROVIDER_PAUSES_KEY]).toEqual({});
    expect((await lookup()).status).toBe('answered');
  });

  it('keeps nothing of an answer that fails validation, and does not pause for it', async () => {
    fake.api.route((request) =>
      request.url.includes('all-backlinks')
        ? { body: '{"backlinks": "no"}' }
        : ahrefsRoutes(request),
    );
    const failed = await lookup();
    expect(failed).toEqual({
      status: 'failed',
      name: 'Ahrefs',
      message: 'Ahrefs sent an answer that could not be read; nothing of it was kept.',
    });
    expect(await db.count('remote-cache')).toBe(0);
    expect(local[PROVIDER_PAUSES_KEY]).toBeUndefined();
  });

  it('a refused key is said in words that never carry the key, nor does the log', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // A service that echoes the key it was sent.
    replyAll({ status: 401, body: JSON.stringify({ error: `Invalid API key ${KEY}` }) });
    const failed = await lookup();
    expect(failed.status === 'failed' && failed.message).toBe(
      'Ahrefs did not accept the key. Check it in the settings. Ahrefs said: "Invalid API key [key hidden]".',
    );
    expect(JSON.stringify(warn.mock.calls)).not.toContain(KEY);
    expect(local[PROVIDER_PAUSES_KEY]).toBeUndefined();
  });

  it('never sends the key to a stored endpoint that is not on this machine', async () => {
    addAhrefs({ endpoint: 'https://collector.example' });
    // The endpoint is dropped when read: the request would go to api.ahrefs.com, not here.
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('offline'));
    const failed = await lookup();
    expect(failed.status).toBe('failed');
    const urls = vi.mocked(fetch).mock.calls.map(([url]) => new URL(String(url)).origin);
    expect(new Set(urls)).toEqual(new Set(['https://api.ahrefs.com']));
  });
});

describe('onProviderTest', () => {
  it('tries credentials being added, or the stored ones, with the free call', async () => {
    delete local[PROVIDERS_KEY];
    expect(await onProviderTest({ type: 'provider/test', provider: 'ahrefs' }, OPTIONS)).toEqual({
      ok: false,
      message: 'No key of Ahrefs is stored.',
    });
    // The stored entry only points at the fake API (as the e2e test stores it).
    local[PROVIDERS_KEY] = { ahrefs: { endpoint: fake.api.origin } };
    const reply = await onProviderTest(
      { type: 'provider/test', provider: 'ahrefs', credentials: { key: ` ${KEY} ` } },
      OPTIONS,
    );
    expect(reply).toEqual({ ok: true, quota: { remaining: 126_250, unit: 'API units' } });
    expect(fake.api.requests.map((r) => r.url)).toEqual([
      '/v3/subscription-info/limits-and-usage?output=json',
    ]);
    expect(fake.api.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('says why a key does not work, and refuses anything but the extension pages', async () => {
    replyAll({ status: 401, body: fixture('ahrefs/error-unauthorized.json') });
    expect(await onProviderTest({ type: 'provider/test', provider: 'ahrefs' }, OPTIONS)).toEqual({
      ok: false,
      message:
        'Ahrefs did not accept the key. Check it in the settings. Ahrefs said: "Invalid API key".',
    });
    const page: Runtime.MessageSender = { id: 'lens', url: PAGE };
    expect(await onProviderTest({ type: 'provider/test', provider: 'ahrefs' }, page)).toMatchObject(
      { ok: false },
    );
    expect(fake.api.requests).toHaveLength(1);
  });
});

describe('pauseAfter', () => {
  it('holds back after a rate limit or a spent quota only, within a day', () => {
    const error = (kind: ProviderError['kind'], retryAfter?: number) =>
      new ProviderError(kind, 'x', retryAfter);
    expect(pauseAfter(error('rate-limit', 120))).toBe(120_000);
    expect(pauseAfter(error('rate-limit'))).toBe(60_000);
    expect(pauseAfter(error('rate-limit', 10 ** 9))).toBe(24 * 60 * 60 * 1000);
    expect(pauseAfter(error('quota'))).toBe(60 * 60 * 1000);
    expect(pauseAfter(error('quota', 7200))).toBe(7200_000);
    for (const kind of ['bad-key', 'down', 'timeout', 'unreachable', 'malformed'] as const) {
      expect(pauseAfter(error(kind))).toBeNull();
    }
  });
});
