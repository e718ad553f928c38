/**
 * Where the report page's main thread spends its time before a hot target's rows are in the
 * DOM, from a Chromium trace (devtools.timeline): script, style, layout, paint, by phase (up to
 * the first read's mark, from it to the first screen of rows, from there to `rows`). Thread
 * time of the renderer's main thread, which the machine's load stretches less than wall time.
 *
 * `npx tsx test/bench/report-timeline.ts` after a build: BENCH_BOOT_PROFILE=<a profile boot-hot
 * seeded> (required; each build opens a copy), BENCH_BOOT_BEFORE=<dist dir> to trace that build
 * too (its own browser, openings alternating), BENCH_TRACE_RUNS (5), BENCH_TRACE_ROWS (the
 * first 200 rows), BENCH_TRACE_EMPTY=1 for the empty report (a page nothing links to) instead,
 * BENCH_TRACE_EACH=1 to print each opening's marks, BENCH_TRACE_DUMP=<file> to keep the last
 * trace's events. Not one of `npm run bench`'s: a tool to find where the time goes.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { REPORT } from '../support/extension-pages';
import { firstScreenRows, TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';
import { keyedCopy, loadAverage, manifestKey } from './boot-hot';
import { COLD, HOT } from './storage-scale-entry';
import { EMPTY_SHOWN, tableShown } from './popup';
import { forEachSelfTime, threadEvents, type TraceEvent } from './trace-events';

/** Marks set in the page when the first screen and all `rows` are in the DOM. */
const markRows = (screen: string, rows: string) => `(() => {
  const steps = [[() => ${screen}, 'trace:screen'], [() => ${rows}, 'trace:rows']];
  let next = 0;
  const observer = new MutationObserver(() => {
    while (next < steps.length && steps[next][0]()) performance.mark(steps[next++][1]);
    if (next === steps.length) {
      window.__rowsShown = true;
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

declare global {
  interface Window {
    __rowsShown?: boolean;
  }
}

/** Event names counted as each kind of main-thread work (their own time, nested ones apart). */
const KINDS: Record<string, string> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.evaluateModule': 'script',
  'v8.compile': 'compile',
  'v8.compileModule': 'compile',
  'V8.CompileCode': 'compile',
  'v8.produceModuleCache': 'compile',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  RunMicrotasks: 'script',
  EventDispatch: 'script',
  UpdateLayoutTree: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  CompositeLayers: 'paint',
  Commit: 'paint',
  ParseHTML: 'parse',
  ParseAuthorStyleSheet: 'parse',
  MajorGC: 'gc',
  MinorGC: 'gc',
  'BlinkGC.AtomicPhase': 'gc',
  RunTask: 'other',
  ThreadControllerImpl: 'other',
};

type Phase = 'to read' | 'read to screen' | 'screen to rows';

/** Thread time per kind and phase on the report's main thread. */
function summarize(events: TraceEvent[]): Record<Phase, Record<string, number>> | null {
  const marks = events.filter((e) => e.cat.includes('blink.user_timing'));
  const read = marks.find((e) => e.name === 'bl:head-read' || e.name === 'bl:head-none');
  const screen = marks.find((e) => e.name === 'trace:screen');
  const rows = marks.find((e) => e.name === 'trace:rows');
  if (!read || !screen || !rows) return null;
  const pid = read.pid;
  const main = events.find(
    (e) =>
      e.pid === pid &&
      e.ph === 'M' &&
      e.name === 'thread_name' &&
      e.args?.name === 'CrRendererMain',
  );
  if (!main) return null;
  const mine = threadEvents(events, pid, main.tid).filter((e) => KINDS[e.name]);
  const phaseOf = (ts: number): Phase | null =>
    ts < read.ts
      ? 'to read'
      : ts < screen.ts
        ? 'read to screen'
        : ts <= rows.ts
          ? 'screen to rows'
          : null;
  const out: Record<Phase, Record<string, number>> = {
    'to read': {},
    'read to screen': {},
    'screen to rows': {},
  };
  // Self time: an event's thread time less that of the counted events nested in it.
  forEachSelfTime(mine, (e, self) => {
    const phase = phaseOf(e.ts);
    if (!phase) return;
    const kind = KINDS[e.name]!;
    out[phase][kind] = (out[phase][kind] ?? 0) + self;
  });
  return out;
}

async function traceOnce(ext: ExtensionBrowser, screen: number, rows: number) {
  const page = await ext.context.newPage();
  try {
    await page.setViewportSize({ width: 420, height: 600 });
    // BENCH_TRACE_EMPTY=1: the empty report instead (both marks at its empty state).
    const empty = process.env.BENCH_TRACE_EMPTY === '1';
    await page.addInitScript({
      content: empty
        ? markRows(EMPTY_SHOWN, EMPTY_SHOWN)
        : markRows(tableShown(screen), tableShown(rows)),
    });
    const cdp = await ext.context.newCDPSession(page);
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', ({ value }: { value: object[] }) => {
      events.push(...(value as TraceEvent[]));
    });
    const ended = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      traceConfig: {
        includedCategories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'blink.user_timing',
          'v8.execute',
          'v8',
          '__metadata',
        ],
        recordMode: 'recordAsMuchAsPossible',
      },
      transferMode: 'ReportEvents',
    });
    await page.goto(ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(empty ? COLD : HOT)}`), {
      waitUntil: 'commit',
    });
    await page.waitForFunction(() => window.__rowsShown === true, null, { timeout: 60_000 });
    const marks = await page.evaluate(() =>
      Object.fromEntries(
        performance
          .getEntriesByType('mark')
          .filter((m) => /^(bl:head|trace:)/.test(m.name))
          .map((m) => [m.name, Math.round(m.startTime)]),
      ),
    );
    await cdp.send('Tracing.end');
    await ended;
    if (process.env.BENCH_TRACE_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.BENCH_TRACE_DUMP, JSON.stringify(events));
    }
    return { phases: summarize(events), marks };
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const kept = process.env.BENCH_BOOT_PROFILE;
  if (!kept || !existsSync(kept)) throw new Error('BENCH_BOOT_PROFILE: a seeded profile');
  if (!existsSync(CHROMIUM)) throw new Error(`needs ${CHROMIUM}`);
  const runs = Number(process.env.BENCH_TRACE_RUNS ?? 5);
  const rows = Number(process.env.BENCH_TRACE_ROWS ?? TABLE_PAGE_SIZE);
  const screen = firstScreenRows(600);
  const key = manifestKey(kept);
  const builds = [
    { name: 'this build', dist: keyedCopy(DIST_DIR, key) },
    ...(process.env.BENCH_BOOT_BEFORE
      ? [{ name: 'before', dist: keyedCopy(process.env.BENCH_BOOT_BEFORE, key) }]
      : []),
  ];
  // Each build opens a copy of the profile: the same store, no browser writing another's.
  const profiles = builds.map(() => {
    const dir = mkdtempSync(join(tmpdir(), 'backlink-lens-report-timeline-'));
    cpSync(kept, dir, { recursive: true });
    return dir;
  });
  const server = await startSiteServer();
  const browsers: ExtensionBrowser[] = [];
  try {
    for (const [i, b] of builds.entries()) {
      browsers.push(
        await launchWithExtension({
          sitePort: server.port,
          distDir: b.dist,
          userDataDir: profiles[i]!,
        }),
      );
    }
    const results = builds.map(() => [] as Array<Awaited<ReturnType<typeof traceOnce>>>);
    for (const b of browsers) await traceOnce(b, screen, rows); // warm-up
    // Builds in alternating turns, the first of a turn alternating too.
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? [...builds.keys()] : [...builds.keys()].reverse();
      for (const i of order) results[i]!.push(await traceOnce(browsers[i]!, screen, rows));
    }
    console.log(`load average ${loadAverage()}`);
    const phases: Phase[] = ['to read', 'read to screen', 'screen to rows'];
    const kinds = ['script', 'compile', 'style', 'layout', 'paint', 'parse', 'gc', 'other'];
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    for (const [i, b] of builds.entries()) {
      const ok = results[i]!.filter((r) => r.phases);
      console.log(`\n${b.name}: main-thread thread time (ms, medians of ${ok.length})`);
      console.log(['phase'.padEnd(16), ...kinds.map((k) => k.padStart(8)), '   total'].join(''));
      for (const p of phases) {
        const per = kinds.map((k) => med(ok.map((r) => r.phases![p][k] ?? 0)));
        const total = med(ok.map((r) => Object.values(r.phases![p]).reduce((s, x) => s + x, 0)));
        console.log(
          [
            p.padEnd(16),
            ...per.map((x) => x.toFixed(1).padStart(8)),
            total.toFixed(1).padStart(8),
          ].join(''),
        );
      }
      const names = ['bl:head-read', 'trace:screen', 'trace:rows'];
      if (process.env.BENCH_TRACE_EACH) {
        for (const r of results[i]!) console.log(names.map((n) => r.marks[n]).join(' '));
      }
      console.log(
        `wall medians: ${names.map((n) => `${n} ${med(results[i]!.map((r) => r.marks[n] ?? NaN))}`).join(', ')}`,
      );
    }
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    await server.close();
    for (const dir of [...builds.map((b) => b.dist), ...profiles]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
