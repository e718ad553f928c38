import { expect, it } from 'vitest';
import { hashKey } from '../../src/core/index-protocol';
import type { Db, Queryable } from '../../server/src/db';
import { migrate } from '../../server/src/schema';
import { ingestPages } from '../../server/src/store';
import { DAY, T0, describeEngines, dumpIndex, makeLink, makePage } from './helpers';

const linksTo = (db: Db, url: string) =>
  db.query<{
    anchor: string;
    rel: string[];
    region: string | null;
    first_seen: number;
    last_seen: number;
    lost_at: number | null;
    source: string;
  }>(
    `SELECT l.anchor, l.rel, l.region, l.first_seen, l.last_seen, l.lost_at, s.url AS source
     FROM links l JOIN pages s ON s.id = l.source_id JOIN pages t ON t.id = l.target_id
     WHERE t.url = $1 ORDER BY s.url, l.anchor`,
    [url],
  );

describeEngines('ingestPages', (db) => {
  it('stores canonical pages and links keyed by the hash of the canonical target', async () => {
    const result = await ingestPages(db(), [
      makePage('HTTPS://Blog.Example/post#top', [
        makeLink('https://Example.com/a?utm_source=x', {
          anchor: '  Read  ',
          rel: ['NoFollow'],
          region: 'main',
        }),
        makeLink('https://news.example.co.uk/story'),
      ]),
    ]);
    expect(result).toEqual({ pages: 1, links: 2, skipped: 0 });
    const [link] = await linksTo(db(), 'https://example.com/a');
    expect(link).toMatchObject({
      source: 'https://blog.example/post',
      anchor: 'Read',
      rel: ['nofollow'],
      region: 'main',
    });
    const [row] = await db().query<{ hash: string }>(
      `SELECT encode(target_hash, 'hex') AS hash FROM links l JOIN pages t ON t.id = l.target_id WHERE t.url = $1`,
      ['https://example.com/a'],
    );
    expect(row!.hash).toBe(await hashKey('https://example.com/a'));
    const domains = await db().query<{ name: string }>('SELECT name FROM domains ORDER BY name');
    expect(domains.map((d) => d.name)).toEqual(['blog.example', 'example.co.uk', 'example.com']);
  });

  it('is idempotent: the same batch twice changes no row', async () => {
    const batch = [
      makePage('https://a.example/', [
        makeLink('https://b.example/x'),
        makeLink('https://c.example/'),
      ]),
      makePage('https://b.example/x', [makeLink('https://a.example/', { rel: ['ugc'] })], {
        nofollow: true,
      }),
      makePage('https://a.example/', [makeLink('https://b.example/x')], { seenAt: T0 + DAY }),
    ];
    await ingestPages(db(), batch, T0 + 2 * DAY);
    const before = await dumpIndex(db());
    expect(before.links.length).toBe(3);
    const again = await ingestPages(db(), batch, T0 + 3 * DAY);
    expect(again).toEqual({ pages: 3, links: 4, skipped: 0 });
    expect(await dumpIndex(db())).toEqual(before);
  });

  it('marks a link gone from the latest crawl lost, and an older crawl read late does not revive it', async () => {
    const page = (
      seenAt: number,
      links = [makeLink('https://t.example/1'), makeLink('https://t.example/2')],
    ) => makePage('https://s.example/', links, { seenAt });
    await ingestPages(db(), [page(T0)]);
    await ingestPages(db(), [page(T0 + 2 * DAY, [makeLink('https://t.example/1')])]);
    expect((await linksTo(db(), 'https://t.example/2'))[0]).toMatchObject({
      last_seen: T0,
      lost_at: T0 + 2 * DAY,
    });
    // A crawl from between the two, ingested after: it saw the link, but before it was lost.
    await ingestPages(db(), [page(T0 + DAY)]);
    expect((await linksTo(db(), 'https://t.example/2'))[0]).toMatchObject({
      last_seen: T0 + DAY,
      lost_at: T0 + 2 * DAY,
    });
    // A newer crawl that has it again brings it back.
    await ingestPages(db(), [page(T0 + 3 * DAY)]);
    expect((await linksTo(db(), 'https://t.example/2'))[0]).toMatchObject({
      first_seen: T0,
      last_seen: T0 + 3 * DAY,
      lost_at: null,
    });
  });

  it('takes nothing as lost from a truncated page', async () => {
    await ingestPages(db(), [
      makePage('https://s.example/', [
        makeLink('https://t.example/1'),
        makeLink('https://t.example/2'),
      ]),
    ]);
    await ingestPages(db(), [
      makePage('https://s.example/', [makeLink('https://t.example/1')], {
        seenAt: T0 + DAY,
        truncated: true,
      }),
    ]);
    expect((await linksTo(db(), 'https://t.example/2'))[0]!.lost_at).toBeNull();
  });

  it('folds repeats of a link on a page: a followed occurrence and the better placement count', async () => {
    await ingestPages(db(), [
      makePage('https://s.example/', [
        makeLink('https://t.example/', { rel: ['nofollow'], region: 'main' }),
        makeLink('https://t.example/#x', { rel: [], region: 'footer' }),
        makeLink('https://t.example/', { rel: [], region: 'main' }),
      ]),
    ]);
    const links = await linksTo(db(), 'https://t.example/');
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ rel: [], region: 'main' });
  });

  it('keeps the earliest first sighting a source knows', async () => {
    await ingestPages(db(), [
      makePage('https://s.example/', [makeLink('https://t.example/', { firstSeen: T0 - 5 * DAY })]),
    ]);
    expect((await linksTo(db(), 'https://t.example/'))[0]).toMatchObject({
      first_seen: T0 - 5 * DAY,
      last_seen: T0,
    });
  });

  it('skips and counts what is not indexable, keeping the rest', async () => {
    const result = await ingestPages(db(), [
      makePage('javascript:alert(1)', [makeLink('https://t.example/')]),
      makePage('https://s.example/', [], { seenAt: Date.UTC(1980, 0, 1) }),
      makePage('https://s.example/ok', [
        makeLink('mailto:a@example.com'),
        makeLink('https://example.com/reset-password/8d2f0c3a9b1e4d7f6a5c'),
        makeLink('https://t.example/', {
          rel: ['nofollow', 7 as unknown as string],
          region: 'sidebar' as never,
        }),
        makeLink(`https://t.example/${'x'.repeat(9000)}`),
      ]),
    ]);
    expect(result).toEqual({ pages: 1, links: 1, skipped: 2 + 1 + 3 });
    expect((await linksTo(db(), 'https://t.example/'))[0]).toMatchObject({
      rel: ['nofollow'],
      region: null,
    });
  });

  it('writes a batch whole or not at all', async () => {
    await ingestPages(db(), [makePage('https://s.example/', [makeLink('https://t.example/1')])]);
    const before = await dumpIndex(db());
    // The links statement fails after pages and domains were written in the same transaction.
    const failing: Db = {
      ...db(),
      transaction: (work) =>
        db().transaction((tx) =>
          work({
            query: (sql, params) =>
              /INSERT INTO links/.test(sql)
                ? Promise.reject(new Error('disk full'))
                : tx.query(sql, params),
          } satisfies Queryable),
        ),
    };
    await expect(
      ingestPages(failing, [
        makePage('https://n.example/', [makeLink('https://m.example/')], { seenAt: T0 + DAY }),
      ]),
    ).rejects.toThrow('disk full');
    expect(await dumpIndex(db())).toEqual(before);
  });

  it('runs each migration once', async () => {
    expect(await migrate(db())).toBe(0);
    const versions = await db().query<{ version: number }>('SELECT version FROM schema_migrations');
    expect(versions.map((v) => v.version)).toEqual([1]);
    // Links are partitioned by target hash (16 ranges): the layout the scale path relies on.
    const parts = await db().query(
      "SELECT inhrelid FROM pg_inherits WHERE inhparent = 'links'::regclass",
    );
    expect(parts).toHaveLength(16);
  });
});
