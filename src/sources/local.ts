import { LOCAL_PROVENANCE } from '../core/provenance';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { loadBacklinks, loadSiteLinks, type BacklinkReport } from '../storage/queries';
import type { BacklinkSource } from './types';

/**
 * The page's report from the local cache, with the user's folded variants: what the popup
 * shows at once, before any other source answers.
 */
export async function loadLocalReport(url: string): Promise<BacklinkReport | null> {
  // Side by side: the settings read need not wait for the connection to open.
  const [db, settings] = await Promise.all([getDb(), loadSettings()]);
  return loadBacklinks(db, url, settings.folds);
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
