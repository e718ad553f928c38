/**
 * Where the hot popup's main-thread time goes from navigation start to its 30 groups, with its
 * tab's first view (no IndexedDB read before the rows, as at 1M): a Chromium trace of each
 * opening, the renderer main thread's self time summed by kind (script, style, layout, paint,
 * parse, GC, other) in four phases: to the entry shown (`bl:first-view`), to the first
 * viewport (its first rows in the DOM, popup.ts#FIRST_ROWS, as toolbar-popup-trace marks it: the
 * groups of POPUP_FIRST_ROWS rows), to the 30 groups in the DOM, and to the second frame after
 * them (the layout and paint of what was rendered). The empty state's popup is traced in the
 * same turns as the baseline. Self times are thread times where the trace has them: less
 * stretched by load than wall times. Also per opening: the thread time to the first frame that
 * painted rows and to the 30 groups, and the frames painted between the first rows and 30 groups.
 *   BENCH_BOOT_PROFILE=<a copy of a boot-hot profile> [DISTS=<dist dir>,<dist dir>,…: each in a
 *   browser of its own on a copy of the profile, taking turns] [TURNS=4] [BENCH_TRACE_CPU=1:
 *   one more hot opening of each under the JS profiler (BENCH_TRACE_INTERVAL µs), its heaviest
 *   functions between the entry shown and the 30 groups] [BENCH_TRACE_DUMP=<file>: the last
 *   opening's trace events] npx tsx test/bench/boot-hot-popup-trace.ts
 * s19 (10k, 6 turns, load 12-13): 4+26 groups 38 ms of thread time from the entry to 30 groups,
 * one commit of 30 with content-visibility on the rows 26 ms; the frame after them: layout 13.2
 * -> 3.8, style 5.8 -> 3.1, paint 7.1 -> 3.7 ms.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import {
  holdRetention,
  keyedCopy,
  loadAverage,
  manifestKey,
  openHotTab,
  type HotTab,
} from './boot-hot';
import { freshEntry } from './first-view-pairs';
import { FIRST_ROWS } from './popup';
import { median } from './measure';
import {
  forEachSelfTime,
  kindOf,
  threadEvents,
  TRACE_CATEGORIES,
  type TraceEvent,
} from './trace-events';

const HOT = 'https://www.hot-target.com/the-definitive-guide';
const NOBODY = 'https://www.hot-target.com/nobody-links-here';
const TURNS = Number(process.env.TURNS ?? 4);
/**
 * Marks the first viewport (the first rows, or the empty state) and all groups in the DOM. It
 * counted 4 groups, the popup's first commit before POPUP_FIRST_ROWS (2 groups of the hot page).
 */
