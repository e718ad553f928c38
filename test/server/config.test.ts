import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, readConfig } from '../../server/src/config';
import { RateLimiter } from '../../server/src/rate-limit';
import { prefixRange } from '../../server/src/lookup';

describe('readConfig', () => {
  it('defaults to PGlite in ./index-data on 127.0.0.1:8787, contributions off', () => {
    expect(readConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8787,
      dataDir: './index-data',
      name: 'Backlink Lens index',
      minPrefixLength: 2,
      maxPrefixLength: 16,
      tokens: [],
      limits: DEFAULT_LIMITS,
    });
  });

  it('reads tokens from INDEX_TOKENS and a token file, without comments or repeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'index-config-'));
    const file = join(dir, 'tokens');
    writeFileSync(file, '# team\nsecond-token-0123456789\n\nfirst-token-0123456789ab # again\n');
    const config = readConfig({
      INDEX_TOKENS: 'first-token-0123456789ab, third-token-0123456789',
      INDEX_TOKENS_FILE: file,
    });
    expect(config.tokens).toEqual([
      'first-token-0123456789ab',
      'third-token-0123456789',
      'second-token-0123456789',
    ]);
  });

  it.each([
    [{ INDEX_TOKENS: 'short' }, 'at least 16 characters'],
    [{ INDEX_TOKENS_FILE: '/nonexistent/tokens' }, 'INDEX_TOKENS_FILE cannot be read'],
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ INDEX_MIN_PREFIX: '0' }, 'INDEX_MIN_PREFIX'],
    [
      { INDEX_MIN_PREFIX: '6', INDEX_MAX_PREFIX: '4' },
      'INDEX_MAX_PREFIX must be a whole number from 6',
    ],
    [{ INDEX_MAX_ENTRIES: '100000' }, 'INDEX_MAX_ENTRIES'],
  ])('refuses %o', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('RateLimiter', () => {
  it('allows a minute of requests at once, then one per 60/rate seconds, per client', () => {
    const limiter = new RateLimiter(6);
    const t = 1_000_000;
    for (let i = 0; i < 6; i++) expect(limiter.take('a', t).allowed).toBe(true);
    expect(limiter.take('a', t)).toEqual({ allowed: false, retryAfter: 10 });
    expect(limiter.take('b', t).allowed).toBe(true);
    expect(limiter.take('a', t + 5_000)).toEqual({ allowed: false, retryAfter: 5 });
    expect(limiter.take('a', t + 10_000).allowed).toBe(true);
  });
});

describe('prefixRange', () => {
  it.each([
    ['ab', { from: 'ab', to: 'ac' }],
    ['abc', { from: 'abc0', to: 'abd0' }],
    ['a', { from: 'a0', to: 'b0' }],
    ['0f', { from: '0f', to: '10' }],
    ['9ff', { from: '9ff0', to: 'a000' }],
    ['ff', { from: 'ff', to: null }],
    ['f', { from: 'f0', to: null }],
  ])('%s covers [%o)', (prefix, range) => {
    expect(prefixRange(prefix)).toEqual(range);
  });
});
