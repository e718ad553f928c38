/**
 * A contribution: what a member's extension recorded, in the extension's export format
 * (src/core/transfer.ts), read with the import's own rules (parseExport: URLs
 * re-canonicalized, secrets stripped, times bounded, bad rows skipped and counted) and
 * written as index pages in one transaction.
 */
import { parseExport, type ParsedImport } from '../../src/core/transfer';
import type { LinkRecord } from '../../src/core/types';
import type { Db } from './db';
import type { IndexedPage } from './model';
import { ingestPages } from './store';

export interface ContributionResult {
  accepted: { pages: number; links: number };
  skipped: number;
}

/**
 * The pages of an export with their live links. A page the export has no record of, or a
 * capped one, is marked truncated: its links there are not all of its links, so none of
 * those stored before is taken as removed. A lost link is not sent back as live.
 */
export function contributionPages(data: ParsedImport): IndexedPage[] {
  const linksBySource = new Map<string, LinkRecord[]>();
  for (const link of data.links) {
    const list = linksBySource.get(link.source) ?? [];
    list.push(link);
    linksBySource.set(link.source, list);
  }
  const records = new Map(data.pages.map((p) => [p.url, p]));
  const sources = new Set([...records.keys(), ...linksBySource.keys()]);
  return [...sources].map((url) => {
    const page = records.get(url);
    const links = linksBySource.get(url) ?? [];
    const seenAt = page?.lastSeen ?? Math.max(...links.map((l) => l.lastSeen));
    return {
      url,
      seenAt,
      nofollow: page?.robotsNofollow ?? false,
      truncated: !page || page.truncated,
      origin: 'contribution',
      links: links
        .filter((l) => l.lostAt === null)
        .map((l) => ({
          url: l.target,
          anchor: l.anchor,
          rel: l.rel,
          region: l.region,
          firstSeen: l.firstSeen,
        })),
    };
  });
}

/** Parses and writes a contribution; an ImportError (not an export at all) goes to the caller. */
export async function contribute(
  db: Db,
  body: string,
  now: number = Date.now(),
): Promise<ContributionResult> {
  const data = parseExport(body, now);
  const result = await ingestPages(db, contributionPages(data), now);
  return {
    accepted: { pages: result.pages, links: result.links },
    skipped: data.skipped + result.skipped,
  };
}