const WATCH = `(() => {
  const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
  window.__markFrom = function __markFrom() { spin(2); };
  window.__markTo = function __markTo() { spin(2); };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, ...rest) => {
    const entry = mark(name, ...rest);
    if (name === 'bl:first-view') window.__markFrom();
    return entry;
  };
  let first = false;
  const observer = new MutationObserver(() => {
    const n = document.querySelectorAll('.report .group').length;
    const empty = document.querySelector('.report .empty') !== null;
    if (!first && document.querySelector(${JSON.stringify(FIRST_ROWS)})) {
      first = true;
      mark('bench:first');
    }
    if (n >= 30 || empty) {
      mark('bench:all');
      window.__markTo();
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => { mark('bench:end'); window.__done = true; }));
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

type Phases = Record<string, Record<string, number>>;
const PHASES = ['to entry', 'entry→viewport', 'viewport→30', '30→painted'] as const;

/** Self time (ms) of the renderer main thread's events by phase and kind. */
function analyze(events: TraceEvent[]): { phases: Phases; marks: Record<string, number> } {
  const user = events.filter((e) => e.cat.includes('blink.user_timing'));
  const at = (name: string) => user.find((e) => e.name === name);
  const end = at('bench:end');
  if (!end) throw new Error('no bench:end mark in the trace');
  const { pid, tid } = end;
  const start = user.find((e) => e.name === 'navigationStart' && e.pid === pid)?.ts ?? NaN;
  const bounds = ['bl:first-view', 'bench:first', 'bench:all', 'bench:end'].map(
    (n) => at(n)?.ts ?? NaN,
  );
  // No first view shown (the own read came first): that phase is empty.
  if (Number.isNaN(bounds[0])) bounds[0] = bounds[1]!;
  // An empty page's first view may come after its empty state: its phases then collapse.
  const marks = Object.fromEntries(
    ['bl:first-view', 'bench:first', 'bench:all', 'bench:end'].map((n, i) => [
      n,
      (bounds[i]! - start) / 1000,
    ]),
  );
  const own = threadEvents(events, pid, tid);
  // The first frame that painted rows (or the empty state): the first Paint after them.
  const painted = own.find((e) => e.name === 'Paint' && e.ts >= bounds[1]!);
  marks['first paint'] = painted ? (painted.ts + painted.dur! - start) / 1000 : NaN;
  marks['frames first→30'] = own.filter(
    (e) => e.name === 'Paint' && e.ts >= bounds[1]! && e.ts <= bounds[2]!,
  ).length;
  marks['CPU to first paint'] = 0;
  marks['CPU to 30 groups'] = 0;
  const phases: Phases = Object.fromEntries(PHASES.map((p) => [p, {}]));
  forEachSelfTime(own, (e, self) => {
    if (e.ts < start || e.ts > bounds[3]!) return;
    const phase = PHASES[bounds.findIndex((b) => e.ts <= b)] ?? PHASES[3];
    const kind = kindOf(e.name);
    if (painted && e.ts <= painted.ts) marks['CPU to first paint']! += self;
    if (e.ts <= bounds[2]!) marks['CPU to 30 groups']! += self;
    phases[phase]![kind] = (phases[phase]![kind] ?? 0) + self;
    phases[phase]![`  ${e.name}`] = (phases[phase]![`  ${e.name}`] ?? 0) + self;
  });
  return { phases, marks };
}

/**
 * The popup for `tab` (its entry written afresh a second before), in a page of its own with
 * the WATCH script, `start` run on its DevTools session before it navigates; resolves once the
 * watch says done. BENCH_TRACE_NO_ENTRY=1: without its tab's entry, its rows from its own read.
 */
async function openWatched(
  ext: ExtensionBrowser,
  tab: HotTab,
  url: string,
  start: (cdp: CDPSession) => Promise<unknown>,
): Promise<{ page: Page; cdp: CDPSession }> {
  await freshEntry(ext, tab);
  await new Promise((r) => setTimeout(r, 1000));
  const page = await ext.context.newPage();
  try {
    await page.setViewportSize({ width: 420, height: 600 });
    await page.addInitScript({ content: WATCH });
    const cdp: CDPSession = await ext.context.newCDPSession(page);
    await start(cdp);
    const forTab = process.env.BENCH_TRACE_NO_ENTRY === '1' ? '' : `&tab=${tab.id}`;
    await page.goto(ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(url)}${forTab}`));
    await page.waitForFunction(() => (window as { __done?: boolean }).__done === true, null, {
      timeout: 60_000,
    });
    return { page, cdp };
  } catch (error) {
    await page.close();
    throw error;
  }
}

async function traced(ext: ExtensionBrowser, tab: HotTab, url: string) {
  const events: TraceEvent[] = [];
  let complete: Promise<unknown> = Promise.resolve();
  const { page, cdp } = await openWatched(ext, tab, url, (cdp) => {
    cdp.on('Tracing.dataCollected', ({ value }) =>
      events.push(...(value as unknown as TraceEvent[])),
    );
    complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    return cdp.send('Tracing.start', {
      categories: TRACE_CATEGORIES,
      transferMode: 'ReportEvents',
    });
  });
  try {
    await cdp.send('Tracing.end');
    await complete;
    if (process.env.BENCH_TRACE_DUMP) {
      writeFileSync(process.env.BENCH_TRACE_DUMP, JSON.stringify(events));
    }
    return analyze(events);
  } finally {
    await page.close();
  }
}

