import { describe, expect, it } from 'vitest';
import { MAX_ANCHOR_LENGTH, MAX_URL_LENGTH } from '../../src/core/limits';
import {
  defineProvider,
  linkOf,
  metricOf,
  plainAnchor,
  timeOf,
} from '../../src/sources/providers/adapter';
import { PROVIDERS, providerById } from '../../src/sources/providers/index';
import type { ProviderSpec } from '../../src/sources/providers/types';
import { byPath, NOW, settingsFor, useFakeApi } from './providers-server';

const fake = useFakeApi();

/** A provider of the simplest shape: GET /links and GET /authority, JSON arrays. */
function toyProvider(overrides: Partial<ProviderSpec> = {}) {
  const get = (path: string) => () => ({
    url: `${fake.api.origin}${path}`,
    method: 'GET' as const,
    headers: {},
  });
  return defineProvider({
    id: 'ahrefs',
    name: 'Toy',
    apiOrigin: 'https://toy.invalid',
    metrics: ['DR'],
    errorOf: () => null,
    testKey: { request: get('/key'), parse: () => ({}) },
    backlinks: {
      request: get('/links'),
      parse: (body, { now }) => ({
        links: (body as { s: string; t: string }[]).flatMap(
          (r) => linkOf({ source: r.s, target: r.t }, now) ?? [],
        ),
        linkMetrics: {},
        metrics: [],
      }),
    },
    authority: [
      { request: get('/authority'), parse: (body) => metricOf('Toy', 'DR', body, 'domain', 100) },
    ],
    ...overrides,
  });
}

describe('provider as a source', () => {
  it('keeps the links when only the authority call fails', async () => {
    fake.api.route(
      byPath({
        '/links': { body: '[{"s":"https://a.example/x","t":"https://b.example/"}]' },
        '/authority': { status: 500, body: '{}' },
      }),
    );
    const result = await toyProvider()
      .toSource(settingsFor(fake.api, 'k'))
      .lookup('url', 'https://b.example/');
    expect(result).toMatchObject({ status: 'answered', answer: { name: 'Toy', metrics: [] } });
    expect(result.status === 'answered' && result.answer.links).toHaveLength(1);
  });

  it('fails as a whole, in plain words, when a mapper trips over an unexpected shape', async () => {
    fake.api.route(
      byPath({ '/links': { body: '{"not":"an array"}' }, '/authority': { body: '7' } }),
    );
    const result = await toyProvider()
      .toSource(settingsFor(fake.api, 'k'))
      .lookup('url', 'https://b.example/');
    expect(result).toEqual({
      status: 'failed',
      name: 'Toy',
      message: 'Toy sent an answer that could not be read; nothing of it was kept.',
    });
  });

  it('without link lists, an authority failure is the answer', async () => {
    fake.api.route(byPath({ '/authority': { status: 503, body: '{}' } }));
    const result = await toyProvider({ backlinks: undefined })
      .toSource(settingsFor(fake.api, 'k'))
      .lookup('domain', 'https://b.example/');
    expect(result).toMatchObject({ status: 'failed', name: 'Toy' });
  });
});

