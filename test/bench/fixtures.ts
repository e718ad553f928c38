/**
 * Generated data shared by the storage and popup benchmarks: pages and link records shaped
 * like what recordPage stores, deterministic for a given seed.
 */
import 'fake-indexeddb/auto';
import { deleteDB } from 'idb';
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import type { LinkRecord, LinkRegion, PageRecord } from '../../src/core/types';
import { pick, seededRandom } from './measure';
import { foldedOf } from '../../src/core/occurrences';
import { pageRecord, T0 } from '../support/records';

export { pageRecord, T0 };

export const DAY = 24 * 60 * 60 * 1000;

const REGIONS: LinkRegion[] = ['main', 'main', 'main', 'nav', 'footer', 'aside', 'comments'];
const SLUGS = ['guide', 'review', 'news', 'how-to', 'best-of', 'interview', 'story', 'list'];

export function linkRecord(
  source: PageRecord,
  target: string,
  random: () => number,
  overrides: Partial<LinkRecord> = {},
): LinkRecord {
  const r = random();
  const seen = T0 + Math.floor(random() * 90) * DAY;
  const rel = r < 0.1 ? ['nofollow'] : r < 0.13 ? ['sponsored'] : r < 0.16 ? ['ugc'] : [];
  return {
    source: source.url,
    target,
    anchor: `${pick(random, SLUGS)} ${Math.floor(random() * 1000)}`,
    ...foldedOf({ rel, region: pick(random, REGIONS) }),
    sourceDomain: source.domain,
    targetDomain: new URL(target).hostname.replace(/^www\./, ''),
    firstSeen: seen,
    lastSeen: seen + DAY,
    lostAt: random() < 0.08 ? seen + 2 * DAY : null,
    ...overrides,
  };
}

export interface LinkGraph {
  pages: PageRecord[];
  links: LinkRecord[];
  /** The URL with `hotBacklinks` backlinks. */
  hot: string;
  /** A URL on a known site that nothing links to. */
  cold: string;
}

/**
 * `sources` pages spread `perDomain` to a domain, `linksPerPage` outbound links each, to a
 * pool of `targets` URLs; the first `hotBacklinks` pages also link to one hot URL (one link
 * in their `linksPerPage`).
 */
export function linkGraph(options: {
  seed: number;
  sources: number;
  perDomain: number;
  linksPerPage: number;
  targets: number;
  hotBacklinks: number;
}): LinkGraph {
  const random = seededRandom(options.seed);
  const hot = 'https://www.hot-target.com/the-definitive-guide';
  const cold = 'https://www.hot-target.com/nobody-links-here';
  const targetDomains = Math.max(1, Math.floor(options.targets / 20));
  const targets = Array.from(
    { length: options.targets },
    (_, i) => `https://www.target${i % targetDomains}.com/${pick(random, SLUGS)}/${i}`,
  );
  const pages: PageRecord[] = [];
  const links: LinkRecord[] = [];
  for (let p = 0; p < options.sources; p++) {
    const domain = Math.floor(p / options.perDomain);
    const page = pageRecord(`https://www.source${domain}.com/posts/${p}`, {
      title: `Post ${p} on source ${domain}`,
      robotsNofollow: random() < 0.02,
      outboundCount: options.linksPerPage,
    });
    pages.push(page);
    const chosen = new Set<string>();
    if (p < options.hotBacklinks) chosen.add(hot);
    while (chosen.size < options.linksPerPage) {
      // Skewed towards the start of the pool: some targets are popular, most are not.
      chosen.add(targets[Math.floor(random() ** 2 * targets.length)]!);
    }
    for (const target of chosen) links.push(linkRecord(page, target, random));
  }
  pages.push(pageRecord(hot, { title: 'The definitive guide' }), pageRecord(cold));
  return { pages, links, hot, cold };
}

let dbCounter = 0;

/** A fresh fake-indexeddb database with the extension's schema. */
export async function freshDb(): Promise<BacklinkDb> {
  dbCounter += 1;
  return openBacklinkDb(`backlink-lens-bench-${process.pid}-${dbCounter}`);
}

/** Close and delete, so repetitions do not pile up memory. */
export async function dropDb(db: BacklinkDb): Promise<void> {
  db.close();
  await deleteDB(db.name);
}

/** Bulk load in one transaction (seeding, untimed). */
export async function fill(db: BacklinkDb, graph: Pick<LinkGraph, 'pages' | 'links'>) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  const pages = tx.objectStore('pages');
  const links = tx.objectStore('links');
  const writes: Promise<unknown>[] = [];
  for (const page of graph.pages) writes.push(pages.put(page));
  for (const link of graph.links) writes.push(links.put(link));
  await Promise.all([...writes, tx.done]);
}
