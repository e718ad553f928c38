/**
 * `BENCH_ONLY=boot-hot`: where a hot popup's and report's first rows spend their time (issue 7:
 * popup < 100 ms, report first rows < 200 ms), against the same pages of another build in the
 * same store and turns. A store of BENCH_BOOT_HOT_LINKS links (10,000 by default; the hot
 * target has one inbound link per source page, up to 10,000) is recorded once through the
 * worker's write path (storage-scale-entry.ts) with the hot target's aggregate built, and each
 * page is opened as popup.ts#timeToReport opens it: navigation start to its rows in the DOM.
 *
 * Both builds load with the same manifest key, so they have the same extension id and read the
 * same store: the "before" browser gets a copy of the seeded profile. BENCH_BOOT_BEFORE=<dist
 * dir> adds it (a build at main, say); without it only this build is timed.
 *
 * Columns (medians, ms from navigation start): where the page stood when its module scripts
 * had run, when its first read ended (the `bl:head-read` mark of ui/state.ts), when the rows
 * were in the DOM; then the page's main-thread CPU time up to then (CDP thread ticks, all
 * tasks and script alone), which the load of a shared machine stretches far less than wall
 * time. Printed after: what each page loads before its first paint (requests, bytes).
 * BENCH_BOOT_PROFILE=<dir> keeps the seeded profile (and its key) for the next run. A page that
 * does not show its rows in time is opened once more, then its row is left out (said why).
 *
 * Then the popup for a tab on the hot page, on a cold one and on one nothing links to, with
 * the worker's first view of the tab and without it, this build, in pairs whose order
 * alternates turn by turn (first-view-pairs.ts; BENCH_BOOT_PAIRS, 6): the entry's gain with
 * nothing else changed. Last, the IndexedDB requests each page asked before its rows, counted
 * in one more opening of each.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP, REPORT } from '../support/extension-pages';
import { firstScreenRows, TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';
import {
  check,
  collectInterleaved,
  formatMs,
  heading,
  info,
  median,
  printColumns,
  reasonOf,
  step,
} from './measure';
import { ensureExtensionBuilt } from './built-extension';
import { bundleForPage } from './page-bundle';
import {
  ANY_SHOWN,
  EMPTY_SHOWN,
  groupsShown,
  tableShown,
  timeToReport,
  type ReportTiming,
} from './popup';
import { freshEntry, printEntryPairs, runEntryPairs, type EntryPage } from './first-view-pairs';
import { firstPaintLoad } from './boot';
import type { ScaleOptions } from './storage-scale-entry';
import { countBefore, traceOpening } from './boot-hot-trace';

const REPEAT = { warmup: 2, reps: Number(process.env.BENCH_BOOT_REPS ?? 7) };
/** Pairs of the popup with and without its tab's entry (first-view-pairs.ts), per page. */
const PAIRS = Number(process.env.BENCH_BOOT_PAIRS ?? 6);
const LINKS = Number(process.env.BENCH_BOOT_HOT_LINKS ?? 10_000);
const LINKS_PER_PAGE = 10;
/** The popup shows its first 30 referring domains (src/ui/popup/main.tsx). */
const POPUP_DOMAINS = 30;
/** Generous: a loaded 2-core machine is slow, and the bench must not crash on it. */
const PAGE_TIMEOUT = 120_000;
/** Pages recorded per call into the seeding page. */
const SEED_CHUNK = 5_000;
/** Where a profile kept with BENCH_BOOT_PROFILE holds the key its extension id comes from. */
const KEY_FILE = 'bench-manifest-key.txt';

declare global {
  interface Window {
    BacklinkScale: typeof import('./storage-scale-entry');
  }
}

function storeOptions(links: number): ScaleOptions {
  const pages = Math.ceil(links / LINKS_PER_PAGE);
  return {
    seed: 7,
    pages,
    linksPerPage: LINKS_PER_PAGE,
    targets: Math.max(1_000, Math.floor(links / 4)),
    hotLinks: Math.min(10_000, pages),
  };
}

