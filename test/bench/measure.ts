/**
 * Timing and reporting helpers shared by the benchmarks. Every figure is the median of several
 * repetitions after a warm-up, and every table compares its rows with a baseline measured in
 * the same run, so the ratios mean something on any machine. Nothing here asserts on time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection before each timed repetition keeps garbage left by the previous one (or by
// an untimed setup) out of the figure. Turning the flag on at run time is enough for a fresh
// context to see gc(); without it the benchmarks still run, only noisier.
setFlagsFromString('--expose-gc');
const collectGarbage: () => void = (() => {
  try {
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return () => (gc as () => void)();
  } catch {
    // fall through
  }
  return () => {};
})();

export interface RepeatOptions {
  /** Untimed runs first (JIT, caches). */
  warmup: number;
  /** Timed runs; the median is reported. */
  reps: number;
}

export const DEFAULT_REPEAT: RepeatOptions = { warmup: 2, reps: 7 };

export interface Timing {
  name: string;
  /** Milliseconds, one per timed repetition, in run order. */
  samples: number[];
  median: number;
  /** Extra column (throughput, sizes); the table header names it. */
  extra?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The common loop: `sample` returns the milliseconds of one repetition (timed by the caller,
 * e.g. inside a browser page), run `warmup` times unrecorded, then `reps` times.
 */
export async function collect(
  name: string,
  sample: (rep: number) => Promise<number> | number,
  { warmup, reps }: RepeatOptions = DEFAULT_REPEAT,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await sample(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) samples.push(await sample(i));
  return { name, samples, median: median(samples) };
}

/**
 * Several rows sampled in turns (a, b, c, a, b, c, …) instead of one row after another, so
 * that a burst of load on a shared machine falls on every row alike. Warm-up turns first.
 */
export async function collectInterleaved(
  rows: ReadonlyArray<{ name: string; sample: (rep: number) => Promise<number> | number }>,
  { warmup, reps }: RepeatOptions = DEFAULT_REPEAT,
): Promise<Timing[]> {
  for (let i = 0; i < warmup; i++) for (const row of rows) await row.sample(-1 - i);
  const samples: number[][] = rows.map(() => []);
  for (let i = 0; i < reps; i++) {
    for (const [r, row] of rows.entries()) samples[r]!.push(await row.sample(i));
  }
  return rows.map((row, r) => ({
    name: row.name,
    samples: samples[r]!,
    median: median(samples[r]!),
  }));
}

export interface MeasureOptions<C> extends Partial<RepeatOptions> {
  /** Untimed preparation of each repetition (a fresh database…); its result is passed to run. */
  setup?: () => Promise<C> | C;
  /** Untimed cleanup after each repetition. */
  teardown?: (context: C) => Promise<unknown> | unknown;
}

/** Wall time of `run` (sync or async) in this process, per repetition. */
export function measure<C = undefined>(
  name: string,
  run: (context: C) => unknown,
  options: MeasureOptions<C> = {},
): Promise<Timing> {
  const { setup, teardown, ...repeat } = options;
  return collect(
    name,
    async () => {
      const context = (setup ? await setup() : undefined) as C;
      collectGarbage();
      const start = performance.now();
      await run(context);
      const elapsed = performance.now() - start;
      if (teardown) await teardown(context);
      return elapsed;
    },
    { ...DEFAULT_REPEAT, ...repeat },
  );
}

/** Time one untimed-by-the-tables step (seeding, parsing) and say how long it took. */
export async function step<T>(label: string, run: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const result = await run();
  info(`${label}: ${formatMs(performance.now() - start)} ms`);
  return result;
}

/** An error's first line, cut to `max` characters: what a table or a log line says of it. */
export const reasonOf = (error: unknown, max = 120): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, max);

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** How a row compares with the baseline: "3.40x faster", "1.25x slower". */
export function ratio(baseline: Timing, row: Timing): string {
  if (row === baseline) return 'baseline';
  const r = baseline.median / row.median;
  if (!Number.isFinite(r) || r <= 0) return '–';
  return r >= 1 ? `${r.toFixed(2)}x faster` : `${(1 / r).toFixed(2)}x slower`;
}

export function heading(title: string, description?: string): void {
  console.log(`\n== ${title} ==`);
  if (description) for (const line of description.split('\n')) console.log(`   ${line}`);
}

export function info(text: string): void {
  console.log(`   ${text}`);
}

/**
 * A correctness check of what was timed (both sides must do the same work). A failure is
 * printed and fails the run's exit code; timings never do.
 */
export function check(label: string, ok: boolean, detail = ''): void {
  console.log(`   check: ${label}: ${ok ? 'ok' : 'MISMATCH'}${detail ? ` (${detail})` : ''}`);
  if (!ok) process.exitCode = 1;
}

/**
 * One table: each row's median, its spread, and its ratio to the baseline row.
 * `extraHeader` names the optional extra column.
 */
export function printTable(
  rows: readonly Timing[],
  baseline: Timing,
  { extraHeader }: { extraHeader?: string } = {},
): void {
  const header = ['benchmark', 'median ms', 'min–max ms', 'runs', 'vs baseline'];
  if (extraHeader) header.push(extraHeader);
  const body = rows.map((row) => {
    const cells = [
      row.name,
      formatMs(row.median),
      `${formatMs(Math.min(...row.samples))}–${formatMs(Math.max(...row.samples))}`,
      String(row.samples.length),
      ratio(baseline, row),
    ];
    if (extraHeader) cells.push(row.extra ?? '');
    return cells;
  });
  printColumns(header, body, new Set([1, 2, 3]));
}

/**
 * Any table of text cells, aligned: the columns in `numeric` (figures) to the right, the others
 * to the left, a rule under the header.
 */
export function printColumns(
  header: readonly string[],
  body: ReadonlyArray<readonly string[]>,
  numeric: ReadonlySet<number>,
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) =>
    `   ${cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}`;
  console.log('');
  console.log(line(header));
  console.log(`   ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const cells of body) console.log(line(cells));
  console.log('');
}

// Kept in random.ts, which has no Node imports, so page bundles can use it too.
export { pick, seededRandom } from './random';
