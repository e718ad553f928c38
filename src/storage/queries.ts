import type { LinkRecord, PageRecord } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import type { BacklinkDb } from './db';

// Read-only queries, kept apart from records.ts so the popup's bundle stays small.

export interface BacklinkReport {
  /** The canonical URL asked about. */
  url: string;
  /** Every URL taken to be the same page (declared canonicals, both ways). */
  aliases: string[];
  page: PageRecord | null;
  /** Inbound links to any alias, lost ones included. */
  links: LinkRecord[];
  /** Stored facts of each linking page, by its URL. */
  sources: Record<string, PageRecord>;
}

/**
 * Everything the popup and report show for one URL, read through indexes only: pages by
 * canonical, links by target. Null when the URL is not an http(s) page.
 */
export async function loadBacklinks(
  db: BacklinkDb,
  rawUrl: string,
): Promise<BacklinkReport | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const tx = db.transaction(['pages', 'links'], 'readonly');
  const pages = tx.objectStore('pages');
  const aliases = new Set([url]);
  const page = (await pages.get(url)) ?? null;
  if (page?.canonical) aliases.add(page.canonical);
  if (page?.aliasOf) aliases.add(page.aliasOf);
  for (const alias of [...aliases]) {
    for (const key of await pages.index('by_canonical').getAllKeys(alias)) aliases.add(key);
  }
  const byTarget = tx.objectStore('links').index('by_target');
  const found = await Promise.all([...aliases].map((a) => byTarget.getAll(a)));
  const links = found.flat().filter((l) => !aliases.has(l.source));
  const sourceUrls = [...new Set(links.map((l) => l.source))];
  const sourcePages = await Promise.all(sourceUrls.map((s) => pages.get(s)));
  await tx.done;
  const sources: Record<string, PageRecord> = {};
  sourcePages.forEach((p) => {
    if (p) sources[p.url] = p;
  });
  return { url, aliases: [...aliases], page, links, sources };
}

/** Live (not lost) backlinks of a URL: the badge number. */
export async function countLiveBacklinks(db: BacklinkDb, rawUrl: string): Promise<number> {
  const report = await loadBacklinks(db, rawUrl);
  return report ? report.links.filter((l) => l.lostAt === null).length : 0;
}

/** The host and each parent domain: exactly one of them is the registrable domain. */
function domainCandidates(host: string): string[] {
  const labels = host.split('.');
  return labels
    .slice(0, -1)
    .map((_l, i) => labels.slice(i).join('.'))
    .concat(host)
    .slice(0, 10);
}

/**
 * Every stored link into the site (registrable domain) of a URL, through the by_target_domain
 * index. Stored target domains are registrable domains, so probing the host's parent domains
 * finds the site without loading the Public Suffix List into the popup.
 */
export async function loadSiteLinks(
  db: BacklinkDb,
  rawUrl: string,
): Promise<{ domain: string; links: LinkRecord[] } | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const index = db.transaction('links').store.index('by_target_domain');
  for (const domain of domainCandidates(new URL(url).hostname)) {
    const links = await index.getAll(domain);
    if (links.length > 0) return { domain, links };
  }
  return null;
}
