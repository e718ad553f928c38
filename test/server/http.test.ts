import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashKey,
  lookupKey,
  lookupPath,
  parseErrorBody,
  parseInfo,
  parseLookup,
  pickEntry,
  type IndexLimits,
  type LookupKind,
  type LookupResponse,
} from '../../src/core/index-protocol';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../src/core/transfer';
import { computeAuthority } from '../../server/src/authority';
import { DEFAULT_LIMITS } from '../../server/src/config';
import { openPglite, openPostgres, type Db } from '../../server/src/db';
import { createIndexServer, type IndexServerOptions } from '../../server/src/http';
import { ingestPages } from '../../server/src/store';
import { makeLink as makeLinkRecord, makePage as makePageRecord } from '../unit/helpers';
import vectors from '../fixtures/index-protocol/vectors.json';
import { DAY, T0, describeEngines, dumpIndex, makeLink, makePage } from './helpers';

const TOKEN = 'team-token-0123456789abcdef';

/** An index server on 127.0.0.1 and a free port, over `db`, closed by the returned function. */
async function serve(db: Db, overrides: Partial<IndexServerOptions> = {}) {
  const server = createIndexServer({
    db,
    name: 'Test index',
    minPrefixLength: 2,
    maxPrefixLength: 16,
    tokens: [TOKEN],
    limits: { ...DEFAULT_LIMITS, ratePerMinute: 100_000 },
    figuresTtlMs: 0,
    log: () => {},
    ...overrides,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = async (path: string, init?: RequestInit) => {
    const response = await fetch(base + path, init);
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as unknown,
    };
  };
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { request, close };
}

type Request = Awaited<ReturnType<typeof serve>>['request'];

/** The whole bucket, every page of it, each page checked with the client's validator. */
async function lookupAll(request: Request, kind: LookupKind, prefix: string) {
  const pages: LookupResponse[] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await request(lookupPath(kind, prefix, cursor));
    expect(status).toBe(200);
    const page = parseLookup(body, prefix, kind);
    pages.push(page);
    cursor = page.next;
  } while (cursor !== undefined && pages.length < 50);
  return { pages, entries: pages.flatMap((p) => p.entries) };
}

/** An export of the extension (src/core/transfer.ts) with these rows, as a member would send it. */
const EXPORT_HEADER = {
  format: EXPORT_FORMAT,
  version: EXPORT_VERSION,
  exportedAt: '2026-10-01T00:00:00.000Z',
};
const contribution = (links: unknown[], pages: unknown[] = []) =>
  JSON.stringify({ ...EXPORT_HEADER, pages, links, redirects: [], referrals: [] });

const post = (
  body: string,
  token: string | null = TOKEN,
  headers: Record<string, string> = {},
) => ({
  method: 'POST',
  body,
  headers: {
    'Content-Type': 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...headers,
  },
});

const errorCode = (body: unknown) => parseErrorBody(body)?.code;