describe('readers of a service row', () => {
  it('makes anchors plain text, bounded', () => {
    expect(plainAnchor('  <b>Best</b>&nbsp;beans &amp; <img src=x> grinders\n\t')).toBe(
      'Best beans & grinders',
    );
    expect(plainAnchor('x'.repeat(500))).toHaveLength(MAX_ANCHOR_LENGTH);
    expect(plainAnchor(42)).toBe('');
  });

  it('reads the services’ time formats and refuses impossible times', () => {
    expect(timeOf('2021-02-15 06:41:31 +00:00', NOW)).toBe(Date.UTC(2021, 1, 15, 6, 41, 31));
    expect(timeOf('2026-03-18T07:12:41Z', NOW)).toBe(Date.UTC(2026, 2, 18, 7, 12, 41));
    expect(timeOf('1970-01-01', NOW)).toBeNull();
    expect(timeOf('2030-01-01', NOW)).toBeNull();
    expect(timeOf('', NOW)).toBeNull();
  });

  it('drops links whose ends are not recordable http(s) pages, and self links', () => {
    const ok = 'https://a.example/';
    expect(linkOf({ source: 'ftp://a.example/f', target: ok }, NOW)).toBeNull();
    expect(
      linkOf({ source: `https://a.example/${'x'.repeat(MAX_URL_LENGTH)}`, target: ok }, NOW),
    ).toBeNull();
    expect(
      linkOf({ source: 'https://a.example/reset-password/8d2f3a9c1b7e4f60', target: ok }, NOW),
    ).toBeNull();
    expect(linkOf({ source: ok, target: 'https://A.example' }, NOW)).toBeNull();
    expect(linkOf({ source: 42, target: ok }, NOW)).toBeNull();
  });

  it('takes a link without dates as seen now, and keeps first seen before last seen', () => {
    expect(
      linkOf({ source: 'https://a.example/', target: 'https://b.example/' }, NOW),
    ).toMatchObject({
      firstSeen: NOW,
      lastSeen: NOW,
      lostAt: null,
    });
    const odd = linkOf(
      {
        source: 'https://a.example/',
        target: 'https://b.example/',
        firstSeen: '2026-05-01',
        lastSeen: '2026-04-01',
      },
      NOW,
    );
    expect(odd?.firstSeen).toBe(Date.UTC(2026, 3, 1));
  });

  it('refuses metric values off the scale', () => {
    expect(metricOf('Toy', 'DR', 101, 'domain', 100)).toEqual([]);
    expect(metricOf('Toy', 'DR', -1, 'domain', 100)).toEqual([]);
    expect(metricOf('Toy', 'DR', 'n/a', 'domain', 100)).toEqual([]);
    expect(metricOf('Toy', 'DR', '55', 'domain', 100)).toEqual([
      { source: 'Toy', name: 'DR', value: 55, max: 100, subject: 'domain' },
    ]);
  });
});

describe('every provider', () => {
  const KEY = 'k3y-th4t-must-n0t-leak-0123';
  const SECRET = 's3cret-th4t-must-n0t-leak';

  it('declares a unique id, an https API origin, its metrics and a key test', () => {
    expect(new Set(PROVIDERS.map((p) => p.id)).size).toBe(PROVIDERS.length);
    for (const provider of PROVIDERS) {
      for (const origin of [provider.apiOrigin, ...(provider.otherOrigins ?? [])]) {
        expect(new URL(origin).protocol).toBe('https:');
        expect(new URL(origin).origin).toBe(origin);
      }
      expect(provider.metrics.length).toBeGreaterThan(0);
      expect(provider.backlinks ?? provider.authority).toBeDefined();
      expect(providerById(provider.id)).toBe(provider);
      expect(provider.toSource(settingsFor(fake.api, KEY)).id).toBe(`provider:${provider.id}`);
    }
    expect(providerById('semrush')).toBeUndefined();
  });

  it.each(PROVIDERS.map((p) => [p.name, p] as const))(
    '%s: a refused key is one plain line that never repeats the key, even when echoed',
    async (_name, provider) => {
      const echo = `bad key ${KEY} / ${SECRET} / ${encodeURIComponent(SECRET)}`;
      fake.api.reply({
        status: 401,
        body: JSON.stringify({
          status_code: 40100,
          status_message: echo,
          error: { status: 401, message: echo },
          message: echo,
          Code: 'InvalidAPIKey',
          ErrorMessage: echo,
        }),
      });
      const result = await provider
        .toSource(settingsFor(fake.api, KEY, SECRET))
        .lookup('url', 'https://coffee-blog.example/brewing-guide');
      expect(result.status).toBe('failed');
      const said = JSON.stringify(result);
      expect(said).toContain('did not accept the key');
      expect(said).not.toContain(KEY);
      expect(said).not.toContain(SECRET);
      expect(said).not.toContain(encodeURIComponent(SECRET));
    },
  );
});
