/**
 * The ingest rows of storage-scale.ts (issue 7: ingest within 1.3x of raw puts of the same
 * records): a 500-link page recorded on a first visit and on a revisit, against the raw puts
 * of the same records in the same store, turn by turn; and the same page with some of its links
 * into the hot target's site, once that site has its aggregate (BENCH_INGEST_INTO), whose
 * writes cost more than the links' alone.
 *
 * Measured in a phase of their own, right after seeding and before any popup or report has
 * been opened. Interleaved with the popups, as they were, a turn could meet work the popup
 * left to the worker: it asks for the page's risk line to be built 2 s later
 * (background/risk-job.ts), a read of the hot target's 10,000 links in one transaction, which
 * holds back every write on those stores until it ends.
 *
 * The figure is the median of each turn's own ratio (ours over raw), not the ratio of the two
 * medians: on a machine shared with other work a write takes from 100 ms to 1.4 s, as the load
 * comes and goes, and two medians taken over those swings moved the ratio by a third between
 * runs of one build (1.27x–1.88x), while the writes of one turn, a second apart, meet the same
 * load. Each turn times each write twice, ABBA (storage-ingest-entry.ts), and the spread of
 * the turns' ratios is printed (IQR). The IndexedDB requests of each write are counted too, in
 * a warm-up turn: they do not depend on the load; and, for a write into the hot site, those of
 * the fold that puts the tallies it left pending (the worker's, later: not timed).
 *
 * The rows "site head" (issue 6/7, BENCH_SITE_HEAD_TURNS; 0 leaves them out) time what a
 * site's head full of pending parts (core/site-stats.ts#MAX_PENDING - 1, about 15 KB) costs
 * against the same head folded, in the same turns, ABBA: a first visit into the site, which
 * reads and puts the head whole (the 500-link page above, and a 10-link one with 2 links into
 * the site), and the site line's read (loadSiteStats), with the site's top 10 pages among the
 * pending parts, their counts raised (a burst of writes into them) or lowered (lost links: a
 * second round), and without (the head's bytes alone).
 * The head's bytes and each one's requests are counted in a warm-up turn.
 */
import { check, info, median, printTable, type Timing } from './measure';
import type { ScaleContext, ScaleRow } from './storage-scale';
import type { Page } from 'playwright-core';
import type { Figures, HeadKind, IngestTurn } from './storage-ingest-entry';
import { childrenCpuNs } from './cpu-time';

/** Links of the page whose ingest is timed: a large page, where the write path shows. */
const INGEST_LINKS = 500;
const WARMUP = 2;
/** BENCH_INGEST_TURNS: timed turns per row (each four writes). */
const TURNS = Number(process.env.BENCH_INGEST_TURNS) || 15;
/** BENCH_INGEST=revisit (or first, or site): that kind's rows only. */
const KINDS_WANTED = process.env.BENCH_INGEST ?? '';
/**
 * BENCH_INGEST_INTO: of the page's links, how many go into the hot target's site in the rows
 * "into a hot site" (its aggregate built first: storage/site-stats.ts). 0 leaves those rows out.
 */
const INTO_SITE = Number(process.env.BENCH_INGEST_INTO ?? 100);
/** A warm-up turn that counts each write's requests rather than timing it. */
const COUNTED_TURN = -1;
const BUDGET = { ratio: 1.3 };
/** BENCH_SITE_HEAD_TURNS: timed turns of each site head row (0: none). */
const HEAD_TURNS = Number(process.env.BENCH_SITE_HEAD_TURNS ?? 7);
/** Over 1.2x, a full head costs enough to bound it lower. */
const HEAD_BUDGET = { ratio: 1.2 };

declare global {
  interface Window {
    BacklinkScale: typeof import('./storage-scale-entry');
    BacklinkScaleBefore: typeof import('./storage-scale-entry');
  }
}

/**
 * Whose recordPage is timed: this tree's, and with BENCH_BEFORE_SRC (storage-scale.ts) also
 * that tree's, in the same turns, each against raw puts of its own records.
 */
interface Build {
  global: 'BacklinkScale' | 'BacklinkScaleBefore';
  label: string;
}
const BUILDS: readonly Build[] = [
  { global: 'BacklinkScale', label: '' },
  ...(process.env.BENCH_BEFORE_SRC
    ? [{ global: 'BacklinkScaleBefore', label: ' (before)' } satisfies Build]
    : []),
];

