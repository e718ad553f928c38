import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CANONICAL_VERSION,
  MAX_ENTRIES,
  MAX_LINKS_PER_ENTRY,
  PROTOCOL_VERSION,
  ProtocolError,
  choosePrefixLength,
  decoyPrefixes,
  expectedBucketSize,
  hashKey,
  isValidPrefix,
  lookupKey,
  lookupPath,
  parseErrorBody,
  parseInfo,
  parseLookup,
  pickEntry,
  type IndexInfo,
} from '../../src/core/index-protocol';
import vectors from '../fixtures/index-protocol/vectors.json';

const NOW = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

const makeInfo = (overrides: Partial<IndexInfo> = {}): IndexInfo => ({
  name: 'Team index',
  protocolVersion: PROTOCOL_VERSION,
  canonicalVersion: CANONICAL_VERSION,
  keys: { urls: 1_000_000, domains: 20_000 },
  links: 5_000_000,
  minPrefixLength: 2,
  maxPrefixLength: 16,
  updatedAt: '2026-10-31T12:00:00.000Z',
  contributions: false,
  limits: { maxLinksPerEntry: 50, maxEntries: 100, maxBodyBytes: 1_000_000, ratePerMinute: 120 },
  ...overrides,
});

const makeLink = (source: string, target: string, overrides: Record<string, unknown> = {}) => ({
  source,
  target,
  anchor: 'a good read',
  rel: [],
  region: 'main',
  firstSeen: NOW - 10 * DAY,
  lastSeen: NOW - DAY,
  lost: false,
  ...overrides,
});

const makeEntry = (key: string, hash: string, overrides: Record<string, unknown> = {}) => ({
  hash,
  key,
  summary: { backlinks: 1, referringDomains: 1, referringPages: 1, authority: 42 },
  links: [makeLink('https://blog.example/post', key)],
  ...overrides,
});

const { bucket } = vectors;
const [first, second] = bucket.members;
const lookupOf = (entries: unknown[], extra: Record<string, unknown> = {}) => ({
  kind: 'url',
  prefix: bucket.prefix,
  entries,
  ...extra,
});

