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

type ReadTx = ReturnType<typeof readTransaction>;
const readTransaction = (db: BacklinkDb) => db.transaction(['pages', 'links'], 'readonly');

/** The URL's aliases and every link to any of them, through the by_canonical and by_target indexes. */
async function findBacklinks(tx: ReadTx, url: string): Promise<Omit<BacklinkReport, 'sources'>> {
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
  return { url, aliases: [...aliases], page, links };
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
  const tx = readTransaction(db);
  const found = await findBacklinks(tx, url);
  const pages = tx.objectStore('pages');
  const sourceUrls = [...new Set(found.links.map((l) => l.source))];
  const sourcePages = await Promise.all(sourceUrls.map((s) => pages.get(s)));
  await tx.done;
  const sources: Record<string, PageRecord> = {};
  sourcePages.forEach((p) => {
    if (p) sources[p.url] = p;
  });
  return { ...found, sources };
}

/** Live (not lost) backlinks of a URL: the badge number. Skips loading the source pages. */
export async function countLiveBacklinks(db: BacklinkDb, rawUrl: string): Promise<number> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return 0;
  const tx = readTransaction(db);
  const { links } = await findBacklinks(tx, url);
  await tx.done;
  return links.filter((l) => l.lostAt === null).length;
}

/** Links read at most for a site-wide view, so a hugely linked site stays quick to show. */
export const SITE_LINK_LIMIT = 20_000;

/**
 * The host and each parent domain down to two labels (the host alone if it has one label):
 * exactly one of them is the registrable domain.
 */
function domainCandidates(host: string): string[] {
  const labels = host.split('.');
  if (labels.length < 2) return [host];
  return labels
    .slice(0, -1)
    .map((_l, i) => labels.slice(i).join('.'))
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
  limit = SITE_LINK_LIMIT,
): Promise<{ domain: string; links: LinkRecord[]; complete: boolean } | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const index = db.transaction('links').store.index('by_target_domain');
  for (const domain of domainCandidates(new URL(url).hostname)) {
    const links = await index.getAll(domain, limit);
    if (links.length > 0) return { domain, links, complete: links.length < limit };
  }
  return null;
}
