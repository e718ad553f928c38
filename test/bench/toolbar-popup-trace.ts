/**
 * Where the popup's time goes as the TOOLBAR opens it (toolbar-popup.ts), for a tab on the hot
 * page and for a tab on a page nothing links to, each with its tab's entry, in turns: the
 * popup's boot marks (ms from its navigation start) and, traced (BENCH_TRACE=1: a browser-wide
 * Chromium trace around each opening), its renderer main thread's self time by kind: to the
 * entry shown, to the first rows in the DOM, to all its groups (or its empty state).
 *   BENCH_BOOT_PROFILE=<a copy of a boot-hot profile> [DISTS=<dist dir>,<dist dir>,…: each in
 *   a browser of its own on a copy of the profile, taking turns] [TURNS=6] [BENCH_TRACE=1]
 *   [BENCH_TRACE_DUMP=<file>: the last opening's events] [BENCH_GROUPS=30: the groups waited
 *   for] [BENCH_PREACTIVATE=1] npx tsx test/bench/toolbar-popup-trace.ts
 * s21 (10k, 8 turns, load 9-10, 7a7c37c): from the entry shown to 30 groups 17.3 ms of thread
 * time against 3.3 for the empty state, nearly all script (Preact and the rows' DOM); 2 groups
 * alone 5.8 ms. The popup paints nothing before the browser shows it (after its load event):
 * its first Paint came ~65 ms after its 30 groups were in the DOM, and a requestAnimationFrame
 * asked before waits as long.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import {
  holdRetention,
  keyedCopy,
  loadAverage,
  manifestKey,
  openHotTab,
  type HotTab,
} from './boot-hot';
import { freshEntry } from './first-view-pairs';
import { median } from './measure';
import {
  forEachSelfTime,
  kindOf,
  threadEvents,
  TRACE_CATEGORIES,
  type TraceEvent,
} from './trace-events';
import { EMPTY_SHOWN, groupsShown } from './popup';
import { TOOLBAR_POPUP_ARGS, toolbarPopups, type ToolbarPopups } from './toolbar-popup';

const HOT = 'https://www.hot-target.com/the-definitive-guide';
const NOBODY = 'https://www.hot-target.com/nobody-links-here';
const TURNS = Number(process.env.TURNS ?? 6);
const TRACE = process.env.BENCH_TRACE === '1';
/** The popup's marks, plain JavaScript (tsx would wrap a named helper). */
const MARKS = `(() => {
  const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
  const t = performance.timing;
  return {
    commit: t.domLoading - t.navigationStart,
    parsed: t.domInteractive - t.navigationStart,
    early: at('bl:early'),
    'early-first-view': at('bl:early-first-view'),
    'early-db': at('bl:early-db'),
    'early-settings': at('bl:early-settings'),
    entry: at('bl:entry'),
    'first-view': at('bl:first-view'),
    'bench:all': at('bench:all'),
    firstRows: window.__benchFirstRows,
    ready: window.__benchReady,
    'head-read': at('bl:head-read') >= 0 ? at('bl:head-read') : at('bl:head-none'),
  };
})()`;

const PHASES = ['to entry', 'entry→first', 'first→all'];

/** Self thread time (ms) by kind and by event name, in two phases: to the entry, after it. */
function analyze(events: TraceEvent[]): Record<string, number> {
  const user = events.filter((e) => e.cat.includes('blink.user_timing'));
  const all = user.find((e) => e.name === 'bench:all');
  if (!all) throw new Error('no bench:all mark in the trace');
  const { pid, tid } = all;
  // The popup's own navigation: the last to start before its groups (an about:blank one first).
  const start =
    user.filter((e) => e.name === 'navigationStart' && e.pid === pid && e.ts < all.ts).at(-1)?.ts ??
    NaN;
  const entry = user.find((e) => e.name === 'bl:first-view' && e.pid === pid)?.ts ?? all.ts;
  const first = user.find((e) => e.name === 'bench:first' && e.pid === pid)?.ts ?? all.ts;
  const out: Record<string, number> = {};
  const own = threadEvents(events, pid, tid);
  // When the popup first painted, and whether it painted between its first rows and the rest.
  const paints = own.filter((e) => e.name === 'Paint' && e.ts >= start);
  out['first paint'] = paints.length > 0 ? (paints[0]!.ts - start) / 1000 : Number.NaN;
  out['paints first→all'] = paints.filter((e) => e.ts > first && e.ts < all.ts).length;
  forEachSelfTime(own, (e, self) => {
    if (e.ts < start || e.ts > all.ts) return;
    const phase = e.ts <= entry ? 'to entry' : e.ts <= first ? 'entry→first' : 'first→all';
    for (const key of [phase, `${phase} ${kindOf(e.name)}`, `${phase}   ${e.name}`]) {
      out[key] = (out[key] ?? 0) + self;
    }
  });
  return out;
}

/** A browser-wide trace around `run` (a second client of the DevTools endpoint). */
async function traced<T>(ext: ExtensionBrowser, run: () => Promise<T>) {
  const [port, path] = readFileSync(join(ext.userDataDir, 'DevToolsActivePort'), 'utf8')
    .trim()
    .split('\n');
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const events: TraceEvent[] = [];
  let complete!: () => void;
  const done = new Promise<void>((r) => (complete = r));
  socket.on('message', (data: WebSocket.RawData) => {
    const m = JSON.parse(String(data)) as { method?: string; params?: { value: TraceEvent[] } };
    if (m.method === 'Tracing.dataCollected') events.push(...m.params!.value);
    if (m.method === 'Tracing.tracingComplete') complete();
  });
  socket.send(
    JSON.stringify({
      id: 1,
      method: 'Tracing.start',
      params: { categories: TRACE_CATEGORIES, transferMode: 'ReportEvents' },
    }),
  );
  await new Promise((r) => setTimeout(r, 200));
  try {
    const result = await run();
    socket.send(JSON.stringify({ id: 2, method: 'Tracing.end' }));
    await done;
    if (process.env.BENCH_TRACE_DUMP)
      writeFileSync(process.env.BENCH_TRACE_DUMP, JSON.stringify(events));
    return { result, trace: analyze(events) };
  } finally {
    socket.close();
  }
}

