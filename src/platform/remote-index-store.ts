import browser from 'webextension-polyfill';
import {
  parseRemoteIndexSettings,
  REMOTE_INDEX_KEY,
  type RemoteIndexSettings,
} from '../core/remote-index-settings';

/** The remote index settings in storage.local, null when none is configured (off). */
export async function loadRemoteIndex(): Promise<RemoteIndexSettings | null> {
  const stored = await browser.storage.local.get(REMOTE_INDEX_KEY);
  return parseRemoteIndexSettings(stored[REMOTE_INDEX_KEY]);
}

/** Save (or, with null, remove) the remote index settings. */
export async function saveRemoteIndex(settings: RemoteIndexSettings | null): Promise<void> {
  if (settings === null) await browser.storage.local.remove(REMOTE_INDEX_KEY);
  else await browser.storage.local.set({ [REMOTE_INDEX_KEY]: settings });
}
