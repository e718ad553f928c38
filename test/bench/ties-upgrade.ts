/**
 * The ties store's upgrade (storage/ties.ts#markStoredTies) in real Chromium: a database of the
 * version before it opened by this build and by another one (BENCH_BEFORE_SRC, a tree at main:
 * its sources bundled into the same page), each on its own fresh copy of the same store, in
 * turns (BENCH_TIES_RUNS, 3), against the open of the same store once upgraded (no migration).
 * The extension is staged without its worker, so nothing but the timed open upgrades the store.
 * Every open is timed after the page asked indexedDB.databases(), which opens the backing store:
 * what is timed is the database's open and its migration, not the backing store's.
 *
 * The store: BENCH_TIES_PROFILE, a kept profile at the version before (the 1M one); its store
 * lives under the extension id of the path it was made with, so BENCH_TIES_STAGE must be that
 * path (see /work/notes for the 1M profile's). Without it, a store of BENCH_TIES_PAGES pages
 * (100,000) is written in a fresh profile at the version before; BENCH_TIES_MIX "none" (no page
 * declares a canonical, as the seeded 1M profile's) or "web" (7 in 10 declare their own URL, 1
 * in 10 another one, with its alias record).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, chromiumArgs, DIST_DIR } from '../support/browser';
import { ensureExtensionBuilt } from './built-extension';
import { bundleForPage } from './page-bundle';
import { check, heading, info, median, printTable, step, type Timing } from './measure';
import { unpackedId } from './link-move';
import { TIES_VERSION } from '../../src/storage/db';

declare global {
  interface Window {
    BacklinkTies: typeof import('./ties-upgrade-entry');
    BacklinkTiesBefore: typeof import('./ties-upgrade-entry');
  }
}

const BENCH_PAGE = 'ties-upgrade-bench.html';
const RUNS = Number(process.env.BENCH_TIES_RUNS ?? 3);
const BEFORE_SRC = process.env.BENCH_BEFORE_SRC;
const PROFILE = process.env.BENCH_TIES_PROFILE;
const PAGES = Number(process.env.BENCH_TIES_PAGES ?? 100_000);
const MIX = process.env.BENCH_TIES_MIX ?? 'none';
/** The slow open of a store at a million links on a busy machine. */
const TIMEOUT = 600_000;

/** dist/ copied to `to` without its worker, with an empty page for the bundles (link-move.ts). */
async function stage(to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(DIST_DIR, to, { recursive: true });
  await writeFile(join(to, BENCH_PAGE), '<!doctype html><title>bench</title>');
  const { background: _left, ...manifest } = JSON.parse(
    await readFile(join(to, 'manifest.json'), 'utf8'),
  ) as { background?: unknown };
  await writeFile(join(to, 'manifest.json'), JSON.stringify(manifest));
}

/** The worker-less extension on `profile`, a page of it with the bundles loaded. */
async function withPage<T>(
  staged: string,
  profile: string,
  scripts: string[],
  run: (page: import('playwright-core').Page) => Promise<T>,
): Promise<T> {
  // The cached worker of the profile's last run would start again (support/browser.ts).
  await rm(join(profile, 'Default', 'Service Worker'), { recursive: true, force: true });
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...chromiumArgs(1),
      `--disable-extensions-except=${staged}`,
      `--load-extension=${staged}`,
    ],
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(`chrome-extension://${unpackedId(staged)}/${BENCH_PAGE}`);
    for (const script of scripts) await page.evaluate(script);
    return await run(page);
  } finally {
    await context.close();
  }
}

type Build = 'this build' | 'before';
const globalOf = (build: Build) => (build === 'before' ? 'BacklinkTiesBefore' : 'BacklinkTies');

const timing = (name: string, samples: number[], extra = ''): Timing => ({
  name,
  samples,
  median: median(samples),
  extra,
});

