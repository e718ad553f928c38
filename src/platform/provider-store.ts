import browser from 'webextension-polyfill';
import {
  parsePauses,
  parseProviderConfigs,
  PROVIDER_PAUSES_KEY,
  PROVIDERS_KEY,
  isActive,
  serializeProviderConfigs,
  type ProviderConfig,
} from '../sources/providers/settings';
import type { ProviderId } from '../sources/providers/types';

/**
 * The user's providers in storage.local only: shared by the worker and the options page, never
 * in IndexedDB, so the export (which reads IndexedDB) cannot carry a key.
 */
export async function loadProviderConfigs(): Promise<ProviderConfig[]> {
  const stored = await browser.storage.local.get(PROVIDERS_KEY);
  return parseProviderConfigs(stored[PROVIDERS_KEY]);
}

/**
 * The providers the worker would ask (a key, and on), ids only: what a page needs to know
 * whom to ask. The keys stay in this function; an off provider is never sent a message.
 */
export async function loadActiveProviderIds(): Promise<ProviderId[]> {
  return (await loadProviderConfigs()).filter(isActive).map((c) => c.id);
}

/** Change one provider's stored entry (null: remove it), keeping the others as they are. */
export async function updateProviderConfig(
  id: ProviderId,
  change: (current: ProviderConfig | undefined) => ProviderConfig | null,
): Promise<ProviderConfig | null> {
  const configs = await loadProviderConfigs();
  const next = change(configs.find((c) => c.id === id));
  const others = configs.filter((c) => c.id !== id);
  await browser.storage.local.set({
    [PROVIDERS_KEY]: serializeProviderConfigs(next ? [...others, next] : others),
  });
  return next;
}

/** When each provider may be asked again (rate limit, spent quota); only pauses still running. */
export async function loadProviderPauses(
  now: number = Date.now(),
): Promise<Partial<Record<ProviderId, number>>> {
  const stored = await browser.storage.local.get(PROVIDER_PAUSES_KEY);
  return parsePauses(stored[PROVIDER_PAUSES_KEY], now);
}

/** Hold `id` back until `until` (kept across worker restarts); null lifts the pause. */
export async function saveProviderPause(id: ProviderId, until: number | null): Promise<void> {
  const now = Date.now();
  const pauses = await loadProviderPauses(now);
  if (until === null || until <= now) delete pauses[id];
  else pauses[id] = until;
  await browser.storage.local.set({ [PROVIDER_PAUSES_KEY]: pauses });
}
