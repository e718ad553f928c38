import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import { REMOTE_INDEX_KEY, type RemoteIndexSettings } from '../../src/core/remote-index-settings';
import { fetchInfo } from '../../src/sources/index-client';
import type { BacklinkDb } from '../../src/storage/db';
import { startTestIndex, type TestIndexServer } from '../support/index-server';
import { at, closeTestDbs, openTestDb } from './helpers';
import { EXTENSION_ORIGIN as ORIGIN, storedLocal as local } from './fake-browser';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

const { onRemoteLookup, lookupActivity } = await import('../../src/background/remote-index');

const PAGE = 'https://coffee.example/brewing';
const POPUP: Runtime.MessageSender = { id: 'lens', url: `${ORIGIN}src/ui/popup/index.html` };
let index: TestIndexServer;
let settings: RemoteIndexSettings;

beforeAll(async () => {
  index = await startTestIndex([
    {
      kind: 'url',
      key: PAGE,
      links: [
        {
          source: 'https://news.example/story',
          target: PAGE,
          anchor: 'guide',
          rel: [],
          firstSeen: at(1),
          lastSeen: at(2),
          lost: false,
        },
      ],
    },
  ]);
  const info = await fetchInfo({ url: index.url, token: '' });
  settings = {
    url: index.url,
    token: '',
    enabled: true,
    contribute: false,
    k: 50,
    decoys: 0,
    decoySecret: 'ab'.repeat(32),
    info,
    infoFetchedAt: Date.now(),
  };
});
afterAll(() => index.close());
beforeEach(async () => {
  db = await openTestDb();
  local[REMOTE_INDEX_KEY] = settings;
  index.mode = 'ok';
  index.requests = [];
  for (const key of Object.keys(lookupActivity)) delete lookupActivity[key as 'fetched'];
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  closeTestDbs();
  vi.restoreAllMocks();
});

const lookup = (sender = POPUP, url = PAGE) =>
  onRemoteLookup({ type: 'remote/lookup', kind: 'url', url }, sender);

describe('onRemoteLookup', () => {
  it('asks the index once and answers from the cache after that', async () => {
    const first = await lookup();
    expect(first).toMatchObject({ status: 'answered', answer: { name: 'Test index' } });
    expect(first.status === 'answered' && first.answer.links[0]?.source).toBe(
      'https://news.example/story',
    );
    expect(await lookup()).toEqual(first);
    expect(index.requests).toHaveLength(1);
    expect(lookupActivity).toEqual({ fetched: 1, cached: 1 });
    expect(await db.count('remote-cache')).toBe(1);
  });

  it('stores nothing from a hostile answer and says why', async () => {
    index.mode = 'javascript-url';
    expect(await lookup()).toEqual({
      status: 'failed',
      name: 'Test index',
      message: 'The index sent a linking page that is not an http(s) address. It was refused.',
    });
    expect(await db.count('remote-cache')).toBe(0);
  });

  it('asks nothing while the index is off or not configured', async () => {
    local[REMOTE_INDEX_KEY] = { ...settings, enabled: false };
    expect(await lookup()).toEqual({ status: 'off' });
    delete local[REMOTE_INDEX_KEY];
    expect(await lookup()).toEqual({ status: 'off' });
    expect(index.requests).toHaveLength(0);
  });

  it('refuses a content script (lookups never happen on page load) and what is not a web page', async () => {
    const page: Runtime.MessageSender = { id: 'lens', url: PAGE, tab: { id: 1 } as never };
    expect(await lookup(page)).toEqual({ status: 'off' });
    expect(await lookup(POPUP, 'javascript:alert(1)')).toEqual({ status: 'off' });
    expect(index.requests).toHaveLength(0);
    expect(lookupActivity).toEqual({ refused: 2 });
  });
});
