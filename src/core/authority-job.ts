/**
 * The pure steps of the background authority job: when to run, how to walk in time slices,
 * and what to store. The browser glue (alarms, IndexedDB) is in background/authority-job.ts.
 */
import {
  earlierIds,
  authorityScale,
  continueRank,
  displayAuthority,
  startRank,
  type AuthorityScale,
  type LinkGraph,
  type RankState,
  type StoredGraphs,
} from './authority';
import type { GraphRow } from './authority-rows';
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
  /**
   * The generation its scores are stored under (storage/authority.ts); absent in what an
   * earlier version stored, whose scores are in the store from before generations.
   */
  gen?: number;
}

/** Where an unfinished computation stands, stored so that a stopped worker resumes it. */
export interface AuthorityRun {
  startedAt: number;
  pages: RankState;
  domains: RankState;
  /** Set when the walk is over (its states final) and its scores are being written. */
  write?: AuthorityWriteStart;
}

/**
 * A write of a new generation of scores under way: a worker stopped during it goes on with the
 * same scores, the same time and the same generation, from the records already stored.
 */
export interface AuthorityWriteStart {
  gen: number;
  computedAt: number;
  /** The data epoch the graphs were read at, and a hash of their keys and links (graphHash). */
  epoch: number;
  graph: number;
}

/**
 * A hash of the graphs' keys in id order and of their links: a stopped write's scores, stored
 * by id, are only written on for graphs with the same keys at the same ids and the same links.
 * Keys alone let a page recorded again with other links to known pages (the same keys) take
 * the scores walked before it, and its change was settled unwalked. FNV-1a, 32 bits (a link
 * target a word at a time).
 */
export function graphHash(graphs: { pages: LinkGraph; domains: LinkGraph }): number {
  let hash = 0x811c9dc5;
  for (const { keys, offsets, targets } of [graphs.pages, graphs.domains]) {
    for (const key of keys) {
      for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
      hash = Math.imul(hash ^ 0x0a, 0x01000193);
    }
    for (const ints of [offsets, targets]) {
      for (let i = 0; i < ints.length; i++) hash = Math.imul(hash ^ ints[i]!, 0x01000193);
      hash = Math.imul(hash ^ 0x1e, 0x01000193);
    }
  }
  return hash >>> 0;
}

/**
 * The stopped write `run` was making, when it can go on with these graphs: data forgotten since
 * or graphs with other keys or links start a write afresh (its walk from the stored states).
 */
export function resumableWrite(
  run: AuthorityRun | null,
  graphs: { pages: LinkGraph; domains: LinkGraph },
  epoch: number,
): AuthorityWriteStart | null {
  const write = run?.write;
  if (
    !write ||
    write.epoch !== epoch ||
    run.pages.scores.length !== graphs.pages.keys.length ||
    run.domains.scores.length !== graphs.domains.keys.length
  ) {
    return null;
  }
  return write.graph === graphHash(graphs) ? write : null;
}

/**
 * A walk resumed from stored progress when it fits the graph, else a fresh one (from `warm`,
 * the last computation's scores carried over, when given). Any start
 * converges to the same scores (PageRank's power iteration does from any distribution), so a
 * graph that changed a little since the progress was stored only costs iterations; the count
 * starts again so the walk runs until it converges on the graph as it is now.
 */
