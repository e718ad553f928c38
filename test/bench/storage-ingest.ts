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
const BUDGET = { ratio: 1.3 };

declare global {
  interface Window {
    BacklinkScale: typeof import('./storage-scale-entry');
  }
}

/** Both ingest rows of one size, in turns: first visit, revisit, first visit, … */
export async function measureIngest(ctx: ScaleContext): Promise<ScaleRow[]> {
  const kinds = [
    { revisit: false, name: 'first visit', baseline: 'raw puts, one tx' },
    { revisit: true, name: 'revisit', baseline: 'raw puts, one tx (overwrite)' },
  ];
  const turns: IngestTurn[][] = kinds.map(() => []);
  const failed: Array<string | undefined> = kinds.map(() => undefined);
  for (let turn = -WARMUP; turn < TURNS; turn++) {
    for (const [k, kind] of kinds.entries()) {
      if (failed[k]) continue;
      // Fresh source pages, beyond the seeded ones.
      const p = ctx.options.pages + (kind.revisit ? 2_000 : 1_000) + WARMUP + turn;
      try {
        const result = await ctx.session.attempt(
          'ingest',
          (page) =>
            page.evaluate(([o, n, r, f]) => window.BacklinkScale.ingestTurn(o, n, r, f), [
              { ...ctx.options, linksPerPage: INGEST_LINKS },
              p,
              kind.revisit,
              turn % 2 !== 0,
            ] as const),
          300_000,
        );
        if (turn >= 0) turns[k]!.push(result);
      } catch (error) {
        failed[k] =
          `failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
      }
    }
  }
  return kinds.map((kind, k): ScaleRow => {
    const samples = turns[k]!;
    const ours: Timing = {
      name: `ingest, ${kind.name} (${INGEST_LINKS} links)`,
      samples: samples.map((t) => t.ours),
      median: median(samples.map((t) => t.ours)),
    };
    const raw: Timing = {
      name: kind.baseline,
      samples: samples.map((t) => t.raw),
      median: median(samples.map((t) => t.raw)),
    };
    const requests = samples[0] && `${samples[0].oursRequests} vs ${samples[0].rawRequests} raw`;
    if (!failed[k]) printTable([raw, ours], raw);
    return {
      size: ctx.label,
      operation: ours.name,
      unit: 'ms',
      median: ours.median,
      baseline: raw.name,
      baselineMedian: raw.median,
      budget: BUDGET,
      ...(requests ? { note: `IndexedDB requests ${requests}; ${TURNS} turns` } : {}),
      ...(failed[k] ? { failed: failed[k] } : {}),
    };
  });
}
