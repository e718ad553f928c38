import { describe, expect, it } from 'vitest';
import { linkKey } from '../../src/core/types';
import { dataForSeo } from '../../src/sources/providers/dataforseo';
import {
  answered,
  byPath,
  fixtureReply,
  NOW,
  providerFailure,
  settingsFor,
  nth,
  useFakeApi,
} from './providers-server';

const LOGIN = 'reader@example.com';
const PASSWORD = 'd4t4f0rs3o-pw-77';
const PAGE = 'https://coffee-blog.example/brewing-guide';
const fake = useFakeApi();
const settings = () => settingsFor(fake.api, LOGIN, PASSWORD);

describe('DataForSEO', () => {
  it('POSTs one task as a JSON array with Basic auth of login:password', async () => {
    fake.api.reply(fixtureReply('dataforseo/backlinks.json'));
    await dataForSeo.run(dataForSeo.backlinks!, PAGE, settings(), 'url');
    await dataForSeo.run(
      dataForSeo.backlinks!,
      'https://www.coffee-blog.example/x',
      settings(),
      'domain',
    );
    const page = nth(fake.api.requests, 0);
    const site = nth(fake.api.requests, 1);
    expect(page.method).toBe('POST');
    expect(page.url).toBe('/v3/backlinks/backlinks/live');
    expect(page.headers.authorization).toBe(`Basic ${btoa(`${LOGIN}:${PASSWORD}`)}`);
    expect(JSON.parse(page.body)).toEqual([{ target: PAGE, mode: 'as_is', limit: 100 }]);
    // A site is asked without scheme and www, as the docs require.
    expect(JSON.parse(site.body)[0].target).toBe('coffee-blog.example');
  });

  it('maps backlinks to link records: canonical, plain anchors, rel, dates, lost links', async () => {
    fake.api.reply(fixtureReply('dataforseo/backlinks.json'));
    const { links, linkMetrics, total } = await dataForSeo.run(
      dataForSeo.backlinks!,
      PAGE,
      settings(),
    );
    expect(total).toBe(1874);
    // The android-app:// source is not a web page: dropped.
    expect(links.map((l) => l.source)).toEqual([
      'https://news-daily.example/2026/11/best-coffee',
      'https://forum.example/t/grinders/812',
      'http://old-reviews.example/espresso',
    ]);
    expect(nth(links, 0)).toMatchObject({
      target: PAGE,
      anchor: 'a brewing guide & more',
      rel: [],
      sourceDomain: 'news-daily.example',
      targetDomain: 'coffee-blog.example',
      firstSeen: Date.UTC(2026, 2, 14, 9, 21, 7),
      lastSeen: Date.UTC(2026, 10, 20, 6, 41, 31),
      lostAt: null,
    });
    expect(nth(links, 1).rel).toEqual(['nofollow', 'ugc']);
    expect(linkMetrics[linkKey(nth(links, 0))]).toEqual([
      { source: 'DataForSEO', name: 'Rank', value: 455, max: 1000, subject: 'domain' },
    ]);
    expect(nth(links, 2).lostAt).toBe(Date.UTC(2026, 8, 12, 8));
  });

  it('reads referring domains and the summary figures under their own names', async () => {
    fake.api.reply(fixtureReply('dataforseo/referring-domains.json'));
    const { domains, total } = await dataForSeo.run(
      dataForSeo.referringDomains!,
      'coffee-blog.example',
      settings(),
      'domain',
    );
    expect(total).toBe(312);
    expect(domains).toEqual([
      {
        domain: 'news-daily.example',
        backlinks: 14,
        metrics: [{ source: 'DataForSEO', name: 'Rank', value: 455, max: 1000, subject: 'domain' }],
      },
      {
        domain: 'forum.example',
        backlinks: 3,
        metrics: [{ source: 'DataForSEO', name: 'Rank', value: 210, max: 1000, subject: 'domain' }],
      },
    ]);
    fake.api.reply(fixtureReply('dataforseo/summary.json'));
    const figures = await dataForSeo.run(
      nth(dataForSeo.authority!),
      'coffee-blog.example',
      settings(),
      'domain',
    );
    expect(figures).toEqual([
      { source: 'DataForSEO', name: 'Rank', value: 512, max: 1000, subject: 'domain' },
      { source: 'DataForSEO', name: 'Spam Score', value: 4, max: 100, subject: 'domain' },
    ]);
  });

  it('tests the key with the free user_data call and shows the balance', async () => {
    fake.api.reply(fixtureReply('dataforseo/user-data.json'));
    await expect(dataForSeo.run(dataForSeo.testKey, '', settings())).resolves.toEqual({
      quota: { remaining: 37.8125, unit: 'USD' },
    });
    expect(nth(fake.api.requests, 0)).toMatchObject({
      method: 'GET',
      url: '/v3/appendix/user_data',
    });
  });

  it.each([
    ['dataforseo/bad-key.json', 401, 'bad-key'],
    ['dataforseo/quota.json', 200, 'quota'],
    ['dataforseo/quota.json', 402, 'quota'],
    ['dataforseo/rate-limit.json', 200, 'rate-limit'],
  ])('maps the documented error body %s (HTTP %i) to %s', async (path, status, kind) => {
    fake.api.reply(fixtureReply(path, status));
    const error = await providerFailure(dataForSeo.run(dataForSeo.backlinks!, PAGE, settings()));
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain(btoa(`${LOGIN}:${PASSWORD}`));
  });

  it('takes "No Search Results" as an empty answer, not an error', async () => {
    fake.api.reply(fixtureReply('dataforseo/no-results.json'));
    await expect(dataForSeo.run(dataForSeo.backlinks!, PAGE, settings())).resolves.toEqual({
      links: [],
      linkMetrics: {},
      metrics: [],
      total: undefined,
    });
  });

  it('as a source: links and figures together; a quota error is one line, nothing kept', async () => {
    fake.api.route(
      byPath({
        '/v3/backlinks/backlinks/live': fixtureReply('dataforseo/backlinks.json'),
        '/v3/backlinks/summary/live': fixtureReply('dataforseo/summary.json'),
      }),
    );
    const answer = answered(await dataForSeo.toSource(settings()).lookup('url', PAGE));
    expect(answer.name).toBe('DataForSEO');
    expect(answer.links).toHaveLength(3);
    expect(answer.metrics.map((m) => m.name)).toEqual(['Rank', 'Spam Score']);
    expect(answer.totals).toMatchObject({
      backlinks: 1874,
      referringDomains: 3,
      referringPages: 3,
    });
    // Rank is 0–1000 and Spam Score is not authority: no 0–100 authority to show.
    expect(answer.totals?.authority).toBeUndefined();
    expect(answer.links.every((l) => l.lastSeen <= NOW)).toBe(true);

    fake.api.reply(fixtureReply('dataforseo/quota.json'));
    const failed = await dataForSeo.toSource(settings()).lookup('url', PAGE);
    expect(failed).toMatchObject({ status: 'failed', name: 'DataForSEO' });
    expect(failed.status === 'failed' && failed.message).toContain('quota is used up');
  });

  it('refuses an answer of the wrong shape as a whole', async () => {
    fake.api.reply({
      body: JSON.stringify({ status_code: 20000, tasks: [{ status_code: 20000, result: 'oops' }] }),
    });
    const error = await providerFailure(dataForSeo.run(dataForSeo.backlinks!, PAGE, settings()));
    expect(error.kind).toBe('malformed');
  });
});
