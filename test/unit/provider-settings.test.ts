import { describe, expect, it, vi } from 'vitest';
import { PROVIDERS } from '../../src/sources/providers/index';
import { PROVIDER_IDS, PROVIDER_NAMES } from '../../src/sources/providers/ids';
import {
  isActive,
  loopbackOrigin,
  MAX_CREDENTIAL_LENGTH,
  parseCredentials,
  parsePauses,
  parseProviderConfigs,
  serializeProviderConfigs,
  settingsOf,
} from '../../src/sources/providers/settings';

// The registry's sources send messages: the browser is a stand-in here.
vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
const { SOURCES } = await import('../../src/sources/registry');

describe('provider ids and names', () => {
  it('are those of the adapters, in the same order', () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual([...PROVIDER_IDS]);
    for (const p of PROVIDERS) expect(PROVIDER_NAMES[p.id]).toBe(p.name);
  });

  it('each provider is one remote source of the registry', () => {
    expect(SOURCES.map((s) => s.id).filter((id) => !id.startsWith('engine-'))).toEqual([
      'local',
      'remote-index',
      ...PROVIDER_IDS.map((id) => `provider:${id}`),
    ]);
    expect(SOURCES.filter((s) => s.id.startsWith('provider:')).every((s) => !s.local)).toBe(true);
  });
});

describe('parseCredentials', () => {
  it('trims, drops an empty secret, and refuses a missing or non-text key', () => {
    expect(parseCredentials({ key: '  abc  ', secret: ' ' })).toEqual({ key: 'abc' });
    expect(parseCredentials({ key: 'login', secret: 'pw' })).toEqual({
      key: 'login',
      secret: 'pw',
    });
    expect(parseCredentials({ key: '   ' })).toBeNull();
    expect(parseCredentials({ key: 42 })).toBeNull();
    expect(parseCredentials('abc')).toBeNull();
    expect(parseCredentials({ key: 'k'.repeat(5000) })?.key).toHaveLength(MAX_CREDENTIAL_LENGTH);
  });
});

describe('parseProviderConfigs', () => {
  it('reads the stored entries in the providers order, dropping unknown ids and bad fields', () => {
    const configs = parseProviderConfigs({
      semrush: { credentials: { key: 'x' } },
      ahrefs: { credentials: { key: 'a' }, enabled: false, addedAt: 'yesterday' },
      'open-pagerank': { credentials: { key: 'o' }, addedAt: Date.UTC(2026, 0, 1) },
      moz: 'garbage',
    });
    expect(configs).toEqual([
      {
        id: 'open-pagerank',
        enabled: true,
        credentials: { key: 'o' },
        addedAt: Date.UTC(2026, 0, 1),
      },
      { id: 'ahrefs', enabled: false, credentials: { key: 'a' } },
    ]);
    expect(parseProviderConfigs(null)).toEqual([]);
    expect(parseProviderConfigs([1, 2])).toEqual([]);
  });

  it('keeps a test endpoint only on this machine, so a key never goes to another host', () => {
    const endpoints = [
      'http://127.0.0.1:4000/',
      'https://evil.example',
      'http://localhost:9',
      'file:///x',
    ];
    const read = endpoints.map(
      (endpoint) => parseProviderConfigs({ majestic: { endpoint } })[0]?.endpoint,
    );
    expect(read).toEqual(['http://127.0.0.1:4000', undefined, 'http://localhost:9', undefined]);
    expect(loopbackOrigin('https://127.0.0.1')).toBeNull();
    expect(settingsOf({ endpoint: 'http://127.0.0.1:4000' }, { key: 'k' })).toEqual({
      credentials: { key: 'k' },
      endpoint: 'http://127.0.0.1:4000',
    });
    expect(settingsOf(undefined, { key: 'k' })).toEqual({ credentials: { key: 'k' } });
  });

  it('round-trips through the stored shape; only a keyed, enabled provider is active', () => {
    const configs = parseProviderConfigs({
      ahrefs: { credentials: { key: 'a' }, enabled: true },
      moz: { endpoint: 'http://127.0.0.1:1' },
    });
    expect(parseProviderConfigs(serializeProviderConfigs(configs))).toEqual(configs);
    expect(configs.map(isActive)).toEqual([false, true]);
    expect(isActive(undefined)).toBe(false);
  });
});

describe('parsePauses', () => {
  it('keeps the pauses still running, of known providers', () => {
    const now = 1_000_000;
    expect(
      parsePauses({ ahrefs: now + 5, moz: now - 5, semrush: now + 5, majestic: 'soon' }, now),
    ).toEqual({ ahrefs: now + 5 });
    expect(parsePauses(undefined, now)).toEqual({});
  });
});
