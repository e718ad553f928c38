import browser from 'webextension-polyfill';
import { signal } from '@preact/signals';
import { DEFAULT_K } from '../core/index-protocol';
import {
  clampK,
  MAX_DECOYS,
  newDecoySecret,
  normalizeIndexUrl,
  permissionOrigin,
  type RemoteIndexSettings,
} from '../core/remote-index-settings';
import { fetchInfo } from '../sources/index-client';
import { clearRemoteCache } from '../storage/remote-cache';
import { getDb } from '../platform/db-connection';
import { loadRemoteIndex, saveRemoteIndex } from '../platform/remote-index-store';
import { runAction, type Notice } from './notice';

/** The configured index (null: none, the feature is off), and the options section's inputs. */
export const remoteIndex = signal<RemoteIndexSettings | null>(null);
export const urlInput = signal('');
export const tokenInput = signal('');
export const remoteNotice = signal<Notice | null>(null);

export async function loadRemoteIndexSection(): Promise<void> {
  remoteIndex.value = await loadRemoteIndex();
}

async function save(next: RemoteIndexSettings | null): Promise<void> {
  await saveRemoteIndex(next);
  remoteIndex.value = next;
}

/**
 * Add the index typed in: ask for access to its origin (the browser wants this from the click
 * itself, so it is the first thing done), read and check its /v1/info, then keep it, turned
 * on. Nothing is saved unless every step worked.
 */
export function addIndex(): Promise<void> {
  const url = normalizeIndexUrl(urlInput.value);
  if (!url) {
    remoteNotice.value = {
      text: `“${urlInput.value}” is not an http or https address (with no user name or password).`,
      error: true,
    };
    return Promise.resolve();
  }
  const granted = browser.permissions.request({ origins: [permissionOrigin(url)] });
  return runAction(
    remoteNotice,
    async () => {
      if (!(await granted)) {
        throw new Error(`Access to ${new URL(url).host} was not granted; nothing was saved.`);
      }
      const token = tokenInput.value.trim();
      const info = await fetchInfo({ url, token });
      // Answers cached from an index once at this address may be another index's.
      await clearRemoteCache(await getDb(), url);
      await save({
        url,
        token,
        enabled: true,
        contribute: false,
        k: DEFAULT_K,
        decoys: 0,
        decoySecret: newDecoySecret(),
        info,
        infoFetchedAt: Date.now(),
      });
      urlInput.value = '';
      tokenInput.value = '';
      return `Added ${info.name}. It is asked when you open the popup or the full report of a page.`;
    },
    'Could not add the index',
  );
}

/** Run an action on the configured index (none: nothing to do), ending in a notice. */
async function withIndex(
  failure: string,
  action: (current: RemoteIndexSettings) => Promise<string>,
): Promise<void> {
  const current = remoteIndex.value;
  if (current) await runAction(remoteNotice, () => action(current), failure);
}

/** Forget the index and its cached answers: nothing is sent to it any more. */
export const removeIndex = () =>
  withIndex('Could not remove the index', async (current) => {
    await save(null);
    await clearRemoteCache(await getDb(), current.url);
    return `Removed ${current.info.name} and its cached answers. Nothing is sent to it any more.`;
  });

/** Change the settings of the index in place (on/off, k, decoys). */
const changeIndex = (
  change: (current: RemoteIndexSettings) => RemoteIndexSettings,
  done: (next: RemoteIndexSettings) => string,
) =>
  withIndex('Could not save the change', async (current) => {
    const next = change(current);
    await save(next);
    return done(next);
  });

export const setEnabled = (enabled: boolean) =>
  changeIndex(
    (s) => ({ ...s, enabled }),
    (s) => (enabled ? `${s.info.name} is asked again.` : `${s.info.name} is not asked any more.`),
  );

export const setK = (k: number) =>
  changeIndex(
    (s) => ({ ...s, k: clampK(k) }),
    (s) => `Each lookup now hides the page among at least ${s.k} pages of the index, where it can.`,
  );

export const setDecoys = (decoys: number) =>
  changeIndex(
    (s) => ({ ...s, decoys: Math.min(MAX_DECOYS, Math.max(0, Math.round(decoys) || 0)) }),
    (s) => `Each lookup now asks for ${s.decoys} decoy bucket${s.decoys === 1 ? '' : 's'} too.`,
  );

/** Read /v1/info again (the index grew, its limits changed). */
export const refreshInfo = () =>
  withIndex('Could not read the index', async (current) => {
    const info = await fetchInfo(current);
    await save({ ...current, info, infoFetchedAt: Date.now() });
    return `${info.name} was read again.`;
  });
