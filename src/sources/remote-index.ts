import { t } from '../core/i18n';
import { send } from '../platform/messaging';
import type { BacklinkSource, SourceResult } from './types';

/**
 * The user's remote index (docs/index-protocol.md), asked through the worker, which holds the
 * settings, the cache and the timeout, and validates every answer (background/remote-index.ts).
 * Pages never fetch from the index themselves: one place decides what leaves the machine.
 */
export const remoteIndexSource: BacklinkSource = {
  id: 'remote-index',
  local: false,
  isOn: (on) => on.remoteIndex,
  async lookup(kind, url): Promise<SourceResult> {
    try {
      return await send({ type: 'remote/lookup', kind, url });
    } catch (error) {
      // The worker could not be reached or threw: the local list stands, said so.
      const why = error instanceof Error ? error.message : String(error);
      return {
        status: 'failed',
        name: t('remote_source_name'),
        message: t('remote_source_not_asked', { why }),
      };
    }
  },
};