/** The heaviest JS functions (self ms) between the entry shown and the 30 groups. */
async function profiled(ext: ExtensionBrowser, tab: HotTab): Promise<string[]> {
  const { page, cdp } = await openWatched(ext, tab, HOT, async (cdp) => {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', {
      interval: Number(process.env.BENCH_TRACE_INTERVAL ?? 100),
    });
    await cdp.send('Profiler.start');
  });
  try {
    const { profile } = await cdp.send('Profiler.stop');
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inside = (id: number | undefined, name: string): boolean =>
      id !== undefined &&
      (byId.get(id)!.callFrame.functionName === name || inside(parent.get(id), name));
    const samples = profile.samples ?? [];
    const from = samples.findIndex((id) => inside(id, '__markFrom'));
    const to = samples.findIndex((id) => inside(id, '__markTo'));
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const nameOf = (f: {
      functionName: string;
      url: string;
      lineNumber: number;
      columnNumber: number;
    }) =>
      `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    let total = 0;
    for (let i = from; i < to; i++) {
      const f = byId.get(samples[i]!)!.callFrame;
      const ms = (profile.timeDeltas?.[i + 1] ?? 0) / 1000;
      const name = nameOf(f);
      self.set(name, (self.get(name) ?? 0) + ms);
      const seen = new Set<string>();
      for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
        seen.add(nameOf(byId.get(id)!.callFrame));
      }
      for (const n of seen) inclusive.set(n, (inclusive.get(n) ?? 0) + ms);
      total += ms;
    }
    const inc = [...inclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 45)
      .map(([n, ms]) => `${ms.toFixed(2).padStart(7)} ms incl  ${n}`);
    return [
      `${total.toFixed(1)} ms sampled between the entry shown and 30 groups`,
      ...[...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)
        .map(([n, ms]) => `${ms.toFixed(2).padStart(7)} ms  ${n}`),
      ...inc,
    ];
  } finally {
    await page.close();
  }
}

/** Medians of `samples` by phase and kind, printed under `name`. */
function printRuns(name: string, samples: Array<Awaited<ReturnType<typeof analyze>>>) {
  if (samples.length === 0) return;
  const marks = Object.keys(samples[0]!.marks)
    .map((m) => {
      const known = samples.map((s) => s.marks[m]!).filter(Number.isFinite);
      return `${m} ${median(known).toFixed(1)} (${known.length})`;
    })
    .join(', ');
  console.log(`\n${name}: at ${marks}`);
  let sum = 0;
  for (const phase of PHASES) {
    const keys = new Set(samples.flatMap((s) => Object.keys(s.phases[phase]!)));
    const med = (k: string) => median(samples.map((s) => s.phases[phase]![k] ?? 0));
    const kinds = [...keys].filter((k) => !k.startsWith(' '));
    const total = median(
      samples.map((s) =>
        Object.entries(s.phases[phase]!)
          .filter(([k]) => !k.startsWith(' '))
          .reduce((a, [, v]) => a + v, 0),
      ),
    );
    sum += total;
    console.log(
      `  ${phase.padEnd(15)} ${total.toFixed(1).padStart(6)} (sum ${sum.toFixed(1).padStart(6)}): ` +
        kinds
          .sort((a, b) => med(b) - med(a))
          .map((k) => `${k} ${med(k).toFixed(1)}`)
          .join(', '),
    );
    const names = [...keys]
      .filter((k) => k.startsWith(' ') && med(k) >= 0.5)
      .sort((a, b) => med(b) - med(a))
      .map((k) => `${k.trim()} ${med(k).toFixed(1)}`);
    if (names.length > 0) console.log(`      ${names.join(', ')}`);
  }
}

async function main() {
  const profile = process.env.BENCH_BOOT_PROFILE;
  if (!profile) throw new Error('BENCH_BOOT_PROFILE=<a boot-hot profile copy> is required');
  // DISTS=<dir>,<dir>,…: each build in a browser of its own on a copy of the profile, the
  // builds taking turns.
  const dists = (process.env.DISTS ?? process.env.DIST ?? DIST_DIR).split(',');
  const key = manifestKey(profile);
  const server = await startSiteServer();
  const temp: string[] = [];
  const builds: Array<{ name: string; ext: ExtensionBrowser; hot: HotTab; empty: HotTab }> = [];
  try {
    // Copied closed, before any browser opens it: a browser writes its profile until it exits.
    const profiles = dists.map((_, i) => {
      if (i === 0) return profile;
      const copy = mkdtempSync(join(tmpdir(), 'popup-trace-'));
      cpSync(profile, copy, { recursive: true });
      temp.push(copy);
      return copy;
    });
    for (const [i, dir] of dists.entries()) {
      const dist = keyedCopy(dir, key);
      const userDataDir = profiles[i]!;
      temp.push(dist);
      const ext = await holdRetention(
        await launchWithExtension({ sitePort: server.port, distDir: dist, userDataDir }),
      );
      builds.push({
        name: dir,
        ext,
        hot: await openHotTab(ext, HOT),
        empty: await openHotTab(ext, NOBODY),
      });
    }
    const runs = builds.map(() => ({
      empty: [] as Array<Awaited<ReturnType<typeof analyze>>>,
      hot: [] as Array<Awaited<ReturnType<typeof analyze>>>,
    }));
    const loads: string[] = [loadAverage()];
    for (let turn = -1; turn < TURNS; turn++) {
      for (const [b, build] of builds.entries()) {
        for (const kind of ['empty', 'hot'] as const) {
          const run = await traced(build.ext, build[kind], kind === 'hot' ? HOT : NOBODY);
          if (turn >= 0) runs[b]![kind].push(run);
        }
      }
    }
    loads.push(loadAverage());
    console.log(`load ${loads.join(' -> ')}; ${TURNS} turns; medians, ms (main thread self time)`);
    for (const [b, build] of builds.entries()) {
      console.log(`\n===== ${build.name}`);
      printRuns('empty', runs[b]!.empty);
      printRuns('hot', runs[b]!.hot);
    }
    if (process.env.BENCH_TRACE_CPU === '1') {
      for (const build of builds) {
        console.log(`\n===== ${build.name}`);
        for (const line of await profiled(build.ext, build.hot)) console.log(line);
      }
    }
  } finally {
    for (const build of builds) await build.ext.close().catch(() => {});
    await server.close();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
