import { LOCAL_PROVENANCE } from '../core/provenance';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { loadBacklinks, loadSiteLinks, type BacklinkReport, type Folds } from '../storage/queries';
import type { BacklinkSource } from './types';

/**
 * The page's report from the local cache, with the user's folded variants: what the popup
 * shows at once, before any other source answers. `folds`: as the caller read them already
 * (the popup's load reads the settings once); read here when not given.
 */
export async function loadLocalReport(url: string, folds?: Folds): Promise<BacklinkReport | null> {
  // Side by side: the settings read need not wait for the connection to open.
  const [db, foldsRead] = await Promise.all([
    getDb(),
    folds ?? loadSettings().then((settings) => settings.folds),
  ]);
  return loadBacklinks(db, url, foldsRead);
}

/** The links the user's own browsing recorded, kept in IndexedDB on this machine. */
export const localSource: BacklinkSource = {
  id: 'local',
  local: true,
  async lookup(kind, url) {
    const found =
      kind === 'url'
        ? await loadLocalReport(url)
        : await loadSiteLinks(await getDb(), url).then((site) => site && { links: site.links });
    return found
      ? { status: 'answered', answer: { name: LOCAL_PROVENANCE, links: found.links } }
      : { status: 'off' };
  },
};
