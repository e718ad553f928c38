/**
 * The compact upgrade's move in real Chromium (src/storage/link-move.ts, started by the worker):
 * a database of the release before the number keys (100,000 links; BENCH_SCALE=1m adds
 * 1,000,000, BENCH_MOVE_LINKS=n runs those sizes) is written in the extension's own origin
 * while its worker is left out, then this build starts on it. Timed: from the browser's launch
 * until the old store is empty (as the worker's progress says; BENCH_MOVE_WATCH=idb polls the
 * old store instead), against a raw chunked move of the same links in stores laid out the same
 * (same run, same browser, afterwards); the cost of the chunks over each tenth of the move; and
 * the popup's first render for the hot target (10% of the links) and a cold one while the move
 * runs, against the same after it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import {
  CHROMIUM,
  chromiumArgs,
  DIST_DIR,
  launchWithExtension,
  type ExtensionBrowser,
} from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import { ensureExtensionBuilt } from './built-extension';
import { bundleForPage } from './page-bundle';
import { groupsShown, timeToReport } from './popup';
import { check, heading, info, median, printTable, step, type Timing } from './measure';
import { LINK_MOVE_CHUNK, type MoveProgress } from '../../src/storage/link-move';
import { benchSizes } from './transfer';

declare global {
  interface Window {
    BacklinkMove: typeof import('./link-move-entry');
  }
}

/** Popup samples after the move (and at most this many during it). */
const REPEAT = 5;
const PAGE_TIMEOUT = 120_000;

/** An empty extension page the bundle runs in: it opens no database of its own. */
const BENCH_PAGE = 'link-move-bench.html';

/**
 * dist/ copied to `to` (every run loads the same path, so the same extension id and
 * database), with an empty page for the bundle; `withWorker: false` leaves the worker out of
 * the manifest, so nothing upgrades the database while the old release's store is written
 * (an emptied worker would not do: Chromium keeps an unpacked extension's registered worker
 * across launches and would run it again in place of the real one).
 */
async function stage(to: string, withWorker: boolean): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(DIST_DIR, to, { recursive: true });
  await writeFile(join(to, BENCH_PAGE), '<!doctype html><title>bench</title>');
  if (withWorker) return;
  const { background: _left, ...manifest } = JSON.parse(
    await readFile(join(to, 'manifest.json'), 'utf8'),
  ) as { background?: unknown };
  await writeFile(join(to, 'manifest.json'), JSON.stringify(manifest));
}

/**
 * An unpacked extension's id, from its absolute path as Chromium computes it: the first 16
 * bytes of the path's SHA-256 in hex, each digit mapped 0-f to a-p.
 * https://source.chromium.org/chromium/chromium/src/+/main:components/crx_file/id_util.cc
 */
export const unpackedId = (path: string) =>
  createHash('sha256')
    .update(path)
    .digest('hex')
    .slice(0, 32)
    .replace(/./g, (d) => String.fromCharCode(97 + parseInt(d, 16)));

/** Write the old release's store with the worker left out, in a browser of its own. */
async function seedOldLayout(
  staged: string,
  profile: string,
  sitePort: number,
  links: number,
  script: string,
): Promise<string> {
  await stage(staged, false);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...chromiumArgs(sitePort),
      `--disable-extensions-except=${staged}`,
      `--load-extension=${staged}`,
    ],
  });
  try {
    const id = unpackedId(staged);
    const page = await context.newPage();
    await page.goto(`chrome-extension://${id}/${BENCH_PAGE}`);
    await page.evaluate(script);
    const n = links.toLocaleString('en-US');
    const pages = await step(`write ${n} links in the old layout (untimed)`, () =>
      page.evaluate((count) => window.BacklinkMove.seedOldLayout(count), links),
    );
    info(`${pages.toLocaleString('en-US')} pages, ${n} links in "links" keyed by the record`);
    return id;
  } finally {
    await context.close();
  }
}

async function benchPage(ext: ExtensionBrowser, script: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(ext.extensionUrl(BENCH_PAGE));
  await page.evaluate(script);
  return page;
}

