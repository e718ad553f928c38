/**
 * Issue 7 at scale, in real Chromium with the built extension: its own IndexedDB filled through
 * the worker's write path with 10k and 100k links (BENCH_SCALE=1m adds 1M; BENCH_SCALE=10k runs
 * one), Zipf-distributed targets and a hot target with up to 10,000 inbound links. Per size, a
 * table of each operation against its raw IndexedDB baseline measured in the same run, in
 * turns: ingest of a page vs raw puts of its records in one transaction, the badge count vs a
 * raw index count, the popup's read vs a raw read of the rows it shows, the popup's first render;
 * and bytes on disk per link. `storage-burst`: the popup's first render during a burst of 8
 * tabs recording 2,000-link pages, against the same popup idle.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import {
  check,
  collectInterleaved,
  heading,
  info,
  median,
  printTable,
  step,
  type Timing,
} from './measure';
import { bundleForPage } from './page-bundle';
import { ensureExtensionBuilt } from './built-extension';
import { EMPTY_SHOWN, groupsShown, timeToReport } from './popup';
import type { ScaleOptions } from './storage-scale-entry';

declare global {
  interface Window {
    BacklinkScale: typeof import('./storage-scale-entry');
  }
}

const LINKS_PER_PAGE = 10;
/** Links of the page whose ingest is timed: a large page, where the write path shows. */
const INGEST_LINKS = 500;
const HOT_LINKS = 10_000;
const REPEAT = { warmup: 2, reps: 7 };
/** Pages recorded per round trip to the page that records them. */
const SEED_CHUNK = 1_000;
/** Zipf rank of the "cold" target: a few inbound links at 100k. */
const COLD_RANK = 1_000;
/** The popup shows its first 30 referring domains (src/ui/popup/main.tsx). */
const POPUP_DOMAINS = 30;
/** The first render of the popup holding groups, or its empty state. */
const ANY_SHOWN = "document.querySelector('.report .group, .report .empty') !== null";

const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 };

function sizesToRun(): Array<[string, number]> {
  const asked = (process.env.BENCH_SCALE ?? '').toLowerCase();
  if (asked === '1m') return Object.entries(SIZES);
  if (asked && SIZES[asked]) return [[asked, SIZES[asked]]];
  return [
    ['10k', SIZES['10k']!],
    ['100k', SIZES['100k']!],
  ];
}

function scaleOptions(links: number): ScaleOptions {
  const pages = Math.ceil(links / LINKS_PER_PAGE);
  return {
    seed: 7,
    pages,
    linksPerPage: LINKS_PER_PAGE,
    targets: Math.max(1_000, Math.floor(links / 4)),
    hotLinks: Math.min(HOT_LINKS, pages),
  };
}