export function resumeRank(
  graph: LinkGraph,
  stored: RankState | undefined,
  warm?: Float64Array,
): RankState {
  const fits = stored && stored.scores.length === graph.keys.length && graph.keys.length > 0;
  return startRank(graph, fits ? stored.scores : warm);
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

/**
 * A stored score is rewritten when its 0–100 value moved by at least this, or the score
 * itself by AUTHORITY_SCORE_STEP. The popup shows whole points and the quality score weighs
 * the value, so a hundredth is never seen; after a one-page change almost every node's share
 * moves by far less, and rewriting 100,000 records for that is what an update would spend
 * most of its time on.
 */
export const AUTHORITY_DISPLAY_STEP = 0.01;
/** Scores sum to 1: a stored one stays this close to the computed one (the top reads 100 however it moves). */
export const AUTHORITY_SCORE_STEP = 1e-7;

/** What is stored for each node, by id: its score and its 0–100 value. */
export interface StoredValues {
  scores: Float64Array;
  displays: Float64Array;
}

/** One graph's records to store, its scale, and what each node then has stored. */
export interface AuthorityRecords {
  records: AuthorityRecord[];
  scale: AuthorityScale;
  stored: StoredValues;
}

/**
 * The records to store for one graph's scores, each with its 0–100 display value, and what
 * each node then has stored. Given `before` (what the last computation stored, same ids),
 * only nodes that moved by a step or more, and new nodes, get a record: the others keep theirs.
 */
export function authorityRecords(
  kind: AuthorityKind,
  graph: LinkGraph,
  scores: Float64Array,
  computedAt: number,
  before?: StoredValues,
): AuthorityRecords {
  return authorityRecordsUpTo(kind, graph, scores, computedAt, before, Infinity)!;
}

/**
 * authorityRecords, or null as soon as more than `max` records would be written: a caller that
 * then writes every score builds them once, not every moved one first (at most max here).
 */
export function authorityRecordsUpTo(
  kind: AuthorityKind,
  graph: LinkGraph,
  scores: Float64Array,
  computedAt: number,
  before: StoredValues | undefined,
  max: number,
): AuthorityRecords | null {
  if (max < 0) return null;
  const scale = authorityScale(scores);
  const records: AuthorityRecord[] = [];
  const stored = { scores: scores.slice(), displays: new Float64Array(scores.length) };
  for (let id = 0; id < graph.keys.length; id++) {
    const score = scores[id]!;
    const display = displayAuthority(score, scale);
    const [oldScore, oldDisplay] = [before?.scores[id], before?.displays[id]];
    if (
      oldScore !== undefined &&
      oldDisplay !== undefined &&
      Math.abs(score - oldScore) < AUTHORITY_SCORE_STEP &&
      Math.abs(display - oldDisplay) < AUTHORITY_DISPLAY_STEP
    ) {
      stored.scores[id] = oldScore;
      stored.displays[id] = oldDisplay;
      continue;
    }
    stored.displays[id] = display;
    if (records.length === max) return null;
    records.push({ kind, key: graph.keys[id]!, score, display, computedAt });
  }
  return { records, scale, stored };
}

/**
 * What an earlier computation stored (`stored`, by the ids of `previous`) for each node of
 * `graph`, found by key, NaN for a node it did not have (so its record is written); and the
 * keys it stored that `graph` no longer has, whose records must go. Lets a computation that
 * read every record still write only the scores that moved.
 */
export function carryStored(
  graph: LinkGraph,
  previous: Pick<LinkGraph, 'keys' | 'ids'>,
  stored: StoredValues,
): { stored: StoredValues; gone: string[] } {
  const n = graph.keys.length;
  const carried = { scores: new Float64Array(n).fill(NaN), displays: new Float64Array(n) };
  const oldId = earlierIds(graph, previous);
  let kept = 0;
  for (let id = 0; id < n; id++) {
    const old = oldId(id);
    if (old === id) kept++;
    if (old === undefined || old >= stored.scores.length) continue;
    carried.scores[id] = stored.scores[old]!;
    carried.displays[id] = stored.displays[old]!;
  }
  // Every earlier key at its id (nothing changed, or nodes only added): nothing gone, nothing
  // looked up.
  const gone =
    previous.keys === graph.keys || kept === previous.keys.length
      ? []
      : previous.keys.filter((key) => !graph.ids.has(key));
  return { stored: carried, gone };
}

// ---------------------------------------------------------------------------------------------
// Incremental updates

/**
 * The graphs and scores of the last computation, kept for the next one: after a few pages are
 * recorded, it patches their rows instead of reading a million links again, and walks from
 * these scores instead of from uniform, so it converges in fewer iterations to the same
 * answer (the power iteration converges from any start).
 */
export interface AuthorityCache extends StoredGraphs {
  /** The data epoch the graphs were read at: any forgetting since makes them stale. */
  epoch: number;
  /** When the graphs were last read in full from the records. */
  fullAt: number;
  /** Scores by page id and by domain id. */
  pageScores: Float64Array;
  domainScores: Float64Array;
  /** What is stored for each node (see authorityRecords). */
  pageStored: StoredValues;
  domainStored: StoredValues;
  /**
   * When these graphs were stored whole (a computation's `computedAt`): the patch stored since
   * names it (absent in what an earlier version kept: then an update stores the graphs whole).
   */
  savedAt?: number;
}

/**
 * What the incremental updates since the kept graphs were stored whole changed, stored beside
 * them instead of storing them again: at a million links the kept graphs are a 12 MB record,
 * and rewriting it was most of what a one-page update wrote. The graphs of the last computation
 * are the kept ones patched with `rows` (core/authority-patch.ts); the scores are by their ids.
 */
export interface AuthorityPatch {
  /** The kept graphs' `savedAt`: a patch of other graphs is not applied. */
  base: number;
  /** The latest row of each page patched in since, in the order first patched. */
  rows: GraphRow[];
  /** Every page patched in since, with a row or without (a page with none keeps no links). */
  replaced: string[];
  /** The keys the patched graphs have after the kept graphs' own, by id. */
  added: { pages: string[]; domains: string[] };
  pageScores: Float64Array;
  domainScores: Float64Array;
  pageStored: StoredValues;
  domainStored: StoredValues;
}

/**
 * Past this many link targets in its rows, the patch is folded: the graphs are stored whole
 * again and the patch dropped. Every update patches all of the patch's rows in again, so it must
 * stay small; 10,000 targets is about 1% of a million links, some 400 kB of URLs.
 */
export const AUTHORITY_PATCH_MAX_TARGETS = 10_000;

/**
 * The rows and pages of a patch after one more update: `rows`, read for `pages` (and the
 * canonical URLs they name), replace what the patch held for those pages; a page now without a
 * row drops the one it had.
 */
export function mergePatch(
  prior: Pick<AuthorityPatch, 'rows' | 'replaced'> | undefined,
  rows: readonly GraphRow[],
  pages: readonly string[],
): { rows: GraphRow[]; replaced: string[] } {
  const byUrl = new Map((prior?.rows ?? []).map((row) => [row.url, row]));
  for (const url of pages) byUrl.delete(url);
  for (const row of rows) byUrl.set(row.url, row);
  return {
    rows: [...byUrl.values()],
    replaced: [...new Set([...(prior?.replaced ?? []), ...pages])],
  };
}

/**
 * Pages recorded since the last computation: what an incremental update must read again.
 * Each note gets the next number, and a computation settles the notes up to the number it
 * read, so a page recorded while it runs stays noted for the next one.
 */
export interface AuthorityChanges {
  seq: number;
  /** URL → number of its latest note. */
  pages: Map<string, number>;
  /** Number of a note that did not say which pages changed (an import), else null. */
  unknown: number | null;
}

export const NO_CHANGES: AuthorityChanges = { seq: 0, pages: new Map(), unknown: null };

/**
 * More changed pages than this and the update reads everything: patching costs one keyed read
 * per page, and past this many the batched read of every record is as quick (see the
 * authority-chromium benchmark). The log stays small, too.
 */
export const AUTHORITY_INCREMENTAL_MAX_PAGES = 2_000;
/**
 * Read everything at least this often anyway: a page recorded just as the worker was killed,
 * before its note was stored, is then missed for a day at most.
 */
export const AUTHORITY_FULL_EVERY_MS = 24 * 60 * 60_000;

/** `changes` with one more note: these pages changed, or (null) some pages did. */
export function noteChanges(
  changes: AuthorityChanges,
  urls: readonly string[] | null,
): AuthorityChanges {
  const seq = changes.seq + 1;
  const pages = new Map(changes.pages);
  for (const url of urls ?? []) pages.set(url, seq);
  // Past the cap the URLs are not worth keeping: the next update reads everything.
  if (urls === null || pages.size > AUTHORITY_INCREMENTAL_MAX_PAGES) {
    return { seq, pages: new Map(), unknown: seq };
  }
  return { seq, pages, unknown: changes.unknown };
}

/** `changes` without the notes a computation that read them at `upTo` has taken in. */
export function settleChanges(changes: AuthorityChanges, upTo: number): AuthorityChanges {
  const pages = new Map([...changes.pages].filter(([, seq]) => seq > upTo));
  const unknown = changes.unknown !== null && changes.unknown > upTo ? changes.unknown : null;
  return { seq: changes.seq, pages, unknown };
}

/** Why an update reads every record rather than patching the last graphs. */
export type FullReason =
  | 'requested'
  | 'no-graph'
  | 'no-cache'
  | 'data-forgotten'
  | 'unknown-change'
  | 'many-changes'
  | 'due';

export type AuthorityPlan =
  { mode: 'incremental'; pages: string[] } | { mode: 'full'; reason: FullReason };

/** Patch the last graphs when they are there, still true and the change is small; else read all. */
export function planAuthority(
  changes: AuthorityChanges,
  cache: Pick<AuthorityCache, 'epoch' | 'fullAt'> | null,
  epoch: number,
  now: number,
  full = false,
): AuthorityPlan {
  const reason: FullReason | null = full
    ? 'requested'
    : !cache
      ? 'no-cache'
      : cache.epoch !== epoch
        ? 'data-forgotten'
        : changes.unknown !== null
          ? 'unknown-change'
          : changes.pages.size > AUTHORITY_INCREMENTAL_MAX_PAGES
            ? 'many-changes'
            : now - cache.fullAt >= AUTHORITY_FULL_EVERY_MS || now < cache.fullAt
              ? 'due'
              : null;
  return reason
    ? { mode: 'full', reason }
    : { mode: 'incremental', pages: [...changes.pages.keys()] };
}
