/**
 * The refresh rows of storage-scale.ts (BENCH_SCALE_OPS=refresh): after each authority
 * computation the worker keeps the new domain scores with every hot page's aggregate
 * (storage/target-stats.ts#refreshStatsAuthority): it reads every live domain score, each
 * aggregate, and rewrites those whose rounded scores moved, one write transaction each, reading
 * the rows of the groups that now come first. Timed in the worker itself (its test hook), in
 * turns, each time with every record made stale first (storage-refresh-entry.ts#staleAggregates:
 * its groups reordered, the most a refresh reads; or unscored, as after the upgrade), and again
 * at once (nothing moved: what a computation that moves no rounded score costs). The baseline
 * is the bare read of the same live domain scores in the bench page. Also: the CPU time of
 * Chromium's processes over each refresh; its requests, counted in the bench page (the same
 * code, the same store); each write transaction's length (what a popup's read of those stores
 * waits behind at most); and the popup's first read of the hot page looped in the bench page
 * before and during a refresh in the worker.
 *
 * Aggregates: the hot target's, and BENCH_REFRESH_AGGREGATES (40) of the Zipf ranks from 21 on,
 * those with HOT_TARGET_LINKS links or more (1,300–3,800 links each at 1M; none at 10k).
 */
import type { Page } from 'playwright-core';
import { info, median } from './measure';
import type { ScaleContext, ScaleRow } from './storage-scale';
import { childrenCpuNs } from './cpu-time';

declare global {
  interface Window {
    BacklinkScale: typeof import('./storage-scale-entry');
  }
}

const TURNS = Number(process.env.BENCH_REFRESH_TURNS ?? 5);
const AGGREGATES = Number(process.env.BENCH_REFRESH_AGGREGATES ?? 40);
const FIRST_RANK = 21;
/** The popup's reads looped before a refresh, to compare with those during it. */
const IDLE_MS = 1_500;

/**
 * The worker's refresh (its test hook), each write transaction timed from its start to its
 * end. Plain JavaScript text: tsx would wrap named functions in a helper the worker does not
 * have.
 */
const WORKER_REFRESH = `(async () => {
  const held = [];
  const spans = [];
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    if (args[1] === 'readwrite') {
      const at = Date.now();
      const start = performance.now();
      const end = () => held.push(performance.now() - start);
      spans.push(at);
      tx.addEventListener('complete', end);
      tx.addEventListener('abort', end);
    }
    return tx;
  };
  const startedAt = Date.now();
  const start = performance.now();
  try {
    await globalThis.backlinkLens.refreshStats();
  } finally {
    IDBDatabase.prototype.transaction = transaction;
  }
  return { startedAt, ms: performance.now() - start, writes: held, writesAt: spans };
})()`;

interface WorkerRefresh {
  startedAt: number;
  ms: number;
  writes: number[];
  /** When each began (epoch ms), in the order of \`writes\`' ends: windows, roughly. */
  writesAt: number[];
  /** CPU of Chromium's processes over it, ms (null off Linux). */
  cpuMs: number | null;
}

async function workerRefresh(ctx: ScaleContext): Promise<WorkerRefresh> {
  const cpu = childrenCpuNs();
  const run = (await ctx.session.ext.worker.evaluate(WORKER_REFRESH)) as Omit<
    WorkerRefresh,
    'cpuMs'
  >;
  const after = childrenCpuNs();
  return { ...run, cpuMs: cpu === null || after === null ? null : (after - cpu) / 1e6 };
}

type Stale = 'unscored' | 'reordered';
/** What makes every record stale before a refresh that rewrites them all. */
const STALE: Record<Stale, string> = {
  reordered: 'every record rewritten, its first groups read again',
  unscored: 'every record rewritten, unscored before (upgrade)',
};

const stale = (page: Page, how: Stale) =>
  page.evaluate((h) => window.BacklinkScale.refresh.staleAggregates(h), how);

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const p95 = (xs: readonly number[]) =>
  xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

/**
 * Each write transaction's window, epoch ms: its start and its length (the two lists pair up
 * where the transactions ran one at a time, as the refresh's do: each ends before the next).
 */
const writeWindows = (run: WorkerRefresh): Array<[number, number]> =>
  run.writesAt.map((at, i) => [at, at + run.writes[i]!]);

