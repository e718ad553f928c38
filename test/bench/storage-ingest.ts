/**
 * The ingest rows of storage-scale.ts (issue 7: ingest within 1.3x of raw puts of the same
 * records): a 500-link page recorded on a first visit and on a revisit, against the raw puts
 * of the same records in the same store, turn by turn.
 *
 * Measured in a phase of their own, right after seeding and before any popup or report has
 * been opened. Interleaved with the popups, as they were, a turn could meet work the popup
 * left to the worker: it asks for the page's risk line to be built 2 s later
 * (background/risk-job.ts), a read of the hot target's 10,000 links in one transaction, which
 * holds back every write on those stores until it ends. Each turn's two writes run in
 * alternating order, each after the same untimed write, so that LevelDB flushing what the
 * write before left in its log falls on both alike; seven turns rather than three, for a
 * median that holds from run to run. The IndexedDB requests of each write are counted too:
 * they do not depend on the load.
 */
import { median, printTable, type Timing } from './measure';
import type { ScaleContext, ScaleRow } from './storage-scale';
import type { IngestTurn } from './storage-ingest-entry';

/** Links of the page whose ingest is timed: a large page, where the write path shows. */
const INGEST_LINKS = 500;
const WARMUP = 2;
const TURNS = 7;
/** A warm-up turn that counts each write's requests rather than timing it. */
const COUNTED_TURN = -1;
const BUDGET = { ratio: 1.3 };

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
  const kinds = [
    { revisit: false, name: 'first visit', baseline: 'raw puts, one tx' },
    { revisit: true, name: 'revisit', baseline: 'raw puts, one tx (overwrite)' },
  ].flatMap((kind) => BUILDS.map((build) => ({ ...kind, ...build })));
  const turns: IngestTurn[][] = kinds.map(() => []);
  const failed: Array<string | undefined> = kinds.map(() => undefined);
  const counted: Array<IngestTurn | undefined> = kinds.map(() => undefined);
  for (let turn = -WARMUP; turn < TURNS; turn++) {
    for (const [k, kind] of kinds.entries()) {
      if (failed[k]) continue;
      // Fresh source pages, beyond the seeded ones: each build its own.
      const p = ctx.options.pages + (kind.revisit ? 2_000 : 1_000) + 100 * k + WARMUP + turn;
      try {
        const result = await ctx.session.attempt(
          'ingest',
          (page) =>
            page.evaluate(([g, o, n, r, f, c]) => window[g].ingestTurn(o, n, r, f, c), [
              kind.global,
              { ...ctx.options, linksPerPage: INGEST_LINKS },
              p,
              kind.revisit,
              turn % 2 !== 0,
              turn === COUNTED_TURN,
            ] as const),
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
  return kinds.map((kind, k): ScaleRow => {
    const samples = turns[k]!;
    const timing = (name: string, of: (t: IngestTurn) => number): Timing => ({
      name,
      samples: samples.map(of),
      median: median(samples.map(of)),
    });
    const ours = timing(
      `ingest, ${kind.name} (${INGEST_LINKS} links)${kind.label}`,
      (t) => t.ours.ms,
    );
    const raw = timing(kind.baseline, (t) => t.raw.ms);
    const c = counted[k];
    const counts =
      c &&
      `IndexedDB requests ${c.ours.requests} vs ${c.raw.requests} raw, ` +
        `rounds ${c.ours.rounds} vs ${c.raw.rounds}`;
    if (!failed[k]) printTable([raw, ours], raw);
    return {
      size: ctx.label,
      operation: ours.name,
      unit: 'ms',
      median: ours.median,
      baseline: raw.name,
      baselineMedian: raw.median,
      budget: BUDGET,
      ...(counts ? { note: `${counts}; ${TURNS} turns` } : {}),
      ...(failed[k] ? { failed: failed[k] } : {}),
    };
  });
}
