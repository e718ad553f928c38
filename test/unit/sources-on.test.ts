import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeTestDbs, openTestDb } from './helpers';
import { storedLocal } from './fake-browser';
import type { BacklinkDb } from '../../src/storage/db';
import { PROVIDER_IDS } from '../../src/sources/providers/ids';
import { PROVIDERS_KEY } from '../../src/sources/providers/settings';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
const reads = { failing: false };
vi.mock('../../src/platform/db-connection', () => ({
  getDb: async () => {
    if (reads.failing) throw new Error('no database');
    return db;
  },
}));
/** The remote index's stored settings: only its switch matters here. */
const index = { stored: null as { enabled: boolean } | null };
vi.mock('../../src/platform/remote-index-store', () => ({
  loadRemoteIndex: async () => index.stored,
}));
const { loadSourcesOn } = await import('../../src/sources/sources-on');
const { remoteSources, sourcesToAsk } = await import('../../src/sources/registry');

const askedIds = async () => (await remoteSources()).map((s) => s.id);

beforeEach(async () => {
  db = await openTestDb();
  reads.failing = false;
  index.stored = null;
  for (const key of Object.keys(storedLocal)) delete storedLocal[key];
});
afterEach(() => closeTestDbs());

describe('loadSourcesOn', () => {
  it('finds nothing on in a fresh install: no source besides the local one is asked', async () => {
    expect(await loadSourcesOn()).toEqual({
      providers: new Set(),
      remoteIndex: false,
      engineImports: false,
    });
    expect(await askedIds()).toEqual([]);
  });

  it('lists only the providers with a key that are on, and never their keys', async () => {
    storedLocal[PROVIDERS_KEY] = {
      ahrefs: { credentials: { key: 'a-key' } },
      moz: { credentials: { key: 'm-key' }, enabled: false },
      majestic: {},
    };
    const on = await loadSourcesOn();
    expect(on?.providers).toEqual(new Set(['ahrefs']));
    expect(JSON.stringify([...on!.providers])).not.toContain('key');
    expect(await askedIds()).toEqual(['provider:ahrefs']);
  });

  it('asks the remote index only while it is on', async () => {
    index.stored = { enabled: false };
    expect(await askedIds()).toEqual([]);
    index.stored = { enabled: true };
    expect(await askedIds()).toEqual(['remote-index']);
  });

  it('asks the engines once an export is imported', async () => {
    await db.put('engine-imports', {
      id: 'f00d',
      engine: 'google',
      kind: 'gsc-latest-links',
      site: 'shop.com',
      fileName: 'links.csv',
      importedAt: 1,
      links: 0,
      sites: [],
      pages: [],
      skipped: 0,
    });
    expect(await askedIds()).toEqual(['engine-google', 'engine-bing']);
  });

  it('asks every source when the switches cannot be read: each answers for itself', async () => {
    reads.failing = true;
    expect(await loadSourcesOn()).toBeNull();
    expect(await askedIds()).toEqual(sourcesToAsk(null).map((s) => s.id));
    expect(await askedIds()).toEqual([
      'remote-index',
      'engine-google',
      'engine-bing',
      ...PROVIDER_IDS.map((id) => `provider:${id}`),
    ]);
  });
});
