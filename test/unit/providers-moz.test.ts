import { describe, expect, it } from 'vitest';
import { linkKey } from '../../src/core/types';
import { moz } from '../../src/sources/providers/moz';
import {
  answered,
  fixtureReply,
  providerFailure,
  settingsFor,
  nth,
  useFakeApi,
  type SeenRequest,
} from './providers-server';

const TOKEN = 'bW96LXRva2VuLTEyMzQ1Njc4OTA';
const ACCESS_ID = 'mozscape-0a1b2c3d4e';
const SECRET = 'f00dcafe0123456789abcdef00112233';
const PAGE = 'https://coffee-blog.example/brewing-guide';
const fake = useFakeApi();
const current = () => settingsFor(fake.api, TOKEN);
const legacy = () => settingsFor(fake.api, ACCESS_ID, SECRET);
const rpcMethod = (request: SeenRequest) => (JSON.parse(request.body) as { method: string }).method;

describe('Moz, current API (JSON-RPC with x-moz-token)', () => {
  it('asks data.site.link.list for a page with the token header', async () => {
    fake.api.reply(fixtureReply('moz/link-list.json'));
    await moz.run(moz.backlinks!, PAGE, current(), 'url');
    const request = nth(fake.api.requests);
    expect(request).toMatchObject({ method: 'POST', url: '/jsonrpc' });
    expect(request.headers['x-moz-token']).toBe(TOKEN);
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body)).toMatchObject({
      jsonrpc: '2.0',
      method: 'data.site.link.list',
      params: {
        data: { site_query: { query: PAGE, scope: 'url' }, filter: 'external', limit: 50 },
      },
    });
  });

  it('maps links: scheme-less pages (the looked-up page keeps its scheme), nofollow, dates', async () => {
    fake.api.reply(fixtureReply('moz/link-list.json'));
    const { links, linkMetrics } = await moz.run(moz.backlinks!, PAGE, current());
    expect(links).toHaveLength(3);
    expect(nth(links, 0)).toMatchObject({
      source: 'http://news-daily.example/2026/11/best-coffee',
      target: PAGE,
      anchor: 'a brewing guide',
      rel: [],
      firstSeen: Date.UTC(2026, 2, 20),
      lastSeen: Date.UTC(2026, 10, 18),
      lostAt: null,
    });
    expect(nth(links, 1).rel).toEqual(['nofollow']);
    expect(linkMetrics[linkKey(nth(links, 0))]?.map((m) => [m.name, m.value])).toEqual([
      ['PA', 41],
      ['DA', 58],
    ]);
    expect(nth(links, 2).lostAt).toBe(Date.UTC(2026, 8, 12));
  });

  it('keeps PA, DA and Spam Score, and shows PA as the page authority', async () => {
    fake.api.route((request) =>
      fixtureReply(
        rpcMethod(request) === 'data.site.metrics.fetch'
          ? 'moz/site-metrics.json'
          : 'moz/link-list.json',
      ),
    );
    const answer = answered(await moz.toSource(current()).lookup('url', PAGE));
    expect(answer.metrics).toEqual([
      { source: 'Moz', name: 'PA', value: 33, max: 100, subject: 'url' },
      { source: 'Moz', name: 'DA', value: 45, max: 100, subject: 'domain' },
      { source: 'Moz', name: 'Spam Score', value: 2, max: 100, subject: 'domain' },
    ]);
    expect(answer.totals?.authority).toBe(33);
  });

  it('tests the token with quota.lookup and shows the rows left', async () => {
    fake.api.reply(fixtureReply('moz/quota-lookup.json'));
    await expect(moz.run(moz.testKey, '', current())).resolves.toEqual({
      quota: { remaining: 2588, unit: 'rows' },
    });
    expect(rpcMethod(nth(fake.api.requests, 0))).toBe('quota.lookup');
  });

  it('asks data.site.linking-domain.list and reads each root domain, its pages and DA', async () => {
    fake.api.reply(fixtureReply('moz/linking-domain-list.json'));
    const { domains } = await moz.run(moz.referringDomains!, PAGE, current(), 'url');
    const request = nth(fake.api.requests);
    expect(request.headers['x-moz-token']).toBe(TOKEN);
    expect(JSON.parse(request.body)).toMatchObject({
      jsonrpc: '2.0',
      method: 'data.site.linking-domain.list',
      params: { data: { site_query: { query: PAGE, scope: 'url' }, offset: { limit: 50 } } },
    });
    // Spam Score -1 (not computed) is left out; a row without a domain is too.
    const rows = domains.map((d) => [d.domain, d.backlinks, d.metrics.map((m) => m.name)]);
    expect(rows).toEqual([
      ['news-daily.example', 14, ['DA', 'Spam Score']],
      ['forum.example', 3, ['DA']],
    ]);
    expect(nth(domains).metrics.map((m) => [m.value, m.max, m.subject])).toEqual([
      [58, 100, 'domain'],
      [1, 100, 'domain'],
    ]);
  });

  it('asks a site lookup at domain scope', async () => {
    fake.api.reply(fixtureReply('moz/linking-domain-list.json'));
    await moz.run(moz.referringDomains!, 'coffee-blog.example', current(), 'domain');
    expect(JSON.parse(nth(fake.api.requests).body).params.data.site_query).toEqual({
      query: 'coffee-blog.example',
      scope: 'domain',
    });
  });

  it.each([
    ['moz/error-bad-token.json', 401, 'bad-key'],
    ['moz/error-quota.json', 403, 'quota'],
    ['moz/error-missing-query.json', 400, 'refused'],
  ])('maps the documented error %s (HTTP %i) to %s', async (path, status, kind) => {
    fake.api.reply(fixtureReply(path, status));
    const error = await providerFailure(moz.run(moz.backlinks!, PAGE, current()));
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain(TOKEN);
    // A domains lookup reads the same error bodies.
    fake.api.reply(fixtureReply(path, status));
    const refused = await providerFailure(moz.run(moz.referringDomains!, PAGE, current()));
    expect(refused.kind).toBe(kind);
    expect(refused.message).not.toContain(TOKEN);
  });
});

