/**
 * Benchmark 3: reading one page's backlinks out of a well-used store. loadBacklinks goes
 * through the by_canonical and by_target indexes; the baseline reads every link and filters.
 * Then the cost of turning the result into the popup's summary.
 */
import { countLiveBacklinks, loadBacklinks, type BacklinkReport } from '../../src/storage/queries';
import { summarizeBacklinks } from '../../src/core/summary';
import type { BacklinkDb } from '../../src/storage/db';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { check, heading, info, measure, printTable, step } from './measure';
import { dropDb, fill, freshDb, linkGraph } from './fixtures';

const SOURCES = 2_000;
const LINKS_PER_PAGE = 25;
const HOT_BACKLINKS = 200;
const SLOW = { warmup: 2, reps: 7 };
const FAST = { warmup: 5, reps: 15 };

/** Full scan: every link record, filtered in JS; the linking pages then fetched by key. */
async function scanBacklinks(db: BacklinkDb, target: string): Promise<BacklinkReport> {
  const tx = db.transaction(['pages', 'links'], 'readonly');
  const pages = tx.objectStore('pages');
  const all = await tx.objectStore('links').getAll();
  const links = all.filter((l) => l.target === target && l.source !== target);
  const sourcePages = await Promise.all(
    [...new Set(links.map((l) => l.source))].map((s) => pages.get(s)),
  );
  const page = (await pages.get(target)) ?? null;
  await tx.done;
  const sources: Record<string, PageRecord> = {};
  for (const p of sourcePages) if (p) sources[p.url] = p;
  return {
    url: target,
    aliases: [target],
    page,
    links,
    via: {},
    redirect: null,
    variants: [],
    folded: [],
    sources,
  };
}

const keyOf = (l: LinkRecord) => `${l.source}|${l.target}|${l.anchor}`;

export async function runStorageRead(): Promise<void> {
  const graph = linkGraph({
    seed: 50_000,
    sources: SOURCES,
    perDomain: 4,
    linksPerPage: LINKS_PER_PAGE,
    targets: 20_000,
    hotBacklinks: HOT_BACKLINKS,
  });
  heading(
    'storage read',
    `loadBacklinks (indexes) for a URL with ${HOT_BACKLINKS} backlinks, in a fake-indexeddb store of ` +
      `${graph.links.length.toLocaleString('en')} links\nfrom ${SOURCES.toLocaleString('en')} pages, ` +
      'vs a full scan (getAll links, filter by target).',
  );
  const db = await freshDb();
  try {
    await step('fill the store (untimed)', () => fill(db, graph));

    const indexed = await loadBacklinks(db, graph.hot);
    const scanned = await scanBacklinks(db, graph.hot);
    const same =
      indexed !== null &&
      indexed.links.length === scanned.links.length &&
      JSON.stringify(indexed.links.map(keyOf).sort()) ===
        JSON.stringify(scanned.links.map(keyOf).sort()) &&
      Object.keys(indexed.sources).length === Object.keys(scanned.sources).length;
    check('index and scan find the same backlinks', same, `${indexed?.links.length} links`);

    const baseline = await measure(
      'full scan (getAll + filter)',
      () => scanBacklinks(db, graph.hot),
      SLOW,
    );
    const load = await measure(
      'loadBacklinks (by_target index)',
      () => loadBacklinks(db, graph.hot),
      FAST,
    );
    const badge = await measure(
      'countLiveBacklinks (badge)',
      () => countLiveBacklinks(db, graph.hot),
      FAST,
    );
    const empty = await measure(
      'loadBacklinks, URL with none',
      () => loadBacklinks(db, graph.cold),
      FAST,
    );
    printTable([baseline, load, badge, empty], baseline);

    // The popup's second step, on what loadBacklinks returned.
    const report = indexed!;
    heading(
      'storage read: summary',
      `summarizeBacklinks of the ${report.links.length} links above (grouping, sorting, counts), ` +
        'next to the indexed load it follows.',
    );
    const summarize = await measure(
      `summarizeBacklinks (${report.links.length} links)`,
      () => summarizeBacklinks(report.links, report.sources),
      { warmup: 20, reps: 51 },
    );
    const summary = summarizeBacklinks(report.links, report.sources);
    printTable([load, summarize], load);
    info(
      `summary: ${summary.live} live, ${summary.lost} lost, ${summary.referringDomains} referring ` +
        `domains in ${summary.groups.length} groups`,
    );
  } finally {
    await dropDb(db);
  }
}