export async function measureRefresh(ctx: ScaleContext): Promise<ScaleRow[]> {
  const { label, session: s } = ctx;
  const page = s.page;
  let inputs = await page.evaluate(() => window.BacklinkScale.refresh.refreshInputs());
  if (inputs.scores === 0) {
    // No computation yet (a store just seeded in a page): one, untimed.
    await s.ext.worker.evaluate(() =>
      (
        globalThis as unknown as { backlinkLens: { computeAuthorityNow(): Promise<unknown> } }
      ).backlinkLens.computeAuthorityNow(),
    );
  }
  const ranks = Array.from({ length: AGGREGATES }, (_, i) => FIRST_RANK + i);
  const targets = [
    ctx.hot,
    ...(await Promise.all(
      ranks.map((k) =>
        page.evaluate(([o, r]) => window.BacklinkScale.rankedTarget(o, r), [
          ctx.options,
          k,
        ] as const),
      ),
    )),
  ];
  const links = await page.evaluate(
    (t) => window.BacklinkScale.refresh.buildAggregates(t),
    targets,
  );
  inputs = await page.evaluate(() => window.BacklinkScale.refresh.refreshInputs());
  info(
    `refresh: ${inputs.scores.toLocaleString('en')} live domain scores, ${inputs.aggregates} ` +
      `aggregates (of pages with 200 links or more: the hot page, ${links[0]!.toLocaleString('en')} ` +
      `links; the ranks ${FIRST_RANK}-${FIRST_RANK + AGGREGATES - 1}, ` +
      `${Math.min(...links.slice(1))}-${Math.max(...links.slice(1))} links)`,
  );

  // Requests, counted once in the bench page (they do not depend on the thread or the load).
  const inPage = () => page.evaluate(() => window.BacklinkScale.refresh.refreshInPage());
  for (const how of ['reordered', 'unscored', null] as const) {
    if (how) await stale(page, how);
    const c = await inPage();
    const byName = Object.entries(c.requests.byName)
      .sort((a, b) => b[1] - a[1])
      .map(([n, k]) => `${n} ${k}`)
      .join(', ');
    info(
      `refresh (${how ? STALE[how] : 'nothing moved'}), in the bench page: ${fmt(c.ms)}, ` +
        `${c.changed} records rewritten; ${c.requests.requests} requests, ${c.requests.rounds} ` +
        `rounds, ${c.requests.records} entries read; ${c.writes.length} write transactions ` +
        `(longest ${fmt(Math.max(0, ...c.writes))})`,
    );
    info(`  by name: ${byName}`);
  }

  // Turns in the worker: each kind of stale records, nothing moved, and the bare read.
  const runs: Record<Stale | 'none', WorkerRefresh[]> = { reordered: [], unscored: [], none: [] };
  const bare: number[] = [];
  const bareCpu: number[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    for (const how of ['reordered', 'unscored'] as const) {
      await stale(page, how);
      runs[how].push(await workerRefresh(ctx));
    }
    runs.none.push(await workerRefresh(ctx));
    const cpu = childrenCpuNs();
    bare.push(await page.evaluate(() => window.BacklinkScale.refresh.readScores()));
    const after = childrenCpuNs();
    if (cpu !== null && after !== null) bareCpu.push((after - cpu) / 1e6);
  }
  const cpuOf = (of: WorkerRefresh[]) =>
    of[0]?.cpuMs === null ? 'n/a' : fmt(median(of.map((r) => r.cpuMs!)));
  info(
    `the bare read of the scores in the bench page, median of ${TURNS}: ${fmt(median(bare))} ` +
      `(CPU ${bareCpu.length ? fmt(median(bareCpu)) : 'n/a'})`,
  );
  for (const how of ['reordered', 'unscored', 'none'] as const) {
    const of = runs[how];
    const writes = of.flatMap((r) => r.writes);
    info(
      `refresh in the worker (${how === 'none' ? 'nothing moved' : STALE[how]}), medians of ` +
        `${TURNS}: ${fmt(median(of.map((r) => r.ms)))}, CPU ${cpuOf(of)}; ` +
        (writes.length === 0
          ? 'no write transaction'
          : `${writes.length / TURNS} write transactions, median ${fmt(median(writes))}, p95 ` +
            `${fmt(p95(writes))}, longest ${fmt(Math.max(...writes))}, ` +
            `${fmt(median(of.map((r) => sum(r.writes))))} in all`),
    );
  }

  // The popup's first read of the hot page, looped in the bench page, before and during; of
  // those during, the ones that began while a write transaction of the refresh was open.
  const idle: number[] = [];
  const during: number[] = [];
  const behind: number[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    await stale(page, 'reordered');
    await page.evaluate((u) => window.BacklinkScale.refresh.startProbe(u), ctx.hot);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const run = await workerRefresh(ctx);
    const reads = await page.evaluate(() => window.BacklinkScale.refresh.stopProbe());
    const end = run.startedAt + run.ms;
    const windows = writeWindows(run);
    for (const [at, ms] of reads) {
      if (at + ms < run.startedAt) idle.push(ms);
      else if (at < end) {
        during.push(ms);
        if (windows.some(([from, to]) => at >= from && at < to)) behind.push(ms);
      }
    }
  }
  const spread = (xs: number[]) =>
    `median ${fmt(median(xs))}, p95 ${fmt(p95(xs))}, longest ${fmt(Math.max(...xs))}`;
  info(
    `the popup's first read of the hot page, looped: ${idle.length} before a refresh, ` +
      `${spread(idle)}; ${during.length} during one (${STALE.reordered}), ${spread(during)}; ` +
      `${behind.length} of them begun in one of its write transactions, ${spread(behind)}`,
  );

  const row = (operation: string, of: WorkerRefresh[]): ScaleRow => ({
    size: label,
    operation,
    unit: 'ms',
    median: median(of.map((r) => r.ms)),
    baseline: 'bare read of the live domain scores',
    baselineMedian: median(bare),
    note: `${inputs.aggregates} aggregates, in the worker`,
  });
  return [
    row(`authority refresh, ${STALE.reordered}`, runs.reordered),
    row(`authority refresh, ${STALE.unscored}`, runs.unscored),
    row('authority refresh, nothing moved', runs.none),
    {
      size: label,
      operation: "popup's first read, hot, during a refresh",
      unit: 'ms',
      median: median(during),
      baseline: 'the same before it',
      baselineMedian: median(idle),
      note: `longest ${fmt(Math.max(...during))} against ${fmt(Math.max(...idle))}`,
    },
    {
      size: label,
      operation: "popup's first read, hot, begun in a refresh's write",
      unit: 'ms',
      median: median(behind),
      baseline: 'the same before it',
      baselineMedian: median(idle),
      note: `${behind.length} reads; longest ${fmt(Math.max(...behind))}`,
    },
  ];
}
