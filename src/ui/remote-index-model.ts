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
import { t, tn } from '../core/i18n';

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
      text: urlInput.value.trim()
        ? t('remote_url_invalid', { input: urlInput.value })
        : t('remote_url_missing'),
      error: true,
    };
    return Promise.resolve();
  }
  const granted = browser.permissions.request({ origins: [permissionOrigin(url)] });
  return runAction(
    remoteNotice,
    async () => {
      if (!(await granted)) {
        throw new Error(t('remote_not_granted', { host: new URL(url).host }));
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
      return t('remote_added', { name: info.name });
    },
    t('remote_add_failed'),
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
  withIndex(t('remote_remove_failed'), async (current) => {
    await save(null);
    await clearRemoteCache(await getDb(), current.url);
    return t('remote_removed', { name: current.info.name });
  });

/** Change the settings of the index in place (on/off, k, decoys). */
const changeIndex = (
  change: (current: RemoteIndexSettings) => RemoteIndexSettings,
  done: (next: RemoteIndexSettings) => string,
) =>
  withIndex(t('remote_change_failed'), async (current) => {
    const next = change(current);
    await save(next);
    return done(next);
  });

export const setEnabled = (enabled: boolean) =>
  changeIndex(
    (s) => ({ ...s, enabled }),
    (s) => t(enabled ? 'remote_asked_again' : 'remote_not_asked', { name: s.info.name }),
  );

export const setK = (k: number) =>
  changeIndex(
    (s) => ({ ...s, k: clampK(k) }),
    (s) => tn('remote_k_set', s.k),
  );

export const setDecoys = (decoys: number) =>
  changeIndex(
    (s) => ({ ...s, decoys: Math.min(MAX_DECOYS, Math.max(0, Math.round(decoys) || 0)) }),
    (s) => tn('remote_decoys_set', s.decoys),
  );

/** Read /v1/info again (the index grew, its limits changed). */
export const refreshInfo = () =>
  withIndex(t('remote_refresh_failed'), async (current) => {
    const info = await fetchInfo(current);
    await save({ ...current, info, infoFetchedAt: Date.now() });
    return t('remote_refreshed', { name: info.name });
  });
