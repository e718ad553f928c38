import { describe, expect, it } from 'vitest';
import { openPageRank } from '../../src/sources/providers/open-pagerank';
import {
  answered,
  fixtureReply,
  providerFailure,
  settingsFor,
  nth,
  useFakeApi,
} from './providers-server';

const KEY = 'opr_0123456789abcdef0123';
const fake = useFakeApi();

describe('Open PageRank', () => {
  it('asks for the registrable domain with the key in the API-OPR header', async () => {
    fake.api.reply(fixtureReply('open-pagerank/page-rank.json'));
    const settings = settingsFor(fake.api, KEY);
    await openPageRank.run(
      nth(openPageRank.authority!),
      'https://www.coffee-blog.example/brewing-guide',
      settings,
    );
    const request = nth(fake.api.requests);
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/api/v1.0/getPageRank?domains%5B%5D=coffee-blog.example');
    expect(request.headers['api-opr']).toBe(KEY);
    expect(request.url).not.toContain(KEY);
  });

  it('keeps OPR (0–10) and the global rank under their own names', async () => {
    fake.api.reply(fixtureReply('open-pagerank/page-rank.json'));
    const answer = answered(
      await openPageRank
        .toSource(settingsFor(fake.api, KEY))
        .lookup('url', 'https://coffee-blog.example/brewing-guide'),
    );
    expect(answer.name).toBe('Open PageRank');
    expect(answer.links).toEqual([]);
    expect(answer.metrics).toEqual([
      { source: 'Open PageRank', name: 'OPR', value: 4.87, max: 10, subject: 'domain' },
      { source: 'Open PageRank', name: 'OPR rank', value: 184523, subject: 'domain' },
    ]);
  });

  it('answers no figures for a domain it does not know (its 404 row)', async () => {
    fake.api.reply(fixtureReply('open-pagerank/not-found.json'));
    const metrics = await openPageRank.run(
      nth(openPageRank.authority!),
      'unknown-site.example',
      settingsFor(fake.api, KEY),
    );
    expect(metrics).toEqual([]);
  });

  it('says a bad key in plain words, without the key', async () => {
    fake.api.reply(fixtureReply('open-pagerank/bad-key.json', 401));
    const error = await providerFailure(
      openPageRank.run(openPageRank.testKey, '', settingsFor(fake.api, KEY)),
    );
    expect(error.kind).toBe('bad-key');
    expect(error.message).toContain('Open PageRank did not accept the key');
    expect(error.message).not.toContain(KEY);
    const result = await openPageRank
      .toSource(settingsFor(fake.api, KEY))
      .lookup('domain', 'https://coffee-blog.example/');
    expect(result).toEqual({ status: 'failed', name: 'Open PageRank', message: error.message });
  });

  it('tests a key with one lookup and reports no quota (the service does not say)', async () => {
    fake.api.reply(fixtureReply('open-pagerank/page-rank.json'));
    await expect(
      openPageRank.run(openPageRank.testKey, '', settingsFor(fake.api, KEY)),
    ).resolves.toEqual({});
    expect(nth(fake.api.requests, 0).url).toContain('domains%5B%5D=google.com');
  });
});
