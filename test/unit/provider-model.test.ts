import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import type { Message } from '../../src/core/messages';
import { PROVIDERS_KEY } from '../../src/sources/providers/settings';
import { closeTestDbs, openTestDb } from './helpers';
import { EXTENSION_ORIGIN, permissionPrompt as prompt, storedLocal as local } from './fake-browser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byPath, useFakeApi, type Reply } from './providers-server';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
// The options page's messages reach the worker's handler as they would from the page.
vi.mock('../../src/platform/messaging', () => ({
  send: async (message: Message<'provider/test'>) =>
    (await import('../../src/background/providers')).onProviderTest(message, {
      id: 'lens',
      url: `${EXTENSION_ORIGIN}src/ui/options/index.html`,
    }),
}));

const model = await import('../../src/ui/providers-model');

const KEY = 'majestic-key-Lm4Nb5Vc6';
/** A recorded body (read by path: happy-dom's URL cannot resolve the helper's file URL). */
const recorded = (path: string): Reply => ({
  body: readFileSync(join(process.cwd(), 'test/fixtures/providers', path), 'utf8'),
});
const fake = useFakeApi();

beforeEach(async () => {
  db = await openTestDb();
  for (const key of Object.keys(local)) delete local[key];
  prompt.grant = true;
  prompt.asked = [];
  model.providerConfigs.value = [];
  model.providersNotice.value = null;
  model.keyInput.value = '';
  model.secretInput.value = '';
  model.chosenProvider.value = 'majestic';
  fake.api.route(byPath({ '/api/json': recorded('majestic/subscription-info.json') }));
});
afterEach(() => closeTestDbs());

/** As the e2e test does: the stored entry points the provider at the fake API. */
async function pointAtFakeApi(id = 'majestic') {
  local[PROVIDERS_KEY] = { [id]: { endpoint: fake.api.origin } };
  await model.loadProvidersSection();
}

describe('adding a provider', () => {
  it('asks access to the service API from the click, tests the key, then keeps it', async () => {
    await pointAtFakeApi();
    model.keyInput.value = ` ${KEY} `;
    await model.addProvider();
    expect(prompt.asked).toEqual([['http://127.0.0.1/*']]);
    expect(model.providersNotice.value).toEqual({
      text: expect.stringMatching(/^Added Majestic: the key works\..* left\.$/),
      provider: 'majestic',
    });
    expect(local[PROVIDERS_KEY]).toEqual({
      majestic: {
        endpoint: fake.api.origin,
        credentials: { key: KEY },
        enabled: true,
        addedAt: expect.any(Number),
      },
    });
    expect(model.keyInput.value).toBe('');
    expect(model.configuredProviders.value.map((c) => c.id)).toEqual(['majestic']);
  });

  it('asks access to the real API origins where no test endpoint is stored', async () => {
    prompt.grant = false;
    model.chosenProvider.value = 'moz';
    model.keyInput.value = 'token';
    await model.addProvider();
    expect(prompt.asked).toEqual([['https://api.moz.com/*', 'https://lsapi.seomoz.com/*']]);
    expect(model.providersNotice.value).toMatchObject({
      text: 'Could not add Moz: Access to the address of Moz was not granted; nothing was saved.',
      error: true,
    });
    expect(local[PROVIDERS_KEY]).toBeUndefined();
  });

  it('keeps nothing when the service refuses the key, and says why', async () => {
    await pointAtFakeApi();
    fake.api.route(() => recorded('majestic/error-api-key.json'));
    model.keyInput.value = KEY;
    await model.addProvider();
    expect(model.providersNotice.value?.error).toBe(true);
    expect(model.providersNotice.value?.text).toMatch(
      /^Could not add Majestic: Majestic did not accept the key/,
    );
    expect(local[PROVIDERS_KEY]).toEqual({ majestic: { endpoint: fake.api.origin } });
  });

  it('wants both parts where the service has two, before asking anything', async () => {
    model.chosenProvider.value = 'dataforseo';
    model.keyInput.value = 'login@example.com';
    await model.addProvider();
    expect(model.providersNotice.value).toMatchObject({
      text: 'DataForSEO needs both the API login and the API password.',
      error: true,
    });
    model.keyInput.value = '';
    model.chosenProvider.value = 'ahrefs';
    await model.addProvider();
    expect(model.providersNotice.value?.text).toBe('Paste the key of Ahrefs first.');
    expect(prompt.asked).toEqual([]);
    expect(fake.api.requests).toHaveLength(0);
  });
});

describe('an added provider', () => {
  it('an added provider is turned off, tested and removed, each with a notice', async () => {
    local[PROVIDERS_KEY] = {
      majestic: { endpoint: fake.api.origin, credentials: { key: KEY }, enabled: true },
    };
    await db.put('remote-cache', {
      sourceId: 'provider:majestic',
      kind: 'url',
      key: 'https://a.example/',
      fetchedAt: Date.now(),
      answer: { name: 'Majestic', links: [] },
    });
    await model.loadProvidersSection();

    await model.setProviderEnabled('majestic', false);
    expect(model.providersNotice.value?.text).toBe(
      'Majestic is not asked any more; its key is kept.',
    );
    expect(model.providerConfigs.value[0]).toMatchObject({
      enabled: false,
      credentials: { key: KEY },
    });

    await model.testProvider('majestic');
    expect(model.providersNotice.value?.text).toMatch(/^The key of Majestic works\./);

    await model.removeProvider('majestic');
    expect(model.providersNotice.value?.text).toBe(
      'Removed Majestic, its key and its cached answers. Nothing is sent to it any more.',
    );
    expect(local[PROVIDERS_KEY]).toEqual({});
    expect(await db.count('remote-cache')).toBe(0);
  });
});
