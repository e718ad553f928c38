// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { REMOTE_INDEX_KEY } from '../../src/core/remote-index-settings';
import type { BacklinkDb } from '../../src/storage/db';
import { startTestIndex, type TestIndexServer } from '../support/index-server';
import { closeTestDbs, openTestDb } from './helpers';
import { permissionPrompt as prompt, storedLocal as local } from './fake-browser';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

const model = await import('../../src/ui/remote-index-model');
const { RemoteIndexSection } = await import('../../src/ui/components/RemoteIndex');

let index: TestIndexServer;
beforeAll(async () => void (index = await startTestIndex([], { name: 'Team index' })));
afterAll(() => index.close());
beforeEach(async () => {
  db = await openTestDb();
  delete local[REMOTE_INDEX_KEY];
  prompt.grant = true;
  prompt.asked = [];
  model.remoteIndex.value = null;
  model.remoteNotice.value = null;
  model.tokenInput.value = '';
});
afterEach(() => {
  closeTestDbs();
  document.body.innerHTML = '';
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
function mount(): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(<RemoteIndexSection />, root);
  return root;
}

describe('adding a remote index', () => {
  it('asks for its origin, reads /v1/info and keeps it turned on', async () => {
    model.urlInput.value = `${index.url}/`;
    await model.addIndex();
    expect(prompt.asked).toEqual([['http://127.0.0.1/*']]);
    expect(model.remoteNotice.value).toEqual({
      text: 'Added Team index. It is asked when you open the popup or the full report of a page.',
    });
    expect(local[REMOTE_INDEX_KEY]).toMatchObject({ url: index.url, enabled: true, k: 50 });
    const root = mount();
    await flush();
    expect(root.querySelector('#remote-index-info')!.getAttribute('data-index-name')).toBe(
      'Team index',
    );
    // An empty index: any bucket holds fewer than k pages, and the page says so.
    expect(root.querySelector('[data-small-index]')).not.toBeNull();
    expect(root.querySelector('#remote-index-url')).toBeNull();
  });

  it('saves nothing when access is refused, and says so', async () => {
    prompt.grant = false;
    model.urlInput.value = index.url;
    await model.addIndex();
    expect(model.remoteNotice.value).toEqual({
      text:
        'Could not add the index: Access to 127.0.0.1:' +
        new URL(index.url).port +
        ' was not granted; nothing was saved.',
      error: true,
    });
    expect(local[REMOTE_INDEX_KEY]).toBeUndefined();
  });

  it('saves nothing when the index answers garbage, and refuses an address that is none', async () => {
    index.mode = 'garbage';
    model.urlInput.value = index.url;
    await model.addIndex();
    index.mode = 'ok';
    expect(model.remoteNotice.value?.text).toBe(
      'Could not add the index: The index sent an answer that is not JSON; it was refused.',
    );
    model.urlInput.value = 'javascript:alert(1)';
    await model.addIndex();
    expect(model.remoteNotice.value?.error).toBe(true);
    model.urlInput.value = '  ';
    await model.addIndex();
    expect(model.remoteNotice.value).toEqual({
      text: 'Type the address of the index first, such as https://index.example.org.',
      error: true,
    });
    expect(prompt.asked).toHaveLength(1);
    expect(local[REMOTE_INDEX_KEY]).toBeUndefined();
  });

  it('is off with an address form until one is added, and removal turns it off again', async () => {
    const root = mount();
    await flush();
    expect(root.querySelector('#remote-index-url')).not.toBeNull();
    model.urlInput.value = index.url;
    await model.addIndex();
    await model.removeIndex();
    expect(local[REMOTE_INDEX_KEY]).toBeUndefined();
    expect(model.remoteNotice.value?.text).toBe(
      'Removed Team index and its cached answers. Nothing is sent to it any more.',
    );
  });
});