/** Both ingest rows of one size, in turns: first visit, revisit, first visit, … */
export async function measureIngest(ctx: ScaleContext): Promise<ScaleRow[]> {
  const into = `into a hot site (${INTO_SITE} of them)`;
  const kinds = [
    { revisit: false, into: 0, name: 'first visit', baseline: 'raw puts, one tx' },
    { revisit: true, into: 0, name: 'revisit', baseline: 'raw puts, one tx (overwrite)' },
    ...(INTO_SITE > 0
      ? [
          { revisit: false, into: INTO_SITE, name: `first visit ${into}`, baseline: 'raw puts' },
          { revisit: true, into: INTO_SITE, name: `revisit ${into}`, baseline: 'raw overwrite' },
        ]
      : []),
  ]
    .filter((kind) => kind.name.startsWith(KINDS_WANTED))
    .flatMap((kind) => BUILDS.map((build) => ({ ...kind, ...build })));
  const { turns, counted, failed } = await inTurns(ctx, kinds, TURNS, (page, kind, k, turn) =>
    page.evaluate(([g, o, n, r, f, c, i]) => window[g].ingestTurn(o, n, r, f, c, i), [
      kind.global,
      { ...ctx.options, linksPerPage: INGEST_LINKS },
      // Fresh source pages, beyond the seeded ones: each build its own.
      ctx.options.pages + (kind.revisit ? 2_000 : 1_000) + 100 * k + WARMUP + turn,
      kind.revisit,
      turn % 2 !== 0,
      turn === COUNTED_TURN,
      kind.into,
    ] as const),
  );
  // Each row twice: its wall time, and the CPU time the browser spent on it (cpu-time.ts).
  const rows = kinds.flatMap((kind, k) =>
    FIGURES.map((figure) => {
      const c = counted[k];
      const counts =
        c &&
        `IndexedDB requests ${c.ours.requests} vs ${c.raw.requests} raw, ` +
          `rounds ${c.ours.rounds} vs ${c.raw.rounds}` +
          (c.fold ? `; its fold later ${c.fold.requests} requests, ${c.fold.rounds} rounds` : '') +
          (c.siteLine
            ? `; site line read before the fold ${figuresOf(c.siteLine.pending)}, ` +
              `after ${figuresOf(c.siteLine.folded)}`
            : '');
      const names = {
        ours: `ingest, ${kind.name} (${INGEST_LINKS} links)${figure.label}${kind.label}`,
        raw: `${kind.baseline}${figure.label}`,
      };
      return rowOf(ctx, names, figure, turns[k]!, failed[k], counts, BUDGET);
    }),
  );
  return [...rows, ...(await measureSiteHead(ctx))];
}

/**
 * Each kind's turns: WARMUP untimed (the last counted), then `wanted` timed, kinds interleaved
 * within a turn. A kind that fails is not run again: its rows say why.
 */
