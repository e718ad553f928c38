import { ENGINE_NAMES, engineSourceId, type Engine } from '../core/engines';
import { t } from '../core/i18n';
import { getDb } from '../platform/db-connection';
import { loadEngineLinks } from '../storage/engine-links';
import type { BacklinkSource } from './types';

/**
 * The links a search engine itself counted for a site the user owns, from the exports the user
 * imported on the options page (storage/engine-links.ts). Read from IndexedDB on this machine,
 * as the local source is: nothing is asked of the engine. Off until something is imported.
 */
function engineSource(engine: Engine): BacklinkSource {
  return {
    id: engineSourceId(engine),
    local: false,
    isOn: (on) => on.engineImports,
    async lookup(kind, url) {
      try {
        const links = await loadEngineLinks(await getDb(), engine, kind, url);
        if (!links) return { status: 'off' };
        // The engine's figures are the links it listed: the popup's line says how many.
        const totals = {
          backlinks: links.length,
          referringDomains: new Set(links.map((l) => l.sourceDomain)).size,
          referringPages: new Set(links.map((l) => l.source)).size,
        };
        return { status: 'answered', answer: { name: ENGINE_NAMES[engine], links, totals } };
      } catch (error) {
        return {
          status: 'failed',
          name: ENGINE_NAMES[engine],
          message: t('engine_source_unreadable', {
            why: error instanceof Error ? error.message : String(error),
          }),
        };
      }
    },
  };
}

/** Google Search Console's and Bing Webmaster Tools' imported links, one source each. */
export const engineSources: readonly BacklinkSource[] = [
  engineSource('google'),
  engineSource('bing'),
];
