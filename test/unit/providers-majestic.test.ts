import { describe, expect, it } from 'vitest';
import { linkKey } from '../../src/core/types';
import { majestic } from '../../src/sources/providers/majestic';
import {
  answered,
  fixtureReply,
  providerFailure,
  queryOf,
  settingsFor,
  nth,
  useFakeApi,
} from './providers-server';

const KEY = 'MAJ3ST1C0FFEE9876543210';
const PAGE = 'https://coffee-blog.example/brewing-guide';
const fake = useFakeApi();
const settings = () => settingsFor(fake.api, KEY);

describe('Majestic', () => {
  it('asks GetBackLinkData of the fresh index with app_api_key', async () => {
    fake.api.reply(fixtureReply('majestic/backlink-data.json'));
    await majestic.run(majestic.backlinks!, PAGE, settings());
    const request = nth(fake.api.requests);
    expect(request.method).toBe('GET');
    expect(request.url.split('?')[0] ?? '').toBe('/api/json');
    expect(queryOf(request.url)).toEqual({
      app_api_key: KEY,
      cmd: 'GetBackLinkData',
      datasource: 'fresh',
      item: PAGE,
      Count: '100',
      Mode: '0',
    });
  });

  it('maps backlinks: FlagNoFollow, indexed and last-seen dates, deleted links lost', async () => {
    fake.api.reply(fixtureReply('majestic/backlink-data.json'));
    const { links } = await majestic.run(majestic.backlinks!, PAGE, settings());
    expect(links.map((l) => [l.source, l.rel, l.lostAt])).toEqual([
      ['https://news-daily.example/2026/11/best-coffee', [], null],
      ['https://forum.example/t/grinders/812', ['nofollow'], null],
      ['http://old-reviews.example/espresso', [], Date.UTC(2026, 8, 12)],
    ]);
    expect(nth(links, 0)).toMatchObject({
      firstSeen: Date.UTC(2026, 2, 19),
      lastSeen: Date.UTC(2026, 10, 19),
    });
  });

  it("keeps each linking page's TF and CF beside its link", async () => {
    fake.api.reply(fixtureReply('majestic/backlink-data.json'));
    const { links, linkMetrics } = await majestic.run(majestic.backlinks!, PAGE, settings());
    expect(linkMetrics[linkKey(nth(links, 0))]?.map((m) => [m.name, m.value])).toEqual([
      ['TF', 39],
      ['CF', 44],
    ]);
  });

  it('keeps TF, CF and the strongest Topical Trust Flow with its topic', async () => {
    fake.api.route((request) =>
      fixtureReply(
        queryOf(request.url).cmd === 'GetIndexItemInfo'
          ? 'majestic/index-item-info.json'
          : 'majestic/backlink-data.json',
      ),
    );
    const answer = answered(await majestic.toSource(settings()).lookup('url', PAGE));
    expect(answer.metrics).toEqual([
      { source: 'Majestic', name: 'TF', value: 22, max: 100, subject: 'url' },
      { source: 'Majestic', name: 'CF', value: 31, max: 100, subject: 'url' },
      {
        source: 'Majestic',
        name: 'TTF',
        value: 21,
        max: 100,
        subject: 'url',
        topic: 'Recreation/Food',
      },
    ]);
    expect(answer.totals?.authority).toBe(22);
    const info = fake.api.requests.find((r) => queryOf(r.url).cmd === 'GetIndexItemInfo')!;
    expect(queryOf(info.url)).toMatchObject({ items: '1', item0: PAGE });
  });

  it('asks GetRefDomains for the item and reads each domain with its links and flows', async () => {
    fake.api.reply(fixtureReply('majestic/ref-domains.json'));
    const { domains } = await majestic.run(majestic.referringDomains!, PAGE, settings());
    expect(queryOf(nth(fake.api.requests).url)).toEqual({
      app_api_key: KEY,
      cmd: 'GetRefDomains',
      datasource: 'fresh',
      item0: PAGE,
      Count: '100',
    });
    // A row without a domain is left out; names are lower-cased as every domain here is.
    const rows = domains.map((d) => [d.domain, d.backlinks, d.metrics.map((m) => m.value)]);
    expect(rows).toEqual([
      ['news-daily.example', 14, [39, 44]],
      ['forum.example', 3, [18, 25]],
    ]);
    expect(nth(domains).metrics.map((m) => `${m.source} ${m.name} of the ${m.subject}`)).toEqual([
      'Majestic TF of the domain',
      'Majestic CF of the domain',
    ]);
  });

  it('refuses a GetRefDomains answer without its Results table as malformed', async () => {
    fake.api.reply({ status: 200, body: JSON.stringify({ Code: 'OK', DataTables: {} }) });
    const error = await providerFailure(
      majestic.run(majestic.referringDomains!, 'coffee-blog.example', settings(), 'domain'),
    );
    expect(error.kind).toBe('malformed');
  });

  it('tests the key with GetSubscriptionInfo and shows the retrieval units left', async () => {
    fake.api.reply(fixtureReply('majestic/subscription-info.json'));
    await expect(majestic.run(majestic.testKey, '', settings())).resolves.toEqual({
      quota: { remaining: 19462891, unit: 'retrieval units' },
    });
  });

  it.each([
    ['majestic/error-api-key.json', 'bad-key'],
    ['majestic/error-units.json', 'quota'],
  ])('maps the error body %s (at HTTP 200) to %s, without the key', async (path, kind) => {
    fake.api.reply(fixtureReply(path));
    const error = await providerFailure(majestic.run(majestic.backlinks!, PAGE, settings()));
    expect(error.kind).toBe(kind);
    fake.api.reply(fixtureReply(path));
    const refused = await providerFailure(
      majestic.run(majestic.referringDomains!, PAGE, settings()),
    );
    expect(refused.kind).toBe(kind);
    expect(refused.message).not.toContain(KEY);
    // The key travels in the query string: it must not come back in any message.
    expect(error.message).not.toContain(KEY);
    const failed = await majestic.toSource(settings()).lookup('url', PAGE);
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed)).not.toContain(KEY);
  });
});
