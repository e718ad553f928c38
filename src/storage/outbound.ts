import type { LinkRecord, PageRecord } from '../core/types';
import { getAllLinks } from './link-keys';
import type { BacklinkDb } from './db';

/**
 * A recorded page and the links on it, for contribution (background/contribute.ts); null when
 * the page is no longer stored (forgotten, its site excluded, cleared). The one place that
 * reads a page's outbound links for sending, so a change of the links store's layout changes
 * this function only.
 */
export async function loadOutboundLinks(
  db: BacklinkDb,
  source: string,
): Promise<{ page: PageRecord; links: LinkRecord[] } | null> {
  const tx = db.transaction(['pages', 'links', 'links-v1']);
  const [page, links] = await Promise.all([
    tx.objectStore('pages').get(source),
    getAllLinks(tx, 'by_source', source),
  ]);
  await tx.done;
  return page ? { page, links } : null;
}