/** The worker's MoveProgress (background/link-move.ts), or null in a build without it. */
function moveProgress(ext: ExtensionBrowser): Promise<MoveProgress | null> {
  return ext.worker
    .evaluate(
      () =>
        (globalThis as { backlinkLens?: { linkMove?: MoveProgress } }).backlinkLens?.linkMove ??
        null,
    )
    .catch(() => null);
}

const timing = (name: string, samples: number[], extra = ''): Timing => ({
  name,
  samples,
  median: median(samples),
  extra,
});

async function benchSize(links: number, script: string, dir: string): Promise<void> {
  const n = links.toLocaleString('en-US');
  const staged = join(dir, 'extension');
  const profile = join(dir, `profile-${links}`);
  const server = await startSiteServer();
  try {
    const seededId = await seedOldLayout(staged, profile, server.port, links, script);
    await stage(staged, true);
    const launched = performance.now();
    const ext = await launchWithExtension({
      sitePort: server.port,
      distDir: staged,
      userDataDir: profile,
    });
    try {
      info(`this build launched: ${((performance.now() - launched) / 1000).toFixed(1)} s`);
      check('the same extension id as the one seeded', ext.extensionId === seededId, seededId);
      // A move that fails is logged by the worker, and the wait below would never end.
      ext.worker.on('console', (m) => m.type() === 'error' && info(`worker: ${m.text()}`));
      const page = await benchPage(ext, script);
      const { HOT, COLD, SOURCE_DOMAINS } = await page.evaluate(() => ({
        HOT: window.BacklinkMove.HOT,
        COLD: window.BacklinkMove.COLD,
        SOURCE_DOMAINS: window.BacklinkMove.SOURCE_DOMAINS,
      }));
      const hotDone = groupsShown(Math.min(30, SOURCE_DOMAINS));
      const popup = (url: string, done: string) =>
        timeToReport(ext, POPUP, url, done, { timeout: PAGE_TIMEOUT }).then((r) => r.ms);

      let drainedAt: number | null = null;
      let firstMovedAt: number | null = null;
      let lastHead: string | null | undefined;
      let lastProgress = launched;
      // Links left, from the worker's own progress where it has one (this build's; not a count).
      let lastLeft: number | string = '?';
      // The move's course, a line per tenth of the links: whether a chunk's cost grows.
      let mark = { moved: 0, chunks: 0, chunkMs: 0, gateMs: 0, at: launched };
      const tenth = (progress: MoveProgress, now: number) => {
        if (progress.moved < mark.moved + links / 10 && !progress.done) return;
        const chunks = progress.chunks - mark.chunks;
        const per = (ms: number) => (chunks ? (ms / chunks).toFixed(0) : '-');
        info(
          `  moved ${progress.moved.toLocaleString('en-US')}: +${chunks} chunks in ` +
            `${((now - mark.at) / 1000).toFixed(1)} s, ${per(progress.chunkMs - mark.chunkMs)} ms ` +
            `in each, ${per(progress.gateMs - mark.gateMs)} ms at the gate (size ${progress.size})`,
        );
        mark = { ...progress, at: now };
      };
      // Watched through the worker's own progress where it has one: polling the old store (a
      // connection and a read every 250 ms) adds work the raw move has not; BENCH_MOVE_WATCH=idb
      // polls anyway, as a build without that progress is watched.
      const pollIdb = process.env.BENCH_MOVE_WATCH === 'idb';
      const watching = (async () => {
        for (;;) {
          const progress = await moveProgress(ext);
          const head =
            pollIdb || !progress
              ? await page
                  .evaluate(() => window.BacklinkMove.oldStoreHead())
                  .catch((error: unknown) => {
                    info(`could not read the old store: ${String(error).split('\n')[0]}`);
                    throw error;
                  })
              : progress.done
                ? null
                : String(progress.moved);
          const now = performance.now();
          if (progress) {
            lastLeft = links - progress.moved;
            tenth(progress, now);
          }
          if (head !== undefined && lastHead !== undefined && head !== lastHead) {
            firstMovedAt ??= now;
            lastProgress = now;
          }
          if (head !== undefined) lastHead = head;
          if (head === null) {
            const counts = await page.evaluate(() => window.BacklinkMove.linkStoreCounts());
            check('every link in the new store after the move', counts?.fresh === links);
            drainedAt = now;
            return;
          }
          if (now - lastProgress > 300_000)
            throw new Error(`the move made no progress in 5 min: ${lastLeft} links left`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      // The popups while the move runs: a sample counts only when it ended before the move did.
      const during = { hot: [] as number[], cold: [] as number[] };
      while (drainedAt === null && during.hot.length < REPEAT) {
        const hot = await popup(HOT, hotDone);
        const cold = await popup(COLD, groupsShown(1));
        if (drainedAt !== null) break;
        during.hot.push(hot);
        during.cold.push(cold);
        info(
          `popup during the move (${lastLeft} links left): hot ${hot.toFixed(0)} ms, cold ${cold.toFixed(0)} ms`,
        );
      }
      await watching;
      const moveMs = drainedAt! - launched;
      const spent = await moveProgress(ext);
      if (spent) {
        const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        info(
          `the worker's move: ${spent.chunks} chunks, ${Math.round(spent.moved / spent.chunks)} links each ` +
            `on average (last asked ${spent.size}); ${s(spent.chunkMs)} in the chunks' transactions, ` +
            `${s(spent.gateMs)} waiting for the gate (screens reading, recording)`,
        );
      }
      info(
        `move: ${(moveMs / 1000).toFixed(1)} s from launch` +
          (firstMovedAt === null
            ? ''
            : ` (first chunk seen after ${((firstMovedAt - launched) / 1000).toFixed(1)} s)`),
      );
      const after = { hot: [] as number[], cold: [] as number[] };
      for (let i = 0; i < REPEAT; i++) {
        after.hot.push(await popup(HOT, hotDone));
        after.cold.push(await popup(COLD, groupsShown(1)));
      }
      const rawMs = await step('raw chunked move of the same links (same browser, after)', () =>
        page.evaluate(({ links, chunk }) => window.BacklinkMove.rawMove(links, chunk), {
          links,
          chunk: LINK_MOVE_CHUNK,
        }),
      );

      const chunks = `${LINK_MOVE_CHUNK} links per transaction`;
      const raw = timing(`raw move, ${n} links`, [rawMs], `${chunks}, nothing else queued`);
      printTable(
        [
          raw,
          timing(
            `the extension's move, ${n} links`,
            [moveMs],
            `${spent ? 'chunks sized by time' : chunks}, through the write gate; from launch`,
          ),
          ...(firstMovedAt === null
            ? []
            : [
                timing(
                  `the same from the first chunk seen moved`,
                  [drainedAt! - firstMovedAt],
                  pollIdb || !spent
                    ? "the old store's first key polled every 250 ms"
                    : "the worker's progress read every 250 ms",
                ),
              ]),
        ],
        raw,
        { extraHeader: 'how' },
      );
      const idle = timing('popup first render, hot, after the move', after.hot);
      const rows = [idle];
      if (during.hot.length > 0)
        rows.push(timing('popup first render, hot, during the move', during.hot));
      rows.push(timing('popup first render, cold, after the move', after.cold));
      if (during.cold.length > 0)
        rows.push(timing('popup first render, cold, during the move', during.cold));
      if (during.hot.length === 0) info('the move ended before a popup sample during it ended');
      printTable(rows, idle);
    } finally {
      await ext.close();
    }
  } finally {
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

export async function runLinkMove(): Promise<void> {
  heading(
    'link move: the compact upgrade moving an old database (Chromium)',
    'A database of the release before the number keys opened by this build: time from launch\n' +
      'until every link is in the new store, against a raw chunked move of the same links; the\n' +
      "popup's first render during the move and after it. BENCH_MOVE_LINKS=n runs that size.",
  );
  await ensureExtensionBuilt();
  const script = await bundleForPage('./link-move-entry.ts', 'BacklinkMove');
  const dir = await mkdtemp(join(tmpdir(), 'backlink-lens-move-'));
  try {
    for (const links of benchSizes('BENCH_MOVE_LINKS')) await benchSize(links, script, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
