import browser from 'webextension-polyfill';
import { computed, signal } from '@preact/signals';
import { formatNumber, t } from '../core/i18n';
import type { KeyCheck } from '../sources/providers/types';
import { permissionOrigin } from '../core/remote-index-settings';
import { getDb } from '../platform/db-connection';
import { send } from '../platform/messaging';
import {
  loadProviderConfigs,
  saveProviderPause,
  updateProviderConfig,
} from '../platform/provider-store';
import { PROVIDER_IDS, PROVIDER_NAMES, type ProviderId } from '../sources/providers/ids';
import { providerById } from '../sources/providers/index';
import { parseCredentials, SECRET_NEED, type ProviderConfig } from '../sources/providers/settings';
import { clearRemoteCache } from '../storage/remote-cache';
import { runAction, type Notice } from './notice';

/** The stored providers (with or without a key), and the add form's inputs. */
export const providerConfigs = signal<ProviderConfig[]>([]);
export const chosenProvider = signal<ProviderId>(PROVIDER_IDS[0]);
export const keyInput = signal('');
export const secretInput = signal('');
/** The outcome of the last action in the section, with the provider it was about. */
export const providersNotice = signal<(Notice & { provider?: ProviderId }) | null>(null);

/** The providers with a key, in the order the form offers them. */
export const configuredProviders = computed(() =>
  providerConfigs.value.filter((c) => c.credentials),
);

/** Read the stored providers; a failure is said in the section, never left unhandled. */
export async function loadProvidersSection(): Promise<void> {
  try {
    providerConfigs.value = await loadProviderConfigs();
  } catch (error) {
    providersNotice.value = {
      text: t('provider_load_failed', { why: String(error) }),
      error: true,
    };
  }
}

/** The origins a provider's key goes to: its API (and Moz's legacy one), or a test's fake API. */
function originsOf(id: ProviderId, config: ProviderConfig | undefined): string[] {
  if (config?.endpoint) return [permissionOrigin(config.endpoint)];
  const adapter = providerById(id);
  const origins = [adapter?.apiOrigin ?? '', ...(adapter?.otherOrigins ?? [])];
  return origins.filter((o) => o !== '').map(permissionOrigin);
}

/** "… 126,250 API units left." where the service says, else nothing. */
const quotaWords = (check: KeyCheck): string =>
  check.quota
    ? ` ${t('provider_quota_left', {
        left: formatNumber(check.quota.remaining),
        unit: check.quota.unit,
      })}`
    : '';

/** Test credentials in the worker; resolves with what the service said, throws its words. */
async function testKey(
  id: ProviderId,
  credentials?: { key: string; secret?: string },
): Promise<KeyCheck> {
  const reply = await send({ type: 'provider/test', provider: id, credentials });
  if (!reply.ok) throw new Error(reply.message);
  return reply;
}

/** End an action in the section's notice, about `id`. */
async function act(id: ProviderId, failure: string, action: () => Promise<string>) {
  await runAction(providersNotice, action, failure);
  if (providersNotice.value) providersNotice.value = { ...providersNotice.value, provider: id };
}

/**
 * Add the chosen provider with the key typed in: ask for access to its API (the browser wants
 * this from the click itself, so it is the first thing done), try the key with the service's
 * cheapest call, then keep it, turned on. Nothing is saved unless the key worked.
 */
export function addProvider(): Promise<void> {
  const id = chosenProvider.value;
  const name = PROVIDER_NAMES[id];
  const need = SECRET_NEED[id];
  const credentials = parseCredentials({
    key: keyInput.value,
    secret: need === 'none' ? '' : secretInput.value,
  });
  if (!credentials || (need === 'required' && !credentials.secret)) {
    providersNotice.value = {
      text: t(need === 'required' ? 'provider_need_both' : 'provider_need_key', { name }),
      error: true,
      provider: id,
    };
    return Promise.resolve();
  }
  const config = providerConfigs.value.find((c) => c.id === id);
  const origins = originsOf(id, config);
  const granted = browser.permissions.request({ origins });
  return act(id, t('provider_add_failed', { name }), async () => {
    if (!(await granted)) throw new Error(t('provider_access_refused', { name }));
    const check = await testKey(id, credentials);
    await updateProviderConfig(id, (current) => ({
      ...current,
      id,
      credentials,
      enabled: true,
      addedAt: Date.now(),
    }));
    // Answers cached with an earlier key may be of another account or plan.
    await clearRemoteCache(await getDb(), `provider:${id}`);
    await saveProviderPause(id, null);
    keyInput.value = '';
    secretInput.value = '';
    await loadProvidersSection();
    return `${t('provider_added', { name })}${quotaWords(check)}`;
  });
}

/** Try the stored key again: the service's answer, with the quota left where it says. */
export const testProvider = (id: ProviderId) =>
  act(id, t('provider_test_failed', { name: PROVIDER_NAMES[id] }), async () => {
    const check = await testKey(id);
    return `${t('provider_key_works', { name: PROVIDER_NAMES[id] })}${quotaWords(check)}`;
  });

/** Turn a provider on or off; off keeps the key and sends nothing. */
export const setProviderEnabled = (id: ProviderId, enabled: boolean) =>
  act(id, t('provider_change_failed'), async () => {
    await updateProviderConfig(id, (current) => (current ? { ...current, enabled } : null));
    await loadProvidersSection();
    const name = PROVIDER_NAMES[id];
    return t(enabled ? 'provider_enabled_on' : 'provider_enabled_off', { name });
  });

/** Forget the key and the provider's cached answers: nothing is sent to it any more. */
export const removeProvider = (id: ProviderId) =>
  act(id, t('provider_remove_failed', { name: PROVIDER_NAMES[id] }), async () => {
    await updateProviderConfig(id, () => null);
    await clearRemoteCache(await getDb(), `provider:${id}`);
    await saveProviderPause(id, null);
    await loadProvidersSection();
    return t('provider_removed', { name: PROVIDER_NAMES[id] });
  });