describeEngines('index server', (db) => {
  let request: Request;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ request, close } = await serve(db()));
  });
  afterAll(() => close());

  it('describes itself in a form the client accepts', async () => {
    await ingestPages(db(), [
      makePage('https://a.example/', [
        makeLink('https://b.example/1'),
        makeLink('https://b.example/2'),
      ]),
      makePage('https://b.example/1', [makeLink('https://b.example/2')]),
    ]);
    const { status, body } = await request('/v1/info');
    expect(status).toBe(200);
    const info = parseInfo(body);
    expect(info).toMatchObject({
      name: 'Test index',
      keys: { urls: 2, domains: 1 },
      links: 3,
      minPrefixLength: 2,
      maxPrefixLength: 16,
      contributions: true,
    });
    expect(Date.parse(info.updatedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers a bucket with every key in it; the client keeps the one it asked for', async () => {
    const members = vectors.bucket.members;
    await ingestPages(
      db(),
      members.map((m, i) =>
        makePage(`https://source${i}.example/`, [makeLink(m.key, { anchor: `to member ${i}` })]),
      ),
    );
    const { entries } = await lookupAll(request, 'url', vectors.bucket.prefix);
    expect(entries.map((e) => e.key).sort()).toEqual(members.map((m) => m.key).sort());
    const wanted = members[2]!;
    const entry = pickEntry(
      { kind: 'url', prefix: vectors.bucket.prefix, entries },
      wanted.hash,
      wanted.key,
    );
    expect(entry?.links).toEqual([
      expect.objectContaining({
        source: 'https://source2.example/',
        target: wanted.key,
        anchor: 'to member 2',
      }),
    ]);
    expect(entry?.summary).toEqual({ backlinks: 1, referringDomains: 1, referringPages: 1 });
  });

  it('finds every test vector by the key and hash the client computes', async () => {
    await ingestPages(db(), [
      makePage(
        'https://linker.example/',
        vectors.urls.map((v) => makeLink(v.input)),
      ),
    ]);
    for (const vector of vectors.urls) {
      const key = lookupKey('url', vector.input)!;
      const hash = await hashKey(key);
      expect(hash).toBe(vector.hash);
      const { entries } = await lookupAll(request, 'url', hash.slice(0, 6));
      expect(pickEntry({ kind: 'url', prefix: hash.slice(0, 6), entries }, hash, key)?.key).toBe(
        vector.key,
      );
    }
  });

  it('answers a site lookup with links from other sites only', async () => {
    await ingestPages(db(), [
      makePage(
        'https://referrer.example/',
        vectors.domains.map((v) => makeLink(v.input)),
      ),
      makePage('https://www.example.co.uk/other', [makeLink('https://www.example.co.uk/x')]),
    ]);
    for (const vector of vectors.domains) {
      const prefix = vector.hash.slice(0, 4);
      const { entries } = await lookupAll(request, 'domain', prefix);
      const entry = pickEntry({ kind: 'domain', prefix, entries }, vector.hash, vector.key);
      expect(entry?.summary).toMatchObject({ backlinks: 1, referringDomains: 1 });
      expect(entry?.links.map((l) => l.source)).toEqual(['https://referrer.example/']);
    }
  });

  it('sends the live, most recent links first, up to the limit, and counts them all', async () => {
    const limited = await serve(db(), {
      limits: { ...DEFAULT_LIMITS, maxLinksPerEntry: 3 } as IndexLimits,
    });
    const target = 'https://popular.example/';
    await ingestPages(
      db(),
      [0, 1, 2, 3, 4].map((i) =>
        makePage(`https://s${i}.example/`, [makeLink(target)], { seenAt: T0 + i * DAY }),
      ),
    );
    // The newest source drops the link: it is lost, so it goes last.
    await ingestPages(db(), [makePage('https://s4.example/', [], { seenAt: T0 + 9 * DAY })]);
    const hash = await hashKey(target);
    const { entries } = await lookupAll(limited.request, 'url', hash.slice(0, 4));
    const entry = pickEntry({ kind: 'url', prefix: hash.slice(0, 4), entries }, hash, target)!;
    expect(entry.summary).toEqual({ backlinks: 4, referringDomains: 4, referringPages: 4 });
    expect(entry.links.map((l) => [l.source, l.lost])).toEqual([
      ['https://s3.example/', false],
      ['https://s2.example/', false],
      ['https://s1.example/', false],
    ]);
    await limited.close();
  });

  it('pages a big bucket with a cursor, every key once, in hash order', async () => {
    const paged = await serve(db(), { limits: { ...DEFAULT_LIMITS, maxEntries: 3 } });
    // 40 pages: with a one-hex-digit bucket of 16, some bucket holds several.
    const targets = Array.from({ length: 40 }, (_, i) => `https://many.example/${i}`);
    await ingestPages(db(), [
      makePage(
        'https://hub.example/',
        targets.map((t) => makeLink(t)),
      ),
    ]);
    const hashes = await Promise.all(targets.map(hashKey));
    const prefix = hashes[0]!.slice(0, 2);
    const expected = hashes.filter((h) => h.startsWith(prefix)).sort();
    const wide = await serve(db(), {
      minPrefixLength: 1,
      limits: { ...DEFAULT_LIMITS, maxEntries: 3 },
    });
    const digit = hashes[0]!.slice(0, 1);
    const inDigit = hashes.filter((h) => h.startsWith(digit)).sort();
    const { pages, entries } = await lookupAll(wide.request, 'url', digit);
    expect(entries.map((e) => e.hash)).toEqual(inDigit);
    expect(pages.length).toBe(Math.ceil(inDigit.length / 3));
    expect(
      pages.slice(0, -1).every((p) => p.entries.length === 3 && p.next === p.entries[2]!.hash),
    ).toBe(true);
    expect((await lookupAll(paged.request, 'url', prefix)).entries.map((e) => e.hash)).toEqual(
      expected,
    );
    await Promise.all([paged.close(), wide.close()]);
  });

  it('takes a contribution with a valid token, in the export format, and serves it', async () => {
    const target = 'https://contributed.example/page';
    const body = contribution(
      [
        makeLinkRecord('https://member-blog.example/post', target, {
          rel: ['sponsored'],
          firstSeen: T0 - DAY,
          lastSeen: T0,
        }),
        makeLinkRecord('https://member-blog.example/post', 'https://other.example/', {
          lastSeen: T0 - DAY,
          lostAt: T0,
        }),
        { source: 'javascript:alert(1)', target },
        'not a record',
      ],
      [makePageRecord('https://member-blog.example/post', { firstSeen: T0, lastSeen: T0 })],
    );
    const { status, body: result } = await request('/v1/contribute', post(body));
    expect(status).toBe(200);
    expect(result).toEqual({ accepted: { pages: 1, links: 1 }, skipped: 2 });
    const hash = await hashKey(target);
    const { entries } = await lookupAll(request, 'url', hash.slice(0, 5));
    expect(
      pickEntry({ kind: 'url', prefix: hash.slice(0, 5), entries }, hash, target)?.links,
    ).toEqual([
      {
        source: 'https://member-blog.example/post',
        target,
        anchor: `to ${target}`,
        rel: ['sponsored'],
        region: 'main',
        firstSeen: T0 - DAY,
        lastSeen: T0,
        lost: false,
      },
    ]);
    // The same contribution again changes nothing.
    const before = await dumpIndex(db());
    expect((await request('/v1/contribute', post(body))).status).toBe(200);
    expect(await dumpIndex(db())).toEqual(before);
  });

  it.each([
    ['no token', post(contribution([]), null), 401, 'unauthorized'],
    ['a wrong token', post(contribution([]), 'team-token-0123456789abcdeX'), 403, 'forbidden'],
    [
      'a token in another scheme',
      post(contribution([]), null, { Authorization: `Basic ${TOKEN}` }),
      401,
      'unauthorized',
    ],
    ['a body that is not JSON', post('{"format": "backlink-lens", '), 400, 'malformed_body'],
    ['a body that is not an export', post('{"pages": []}'), 400, 'malformed_body'],
    [
      'an export from a newer version',
      post(JSON.stringify({ format: EXPORT_FORMAT, version: 99, pages: [], links: [] })),
      400,
      'malformed_body',
    ],
  ])('refuses a contribution with %s, writing nothing', async (_what, init, status, code) => {
    const before = await dumpIndex(db());
    const response = await request('/v1/contribute', init);
    expect([response.status, errorCode(response.body)]).toEqual([status, code]);
    if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(parseErrorBody(response.body)?.message).toMatch(/\w{3,}/);
    expect(await dumpIndex(db())).toEqual(before);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const small = await serve(db(), { limits: { ...DEFAULT_LIMITS, maxBodyBytes: 2048 } });
    const link = makeLinkRecord('https://a.example/', 'https://b.example/', {
      anchor: 'x'.repeat(150),
    });
    const big = contribution(Array(20).fill(link));
    const declared = await small.request('/v1/contribute', post(big));
    expect([declared.status, errorCode(declared.body)]).toEqual([413, 'too_large']);
    const chunks = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 512) controller.enqueue(chunks.slice(i, i + 512));
        controller.close();
      },
    });
    const streamed = await small.request('/v1/contribute', {
      ...post(''),
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect([streamed.status, errorCode(streamed.body)]).toEqual([413, 'too_large']);
    expect((await dumpIndex(db())).links).toEqual([]);
    await small.close();
  });

  it('refuses contributions when none are configured', async () => {
    const closed = await serve(db(), { tokens: [] });
    const info = parseInfo((await closed.request('/v1/info')).body);
    expect(info.contributions).toBe(false);
    const response = await closed.request('/v1/contribute', post(contribution([])));
    expect([response.status, errorCode(response.body)]).toEqual([403, 'contributions_off']);
    await closed.close();
  });

  it.each([
    ['a prefix with upper case', '/v1/lookup?kind=url&prefix=ABCD&cv=1', 400, 'bad_prefix'],
    ['a prefix too short', '/v1/lookup?kind=url&prefix=a&cv=1', 400, 'bad_prefix'],
    ['a prefix too long', `/v1/lookup?kind=url&prefix=${'a'.repeat(17)}&cv=1`, 400, 'bad_prefix'],
    ['a prefix that is not hex', '/v1/lookup?kind=url&prefix=zz12&cv=1', 400, 'bad_prefix'],
    ['no prefix', '/v1/lookup?kind=url&cv=1', 400, 'bad_prefix'],
    ['an unknown kind', '/v1/lookup?kind=host&prefix=ab12&cv=1', 400, 'bad_request'],
    [
      'another canonical form',
      '/v1/lookup?kind=url&prefix=ab12&cv=2',
      400,
      'unsupported_canonical_version',
    ],
    ['no canonical form', '/v1/lookup?kind=url&prefix=ab12', 400, 'unsupported_canonical_version'],
    [
      'a cursor outside the bucket',
      `/v1/lookup?kind=url&prefix=ab12&cv=1&cursor=${'c'.repeat(64)}`,
      400,
      'bad_cursor',
    ],
    [
      'a cursor that is no hash',
      "/v1/lookup?kind=url&prefix=ab12&cv=1&cursor=ab12'--",
      400,
      'bad_cursor',
    ],
    ['an unknown path', '/v2/lookup', 404, 'not_found'],
  ])('answers %s with a clear error', async (_what, path, status, code) => {
    const response = await request(path);
    expect([response.status, errorCode(response.body)]).toEqual([status, code]);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('answers a wrong method with 405 and the allowed one', async () => {
    const response = await request('/v1/info', { method: 'DELETE' });
    expect([response.status, errorCode(response.body), response.headers.get('allow')]).toEqual([
      405,
      'method_not_allowed',
      'GET',
    ]);
  });

  it('limits the rate per client with 429 and Retry-After', async () => {
    const strict = await serve(db(), { limits: { ...DEFAULT_LIMITS, ratePerMinute: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await strict.request('/v1/info'));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(errorCode(statuses[3]!.body)).toBe('rate_limited');
    expect(Number(statuses[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await strict.close();
  });

  it('computes authority over the graph and serves it with lookups', async () => {
    const hub = 'https://hub.example/';
    await ingestPages(db(), [
      ...[1, 2, 3, 4, 5].map((i) =>
        makePage(`https://fan${i}.example/`, [
          makeLink(hub),
          makeLink(`https://fan${(i % 5) + 1}.example/`),
        ]),
      ),
      makePage(hub, [makeLink('https://fan1.example/', { rel: ['nofollow'] })]),
    ]);
    const result = await computeAuthority(db());
    expect(result).toMatchObject({ pages: 6, domains: 6 });
    const authorityOf = async (kind: LookupKind, key: string) => {
      const hash = await hashKey(key);
      const { entries } = await lookupAll(request, kind, hash.slice(0, 4));
      return pickEntry({ kind, prefix: hash.slice(0, 4), entries }, hash, key)?.summary.authority;
    };
    const hubAuthority = await authorityOf('url', hub);
    const fanAuthority = await authorityOf('url', 'https://fan2.example/');
    expect(hubAuthority).toBeGreaterThan(fanAuthority!);
    expect(await authorityOf('domain', 'hub.example')).toBeGreaterThan(
      (await authorityOf('domain', 'fan2.example'))!,
    );
    // Run again on the same graph: the same scores, nothing rewritten.
    const before = await dumpIndex(db());
    await computeAuthority(db());
    expect((await dumpIndex(db())).pages).toEqual(before.pages);
  });
});

describe('index server with its database down', () => {
  it.each([
    [
      'PGlite closed',
      async () => {
        const db = await openPglite();
        await db.close();
        return db;
      },
    ],
    [
      'PostgreSQL refusing connections',
      async () => openPostgres('postgres://postgres@127.0.0.1:1/none'),
    ],
  ])('answers 503 when %s', async (_what, open) => {
    const { request, close } = await serve(await open());
    for (const path of ['/v1/info', lookupPath('url', 'abcd')]) {
      const response = await request(path);
      expect([response.status, errorCode(response.body)]).toEqual([503, 'unavailable']);
      expect(response.headers.get('retry-after')).toBe('10');
    }
    const contributionResponse = await request(
      '/v1/contribute',
      post(contribution([makeLinkRecord('https://a.example/', 'https://b.example/')])),
    );
    expect(contributionResponse.status).toBe(503);
    await close();
  });
});
