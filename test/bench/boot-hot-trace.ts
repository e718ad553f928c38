/**
 * What a page asks IndexedDB for before its first rows (issue 7: "list every request and round
 * trip before the first rows"). An init script wraps the page's IndexedDB calls (open,
 * transaction, and each request of a store or index) and records when each was asked and when
 * it answered, with its transaction, store, key and result size; the page's `bl:` marks, its
 * paints and when its rows were in the DOM are kept beside them. Counts of requests and
 * transactions do not depend on the machine's load, unlike their times.
 *
 * `npx tsx test/bench/boot-hot-trace.ts` after a build prints one opening of the report page
 * for a hot target, request by request: BENCH_BOOT_PROFILE=<a copy of a profile boot-hot
 * seeded> (required: nothing is seeded here), BENCH_TRACE_PAGE=popup for the popup,
 * BENCH_TRACE_URL for another page, BENCH_BOOT_BEFORE=<dist dir> to trace that build instead.
 */
import { existsSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CHROMIUM, DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP, REPORT } from '../support/extension-pages';

/** One IndexedDB call of the page, in ms from its navigation start. */
export interface TracedCall {
  kind: 'open' | 'tx' | 'req';
  /** The transaction's number in the page (1 = the first it made); 0 for an open. */
  tx: number;
  /** `store.method` or `store.index.method`; for a transaction its stores and mode. */
  what: string;
  key: string;
  at: number;
  /** Answered (a request's success, a transaction's complete); NaN if not yet. */
  end: number;
  /** Records a request's answer held (1 or 0 for a get). */
  n: number;
}

export interface Trace {
  calls: TracedCall[];
  /** The page's performance marks (`bl:` steps, paints), by name. */
  marks: Array<{ name: string; at: number }>;
  /** When `done` first held (ms from navigation start). */
  shown: number;
}

declare global {
  interface Window {
    __idbTrace?: TracedCall[];
    __traceShown?: number;
  }
}

/**
 * Installed before the page's scripts. Plain JavaScript text: tsx would wrap named functions
 * in a helper the page does not have.
 */
