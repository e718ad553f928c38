import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashKey, type IndexLink } from '../../src/core/index-protocol';
import {
  answerOf,
  fetchInfo,
  IndexError,
  linksOfEntry,
  lookupEntry,
  type LookupPlan,
} from '../../src/sources/index-client';
import { startTestIndex, type IndexedKey, type TestIndexServer } from '../support/index-server';
import { at } from './helpers';

const PAGE = 'https://coffee.example/brewing';
const link = (source: string, overrides: Partial<IndexLink> = {}): IndexLink => ({
  source,
  target: PAGE,
  anchor: 'brewing guide',
  rel: [],
  region: 'main',
  firstSeen: at(1),
  lastSeen: at(2),
  lost: false,
  ...overrides,
});

// Enough other pages that a one-character bucket holds several: the client must keep only its own.
const OTHERS: IndexedKey[] = Array.from({ length: 64 }, (_, i) => ({
  kind: 'url',
  key: `https://other.example/${i}`,
  links: [{ ...link(`https://from.example/${i}`), target: `https://other.example/${i}` }],
}));
const KEYS: IndexedKey[] = [
  {
    kind: 'url',
    key: PAGE,
    authority: 42,
    links: [
      link('https://news.example/story'),
      link('https://forum.example/t/1', { rel: ['ugc'], region: 'comments', lost: true }),
      // Markup in an anchor is text like any other: kept as is, rendered as text.
      link('https://spam.example/', { anchor: '<img src=x onerror=alert(1)>' }),
    ],
  },
  ...OTHERS,
];

let index: TestIndexServer;
let plan: LookupPlan;
const endpoint = () => ({ url: index.url, token: '' });

beforeAll(async () => {
  index = await startTestIndex(KEYS);
  plan = {
    info: await fetchInfo(endpoint()),
    k: 4,
    decoys: 0,
    decoySecret: new Uint8Array(32).fill(7),
  };
});
afterAll(() => index.close());
beforeEach(() => {
  index.mode = 'ok';
  index.pageSize = 100;
  index.token = '';
  index.requests = [];
});

describe('fetchInfo', () => {
  it('reads and validates the index description', async () => {
    const info = await fetchInfo(endpoint());
    expect(info.name).toBe('Test index');
    expect(info.keys.urls).toBe(65);
  });

  it('sends the token as a bearer token, and says plainly when the index refuses it', async () => {
    index.token = 'team-secret';
    await expect(fetchInfo(endpoint())).rejects.toThrow(
      'The index refused access (401): A valid token is needed.',
    );
    await expect(fetchInfo({ url: index.url, token: 'team-secret' })).resolves.toBeTruthy();
    expect(index.requests.map((r) => r.authorization)).toEqual([undefined, 'Bearer team-secret']);
  });
});