async function main() {
  const profile = process.env.BENCH_BOOT_PROFILE;
  if (!profile) throw new Error('BENCH_BOOT_PROFILE=<a boot-hot profile copy> is required');
  // DISTS=<dir>,<dir>,…: each build in a browser of its own on a copy of the profile, in turns.
  const dists = (process.env.DISTS ?? process.env.DIST ?? DIST_DIR).split(',');
  const key = manifestKey(profile);
  const server = await startSiteServer();
  const temp: string[] = [];
  const builds: Array<{
    name: string;
    ext: ExtensionBrowser;
    tabs: Record<'hot' | 'nobody', HotTab>;
    toolbar: ToolbarPopups;
  }> = [];
  try {
    // Copied closed, before any browser opens it: a browser writes its profile until it exits.
    const profiles = dists.map((_, i) => {
      if (i === 0) return profile;
      const copy = mkdtempSync(join(tmpdir(), 'toolbar-trace-'));
      cpSync(profile, copy, { recursive: true });
      temp.push(copy);
      return copy;
    });
    for (const [i, dir] of dists.entries()) {
      const dist = keyedCopy(dir, key);
      temp.push(dist);
      const ext = await holdRetention(
        await launchWithExtension({
          sitePort: server.port,
          distDir: dist,
          userDataDir: profiles[i]!,
          args: TOOLBAR_POPUP_ARGS,
        }),
      );
      const tabs = { hot: await openHotTab(ext, HOT), nobody: await openHotTab(ext, NOBODY) };
      builds.push({ name: dir, ext, tabs, toolbar: await toolbarPopups(ext) });
    }
    const runs = builds.map(() => ({
      nobody: [] as Array<Record<string, number>>,
      hot: [] as Array<Record<string, number>>,
    }));
    const loads = [loadAverage()];
    for (let turn = -1; turn < TURNS; turn++) {
      const order = turn % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
      for (const b of order) {
        const { ext, tabs, toolbar } = builds[b]!;
        const kinds = turn % 2 === 0 ? (['nobody', 'hot'] as const) : (['hot', 'nobody'] as const);
        for (const kind of kinds) {
          const tab = tabs[kind];
          await freshEntry(ext, tab);
          // BENCH_PREACTIVATE=1: the tab made active before the wait, so the worker's work on
          // its activation (background/first-view.ts, 100 ms later) is done when the popup opens.
          if (process.env.BENCH_PREACTIVATE === '1') await tab.page.bringToFront();
          await new Promise((r) => setTimeout(r, 500));
          const cond =
            kind === 'hot' ? groupsShown(Number(process.env.BENCH_GROUPS ?? 30)) : EMPTY_SHOWN;
          // Marks for the trace: the first rows in the DOM (the watch has just noted them), all.
          const first = `window.__benchFirstRows !== undefined && !window.__benchMarked`;
          const done =
            `((${first}) && (window.__benchMarked = performance.mark('bench:first')), ` +
            `(${cond}) && (performance.mark('bench:all'), true))`;
          const open = () => toolbar.open<Record<string, number>>(tab.page, done, MARKS, 60_000);
          const { result, trace } = TRACE
            ? await traced(ext, open)
            : { result: await open(), trace: {} };
          if (turn >= 0) runs[b]![kind].push({ ms: result.ms, ...result.after, ...trace });
        }
      }
    }
    loads.push(loadAverage());
    console.log(`load ${loads.join(' -> ')}; ${TURNS} turns; medians, ms`);
    for (const [b, build] of builds.entries()) {
      console.log(`\n===== ${build.name}`);
      for (const [kind, samples] of Object.entries(runs[b]!)) printRuns(kind, samples);
    }
  } finally {
    for (const build of builds) {
      build.toolbar.close();
      await build.ext.close().catch(() => {});
    }
    await server.close();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  }
}

function printRuns(kind: string, samples: Array<Record<string, number>>) {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  const med = (k: string) => median(samples.map((s) => s[k] ?? 0).filter(Number.isFinite));
  console.log(`\n${kind}:`);
  const plain = keys.filter((k) => !PHASES.some((p) => k.startsWith(p)));
  console.log('  ' + plain.map((k) => `${k} ${med(k).toFixed(1)}`).join(', '));
  for (const phase of PHASES) {
    if (!keys.includes(phase)) continue;
    const kinds = keys.filter((k) => k.startsWith(`${phase} `) && !k.startsWith(`${phase}   `));
    const names = keys
      .filter((k) => k.startsWith(`${phase}   `) && med(k) >= 0.3)
      .sort((a, b) => med(b) - med(a));
    console.log(
      `  ${phase} ${med(phase).toFixed(1)}: ` +
        kinds
          .sort((a, b) => med(b) - med(a))
          .map((k) => `${k.slice(phase.length + 1)} ${med(k).toFixed(1)}`)
          .join(', '),
    );
    console.log(
      '      ' + names.map((k) => `${k.slice(phase.length + 3)} ${med(k).toFixed(1)}`).join(', '),
    );
  }
}
void main();