const traceScript = (done: string, from: string | null) => `(() => {
  const log = (window.__idbTrace = []);
  const now = () => performance.now();
  const ids = new WeakMap();
  let seq = 0;
  const keyOf = (k) => {
    if (k === undefined || k === null) return '';
    if (k instanceof IDBKeyRange) return '[' + keyOf(k.lower) + '..' + keyOf(k.upper) + ']';
    const s = Array.isArray(k) ? '[' + k.map(keyOf).join(',') + ']' : String(k);
    return s.length > 60 ? s.slice(0, 57) + '...' : s;
  };
  const open = indexedDB.open;
  indexedDB.open = function (...args) {
    const req = open.apply(this, args);
    const e = { kind: 'open', tx: 0, what: 'open ' + args[0], key: '', at: now(), end: NaN, n: 0 };
    log.push(e);
    req.addEventListener('success', () => (e.end = now()));
    return req;
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    ids.set(tx, ++seq);
    const e = { kind: 'tx', tx: seq, what: [].concat(stores).join(',') + ' ' + (mode || 'readonly'),
      key: '', at: now(), end: NaN, n: 0 };
    log.push(e);
    tx.addEventListener('complete', () => (e.end = now()));
    tx.addEventListener('abort', () => (e.end = now()));
    return tx;
  };
  const methods = ['get', 'getAll', 'getAllKeys', 'getKey', 'count', 'openCursor', 'openKeyCursor',
    'put', 'add', 'delete', 'clear'];
  for (const [proto, isIndex] of [[IDBObjectStore.prototype, false], [IDBIndex.prototype, true]]) {
    for (const m of methods) {
      const call = proto[m];
      if (typeof call !== 'function') continue;
      proto[m] = function (...args) {
        const req = call.apply(this, args);
        const store = isIndex ? this.objectStore : this;
        const what = store.name + (isIndex ? '.' + this.name : '') + '.' + m;
        const e = { kind: 'req', tx: ids.get(store.transaction) || -1, what,
          key: keyOf(args[0]) + (args[1] !== undefined && m.startsWith('getAll') ? ' <' + args[1] : ''),
          at: now(), end: NaN, n: 0 };
        log.push(e);
        req.addEventListener('success', () => {
          if (!Number.isNaN(e.end)) { e.n += 1; return; } // a cursor's next step
          e.end = now();
          const r = req.result;
          e.n = Array.isArray(r) ? r.length : r === undefined || r === null ? 0 : 1;
        });
        return req;
      };
    }
  }
  // With a CPU profile: a named spin at the first read's mark and when the rows are shown, so
  // that the profile's samples between the two can be told apart (traceWindow).
  const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
  window.__traceReadMark = function __traceReadMark() { spin(3); };
  window.__traceShownMark = function __traceShownMark() { spin(3); };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, ...rest) => {
    const entry = mark(name, ...rest);
    if (${from === null} && (name === 'bl:head-read' || name === 'bl:head-none')) window.__traceReadMark();
    return entry;
  };
  const done = () => ${done};
  const from = () => ${from ?? 'false'};
  let fromSeen = false;
  const observer = new MutationObserver(() => {
    if (!fromSeen && from()) { fromSeen = true; window.__traceReadMark(); }
    if (window.__traceShown !== undefined || !done()) return;
    window.__traceShown = performance.now();
    window.__traceShownMark();
    observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/**
 * Open `path` for `url` in a new tab and trace its IndexedDB calls until `done` (a JavaScript
 * expression) holds, then `settle` ms more (the reads that follow the first rows).
 */
export async function traceOpening(
  ext: ExtensionBrowser,
  path: string,
  url: string,
  done: string,
  {
    settle = 0,
    timeout = 120_000,
    profile = false,
    from = null,
    tab,
  }: {
    settle?: number;
    timeout?: number;
    profile?: boolean;
    from?: string | null;
    /** The tab the popup is for (?tab=): its worker-prepared first view is shown. */
    tab?: number;
  } = {},
): Promise<Trace & { profile?: string[] }> {
  const page: Page = await ext.context.newPage();
  try {
    await page.setViewportSize({ width: 420, height: 600 });
    await page.addInitScript({ content: traceScript(done, from) });
    const cdp = profile ? await ext.context.newCDPSession(page) : null;
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp?.send('Profiler.start');
    const forTab = tab === undefined ? '' : `&tab=${tab}`;
    await page.goto(ext.extensionUrl(`${path}?url=${encodeURIComponent(url)}${forTab}`), {
      waitUntil: 'commit',
      timeout,
    });
    await page.waitForFunction(() => window.__traceShown !== undefined, null, { timeout });
    const cpu = cdp ? selfTimes((await cdp.send('Profiler.stop')).profile) : undefined;
    if (settle > 0) await page.waitForTimeout(settle);
    const trace = await page.evaluate(() => ({
      calls: window.__idbTrace!.map((c) => ({ ...c })),
      marks: performance
        .getEntries()
        .filter((e) => e.entryType === 'mark' || e.entryType === 'paint')
        .map((e) => ({ name: e.name, at: e.startTime })),
      shown: window.__traceShown!,
    }));
    return cpu ? { ...trace, profile: cpu } : trace;
  } finally {
    await page.close();
  }
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * The functions with the most self time in a CPU profile (ms), heaviest first: all of it, and
 * between the first read's mark and the rows shown (the spins traceScript adds there).
 */
function selfTimes(profile: CpuProfile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const samples = profile.samples ?? [];
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // A spin's samples are mostly in performance.now, called from it.
  const inside = (id: number | undefined, name: string): boolean =>
    id !== undefined && (byId.get(id)!.functionName === name || inside(parent.get(id), name));
  const index = (name: string) => samples.findIndex((id) => inside(id, name));
  const from = index('__traceReadMark');
  const to = index('__traceShownMark');
  const window = from >= 0 && to > from ? top(byId, profile, from, to) : ['(no window)'];
  return [...top(byId, profile, 0, samples.length), '-- first read to rows shown:', ...window];
}

function top(
  byId: Map<number, CpuProfile['nodes'][number]['callFrame']>,
  profile: CpuProfile,
  from: number,
  to: number,
): string[] {
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  let total = 0;
  samples.slice(from, to).forEach((id, j) => {
    const i = from + j;
    total += (profile.timeDeltas?.[i + 1] ?? 0) / 1000;
    const f = byId.get(id)!;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas?.[i + 1] ?? 0) / 1000);
  });
  return [
    `${total.toFixed(1).padStart(7)} ms  in all`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([name, ms]) => `${ms.toFixed(1).padStart(7)} ms  ${name}`),
  ];
}

/**
 * Where one opening stood, ms from navigation start: the open asked and answered, the first
 * read's transaction asked, its first answer and its last before the rows, the first read's
 * mark (`bl:head-read` or `bl:head-none`), the rows shown.
 */
export function phasesOf(trace: Trace): Record<string, number> {
  const open = trace.calls.find((c) => c.kind === 'open');
  const read = trace.calls.find((c) => c.kind === 'tx' && c.what.includes('target-stats'));
  const asked = trace.calls.filter((c) => c.kind === 'req' && c.tx === read?.tx);
  const mark = trace.marks.find((m) => m.name === 'bl:head-read' || m.name === 'bl:head-none');
  return {
    'open asked': open?.at ?? Number.NaN,
    'open done': open?.end ?? Number.NaN,
    'read asked': read?.at ?? Number.NaN,
    'first answer': Math.min(...asked.map((c) => c.end)),
    'last answer': Math.max(...asked.map((c) => c.end)),
    'read mark': mark?.at ?? Number.NaN,
    shown: trace.shown,
  };
}

/** Requests (and transactions) asked before the rows were shown: load-independent counts. */
export function countBefore(trace: Trace): { requests: number; transactions: number } {
  const before = trace.calls.filter((c) => c.at <= trace.shown);
  return {
    requests: before.filter((c) => c.kind === 'req').length,
    transactions: before.filter((c) => c.kind === 'tx').length,
  };
}

const ms = (n: number) => (Number.isNaN(n) ? '   –' : n.toFixed(1).padStart(6));

/** The trace as lines: calls and marks in time order, the moment the rows were shown among them. */
export function formatTrace(trace: Trace): string[] {
  const events = [
    ...trace.calls.map((c) => ({
      at: c.at,
      line:
        `${ms(c.at)} → ${ms(c.end)} (${ms(c.end - c.at)}) ` +
        `${c.kind === 'req' ? `  tx${c.tx}` : c.kind === 'tx' ? `TX${c.tx}` : 'OPEN'} ` +
        `${c.what} ${c.key}${c.kind === 'req' ? ` = ${c.n}` : ''}`,
    })),
    ...trace.marks.map((m) => ({ at: m.at, line: `${ms(m.at)}   mark ${m.name}` })),
    { at: trace.shown, line: `${ms(trace.shown)}   ===== rows shown =====` },
  ];
  return events.sort((a, b) => a.at - b.at).map((e) => e.line);
}

async function main(): Promise<void> {
  const profile = process.env.BENCH_BOOT_PROFILE;
  if (!profile || !existsSync(profile)) throw new Error('BENCH_BOOT_PROFILE: a seeded profile');
  if (!existsSync(CHROMIUM)) throw new Error(`needs ${CHROMIUM}`);
  const { keyedCopy, manifestKey } = await import('./boot-hot');
  const { HOT } = await import('./storage-scale-entry');
  const { firstScreenRows } = await import('../../src/ui/components/LinkTable');
  const { tableShown } = await import('./popup');
  const popup = process.env.BENCH_TRACE_PAGE === 'popup';
  const url = process.env.BENCH_TRACE_URL ?? HOT;
  const rows = Number(process.env.BENCH_TRACE_ROWS ?? firstScreenRows(600));
  const done = popup ? "document.querySelectorAll('.report .group').length > 0" : tableShown(rows);
  const dist = keyedCopy(process.env.BENCH_BOOT_BEFORE ?? DIST_DIR, manifestKey(profile));
  const server = await startSiteServer();
  const ext = await launchWithExtension({
    sitePort: server.port,
    distDir: dist,
    userDataDir: profile,
  });
  try {
    const settle = Number(process.env.BENCH_TRACE_SETTLE ?? 0);
    // One opening to warm the browser's caches, as boot-hot's warmup does; the next is printed.
    await traceOpening(ext, popup ? POPUP : REPORT, url, done);
    const runs = Number(process.env.BENCH_TRACE_RUNS ?? 0);
    const phases: Array<Record<string, number>> = [];
    for (let i = 0; i < runs; i++) {
      const t = await traceOpening(ext, popup ? POPUP : REPORT, url, done);
      phases.push(phasesOf(t));
      console.log(JSON.stringify({ ...phasesOf(t), ...countBefore(t) }));
    }
    if (runs > 0) {
      const names = Object.keys(phases[0]!);
      const medians = names.map((n) => {
        const v = phases.map((p) => p[n]!).sort((a, b) => a - b);
        return `${n} ${v[Math.floor(v.length / 2)]!.toFixed(0)}`;
      });
      console.log(`medians of ${runs}: ${medians.join(', ')}`);
    }
    const profile = process.env.BENCH_TRACE_CPU === '1';
    // BENCH_TRACE_FROM=<rows>: the profile's window starts when that many rows are in, not at
    // the first read's mark.
    const fromRows = process.env.BENCH_TRACE_FROM;
    const from = fromRows ? tableShown(Number(fromRows)) : null;
    const trace = await traceOpening(ext, popup ? POPUP : REPORT, url, done, {
      settle,
      profile,
      from,
    });
    for (const line of formatTrace(trace)) console.log(line);
    for (const line of trace.profile ?? []) console.log(line);
    const { requests, transactions } = countBefore(trace);
    console.log(`before the rows: ${requests} requests in ${transactions} transactions`);
  } finally {
    await ext.close();
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('boot-hot-trace.ts')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