describe('lookupEntry', () => {
  it('asks for a prefix only, and keeps only the entry whose full hash matches', async () => {
    const entry = await lookupEntry(endpoint(), plan, 'url', PAGE);
    expect(entry?.key).toBe(PAGE);
    // 65 keys, k = 4: one hex character (65 / 16 >= 4, 65 / 256 < 4).
    const hash = await hashKey(PAGE);
    expect(index.requests.map((r) => r.path)).toEqual([
      `/v1/lookup?kind=url&prefix=${hash.slice(0, 1)}&cv=1`,
    ]);
    // The bucket held other pages too; none of them came back.
    const sameBucket = await Promise.all(OTHERS.map((o) => hashKey(o.key)));
    expect(sameBucket.filter((h) => h.startsWith(hash[0]!)).length).toBeGreaterThan(0);
    expect(answerOf('Test index', entry).links.map((l) => l.source)).toEqual([
      'https://news.example/story',
      'https://forum.example/t/1',
      'https://spam.example/',
    ]);
  });

  it('reads every page of a bucket, even after its entry was found', async () => {
    index.pageSize = 1;
    const entry = await lookupEntry(endpoint(), plan, 'url', PAGE);
    expect(entry?.key).toBe(PAGE);
    const hash = await hashKey(PAGE);
    const bucket = [PAGE, ...OTHERS.map((o) => o.key)];
    const hashes = await Promise.all(bucket.map((k) => hashKey(k)));
    // One request per entry of the bucket: the server cannot tell where in it the page was.
    expect(index.requests).toHaveLength(hashes.filter((h) => h[0] === hash[0]).length);
  });

  it('refuses a bucket of more pages than an index honouring k would send', async () => {
    // 320 pages in 16 one-character buckets: about 20 a bucket, one a page.
    const big = await startTestIndex(
      Array.from({ length: 320 }, (_, i) => ({
        kind: 'url' as const,
        key: `https://big.example/${i}`,
        links: [],
      })),
      { maxPrefixLength: 1 },
    );
    big.pageSize = 1;
    const info = await fetchInfo({ url: big.url, token: '' });
    await expect(
      lookupEntry({ url: big.url, token: '' }, { ...plan, info, k: 1 }, 'url', PAGE),
    ).rejects.toThrow(/larger than 10 pages/);
    await big.close();
  });

  it('answers null for a page the index does not have', async () => {
    await expect(lookupEntry(endpoint(), plan, 'url', 'https://nobody.example/')).resolves.toBe(
      null,
    );
  });

  it('asks decoy buckets of the same length alongside, the same ones each time', async () => {
    const prefixesAsked = async () => {
      index.requests = [];
      await lookupEntry(endpoint(), { ...plan, decoys: 2 }, 'url', PAGE);
      await vi.waitFor(() => expect(index.requests).toHaveLength(3));
      return index.requests.map((r) => new URL(r.path, 'http://x').searchParams.get('prefix')!);
    };
    const first = await prefixesAsked();
    expect(first.every((p) => p.length === 1)).toBe(true);
    // A repeated lookup sends the same decoys: the real prefix is not the one that repeats.
    expect((await prefixesAsked()).sort()).toEqual([...first].sort());
  });

  const failures: Array<[TestIndexServer['mode'], string]> = [
    ['slow', 'The index did not answer in time.'],
    ['garbage', 'The index sent an answer that is not JSON; it was refused.'],
    ['huge', 'The index sent an answer larger than 4 MB; it was refused.'],
    ['huge-declared', 'The index sent an answer larger than 4 MB; it was refused.'],
    [
      'javascript-url',
      'The index sent a linking page that is not an http(s) address. It was refused.',
    ],
    ['wrong-hash', 'The index sent an entry outside the bucket asked for'],
    ['busy', 'The index is busy (too many requests). Try again in 30 seconds.'],
    ['server-error', 'The index answered with an error (503): The database is down.'],
  ];
  it.each(failures)('refuses a %s answer with a plain message', async (mode, message) => {
    index.mode = mode;
    // Only the slow server is given a short time: the others must fail for their own reason.
    const lookup = lookupEntry(endpoint(), plan, 'url', PAGE, {
      timeoutMs: mode === 'slow' ? 500 : 10_000,
    });
    await expect(lookup).rejects.toThrow(IndexError);
    await expect(lookup).rejects.toThrow(message);
  });

  it('says so when the index cannot be reached', async () => {
    const down = await startTestIndex([]);
    await down.close();
    await expect(lookupEntry({ url: down.url, token: '' }, plan, 'url', PAGE)).rejects.toThrow(
      /^The index could not be reached/,
    );
  });
});

describe('linksOfEntry', () => {
  it('turns index links into canonical link records, lost ones lost at their last sighting', async () => {
    const entry = await lookupEntry(endpoint(), plan, 'url', PAGE);
    const links = linksOfEntry(entry!);
    expect(links[1]).toMatchObject({
      source: 'https://forum.example/t/1',
      target: PAGE,
      rel: ['ugc'],
      region: 'comments',
      regions: ['comments'],
      sourceDomain: 'forum.example',
      targetDomain: 'coffee.example',
      lostAt: at(2),
    });
    expect(links[2]!.anchor).toBe('<img src=x onerror=alert(1)>');
  });
});
