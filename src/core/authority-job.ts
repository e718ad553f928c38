/**
 * The pure steps of the background authority job: when to run, how to walk in time slices,
 * and what to store. The browser glue (alarms, IndexedDB) is in background/authority-job.ts.
 */
import {
  authorityScale,
  continueRank,
  displayAuthority,
  startRank,
  type AuthorityScale,
  type LinkGraph,
  type RankState,
} from './authority';
import type { AuthorityKind, AuthorityRecord } from './types';

/** Quiet time after the last recorded page before computing: a browsing burst runs once. */
export const AUTHORITY_DEBOUNCE_MS = 30_000;
/** Least time between two computations: the scores change slowly, browsing does not. */
export const AUTHORITY_MIN_INTERVAL_MS = 5 * 60_000;
/** One slice of the walk; the worker yields to its event loop between slices. */
export const AUTHORITY_SLICE_MS = 50;
/** How often, in walking time, the walk's progress is stored for a stopped worker to resume. */
export const AUTHORITY_CHECKPOINT_MS = 1_000;

/**
 * When the job should run, given the last recording and the last completed computation:
 * the debounce after the recording, pushed back to the minimum interval after the last run.
 */
export function authorityDueAt(recordedAt: number, lastComputedAt: number | null): number {
  const debounced = recordedAt + AUTHORITY_DEBOUNCE_MS;
  return lastComputedAt === null
    ? debounced
    : Math.max(debounced, lastComputedAt + AUTHORITY_MIN_INTERVAL_MS);
}

/** First retry of a failed computation: the watchdog's minute. */
export const AUTHORITY_RETRY_MS = 60_000;
/** Retries back off up to this: a store that keeps failing is not read in full every minute. */
export const AUTHORITY_MAX_RETRY_MS = 60 * 60_000;

/** How long after the `failures`-th failure in a row to try again: doubling, capped. */
export function authorityRetryDelay(failures: number): number {
  const doublings = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(AUTHORITY_RETRY_MS * 2 ** doublings, AUTHORITY_MAX_RETRY_MS);
}

/** The scale and stored scores of one finished walk. */
export interface AuthorityMeta {
  computedAt: number;
  pages: AuthorityScale;
  domains: AuthorityScale;
}

/** Where an unfinished computation stands, stored so that a stopped worker resumes it. */
export interface AuthorityRun {
  startedAt: number;
  pages: RankState;
  domains: RankState;
}

/**
 * A walk resumed from stored progress when it fits the graph, else a fresh one. Any start
 * converges to the same scores (PageRank's power iteration does from any distribution), so a
 * graph that changed a little since the progress was stored only costs iterations; the count
 * starts again so the walk runs until it converges on the graph as it is now.
 */
export function resumeRank(graph: LinkGraph, stored: RankState | undefined): RankState {
  const fits = stored && stored.scores.length === graph.keys.length && graph.keys.length > 0;
  return startRank(graph, fits ? stored.scores : undefined);
}

export interface SlicedWalk {
  /** Give the event loop a turn (a macrotask, so messages and the popup get answered). */
  pause: () => Promise<void>;
  /** Store progress; called about every AUTHORITY_CHECKPOINT_MS of walking. */
  checkpoint?: (state: RankState) => Promise<void>;
  now?: () => number;
  sliceMs?: number;
}

/**
 * continueRank in slices of `sliceMs`, pausing between them, until converged or capped.
 * Contract: same scores as one uninterrupted walk; `checkpoint` never sees a state twice.
 */
export async function rankInSlices(
  graph: LinkGraph,
  state: RankState,
  { pause, checkpoint, now = () => performance.now(), sliceMs = AUTHORITY_SLICE_MS }: SlicedWalk,
): Promise<RankState> {
  let sinceCheckpoint = 0;
  for (;;) {
    const before = state.iterations;
    const started = now();
    state = continueRank(graph, state, { timeMs: sliceMs, now });
    sinceCheckpoint += now() - started;
    // No progress means converged or at the iteration cap: the walk is over.
    if (state.converged || state.iterations === before) return state;
    if (checkpoint && sinceCheckpoint >= AUTHORITY_CHECKPOINT_MS) {
      sinceCheckpoint = 0;
      await checkpoint(state);
    }
    await pause();
  }
}

/** The records to store for one graph's scores, each with its 0–100 display value. */
export function authorityRecords(
  kind: AuthorityKind,
  graph: LinkGraph,
  scores: Float64Array,
  computedAt: number,
): { records: AuthorityRecord[]; scale: AuthorityScale } {
  const scale = authorityScale(scores);
  const records = graph.keys.map((key, id) => {
    const score = scores[id]!;
    return { kind, key, score, display: displayAuthority(score, scale), computedAt };
  });
  return { records, scale };
}