/** A manifest key (base64 DER public key): an unpacked extension's id then comes from it. */
export function manifestKey(profile: string): string {
  const file = join(profile, KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  writeFileSync(file, key);
  return key;
}

/** A copy of `dist` whose manifest carries `key`; removed by the caller. */
export function keyedCopy(dist: string, key: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'backlink-lens-boot-hot-'));
  cpSync(dist, copy, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as object;
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, key }));
  return copy;
}

/** Zipf rank of the "cold" target (storage-scale.ts): a few inbound links, no aggregate. */
const COLD_RANK = 1_000;

/**
 * Record the store (skipping pages already there) and build the hot target's aggregate: the
 * hot target and a cold one.
 */
async function seedStore(
  ext: ExtensionBrowser,
  options: ScaleOptions,
): Promise<{ hot: string; cold: string }> {
  const script = await bundleForPage('./storage-scale-entry.ts', 'BacklinkScale');
  const page = await ext.context.newPage();
  try {
    await page.goto(ext.extensionUrl(`${POPUP}?url=about:blank`));
    await page.evaluate(script);
    for (let from = 0; from < options.pages; from += SEED_CHUNK) {
      const to = Math.min(options.pages, from + SEED_CHUNK);
      await page.evaluate(([o, f, t]) => window.BacklinkScale.seedPages(o, f, t), [
        options,
        from,
        to,
      ] as const);
    }
    const hot = await page.evaluate(() => window.BacklinkScale.HOT);
    // Times a head read too (untimed here): what matters is that it builds the aggregate first.
    await page.evaluate((u) => window.BacklinkScale.headPair(u), hot);
    const stored = await page.evaluate(() => window.BacklinkScale.countStored());
    check(
      'store seeded',
      stored.links === options.pages * LINKS_PER_PAGE,
      `${stored.pages} pages, ${stored.links} links`,
    );
    const cold = await page.evaluate(([o, k]) => window.BacklinkScale.rankedTarget(o, k), [
      options,
      COLD_RANK,
    ] as const);
    return { hot, cold };
  } finally {
    await page.close();
  }
}

/**
 * The seeded pages are dated 2024 (storage-scale-entry.ts, seededAt), older than the default
 * retention (12 months): the worker's daily retention rule (background/retention.ts), which
 * runs after the first page it records (openHotTab's tab), deleted the whole seeded store
 * while the popups were timed (s16: 100,000 links gone in one boot-hot run, its popups waiting
 * seconds on the deletion meanwhile). Marked as run now, it does not run during a bench. The
 * key is storage.local's (platform/settings-store.ts, PRUNED_KEY).
 */
export async function holdRetention(ext: ExtensionBrowser): Promise<ExtensionBrowser> {
  await ext.worker.evaluate(() => chrome.storage.local.set({ 'retention-pruned-at': Date.now() }));
  return ext;
}

/** The store still holds `links` links (nothing deleted it while the bench ran). */
export async function checkStoreKept(ext: ExtensionBrowser, links: number): Promise<void> {
  const script = await bundleForPage('./storage-scale-entry.ts', 'BacklinkScale');
  const page = await ext.context.newPage();
  try {
    await page.goto(ext.extensionUrl(`${POPUP}?url=about:blank`));
    await page.evaluate(script);
    const stored = await page.evaluate(() => window.BacklinkScale.countStored());
    check('the store kept its links to the end', stored.links >= links, `${stored.links} links`);
  } finally {
    await page.close();
  }
}

/** A tab showing the hot page, as a person has it open before clicking the toolbar icon. */
export interface HotTab {
  page: Page;
  id: number;
}

/**
 * Open the hot page in a tab of its own and make it the active one: the worker prepares its
 * first view then (background/first-view.ts). No server answers for its host: its HTML is
 * routed (a page of no links, recorded as any page is).
 */
