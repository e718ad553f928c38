import { describe, expect, it } from 'vitest';
import { ahrefs } from '../../src/sources/providers/ahrefs';
import { linkKey } from '../../src/core/types';
import { canonicalizeUrl } from '../../src/core/url';
import {
  answered,
  byPath,
  fixtureReply,
  providerFailure,
  queryOf,
  settingsFor,
  nth,
  useFakeApi,
} from './providers-server';

const KEY = 'ahrefs-v3-Zx9Yw8Vu7Ts6Rq5';
const PAGE = 'https://coffee-blog.example/brewing-guide';
const fake = useFakeApi();
const settings = () => settingsFor(fake.api, KEY);

const routes = byPath({
  '/v3/site-explorer/all-backlinks': fixtureReply('ahrefs/all-backlinks.json'),
  '/v3/site-explorer/domain-rating': fixtureReply('ahrefs/domain-rating.json'),
  '/v3/site-explorer/url-rating-history': fixtureReply('ahrefs/url-rating-history.json'),
});

describe('Ahrefs API v3', () => {
  it('GETs all-backlinks of the exact page with a Bearer token and a column select', async () => {
    fake.api.reply(fixtureReply('ahrefs/all-backlinks.json'));
    await ahrefs.run(ahrefs.backlinks!, PAGE, settings(), 'url');
    const request = nth(fake.api.requests);
    expect(request.method).toBe('GET');
    expect(request.url.split('?')[0] ?? '').toBe('/v3/site-explorer/all-backlinks');
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(queryOf(request.url)).toMatchObject({
      target: PAGE,
      mode: 'exact',
      output: 'json',
      limit: '100',
    });
    expect((queryOf(request.url).select ?? '').split(',')).toEqual(
      expect.arrayContaining(['url_from', 'url_to', 'anchor', 'first_seen', 'lost_date']),
    );
  });

  it('maps backlinks; rel from the dofollow/ugc/sponsored flags; javascript: dropped', async () => {
    fake.api.reply(fixtureReply('ahrefs/all-backlinks.json'));
    const { links } = await ahrefs.run(ahrefs.backlinks!, PAGE, settings());
    expect(links.map((l) => l.source)).toEqual([
      'https://news-daily.example/2026/11/best-coffee',
      canonicalizeUrl('https://deals.example/coffee-gear?ref=aff'),
    ]);
    expect(nth(links, 0)).toMatchObject({ rel: [], firstSeen: Date.UTC(2026, 2, 18, 7, 12, 41) });
    expect(nth(links, 1).rel).toEqual(['nofollow', 'sponsored']);
  });

  it("keeps each linking site's DR beside its link", async () => {
    fake.api.reply(fixtureReply('ahrefs/all-backlinks.json'));
    const { links, linkMetrics } = await ahrefs.run(ahrefs.backlinks!, PAGE, settings());
    expect(linkMetrics[linkKey(nth(links, 0))]).toEqual([
      { source: 'Ahrefs', name: 'DR', value: 58, max: 100, subject: 'domain' },
    ]);
    expect(linkMetrics[linkKey(nth(links, 1))]?.map((m) => m.value)).toEqual([12]);
  });

  it('a page lookup shows DR of the site and UR of the page; a site lookup does not ask UR', async () => {
    fake.api.route(routes);
    const page = answered(await ahrefs.toSource(settings()).lookup('url', PAGE));
    expect(page.metrics).toEqual([
      { source: 'Ahrefs', name: 'DR', value: 47, max: 100, subject: 'domain' },
      { source: 'Ahrefs', name: 'UR', value: 19, max: 100, subject: 'url' },
    ]);
    expect(page.totals?.authority).toBe(19);
    const dr = fake.api.requests.find((r) => r.url.startsWith('/v3/site-explorer/domain-rating'))!;
    expect(queryOf(dr.url)).toMatchObject({ target: PAGE, date: '2026-11-26' });

    fake.api.requests.length = 0;
    const site = answered(await ahrefs.toSource(settings()).lookup('domain', PAGE));
    expect(site.metrics.map((m) => m.name)).toEqual(['DR']);
    expect(fake.api.requests.some((r) => r.url.includes('url-rating'))).toBe(false);
    expect(queryOf(nth(fake.api.requests, 0).url)).toMatchObject({
      target: 'coffee-blog.example',
      mode: 'domain',
    });
  });

  it('reads referring domains with their DR', async () => {
    fake.api.reply(fixtureReply('ahrefs/refdomains.json'));
    const { domains } = await ahrefs.run(
      ahrefs.referringDomains!,
      'coffee-blog.example',
      settings(),
      'domain',
    );
    expect(domains.map((d) => [d.domain, d.backlinks, nth(d.metrics).value])).toEqual([
      ['news-daily.example', 14, 58],
      ['deals.example', 2, 12],
    ]);
  });

  it('tests the key with limits-and-usage and shows the units left', async () => {
    fake.api.reply(fixtureReply('ahrefs/limits-and-usage.json'));
    await expect(ahrefs.run(ahrefs.testKey, '', settings())).resolves.toEqual({
      quota: { remaining: 126250, unit: 'API units' },
    });
    expect(nth(fake.api.requests, 0).url.split('?')[0] ?? '').toBe(
      '/v3/subscription-info/limits-and-usage',
    );
  });

  it.each([
    ['ahrefs/error-unauthorized.json', 401, 'bad-key'],
    ['ahrefs/error-units.json', 403, 'quota'],
    ['ahrefs/error-rate-limit.json', 429, 'rate-limit'],
  ])('maps %s (HTTP %i) to %s', async (path, status, kind) => {
    fake.api.reply(fixtureReply(path, status, { 'retry-after': '0' }));
    const error = await providerFailure(ahrefs.run(ahrefs.backlinks!, PAGE, settings()));
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain(KEY);
  });
});
