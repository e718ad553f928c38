import { t } from '../core/i18n';
import { send } from '../platform/messaging';
import { PROVIDER_IDS, PROVIDER_NAMES, type ProviderId } from './providers/ids';
import type { BacklinkSource, SourceResult } from './types';

/**
 * A bring-your-own-key provider, asked through the worker, which holds the key, the cache,
 * the pauses after a rate limit and the timeout (background/providers.ts). Pages never send a
 * key anywhere themselves; the worker answers 'off' for a provider the user has not added.
 */
function providerSource(id: ProviderId): BacklinkSource {
  return {
    id: `provider:${id}`,
    local: false,
    isOn: (on) => on.providers.has(id),
    async lookup(kind, url): Promise<SourceResult> {
      try {
        return await send({ type: 'provider/lookup', provider: id, kind, url });
      } catch (error) {
        // The worker could not be reached or threw: the local list stands, said so.
        const why = error instanceof Error ? error.message : String(error);
        return {
          status: 'failed',
          name: PROVIDER_NAMES[id],
          message: t('provider_unasked', { why }),
        };
      }
    },
  };
}

/** One source per provider, in the options page's order. */
export const providerSources: readonly BacklinkSource[] = PROVIDER_IDS.map(providerSource);