export async function openHotTab(ext: ExtensionBrowser, hot: string): Promise<HotTab> {
  await ext.context.route(`${new URL(hot).origin}/**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: '<!doctype html><title>The definitive guide</title><p>A page many link to.</p>',
    }),
  );
  const page = await ext.context.newPage();
  await page.goto(hot, { waitUntil: 'load' });
  await page.bringToFront();
  const id = await ext.worker.evaluate(
    async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id ?? -1,
    hot,
  );
  check('a tab shows the hot page', id >= 0);
  return { page, id };
}

/**
 * Untimed, before each opening with the entry: the worker's first view of the tab is stored
 * (the tab made active again when it is not: a popup opened as a tab took its place). False
 * when none came within the wait (a build without first views, say).
 */
export async function hasFirstView(ext: ExtensionBrowser, tab: HotTab): Promise<boolean> {
  const stored = () =>
    ext.worker.evaluate(
      async (key) => (await chrome.storage.session?.get(key))?.[key] !== undefined,
      `firstView:${tab.id}`,
    );
  for (let waited = 0; waited < 30_000; waited += 250) {
    if (await stored()) return true;
    if (waited === 1_000) await tab.page.bringToFront();
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The machine's load average (1, 5, 15 min): every figure is read against it. */
export const loadAverage = () =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One timed opening, with the page's first-read mark and module-script phase. */
interface HotSample {
  timing: ReportTiming<number>;
}

/**
 * The popup's rows in its first viewport: its groups fill the viewport (the last one in the
 * DOM ends below it), or all of them are in. A popup that renders the others after the first
 * paint (ui/after-paint.ts) shows its rows then; one that renders all at once, with all.
 */
const viewportShown = (groups: number) =>
  `(() => { const g = document.querySelectorAll('.report .group'); return g.length >= ${groups}` +
  ' || (g.length > 0 && g[g.length - 1].getBoundingClientRect().bottom >= innerHeight); })()';

const headReadMark = () =>
  performance.getEntriesByName('bl:head-read')[0]?.startTime ??
  performance.getEntriesByName('bl:head-none')[0]?.startTime ??
  Number.NaN;

interface Row {
  name: string;
  note: string;
  sample: () => Promise<HotSample>;
}

export async function runBootHot(): Promise<void> {
  const options = storeOptions(LINKS);
  heading(
    'boot, hot: where the first rows of a hot page spend their time (Chromium)',
    `A store of ${LINKS.toLocaleString('en')} links, hot target with ` +
      `${options.hotLinks.toLocaleString('en')} inbound links (aggregate built); popup and report\n` +
      'opened as popup.ts times them, navigation start to rows in the DOM, against the empty state.',
  );
  if (!existsSync(CHROMIUM)) {
    info(`skipped: needs ${CHROMIUM}`);
    return;
  }
  await ensureExtensionBuilt();
  const beforeDist = process.env.BENCH_BOOT_BEFORE;
  const kept = process.env.BENCH_BOOT_PROFILE;
  const profile = kept ?? mkdtempSync(join(tmpdir(), 'backlink-lens-boot-hot-profile-'));
  mkdirSync(profile, { recursive: true });
  const key = manifestKey(profile);
  const dist = keyedCopy(DIST_DIR, key);
  const before = beforeDist ? keyedCopy(beforeDist, key) : null;
  const beforeProfile = before
    ? mkdtempSync(join(tmpdir(), 'backlink-lens-boot-hot-before-'))
    : null;
  const server = await startSiteServer();
  const browsers: ExtensionBrowser[] = [];
  try {
    const launch = async (distDir: string, userDataDir: string) => {
      const launched = await launchWithExtension({ sitePort: server.port, distDir, userDataDir });
      browsers.push(launched); // closed in `finally`, whatever fails next
      return holdRetention(launched);
    };
    let ext = await launch(dist, profile);
    const { hot, cold } = await step(`record ${LINKS.toLocaleString('en')} links (untimed)`, () =>
      seedStore(ext, options),
    );
    let old: ExtensionBrowser | null = null;
    if (before && beforeProfile) {
      // The store is copied closed: a browser writes its profile until it exits.
      await browsers.pop()!.close();
      cpSync(profile, beforeProfile, { recursive: true });
      ext = await launch(dist, profile);
      old = await launch(before, beforeProfile);
      check('same extension id for both builds', old.extensionId === ext.extensionId);
    }

    const rowsShown = Math.min(TABLE_PAGE_SIZE, options.hotLinks);
    // The report page's first render: a screen of rows at timeToReport's viewport (600 px).
    const screenRows = Math.min(firstScreenRows(600), rowsShown);
    // A tab on the hot page in each browser: the popup for it (?tab=) shows the worker's
    // first view where the build prepares one (the pairs below, and the request counts).
    const hotTabs = new Map<ExtensionBrowser, HotTab>();
    for (const on of [ext, ...(old ? [old] : [])]) hotTabs.set(on, await openHotTab(on, hot));
    check(
      'the worker prepared the hot tab its first view',
      await hasFirstView(ext, hotTabs.get(ext)!),
    );
    const open = (on: ExtensionBrowser, path: string, url: string, done: string) => async () => ({
      timing: await timeToReport(on, path, url, done, {
        cpu: true,
        timeout: PAGE_TIMEOUT,
        then: (page) => page.evaluate(headReadMark),
      }),
    });
    const nobody = 'https://www.hot-target.com/nobody-links-here';
    const pagesOf = (on: ExtensionBrowser, suffix: string, note: string): Row[] => [
      { name: `popup, empty state${suffix}`, note, sample: open(on, POPUP, nobody, EMPTY_SHOWN) },
      {
        name: `popup, hot: first viewport${suffix}`,
        note,
        sample: open(on, POPUP, hot, viewportShown(POPUP_DOMAINS)),
      },
      {
        name: `popup, hot: ${POPUP_DOMAINS} groups${suffix}`,
        note,
        sample: open(on, POPUP, hot, groupsShown(POPUP_DOMAINS)),
      },
      {
        name: `report, hot: first screen, ${screenRows} rows${suffix}`,
        note,
        sample: open(on, REPORT, hot, tableShown(screenRows)),
      },
      {
        name: `report, hot: first ${rowsShown} rows${suffix}`,
        note,
        sample: open(on, REPORT, hot, tableShown(rowsShown)),
      },
    ];
    const rows: Row[] = [
      ...pagesOf(ext, '', 'this build'),
      ...(old ? pagesOf(old, ' (before)', beforeDist!) : []),
    ];
    const samples = rows.map((): HotSample[] => []);
    // A page that does not show its rows in time is opened once more; a row failing twice is
    // left out of the turns that follow (its reason printed), not the end of the bench.
    const failed = new Map<number, string>();
    const raw = await collectInterleaved(
      rows.map((row, r) => ({
        name: row.name,
        sample: async (rep: number) => {
          if (failed.has(r)) return Number.NaN;
          const result = await row
            .sample()
            .catch((error: unknown) => {
              info(`${row.name}: ${reasonOf(error)}; opening it again`);
              return row.sample();
            })
            .catch((error: unknown) => {
              failed.set(r, reasonOf(error));
              return null;
            });
          if (!result) return Number.NaN;
          if (rep >= 0) samples[r]!.push(result);
          return result.timing.ms;
        },
      })),
      REPEAT,
    );
    const timings = raw.map((t) => {
      const kept = t.samples.filter((ms) => Number.isFinite(ms));
      return { ...t, samples: kept, median: median(kept) };
    });
    for (const [r, reason] of failed) info(`${rows[r]!.name}: failed: ${reason}`);
    const med = (r: number, of: (s: HotSample) => number) => formatMs(median(samples[r]!.map(of)));
    printColumns(
      [
        'page',
        'median ms',
        'min–max ms',
        'vs this build',
        'scripts ran',
        'first read',
        'CPU: all',
        'CPU: script',
        'note',
      ],
      timings.map((t, r) => {
        // A "before" row against the same page of this build (the row half the table above).
        const mine = r >= rows.length / 2 && old ? timings[r - rows.length / 2]! : null;
        return [
          t.name,
          formatMs(t.median),
          `${formatMs(Math.min(...t.samples))}–${formatMs(Math.max(...t.samples))}`,
          mine ? `${(t.median / mine.median).toFixed(2)}x` : '',
          med(r, (s) => s.timing.phases.scripts),
          med(r, (s) => s.timing.after),
          med(r, (s) => s.timing.cpu?.task ?? Number.NaN),
          med(r, (s) => s.timing.cpu?.script ?? Number.NaN),
          rows[r]!.note,
        ];
      }),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    );
    for (const [name, page] of [
      ['popup', POPUP],
      ['report page', REPORT],
    ] as const) {
      const was = beforeDist ? `; before: ${firstPaintLoad(beforeDist, page)}` : '';
      info(`${name} before its first paint: ${firstPaintLoad(DIST_DIR, page)}${was}`);
    }
    info("CPU: the page's main thread up to a moment after its rows were in the DOM (read then).");
    // The popup with and without its tab's entry, of this build, in pairs whose order
    // alternates turn by turn (first-view-pairs.ts): a tab on each page, its entry prepared.
    // Issue 6's ratio: the hot page's first viewport and all its groups against the empty
    // state, each with its entry; the "before" build's too, in its own browser after this one's.
    const entryPagesOf = async (on: ExtensionBrowser): Promise<EntryPage[]> => [
      {
        name: 'popup, hot: first viewport',
        tab: hotTabs.get(on)!,
        url: hot,
        done: viewportShown(POPUP_DOMAINS),
      },
      {
        name: `popup, hot: ${POPUP_DOMAINS} groups`,
        tab: hotTabs.get(on)!,
        url: hot,
        done: groupsShown(POPUP_DOMAINS),
      },
      ...(on === ext
        ? [{ name: 'popup, cold', tab: await openHotTab(on, cold), url: cold, done: ANY_SHOWN }]
        : []),
      {
        name: 'popup, empty state',
        tab: await openHotTab(on, nobody),
        url: nobody,
        done: EMPTY_SHOWN,
      },
    ];
    for (const [on, which] of [
      [ext, 'this build'],
      ...(old ? [[old, `before (${beforeDist})`] as const] : []),
    ] as const) {
      info(
        `the popup with its tab's entry and without it (taken out of storage.session), ${which}, ` +
          `${PAIRS} pairs after a warm-up, the order alternating (load ${loadAverage()})`,
      );
      printEntryPairs(
        await runEntryPairs(on, await entryPagesOf(on), {
          pairs: PAIRS,
          warmup: 1,
          timeout: PAGE_TIMEOUT,
        }),
      );
    }
    info(`load average after the pairs: ${loadAverage()}`);
    await checkStoreKept(ext, options.pages * LINKS_PER_PAGE);
    // What each page asked IndexedDB for before its rows (boot-hot-trace.ts): counts, which
    // the machine's load does not change.
    const asked = async (on: ExtensionBrowser, path: string, done: string, entry: boolean) => {
      const tab = entry ? hotTabs.get(on) : undefined;
      if (tab && on === ext) await freshEntry(on, tab);
      const trace = await traceOpening(on, path, hot, done, tab ? { tab: tab.id } : {});
      const { requests, transactions } = countBefore(trace);
      return `${requests} requests in ${transactions} transactions`;
    };
    for (const [name, path, done, entry] of [
      ["popup, first viewport, tab's entry", POPUP, viewportShown(POPUP_DOMAINS), true],
      ['popup, first viewport', POPUP, viewportShown(POPUP_DOMAINS), false],
      [`report, first ${screenRows} rows`, REPORT, tableShown(screenRows), false],
      [`report, first ${rowsShown} rows`, REPORT, tableShown(rowsShown), false],
    ] as const) {
      const was = old ? `; before: ${await asked(old, path, done, entry)}` : '';
      info(`IndexedDB before the ${name}: ${await asked(ext, path, done, entry)}${was}`);
    }
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    await server.close();
    for (const dir of [dist, before, beforeProfile])
      if (dir) rmSync(dir, { recursive: true, force: true });
    if (!kept) rmSync(profile, { recursive: true, force: true });
  }
}