async function inTurns<K, T>(
  ctx: ScaleContext,
  kinds: readonly K[],
  wanted: number,
  run: (page: Page, kind: K, k: number, turn: number) => Promise<T>,
): Promise<{ turns: T[][]; counted: Array<T | undefined>; failed: Array<string | undefined> }> {
  const turns: T[][] = kinds.map(() => []);
  const failed: Array<string | undefined> = kinds.map(() => undefined);
  const counted: Array<T | undefined> = kinds.map(() => undefined);
  // The page asks for the browser's CPU time around each write it times.
  await ctx.session.ext.context
    .exposeFunction('benchCpuNs', () => childrenCpuNs() ?? Number.NaN)
    .catch(() => {}); // exposed already (an earlier size's rows, or phase, in this browser)
  for (let turn = -WARMUP; turn < wanted; turn++) {
    for (const [k, kind] of kinds.entries()) {
      if (failed[k]) continue;
      try {
        const result = await ctx.session.attempt(
          'ingest',
          (page) => run(page, kind, k, turn),
          300_000,
        );
        if (turn === COUNTED_TURN) counted[k] = result;
        if (turn >= 0) turns[k]!.push(result);
      } catch (error) {
        failed[k] =
          `failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
      }
    }
  }
  return { turns, counted, failed };
}

/**
 * The site head rows (see the header): per kind, the full head's write or read over the folded
 * head's, this tree's build only (a fix of the head's bound is compared as builds, in one page,
 * by BENCH_BEFORE_SRC: each fills the head to its own bound).
 */
async function measureSiteHead(ctx: ScaleContext): Promise<ScaleRow[]> {
  if (HEAD_TURNS <= 0) return [];
  const into = INTO_SITE || 100;
  const kinds = [
    { read: false, crowd: 'kept', links: INGEST_LINKS, into },
    { read: false, crowd: 'kept', links: 10, into: 2 },
    { read: true, crowd: 'raised', links: 0, into: 0 },
    { read: true, crowd: 'lowered', links: 0, into: 0 },
    { read: true, crowd: null, links: 0, into: 0 },
  ]
    .map((kind) => ({
      ...kind,
      crowd: kind.crowd as HeadKind['crowd'],
      name: kind.read
        ? `site head full: site line read (loadSiteStats), ` +
          (kind.crowd ? `its top 10 pending, ${kind.crowd}` : 'its top not pending')
        : `site head full: ingest, first visit (${kind.links} links, ${kind.into} into the site)`,
    }))
    .filter((kind) => kind.name.startsWith(KINDS_WANTED))
    .flatMap((kind) => BUILDS.map((build) => ({ ...kind, ...build })));
  const { turns, counted, failed } = await inTurns(ctx, kinds, HEAD_TURNS, (page, kind, k, turn) =>
    page.evaluate(([g, o, n, h, f, c]) => window[g].siteHeadTurn(o, n, h, f, c), [
      kind.global,
      { ...ctx.options, linksPerPage: kind.links },
      ctx.options.pages + 5_000 + 100 * k + WARMUP + turn,
      { read: kind.read, crowd: kind.crowd, into: kind.into },
      turn % 2 !== 0,
      turn === COUNTED_TURN,
    ] as const),
  );
  // Only after rows that ran: without them no aggregate of the site need exist. A page that
  // fails here loses this check, not the rows timed above.
  if (kinds.length > 0) {
    const failure = await ctx.session
      .attempt(
        'ingest',
        (page) => page.evaluate(() => window.BacklinkScale.siteLineExact()),
        300_000,
      )
      .catch((error: unknown) => String(error));
    check(
      `${ctx.label}: the site line after the site head rows is the one from the site's links`,
      failure === '',
      failure,
    );
  }
  return kinds.flatMap((kind, k) =>
    FIGURES.map((figure) => {
      const c = counted[k];
      const counts =
        c &&
        `${c.pending} parts pending, head ${c.bytes.full} B vs ${c.bytes.folded} B folded (JSON); ` +
          `full ${figuresOf(c.full)}; folded ${figuresOf(c.folded)}`;
      const names = {
        ours: `${kind.name}${figure.label}${kind.label}`,
        raw: `the same, head folded${figure.label}`,
      };
      const samples = turns[k]!.map((t) => ({ ours: t.full, raw: t.folded, links: kind.links }));
      return rowOf(ctx, names, figure, samples, failed[k], counts, HEAD_BUDGET);
    }),
  );
}

/** A counted read's requests, rounds and entries read. */
const figuresOf = (f: Figures) =>
  `${f.requests} requests, ${f.rounds} rounds, ${f.records} entries`;

/** What a row reports of each write: its wall time, or the browser's CPU time on it. */
const FIGURES = [
  { of: 'ms', label: '' },
  { of: 'cpuMs', label: ', CPU time' },
] as const;

function rowOf(
  ctx: ScaleContext,
  names: { ours: string; raw: string },
  figure: (typeof FIGURES)[number],
  samples: ReadonlyArray<Pick<IngestTurn, 'ours' | 'raw'>>,
  failed: string | undefined,
  counts: string | undefined,
  budget: { ratio: number },
): ScaleRow {
  const timing = (name: string, of: (t: Pick<IngestTurn, 'ours' | 'raw'>) => number): Timing => ({
    name,
    samples: samples.map(of),
    median: median(samples.map(of)),
  });
  const ours = timing(names.ours, (t) => t.ours[figure.of]);
  const raw = timing(names.raw, (t) => t.raw[figure.of]);
  const paired = spreadOf(samples.map((t) => t.ours[figure.of] / t.raw[figure.of]));
  if (!failed && Number.isFinite(paired.median)) {
    printTable([raw, ours], raw);
    info(
      `${ours.name}: per-turn ratio median ${paired.median.toFixed(3)}x, ` +
        `IQR ${paired.q1.toFixed(3)}–${paired.q3.toFixed(3)}, ` +
        `min–max ${paired.min.toFixed(2)}–${paired.max.toFixed(2)} (${samples.length} turns; ` +
        `ratio of medians ${(ours.median / raw.median).toFixed(3)}x)`,
    );
  }
  return {
    size: ctx.label,
    operation: ours.name,
    unit: 'ms',
    median: ours.median,
    baseline: raw.name,
    baselineMedian: raw.median,
    ratio: paired.median,
    budget,
    note:
      `median of ${samples.length} turns' ratios, IQR ${paired.q1.toFixed(2)}–` +
      `${paired.q3.toFixed(2)}x${counts ? `; ${counts}` : ''}`,
    ...(failed ? { failed } : {}),
  };
}

/** Median, quartiles and extremes of some ratios (quartiles by the median of each half). */
function spreadOf(values: readonly number[]): {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return {
    median: median(sorted),
    q1: median(sorted.slice(0, half)),
    q3: median(sorted.slice(sorted.length - half)),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