describe('test vectors (docs/index-protocol.md)', () => {
  it('are for this protocol and canonical form', () => {
    expect(vectors.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(vectors.canonicalVersion).toBe(CANONICAL_VERSION);
  });

  it.each(vectors.urls)('url key of $input', async ({ input, key, hash }) => {
    expect(lookupKey('url', input)).toBe(key);
    expect(await hashKey(key)).toBe(hash);
  });

  it.each(vectors.domains)('domain key of $input', async ({ input, key, hash }) => {
    expect(lookupKey('domain', input)).toBe(key);
    expect(await hashKey(key)).toBe(hash);
  });

  it.each(vectors.refused)('%s has no key', (input) => {
    expect(lookupKey('url', input)).toBeNull();
    expect(lookupKey('domain', input)).toBeNull();
  });

  it('the bucket members share its prefix and nothing more', async () => {
    for (const { key, hash } of bucket.members) {
      expect(await hashKey(key)).toBe(hash);
      expect(hash.startsWith(bucket.prefix)).toBe(true);
    }
    expect(new Set(bucket.members.map((m) => m.hash.slice(0, 3))).size).toBeGreaterThan(1);
  });

  it.each(vectors.prefixLengths)(
    '$urls keys, k=$k, [$min, $max] -> $length',
    ({ urls, k, min, max, length }) => {
      const info = makeInfo({
        keys: { urls, domains: 0 },
        minPrefixLength: min,
        maxPrefixLength: max,
      });
      expect(choosePrefixLength(info, k)).toBe(length);
    },
  );
});

describe('hashKey', () => {
  it('is the SHA-256 of the UTF-8 bytes, in lower-case hex, as node:crypto computes it', async () => {
    for (const text of ['', 'https://example.com/', 'xn--bcher-kva.example', 'ü€😀']) {
      expect(await hashKey(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('choosePrefixLength', () => {
  it('keeps at least k keys per bucket in expectation when the server allows it', () => {
    for (const urls of [3e5, 7e6, 2e8, 1e9, 4.5e11]) {
      const info = makeInfo({ keys: { urls, domains: 0 } });
      const length = choosePrefixLength(info, 50);
      expect(expectedBucketSize(info, length)).toBeGreaterThanOrEqual(50);
      // One more character would drop under k: the prefix is as long as anonymity allows.
      expect(expectedBucketSize(info, length + 1)).toBeLessThan(50);
    }
  });

  it('counts domains for domain lookups', () => {
    const info = makeInfo({ keys: { urls: 1e9, domains: 20_000 } });
    expect(choosePrefixLength(info, 50, 'domain')).toBe(2);
    expect(choosePrefixLength(info, 50, 'url')).toBe(6);
  });
});

describe('prefixes', () => {
  it('accepts lower-case hex within the bounds only', () => {
    expect(isValidPrefix('0af', 2, 8)).toBe(true);
    expect(isValidPrefix('0AF', 2, 8)).toBe(false);
    expect(isValidPrefix('a', 2, 8)).toBe(false);
    expect(isValidPrefix('0123456789', 2, 8)).toBe(false);
    expect(isValidPrefix('zz', 2, 8)).toBe(false);
  });

  it('makes decoys of the asked length, the same for a key each time, unguessable without the secret', async () => {
    const secret = new Uint8Array(32).fill(7);
    const [vector] = vectors.urls;
    const decoys = await decoyPrefixes(secret, vector!.hash, 5, 20);
    expect(decoys).toHaveLength(20);
    for (const d of decoys) expect(isValidPrefix(d, 5, 5)).toBe(true);
    expect(new Set(decoys).size).toBeGreaterThan(15);
    expect(decoys).not.toContain(vector!.hash.slice(0, 5));
    expect(await decoyPrefixes(secret, vector!.hash, 5, 20)).toEqual(decoys);
    expect(await decoyPrefixes(new Uint8Array(32).fill(8), vector!.hash, 5, 20)).not.toEqual(
      decoys,
    );
    expect(await decoyPrefixes(secret, vectors.urls[1]!.hash, 5, 20)).not.toEqual(decoys);
  });

  it('builds the lookup path the server reads', () => {
    const url = new URL(lookupPath('domain', 'ab12', 'c0ffee'), 'http://x');
    expect(url.pathname).toBe('/v1/lookup');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kind: 'domain',
      prefix: 'ab12',
      cv: String(CANONICAL_VERSION),
      cursor: 'c0ffee',
    });
  });
});

describe('parseInfo', () => {
  it('reads a valid description', () => {
    expect(parseInfo(JSON.parse(JSON.stringify(makeInfo())))).toEqual(makeInfo());
    expect(parseInfo(makeInfo({ updatedAt: null })).updatedAt).toBeNull();
  });

  it.each([
    ['not an object', 'hello'],
    ['another protocol version', { ...makeInfo(), protocolVersion: 2 }],
    ['another canonical form', { ...makeInfo(), canonicalVersion: 2 }],
    ['no name', { ...makeInfo(), name: '  ' }],
    ['a huge name', { ...makeInfo(), name: 'x'.repeat(101) }],
    ['negative counts', { ...makeInfo(), keys: { urls: -1, domains: 0 } }],
    ['fractional counts', { ...makeInfo(), links: 1.5 }],
    ['min above max', { ...makeInfo(), minPrefixLength: 9, maxPrefixLength: 8 }],
    ['max beyond a hash', { ...makeInfo(), maxPrefixLength: 65 }],
    ['a zero minimum', { ...makeInfo(), minPrefixLength: 0 }],
    ['a bad date', { ...makeInfo(), updatedAt: 'yesterday' }],
    ['no contributions flag', { ...makeInfo(), contributions: 'no' }],
    ['no limits', { ...makeInfo(), limits: undefined }],
    ['a zero limit', { ...makeInfo(), limits: { ...makeInfo().limits, maxEntries: 0 } }],
  ])('refuses %s with a ProtocolError', (_what, json) => {
    expect(() => parseInfo(json)).toThrow(ProtocolError);
  });

  it('says which version the server speaks', () => {
    expect(() => parseInfo({ ...makeInfo(), protocolVersion: 7 })).toThrow(
      'The index speaks protocol version 7; this extension speaks version 1.',
    );
  });
});

describe('parseLookup and pickEntry', () => {
  it('keeps the entry whose full hash and key match, and only that one', () => {
    const entries = bucket.members.map((m) => makeEntry(m.key, m.hash));
    const response = parseLookup(lookupOf(entries), bucket.prefix, 'url', NOW);
    expect(response.entries).toHaveLength(bucket.members.length);
    const picked = pickEntry(response, second!.hash, second!.key);
    expect(picked?.key).toBe(second!.key);
    expect(picked?.links[0]?.target).toBe(second!.key);
    expect(pickEntry(response, second!.hash, first!.key)).toBeUndefined();
    expect(pickEntry(response, 'f'.repeat(64), second!.key)).toBeUndefined();
  });

  it('keeps the next cursor and optional fields', () => {
    const link = makeLink('https://a.example/', first!.key, { region: undefined });
    const entry = makeEntry(first!.key, first!.hash, { links: [link] });
    const response = parseLookup(lookupOf([entry], { next: 'fd7495' }), bucket.prefix, 'url', NOW);
    expect(response.next).toBe('fd7495');
    expect(response.entries[0]!.links[0]).not.toHaveProperty('region');
  });

  it('reads domain entries', () => {
    const [site] = vectors.domains;
    const prefix = site!.hash.slice(0, 3);
    const entry = makeEntry(site!.key, site!.hash, {
      links: [makeLink('https://blog.example/', 'https://www.example.co.uk/x')],
    });
    const response = parseLookup(
      { kind: 'domain', prefix, entries: [entry] },
      prefix,
      'domain',
      NOW,
    );
    expect(response.entries[0]!.key).toBe('example.co.uk');
  });

  const good = () => makeEntry(first!.key, first!.hash);
  const withLink = (overrides: Record<string, unknown>) =>
    makeEntry(first!.key, first!.hash, {
      links: [makeLink('https://blog.example/post', first!.key, overrides)],
    });

  it.each([
    ['not an object', null],
    ['another kind', { ...lookupOf([good()]), kind: 'domain' }],
    ['another prefix', { ...lookupOf([good()]), prefix: 'fe' }],
    ['no entries list', { kind: 'url', prefix: bucket.prefix }],
    ['an entry off the bucket', lookupOf([makeEntry(first!.key, '0'.repeat(64))])],
    ['a hash that is not hex', lookupOf([makeEntry(first!.key, 'fd' + 'z'.repeat(62))])],
    ['an upper-case hash', lookupOf([makeEntry(first!.key, first!.hash.toUpperCase())])],
    ['a duplicate entry', lookupOf([good(), good()])],
    ['a javascript: key', lookupOf([makeEntry('javascript:alert(1)', first!.hash)])],
    ['a key not canonical', lookupOf([makeEntry('HTTPS://bucket.example/page-0', first!.hash)])],
    ['a javascript: source', lookupOf([withLink({ source: 'javascript:alert(1)' })])],
    ['a data: source', lookupOf([withLink({ source: 'data:text/html,<b>x</b>' })])],
    ['a link to another page', lookupOf([withLink({ target: 'https://elsewhere.example/' })])],
    ['an anchor over the cap', lookupOf([withLink({ anchor: 'x'.repeat(201) })])],
    ['an anchor that is not text', lookupOf([withLink({ anchor: { html: '<b>' } })])],
    ['too many rel tokens', lookupOf([withLink({ rel: Array(9).fill('nofollow') })])],
    ['an unknown region', lookupOf([withLink({ region: 'sidebar' })])],
    ['a time in the future', lookupOf([withLink({ lastSeen: NOW + 30 * DAY })])],
    ['first seen after last seen', lookupOf([withLink({ firstSeen: NOW, lastSeen: NOW - DAY })])],
    ['no lost flag', lookupOf([withLink({ lost: 'no' })])],
    [
      'an authority over 100',
      lookupOf([
        makeEntry(first!.key, first!.hash, {
          summary: { backlinks: 1, referringDomains: 1, referringPages: 1, authority: 101 },
        }),
      ]),
    ],
    [
      'a negative count',
      lookupOf([
        makeEntry(first!.key, first!.hash, {
          summary: { backlinks: -1, referringDomains: 1, referringPages: 1 },
        }),
      ]),
    ],
    [
      'too many links',
      lookupOf([
        makeEntry(first!.key, first!.hash, {
          links: Array(MAX_LINKS_PER_ENTRY + 1).fill(makeLink('https://a.example/', first!.key)),
        }),
      ]),
    ],
    ['too many entries', lookupOf(Array(MAX_ENTRIES + 1).fill(good()))],
    ['a cursor with markup', lookupOf([good()], { next: '<script>' })],
  ])('refuses %s with a ProtocolError', (_what, json) => {
    expect(() => parseLookup(json, bucket.prefix, 'url', NOW)).toThrow(ProtocolError);
  });

  it('refuses a domain key that is not a domain', () => {
    const json = {
      kind: 'domain',
      prefix: 'a3',
      entries: [makeEntry('<b>x</b>', 'a3' + '0'.repeat(62))],
    };
    expect(() => parseLookup(json, 'a3', 'domain', NOW)).toThrow('not a domain');
  });

  it('keeps markup in anchors as the plain text it is', () => {
    const anchor = '<img src=x onerror=alert(1)>';
    const response = parseLookup(lookupOf([withLink({ anchor })]), bucket.prefix, 'url', NOW);
    expect(response.entries[0]!.links[0]!.anchor).toBe(anchor);
  });
});

describe('parseErrorBody', () => {
  it('reads code and message, cut to their caps', () => {
    expect(parseErrorBody({ error: { code: 'bad_prefix', message: 'no' } })).toEqual({
      code: 'bad_prefix',
      message: 'no',
    });
    expect(
      parseErrorBody({ error: { code: 'x', message: 'm'.repeat(900) } })?.message,
    ).toHaveLength(500);
    expect(parseErrorBody({ error: 'oops' })).toBeNull();
    expect(parseErrorBody('<html>')).toBeNull();
  });
});
