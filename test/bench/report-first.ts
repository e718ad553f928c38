/**
 * `BENCH_ONLY=report-first`: the report page's first rows for a hot target (issue 7: < 200 ms),
 * against another build in the same turns, and nothing else: boot-hot's popup rows (which can
 * time out on a loaded machine and end the run) are left out. Needs a profile boot-hot seeded
 * (BENCH_BOOT_PROFILE, read only: each build opens a copy) and BENCH_BOOT_BEFORE=<dist dir>.
 *
 * Rows (medians, ms from navigation start to the rows in the DOM): the empty report, a hot
 * target's first screen, its first page of rows; beside them the first read's mark and the
 * page's main-thread CPU. Then, from traced openings (boot-hot-trace.ts), where the first
 * screen's wait went (the database open, the first read's answers, the read's end, the rows)
 * and the IndexedDB requests before the rows, which the machine's load does not change.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { REPORT } from '../support/extension-pages';
import { firstScreenRows, TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';
import { collectInterleaved, formatMs, heading, info, median, printColumns } from './measure';
import { ensureExtensionBuilt } from './built-extension';
import { EMPTY_SHOWN, tableShown, timeToReport, type ReportTiming } from './popup';
import { keyedCopy, manifestKey } from './boot-hot';
import { countBefore, phasesOf, traceOpening } from './boot-hot-trace';
import { firstPaintLoad } from './boot';
import { HOT } from './storage-scale-entry';

const REPEAT = { warmup: 2, reps: Number(process.env.BENCH_BOOT_REPS ?? 7) };
const TRACES = Number(process.env.BENCH_REPORT_TRACES ?? 5);
const PAGE_TIMEOUT = 120_000;
const NOBODY = 'https://www.hot-target.com/nobody-links-here';

const firstReadMark = () =>
  performance.getEntriesByName('bl:head-read')[0]?.startTime ??
  performance.getEntriesByName('bl:head-none')[0]?.startTime ??
  Number.NaN;

export async function runReportFirst(): Promise<void> {
  heading(
    "report first rows: a hot target's report page against another build (Chromium)",
    'Navigation start to rows in the DOM, this build and BENCH_BOOT_BEFORE in alternating turns.',
  );
  const kept = process.env.BENCH_BOOT_PROFILE;
  const beforeDist = process.env.BENCH_BOOT_BEFORE;
  if (!existsSync(CHROMIUM) || !kept || !existsSync(kept) || !beforeDist) {
    info('skipped: needs Chromium, BENCH_BOOT_PROFILE (seeded by boot-hot) and BENCH_BOOT_BEFORE');
    return;
  }
  await ensureExtensionBuilt();
  const key = manifestKey(kept);
  const builds = [
    { name: 'this build', dist: keyedCopy(DIST_DIR, key) },
    { name: 'before', dist: keyedCopy(beforeDist, key) },
  ];
  const profiles = builds.map(() => {
    const dir = mkdtempSync(join(tmpdir(), 'backlink-lens-report-first-'));
    cpSync(kept, dir, { recursive: true });
    // V8's code cache of the seeding browser holds the scripts of the build that seeded: kept,
    // it gave that build's pages compiled chunks the other's had to build (empty report 2-4 ms
    // less script, three runs; equal without it). Each build starts without one.
    rmSync(join(dir, 'Default', 'Code Cache'), { recursive: true, force: true });
    return dir;
  });
  const server = await startSiteServer();
  const browsers: ExtensionBrowser[] = [];
  try {
    for (const [i, build] of builds.entries()) {
      browsers.push(
        await launchWithExtension({
          sitePort: server.port,
          distDir: build.dist,
          userDataDir: profiles[i]!,
        }),
      );
    }
    const screen = firstScreenRows(600);
    const pages = [
      { page: 'empty report', url: NOBODY, done: EMPTY_SHOWN },
      { page: `first screen, ${screen} rows`, url: HOT, done: tableShown(screen) },
      { page: `first ${TABLE_PAGE_SIZE} rows`, url: HOT, done: tableShown(TABLE_PAGE_SIZE) },
    ];
    const rows = pages.flatMap((p) =>
      builds.map((b, i) => ({ name: `${p.page} (${b.name})`, on: browsers[i]!, ...p })),
    );
    const samples = rows.map((): ReportTiming<number>[] => []);
    const timings = await collectInterleaved(
      rows.map((row, r) => ({
        name: row.name,
        sample: async (rep: number) => {
          const timing = await timeToReport(row.on, REPORT, row.url, row.done, {
            cpu: true,
            timeout: PAGE_TIMEOUT,
            then: (page) => page.evaluate(firstReadMark),
          });
          if (rep >= 0) samples[r]!.push(timing);
          return timing.ms;
        },
      })),
      REPEAT,
    );
    const med = (r: number, of: (s: ReportTiming<number>) => number) =>
      formatMs(median(samples[r]!.map(of)));
    printColumns(
      ['page', 'median ms', 'min–max ms', 'before / this', 'first read', 'CPU: all', 'CPU: script'],
      timings.map((t, r) => [
        t.name,
        formatMs(t.median),
        `${formatMs(Math.min(...t.samples))}–${formatMs(Math.max(...t.samples))}`,
        r % 2 === 1 ? `${(t.median / timings[r - 1]!.median).toFixed(2)}x` : '',
        med(r, (s) => s.after),
        med(r, (s) => s.cpu?.task ?? Number.NaN),
        med(r, (s) => s.cpu?.script ?? Number.NaN),
      ]),
      new Set([1, 2, 3, 4, 5, 6]),
    );
    for (const [i, b] of builds.entries()) {
      const dist = i === 0 ? DIST_DIR : beforeDist;
      info(`${b.name}: before its first paint ${firstPaintLoad(dist, REPORT)}`);
    }
    // Where the first screen's wait went, in alternating traced openings.
    const traced = builds.map((): Array<ReturnType<typeof phasesOf>> => []);
    const counts: string[] = [];
    for (let t = 0; t < TRACES; t++) {
      for (const [i] of builds.entries()) {
        const trace = await traceOpening(browsers[i]!, REPORT, HOT, tableShown(screen));
        traced[i]!.push(phasesOf(trace));
        const { requests, transactions } = countBefore(trace);
        counts[i] = `${requests} requests in ${transactions} transactions`;
      }
    }
    for (const [i, b] of builds.entries()) {
      const names = Object.keys(traced[i]![0]!);
      const line = names
        .map((n) => `${n} ${formatMs(median(traced[i]!.map((p) => p[n]!)))}`)
        .join(', ');
      info(`${b.name}, first screen traced (medians of ${TRACES}): ${line}`);
      info(`${b.name}: IndexedDB before the first screen: ${counts[i]}`);
    }
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    await server.close();
    for (const dir of [...builds.map((b) => b.dist), ...profiles]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
