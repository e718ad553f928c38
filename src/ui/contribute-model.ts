import browser from 'webextension-polyfill';
import { signal } from '@preact/signals';
import {
  CONTRIBUTION_KEY,
  parseContributionState,
  type ContributionState,
} from '../core/contribution';
import { t } from '../core/i18n';
import { loadRemoteIndex, saveRemoteIndex } from '../platform/remote-index-store';
import { runAction, type Notice } from './notice';
import { remoteIndex } from './remote-index-model';

/** The worker's contribution queue and figures (background/contribute.ts), kept up to date. */
export const contributionState = signal<ContributionState | null>(null);
export const contributeNotice = signal<Notice | null>(null);

/** Read the state, and follow the worker's changes to it while the options page is open. */
export async function watchContribution(): Promise<() => void> {
  const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
    const change = changes[CONTRIBUTION_KEY];
    if (area === 'local' && change)
      contributionState.value = parseContributionState(change.newValue);
  };
  browser.storage.onChanged.addListener(listener);
  const stored = await browser.storage.local.get(CONTRIBUTION_KEY);
  contributionState.value = parseContributionState(stored[CONTRIBUTION_KEY]);
  return () => browser.storage.onChanged.removeListener(listener);
}

/**
 * Turn contribution on or off for the configured index. Saved onto what is stored now (the
 * worker may have refreshed the index's info meanwhile); the worker empties the queue on off.
 */
export const setContribute = (on: boolean) =>
  runAction(
    contributeNotice,
    async () => {
      const stored = await loadRemoteIndex();
      if (!stored) throw new Error(t('contribute_no_index'));
      const next = { ...stored, contribute: on };
      await saveRemoteIndex(next);
      remoteIndex.value = next;
      return t(on ? 'contribute_turned_on' : 'contribute_turned_off', { name: next.info.name });
    },
    t('contribute_save_failed'),
  );
