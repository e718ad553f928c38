import { describe, expect, it } from 'vitest';
import {
  clampK,
  decoySecretBytes,
  newDecoySecret,
  normalizeIndexUrl,
  parseRemoteIndexSettings,
  permissionOrigin,
} from '../../src/core/remote-index-settings';
import { DEFAULT_K, PROTOCOL_VERSION, CANONICAL_VERSION } from '../../src/core/index-protocol';

const info = {
  name: 'Team index',
  protocolVersion: PROTOCOL_VERSION,
  canonicalVersion: CANONICAL_VERSION,
  keys: { urls: 1000, domains: 10 },
  links: 5000,
  minPrefixLength: 1,
  maxPrefixLength: 16,
  updatedAt: null,
  contributions: false,
  limits: { maxLinksPerEntry: 500, maxEntries: 500, maxBodyBytes: 1000, ratePerMinute: 60 },
};
const stored = {
  url: 'https://index.example.org/team',
  token: 't',
  enabled: true,
  contribute: false,
  k: 50,
  decoys: 1,
  decoySecret: 'ab'.repeat(32),
  info,
  infoFetchedAt: 1,
};

describe('normalizeIndexUrl', () => {
  it('keeps the base of an http(s) address, without trailing slash, query or fragment', () => {
    expect(normalizeIndexUrl(' https://Index.example.org/team/?x=1#y ')).toBe(
      'https://index.example.org/team',
    );
    expect(normalizeIndexUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
  });

  it('refuses other schemes, credentials and text that is no address', () => {
    expect(normalizeIndexUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeIndexUrl('ftp://index.example.org')).toBeNull();
    expect(normalizeIndexUrl('https://me:pw@index.example.org')).toBeNull();
    expect(normalizeIndexUrl('index')).toBeNull();
  });
});

describe('permissionOrigin', () => {
  it('asks for the scheme and host, any port (match patterns have none)', () => {
    expect(permissionOrigin('http://127.0.0.1:8787/base')).toBe('http://127.0.0.1/*');
  });
});

describe('parseRemoteIndexSettings', () => {
  it('reads valid settings and bounds k and decoys', () => {
    expect(parseRemoteIndexSettings(stored)).toEqual(stored);
    expect(parseRemoteIndexSettings({ ...stored, k: 0, decoys: 99 })).toMatchObject({
      k: 1,
      decoys: 3,
    });
    expect(clampK('x')).toBe(DEFAULT_K);
  });

  it('is off (null) for nothing stored, a bad address, bad info or a bad secret', () => {
    expect(parseRemoteIndexSettings(undefined)).toBeNull();
    expect(parseRemoteIndexSettings({ ...stored, url: 'javascript:x' })).toBeNull();
    expect(
      parseRemoteIndexSettings({ ...stored, info: { ...info, protocolVersion: 2 } }),
    ).toBeNull();
    expect(parseRemoteIndexSettings({ ...stored, decoySecret: 'short' })).toBeNull();
  });

  it('stays off unless turned on', () => {
    expect(parseRemoteIndexSettings({ ...stored, enabled: 'yes' })?.enabled).toBe(false);
  });
});

describe('decoy secret', () => {
  it('is 32 random bytes, in hex and back', () => {
    const secret = newDecoySecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(secret).not.toBe(newDecoySecret());
    expect(decoySecretBytes(secret)).toHaveLength(32);
  });
});