/** Bytes of every file under `path`. */
function sizeOf(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

/** The extension's IndexedDB directory in the profile. */
const idbDir = (profile: string, ext: ExtensionBrowser) =>
  join(profile, 'Default', 'IndexedDB', `chrome-extension_${ext.extensionId}_0.indexeddb.leveldb`);

/** An extension page with the bench bundle loaded: it reads nothing itself. */
async function benchPage(ext: ExtensionBrowser, script: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(ext.extensionUrl(`${POPUP}?url=about:blank`));
  await page.evaluate(script);
  return page;
}

/** Two rows from one in-page call per turn: the raw baseline and ours, timed side by side. */
function pairRows(
  [rawName, oursName]: [string, string],
  pair: (rep: number) => Promise<{ raw: number; ours: number }>,
) {
  let last = { raw: Number.NaN, ours: Number.NaN };
  return [
    {
      name: rawName,
      sample: async (rep: number) => {
        last = await pair(rep);
        return last.raw;
      },
    },
    // The other side of the same call: its figure was taken in the same turn.
    { name: oursName, sample: () => last.ours },
  ];
}

async function runSize(label: string, links: number, script: string): Promise<void> {
  const options = scaleOptions(links);
  heading(
    `storage at scale: ${label} links (Chromium)`,
    `${options.pages.toLocaleString('en')} pages x ${LINKS_PER_PAGE} links, Zipf targets, ` +
      `hot target with ${options.hotLinks.toLocaleString('en')} inbound links.`,
  );
  const profile = await mkdtemp(join(tmpdir(), 'backlink-lens-scale-'));
  const server = await startSiteServer();
  const ext = await step('launch Chromium with the extension (untimed)', () =>
    launchWithExtension({ sitePort: server.port, userDataDir: profile }),
  );
  try {
    const page = await benchPage(ext, script);
    const before = await page.evaluate(() => window.BacklinkScale.usageBytes());
    const dirBefore = sizeOf(idbDir(profile, ext));
    await step(`record ${options.pages.toLocaleString('en')} pages (untimed)`, async () => {
      for (let from = 0; from < options.pages; from += SEED_CHUNK) {
        const to = Math.min(options.pages, from + SEED_CHUNK);
        await page.evaluate(([o, f, t]) => window.BacklinkScale.seedPages(o, f, t), [
          options,
          from,
          to,
        ] as const);
      }
    });
    const stored = await page.evaluate(() => window.BacklinkScale.countStored());
    check(
      'store seeded',
      stored.links === options.pages * LINKS_PER_PAGE,
      `${stored.pages} pages, ${stored.links} links`,
    );
    // LevelDB writes in the background: give it a moment before reading sizes.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const usage = (await page.evaluate(() => window.BacklinkScale.usageBytes())) - before;
    const dir = sizeOf(idbDir(profile, ext)) - dirBefore;
    info(
      `bytes per link: ${(usage / stored.links).toFixed(0)} (navigator.storage.estimate delta), ` +
        `${(dir / stored.links).toFixed(0)} (IndexedDB directory)`,
    );

    const { HOT, COLD } = await page.evaluate(() => ({
      HOT: window.BacklinkScale.HOT,
      COLD: window.BacklinkScale.COLD,
    }));
    const cold = await page.evaluate(([o, k]) => window.BacklinkScale.rankedTarget(o, k), [
      options,
      COLD_RANK,
    ] as const);
    // Fresh source pages for first visits: beyond the seeded ones.
    const ingest = (revisit: boolean) => (rep: number) =>
      page.evaluate(([o, p, r]) => window.BacklinkScale.ingestPair(o, p, r), [
        { ...options, linksPerPage: INGEST_LINKS },
        options.pages + (revisit ? 2_000 : 1_000) + rep,
        revisit,
      ] as const);
    const badge = (url: string) => () =>
      page.evaluate((u) => window.BacklinkScale.badgePair(u), url);
    const read = (url: string) => () => page.evaluate((u) => window.BacklinkScale.readPair(u), url);
    const counts = {
      hot: await page.evaluate((u) => window.BacklinkScale.readPair(u), HOT),
      cold: await page.evaluate((u) => window.BacklinkScale.readPair(u), cold),
    };
    const first = await ingest(false)(-100);

    const rows = await collectInterleaved(
      [
        ...pairRows(
          [`raw puts, one tx (${first.links} links)`, 'recordPage, first visit'],
          ingest(false),
        ),
        ...pairRows(['raw puts, one tx (overwrite)', 'recordPage, revisit'], ingest(true)),
        ...pairRows(['raw count (by_target), hot', 'countLiveBacklinks, hot'], badge(HOT)),
        ...pairRows(['raw read of shown rows, hot', 'loadBacklinks, hot'], read(HOT)),
        ...pairRows(['raw read of shown rows, cold', 'loadBacklinks, cold'], read(cold)),
      ],
      REPEAT,
    );
    info(
      `hot: ${counts.hot.links} inbound links (${counts.hot.rows} shown rows read raw); ` +
        `cold (Zipf rank ${COLD_RANK}): ${counts.cold.links} links`,
    );
    // Each operation against its own raw baseline, the row above it.
    for (let i = 0; i < rows.length; i += 2) printTable([rows[i]!, rows[i + 1]!], rows[i]!);

    const popup = await collectInterleaved(
      [
        {
          name: 'popup first render, empty state',
          sample: () => timeToReport(ext, POPUP, COLD, EMPTY_SHOWN).then((r) => r.ms),
        },
        {
          name: `popup first render, cold (${counts.cold.links} links)`,
          sample: () => timeToReport(ext, POPUP, cold, ANY_SHOWN).then((r) => r.ms),
        },
        {
          name: `popup first render, hot (${counts.hot.links} links)`,
          sample: () => timeToReport(ext, POPUP, HOT, groupsShown(POPUP_DOMAINS)).then((r) => r.ms),
        },
      ],
      { warmup: 1, reps: 5 },
    );
    printTable(popup, popup[0]!);
    await page.close();
  } finally {
    await ext.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** The in-page bundle, with dist/ built; null (said so) without Chromium. */
async function prepare(id: string): Promise<string | null> {
  if (!existsSync(CHROMIUM)) {
    info(`${id} skipped: needs ${CHROMIUM}`);
    return null;
  }
  await ensureExtensionBuilt();
  return bundleForPage('./storage-scale-entry.ts', 'BacklinkScale');
}

export async function runStorageScale(): Promise<void> {
  const script = await prepare('storage-scale');
  if (script === null) return;
  for (const [label, links] of sizesToRun()) await runSize(label, links, script);
}

const BURST_TABS = 8;
const BURST_LINKS = 2_000;
/** Pages each tab records at most; the burst is stopped once BURST_POPUPS popups were timed. */
const BURST_PAGES = 15;
const BURST_POPUPS = 9;

declare global {
  interface Window {
    BacklinkBurst: typeof import('./storage-burst-entry');
  }
}

/**
 * One build's popup for the hot target of a 10k store: idle, then while 8 loops in the service
 * worker record 2,000-link pages one after another through the write gate (as 8 tabs loading).
 */
async function burstOf(
  build: string,
  distDir: string | undefined,
  scripts: { scale: string; burst: string },
): Promise<void> {
  const options = scaleOptions(10_000);
  const server = await startSiteServer();
  const ext = await launchWithExtension({ sitePort: server.port, distDir });
  try {
    const page = await benchPage(ext, scripts.scale);
    await page.evaluate(([o]) => window.BacklinkScale.seedPages(o, 0, o.pages), [options] as const);
    const hot = await page.evaluate(() => window.BacklinkScale.HOT);
    const render = () =>
      timeToReport(ext, POPUP, hot, groupsShown(POPUP_DOMAINS)).then((r) => r.ms);
    const [idle] = await collectInterleaved([{ name: `${build}: popup, idle`, sample: render }], {
      warmup: 2,
      reps: 7,
    });
    // Recorded in the service worker, where the extension records pages: its own thread, as
    // with 8 tabs loading (an extension page would share the popup's renderer thread).
    await ext.worker.evaluate(scripts.burst);
    await ext.worker.evaluate(
      ([t, p, l]) =>
        (
          globalThis as unknown as { BacklinkBurst: Window['BacklinkBurst'] }
        ).BacklinkBurst.startBurst(t, p, l),
      [BURST_TABS, BURST_PAGES, BURST_LINKS] as const,
    );
    // A warm-up popup: the first one during the burst also meets the burst's own start.
    await render();
    const samples: number[] = [];
    while (samples.length < BURST_POPUPS) samples.push(await render());
    const burst = await ext.worker.evaluate(() =>
      (
        globalThis as unknown as { BacklinkBurst: Window['BacklinkBurst'] }
      ).BacklinkBurst.stopBurst(),
    );
    const during: Timing = {
      name: `${build}: popup, during the burst`,
      samples,
      median: median(samples),
    };
    printTable([idle!, during], idle!);
    info(
      `${build}: ${burst.pages} pages (${burst.links.toLocaleString('en')} links) recorded ` +
        `meanwhile; one page's write took ${median(burst.writeGaps).toFixed(0)} ms (median)`,
    );
    check(
      `${build}: the burst went on while the popups were timed`,
      burst.pages >= BURST_POPUPS,
      `${burst.pages} pages`,
    );
    check(
      `${build}: every recorded page stored whole`,
      burst.whole === burst.pages && burst.links === burst.pages * BURST_LINKS,
      `${burst.whole} of ${burst.pages} pages, ${burst.links} links`,
    );
  } finally {
    await ext.close();
    await server.close();
  }
}

/**
 * Item 5: the popup's first render during a recording burst against the same popup idle.
 * BENCH_BEFORE_DIST=<another build> (e.g. main's, built in a temp dir) runs it first, with the
 * same burst code in its worker: its popup does not hold recording back.
 */
export async function runStorageBurst(): Promise<void> {
  const scale = await prepare('storage-burst');
  if (scale === null) return;
  const burst = await bundleForPage('./storage-burst-entry.ts', 'BacklinkBurst');
  heading(
    'popup during a recording burst (Chromium)',
    `Popup first render for a target with 1,000 links in a 10k store, idle vs while ` +
      `${BURST_TABS} tabs record ${BURST_LINKS.toLocaleString('en')}-link pages ` +
      `(one after another each, in the worker; ${BURST_POPUPS} popups timed).`,
  );
  const before = process.env.BENCH_BEFORE_DIST;
  if (before) await burstOf('before', before, { scale, burst });
  await burstOf(before ? 'after' : 'this build', undefined, { scale, burst });
}