export async function runTiesUpgrade(): Promise<void> {
  heading(
    'ties upgrade: opening a store of the version before the ties store (Chromium)',
    'The open that runs the upgrade, by this build and by BENCH_BEFORE_SRC, each on a fresh copy\n' +
      'of the same store, in turns; against the open of the upgraded store.',
  );
  await ensureExtensionBuilt();
  const scripts = [await bundleForPage('./ties-upgrade-entry.ts', 'BacklinkTies')];
  const builds: Build[] = ['this build'];
  if (BEFORE_SRC) {
    scripts.push(await bundleForPage('./ties-upgrade-entry.ts', 'BacklinkTiesBefore', BEFORE_SRC));
    builds.push('before');
  }
  const dir = await mkdtemp(join(tmpdir(), 'backlink-lens-ties-'));
  const staged = process.env.BENCH_TIES_STAGE ?? join(dir, 'extension');
  try {
    await stage(staged);
    let source = PROFILE;
    if (!source) {
      source = join(dir, 'seeded');
      const written = await step(`write ${PAGES} pages (mix ${MIX}) at the version before`, () =>
        withPage(staged, source!, scripts, (page) =>
          page.evaluate(
            ({ pages, mix }) => window.BacklinkTies.seedOld(pages, mix, Math.floor(pages / 100)),
            { pages: PAGES, mix: MIX },
          ),
        ),
      );
      info(`${written} page records, ${Math.floor(PAGES / 100)} redirects`);
    }
    const samples = new Map<Build | 'upgraded', number[]>();
    const results = new Map<Build, string>();
    const copy = join(dir, 'copy');
    for (let run = 0; run < RUNS; run++) {
      // Alternated: neither build always follows the other's copy in the page cache.
      for (const build of run % 2 === 0 ? builds : [...builds].reverse()) {
        await rm(copy, { recursive: true, force: true });
        await cp(source, copy, { recursive: true });
        const { opened, raw } = await withPage(staged, copy, scripts, async (page) => {
          const version = await page.evaluate(() => window.BacklinkTies.storedVersion());
          // The raw reads once, on the first copy (read-only: the store stays as it was).
          const raw =
            run === 0 && build === builds[0] && version === TIES_VERSION - 1
              ? await page.evaluate(() => window.BacklinkTies.rawReads())
              : null;
          const opened = await page.evaluate(
            (name) => window[name as 'BacklinkTies'].openTimed(),
            globalOf(build),
          );
          return { opened: { ...opened, version }, raw };
        });
        check(
          'the store is at the version before the ties store',
          opened.version === TIES_VERSION - 1,
        );
        if (raw) {
          info(
            `raw reads at the version before: every page record 1,000 at a time ` +
              `${raw.records!.toFixed(0)} ms; every page key ${raw.keys!.toFixed(0)} ms; ` +
              `by_canonical's ${raw.entries} entries by a key cursor ${raw.cursor!.toFixed(0)} ms`,
          );
        }
        info(
          `run ${run + 1}, ${build}: opened in ${opened.ms.toFixed(0)} ms from version ` +
            `${opened.version}; ${opened.ties} ties; load ${loadavg()[0]!.toFixed(1)}`,
        );
        samples.set(build, [...(samples.get(build) ?? []), opened.ms]);
        const result = `${opened.ties}:${opened.tiesHash}`;
        check(
          `${build}: the same ties as the other build`,
          (results.get(builds.find((b) => b !== build)!) ?? result) === result,
          result,
        );
        results.set(build, result);
        if (build !== 'this build') continue;
        // The same store, upgraded: its open without a migration (the in-run baseline).
        const again = await withPage(staged, copy, scripts, async (page) => {
          // As above: the backing store opened first (databases()), then the timed open.
          await page.evaluate(() => window.BacklinkTies.storedVersion());
          return page.evaluate(() => window.BacklinkTies.openTimed());
        });
        samples.set('upgraded', [...(samples.get('upgraded') ?? []), again.ms]);
      }
    }
    await rm(copy, { recursive: true, force: true });
    const baseline = timing('open, already upgraded (this build)', samples.get('upgraded')!);
    printTable(
      [
        baseline,
        timing('open with the upgrade, this build', samples.get('this build')!),
        ...(BEFORE_SRC ? [timing('open with the upgrade, before', samples.get('before')!)] : []),
      ],
      baseline,
    );
    info(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