describe('Moz, legacy Links API v2 (access id and secret)', () => {
  it('POSTs to /v2/links with Basic auth of id:secret', async () => {
    fake.api.reply(fixtureReply('moz/v2-links.json'));
    const { links } = await moz.run(moz.backlinks!, PAGE, legacy(), 'url');
    const request = nth(fake.api.requests);
    expect(request).toMatchObject({ method: 'POST', url: '/v2/links' });
    expect(request.headers.authorization).toBe(`Basic ${btoa(`${ACCESS_ID}:${SECRET}`)}`);
    expect(JSON.parse(request.body)).toEqual({
      target: PAGE,
      target_scope: 'page',
      filter: 'external',
      limit: 50,
    });
    expect(links.map((l) => l.anchor)).toEqual(['a brewing guide']);
  });

  it('reads url_metrics; a Spam Score of -1 (not computed) is left out', async () => {
    fake.api.reply(fixtureReply('moz/v2-url-metrics.json'));
    const metrics = await moz.run(nth(moz.authority!), PAGE, legacy(), 'url');
    expect(JSON.parse(nth(fake.api.requests, 0).body)).toEqual({ targets: [PAGE] });
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      ['PA', 33],
      ['DA', 45],
    ]);
  });

  it('POSTs to /v2/linking_root_domains and reads root_domain and to_target.pages', async () => {
    fake.api.reply(fixtureReply('moz/v2-linking-root-domains.json'));
    const { domains } = await moz.run(
      moz.referringDomains!,
      'coffee-blog.example',
      legacy(),
      'domain',
    );
    const request = nth(fake.api.requests);
    expect(request).toMatchObject({ method: 'POST', url: '/v2/linking_root_domains' });
    expect(request.headers.authorization).toBe(`Basic ${btoa(`${ACCESS_ID}:${SECRET}`)}`);
    expect(JSON.parse(request.body)).toEqual({
      target: 'coffee-blog.example',
      target_scope: 'root_domain',
      filter: 'external',
      limit: 50,
    });
    expect(domains.map((d) => [d.domain, d.backlinks, d.metrics.map((m) => m.value)])).toEqual([
      ['news-daily.example', 14, [58, 1]],
      ['deals.example', 2, [12, 31]],
    ]);
  });

  it('maps a linking root domains 401 to a bad key without the secret', async () => {
    fake.api.reply(fixtureReply('moz/v2-error-unauthorized.json', 401));
    const error = await providerFailure(moz.run(moz.referringDomains!, PAGE, legacy()));
    expect(error.kind).toBe('bad-key');
    expect(error.message).not.toContain(SECRET);
  });

  it('maps its 401 to a bad key without the secret', async () => {
    fake.api.reply(fixtureReply('moz/v2-error-unauthorized.json', 401));
    const error = await providerFailure(moz.run(moz.testKey, '', legacy()));
    expect(error.kind).toBe('bad-key');
    expect(nth(fake.api.requests, 0).url).toBe('/v2/usage_data');
    expect(error.message).not.toContain(SECRET);
  });
});
