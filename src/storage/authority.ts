/**
 * What the background authority job reads and writes: the graph's input in batches, its
 * unfinished progress, and the finished scores. The popup reads scores through queries.ts.
 */
import type { IDBPObjectStore, IDBPTransaction } from 'idb';
import {
  carryScores,
  graphsFromPacked,
  storeGraphs,
  type AuthorityGraphs,
  type RankState,
} from '../core/authority';
import {
  AUTHORITY_PATCH_MAX_TARGETS,
  authorityRecordsUpTo,
  carryStored,
  mergePatch,
  NO_CHANGES,
  noteChanges,
  planAuthority,
  settleChanges,
  type AuthorityCache,
  type AuthorityChanges,
  type AuthorityMeta,
  type AuthorityPatch,
  type AuthorityPlan,
  type AuthorityRun,
  type AuthorityWriteStart,
  graphHash,
  type StoredValues,
} from '../core/authority-job';
import { asObject } from '../core/guards';
import type { AuthorityKind, AuthorityRecord } from '../core/types';
import type { GraphRow } from '../core/authority-rows';
import type { BacklinkDb, BacklinkSchema } from './db';
import { generation } from './authority-live';
import { epochOf, loadDataEpoch } from './epoch';
import {
  buildGraphRows,
  fixDirtyRows,
  isGraphBuilt,
  readAuthorityInput,
  readRowsOf,
  timed,
} from './graph';
import { readPackedGraph, writePackedGraph, type PackedRead } from './graph-packed';
import { indexKeys, indexPacked, splitKeys } from '../core/authority-packed';
import { patchGraphs, priorIndex, type PatchedGraphs } from '../core/authority-patch';

/**
 * Scores put (or deleted) per transaction while storing a generation: the popup's read of the
 * scores waits for one such transaction at most.
 */
export const AUTHORITY_WRITE_CHUNK = 500;
/**
 * At most this many moved scores (and deleted ones) are written in place, in one transaction
 * that the popup's read waits for (some 0.3 s at 1M, loaded); more, and every score is written
 * as a new generation. A one-page update at 1M moved 101-943 (s20): kept in place, not turned
 * into 110,000 puts.
 */
export const AUTHORITY_IN_PLACE_MAX = 2_000;

export { readAuthorityInput };

const isInt32Array = (v: unknown): v is Int32Array => v instanceof Int32Array;
const isFloat64Array = (v: unknown): v is Float64Array => v instanceof Float64Array;
const isStoredValues = (v: unknown): v is StoredValues => {
  const o = asObject(v);
  return !!o && isFloat64Array(o.scores) && isFloat64Array(o.displays);
};
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');
const isGraphRow = (v: unknown): v is GraphRow => {
  const o = asObject(v);
  return (
    !!o &&
    typeof o.url === 'string' &&
    typeof o.domain === 'string' &&
    typeof o.nofollow === 'boolean' &&
    typeof o.targets === 'string' &&
    typeof o.domains === 'string' &&
    o.passes instanceof Uint8Array
  );
};

type KeptScores = Pick<
  AuthorityCache,
  'pageScores' | 'domainScores' | 'pageStored' | 'domainStored'
>;

/** The last computation's scores, as the kept graphs and a patch both hold them, or null. */
function scoresOf(r: Record<string, unknown>): KeptScores | null {
  const { pageScores, domainScores, pageStored, domainStored } = r;
  return isFloat64Array(pageScores) &&
    isFloat64Array(domainScores) &&
    isStoredValues(pageStored) &&
    isStoredValues(domainStored)
    ? { pageScores, domainScores, pageStored, domainStored }
    : null;
}

/** A stored patch (see AuthorityPatch), or null when not of the right shape. */
function patchOf(record: unknown): AuthorityPatch | null {
  const r = asObject(record);
  const added = asObject(r?.added);
  const scores = r && scoresOf(r);
  if (
    !r ||
    !added ||
    !scores ||
    typeof r.base !== 'number' ||
    !Array.isArray(r.rows) ||
    !r.rows.every(isGraphRow) ||
    !isStrings(r.replaced) ||
    !isStrings(added.pages) ||
    !isStrings(added.domains)
  ) {
    return null;
  }
  return {
    base: r.base,
    rows: r.rows,
    replaced: r.replaced,
    added: { pages: added.pages, domains: added.domains },
    ...scores,
  };
}

/** The kept graphs with the scores of the last computation, and what it patched them with. */
export interface KeptAuthority extends AuthorityCache {
  patch?: Pick<AuthorityPatch, 'rows' | 'replaced' | 'added'>;
}

/**
 * The last computation's graphs and scores: the kept graphs, and the patch stored since when
 * there is one (its scores are the last computation's). Null when absent, not of the right
 * shape, or when the patch is of other graphs.
 */
export async function loadAuthorityCache(db: BacklinkDb): Promise<KeptAuthority | null> {
  const tx = db.transaction('meta');
  const [graph, stored] = await Promise.all([
    tx.store.get('authority-graph'),
    tx.store.get('authority-graph-patch'),
    tx.done,
  ]);
  const r = asObject(graph);
  const scores = r && scoresOf(r);
  if (
    !r ||
    !scores ||
    typeof r.pageKeys !== 'string' ||
    typeof r.domainKeys !== 'string' ||
    !isInt32Array(r.domainOf) ||
    !isInt32Array(r.offsets) ||
    !isInt32Array(r.targets) ||
    !isCount(r.epoch) ||
    typeof r.fullAt !== 'number'
  ) {
    return null;
  }
  const cache: AuthorityCache = {
    pageKeys: r.pageKeys,
    domainKeys: r.domainKeys,
    domainOf: r.domainOf,
    offsets: r.offsets,
    targets: r.targets,
    ...scores,
    epoch: r.epoch,
    fullAt: r.fullAt,
    // Kept by this version only: without them an update builds the domain graph whole.
    ...(isInt32Array(r.domainOffsets) && isInt32Array(r.domainTargets)
      ? { domainOffsets: r.domainOffsets, domainTargets: r.domainTargets }
      : {}),
    ...(typeof r.savedAt === 'number' ? { savedAt: r.savedAt } : {}),
  };
  if (stored === undefined) return cache;
  const patch = patchOf(stored);
  // A patch that cannot be read, or of other graphs, leaves the last scores unknown.
  if (!patch || patch.base !== cache.savedAt) return null;
  const { base: _base, rows, replaced, added, ...patchScores } = patch;
  return { ...cache, ...patchScores, patch: { rows, replaced, added } };
}

/** The pages noted as changed since the last computation (none when the log is unreadable). */
export async function loadAuthorityChanges(db: BacklinkDb): Promise<AuthorityChanges> {
  return changesOf(await db.get('meta', 'authority-changes'));
}

function changesOf(record: unknown): AuthorityChanges {
  const r = asObject(record);
  if (!r || !isCount(r.seq) || !(r.pages instanceof Map)) {
    // A log that cannot be read says nothing of what changed: read everything next time.
    return record === undefined ? NO_CHANGES : { ...NO_CHANGES, unknown: 0 };
  }
  const pages = new Map<string, number>();
  for (const [url, seq] of r.pages as Map<unknown, unknown>) {
    if (typeof url === 'string' && isCount(seq)) pages.set(url, seq);
  }
  return { seq: r.seq, pages, unknown: isCount(r.unknown) ? r.unknown : null };
}

/**
 * Note that the pages in `urls` were recorded (or, null, that some unknown pages changed:
 * an import), in one short transaction of its own.
 */
export async function noteAuthorityChanges(
  db: BacklinkDb,
  urls: readonly string[] | null,
): Promise<void> {
  const tx = db.transaction('meta', 'readwrite');
  const changes = noteChanges(changesOf(await tx.store.get('authority-changes')), urls);
  await Promise.all([tx.store.put({ id: 'authority-changes', ...changes }), tx.done]);
}

/** The graphs to rank now, how they were come by, and what the walk may start from. */
export interface AuthorityInput {
  plan: AuthorityPlan;
  /**
   * Where the rows came from: built from every record, every row of the graph store, the
   * packed graph with the rows changed since (storage/graph-packed.ts), or a few rows.
   */
  source: 'records' | 'rows' | 'packed' | 'changed-rows';
  graphs: AuthorityGraphs;
  /** The last computation's scores carried over to these graphs, when there was one. */
  warm: { pages?: Float64Array; domains?: Float64Array };
  /**
   * What is stored now for each node, by the ids of these graphs, when the last computation's
   * graphs were there to tell: only the scores that moved are then written.
   */
  stored?: { pages: StoredValues; domains: StoredValues };
  /** Keys whose stored scores are of nodes these graphs no longer have. */
  gone?: { pages: string[]; domains: string[] };
  /** The page graph's keys joined, when they came so (not joined again to be stored). */
  pageKeys?: string;
  /**
   * An incremental update of kept graphs stored whole at `base`: every page patched in since,
   * and the keys the graphs have after the kept ones', for the write to store as the patch.
   */
  patch?: Omit<AuthorityPatch, 'pageScores' | 'domainScores' | 'pageStored' | 'domainStored'>;
  /** The data epoch read before the records: the write checks it. */
  epoch: number;
  /** The change log's number when it was read, and when the graphs were last read whole. */
  settled: number;
  fullAt: number;
  /** Records read (built from records), or rows and the link targets they hold. */
  read: { pages: number; links: number };
  /** Of the time this took, what went into building the graphs rather than reading. */
  buildMs: number;
  /** Built from the records going on from where a stopped build had stored its place. */
  resumedBuild: boolean;
  /** Of the reading time, what a build from the records spent storing the rows it built. */
  putMs: number;
  /** A build from the records: chunks read, and the records their answers held (else 0). */
  built: { chunks: number; entries: number };
}

const targetsIn = (rows: readonly GraphRow[]) => rows.reduce((n, r) => n + r.passes.length, 0);

/**
 * The graphs as the stores hold them now: the last computation's graphs patched with the rows
 * of the pages recorded since when that is possible and cheaper, else every row of the graph
 * store (`full` forces that) as the packed graph and the rows written since it was packed
 * (storage/graph-packed.ts), else, before the rows were ever built (or with `rebuild`), every
 * record. The epoch is read first and the change log before any row, so whatever is recorded
 * meanwhile is either in these graphs or still noted for the next update.
 */
export async function readAuthorityGraphs(
  db: BacklinkDb,
  {
    full = false,
    rebuild = false,
    now = Date.now(),
  }: { full?: boolean; rebuild?: boolean; now?: number } = {},
): Promise<AuthorityInput> {
  const epoch = await loadDataEpoch(db);
  const [changes, cache, built] = await Promise.all([
    loadAuthorityChanges(db),
    loadAuthorityCache(db),
    isGraphBuilt(db),
  ]);
  const clock = { ms: 0 };
  const fromRecords = rebuild || !built;
  // Rows a delta, an import or a pruning marked: redone now, and patched in like recorded pages.
  const fixed = fromRecords ? [] : await fixDirtyRows(db);
  let plan: AuthorityPlan = fromRecords
    ? { mode: 'full', reason: rebuild ? 'requested' : 'no-graph' }
    : planAuthority(withPages(changes, fixed), cache, epoch, now, full);
  let rows: GraphRow[] = [];
  let read: { pages: number; links: number } | null = null;
  let packed: PackedRead | null = null;
  let patched: PatchedGraphs | null = null;
  let merged: { rows: GraphRow[]; replaced: string[] } | null = null;
  if (plan.mode === 'incremental') {
    const { pages } = plan;
    rows = await readRowsOf(db, pages);
    // The kept graphs with every page patched in since they were stored whole, these included.
    // A page whose row is gone keeps no out-links; an alias row read beside its page is redone.
    const all = (merged = mergePatch(cache!.patch, rows, pages));
    patched = timed(clock, () => patchGraphs(cache!, all.rows, all.replaced))();
    // Kept graphs that do not hold together count as absent.
    if (!patched) plan = { mode: 'full', reason: 'no-cache' };
  }
  let resumedBuild = false;
  let putMs = 0;
  let chunks = { chunks: 0, entries: 0 };
  if (fromRecords) {
    const built = await buildGraphRows(db, { clock });
    resumedBuild = built.resumed;
    putMs = built.putMs;
    chunks = { chunks: built.chunks, entries: built.entries };
    read = built.read;
    // Packed as it was built: the graphs come from it as from a full read's.
    const index = timed(clock, () => indexPacked(built.packed))();
    packed = {
      packed: built.packed,
      index,
      repack: false,
      fresh: [],
      via: 'rows',
      rows: 0,
      links: 0,
    };
  } else if (!patched) packed = await readPackedGraph(db, clock);
  if (packed?.repack) {
    // Packing again only spares later reads: a failure (a full disk) leaves the last packed
    // graph and the marks as they were, which read just as right, and the computation goes on.
    await writePackedGraph(db, packed.packed, packed.fresh).catch((error: unknown) => {
      console.error('Backlink Lens could not store the packed authority graph:', error);
    });
  }
  const started = performance.now();
  const graphs = patched ?? graphsFromPacked(packed!.packed, packed!.index);
  // Of the kept graphs, a full computation needs only the keys, to carry scores over by key:
  // the same keys as the packed graph's when nothing changed, so nothing is looked up.
  // After a patch, the last computation's keys are the kept graphs' and the ones it added.
  const priorAdded = cache?.patch?.added;
  const last =
    (patched && {
      pages: priorIndex(patched.base.pages, priorAdded?.pages ?? []),
      domains: priorIndex(patched.base.domains, priorAdded?.domains ?? []),
    }) ||
    (cache && {
      pages:
        packed && cache.pageKeys === packed.packed.urls && !priorAdded?.pages.length
          ? packed.index
          : indexKeys([...splitKeys(cache.pageKeys), ...(priorAdded?.pages ?? [])]),
      domains: indexKeys([...splitKeys(cache.domainKeys), ...(priorAdded?.domains ?? [])]),
    });
  // The last graphs, when still true to the data, say what is stored for each node: ids are
  // the same for every node they had when patched, else found by key.
  const kept = last && cache && cache.epoch === epoch ? { last, cache } : null;
  const pageKeys = patched?.pageKeys ?? packed?.packed.urls;
  const carried = kept && {
    pages: carryStored(graphs.pages, kept.last.pages, kept.cache.pageStored),
    domains: carryStored(graphs.domains, kept.last.domains, kept.cache.domainStored),
  };
  const warm =
    last && cache
      ? {
          pages: carryScores(graphs.pages, last.pages, cache.pageScores),
          domains: carryScores(graphs.domains, last.domains, cache.domainScores),
        }
      : {};
  clock.ms += performance.now() - started;
  return {
    plan,
    source: fromRecords ? 'records' : packed ? packed.via : 'changed-rows',
    graphs,
    warm,
    ...(carried
      ? {
          stored: { pages: carried.pages.stored, domains: carried.domains.stored },
          gone: { pages: carried.pages.gone, domains: carried.domains.gone },
        }
      : {}),
    ...(pageKeys !== undefined ? { pageKeys } : {}),
    ...(patched && merged && cache?.savedAt !== undefined
      ? {
          patch: {
            base: cache.savedAt,
            ...merged,
            added: {
              pages: graphs.pages.keys.slice(patched.base.pages.keys.length),
              domains: graphs.domains.keys.slice(patched.base.domains.keys.length),
            },
          },
        }
      : {}),
    epoch,
    settled: changes.seq,
    fullAt: plan.mode === 'incremental' ? cache!.fullAt : now,
    read:
      read ??
      (packed
        ? { pages: packed.rows, links: packed.links }
        : { pages: rows.length, links: targetsIn(rows) }),
    buildMs: clock.ms,
    resumedBuild,
    putMs,
    built: chunks,
  };
}

/** `changes` with `urls` among the changed pages (rows redone from the records). */
function withPages(changes: AuthorityChanges, urls: readonly string[]): AuthorityChanges {
  if (urls.length === 0) return changes;
  const pages = new Map(changes.pages);
  for (const url of urls) if (!pages.has(url)) pages.set(url, changes.seq);
  return { ...changes, pages };
}

/** What the write of a computation may go on from, and what it tells once it starts. */
export interface AuthorityWriteOptions {
  /** Past this many link targets, an incremental update stores the graphs whole again. */
  patchMaxTargets?: number;
  /** Past this many moved scores, every score is written as a new generation. */
  inPlaceMax?: number;
  /** A write of a generation stopped with the worker (core/authority-job.ts#resumableWrite). */
  resume?: AuthorityWriteStart | null;
  /** Called before the first score of a new generation is put, to store where it stands. */
  started?: (write: AuthorityWriteStart) => Promise<void>;
}

/**
 * Store the scores a computation on `input` ended with, and keep its graphs for the next
 * update. After a patch of few moved scores, those records only, in place, in one short
 * transaction; else every score under a new generation (writeAuthority). An incremental update
 * stores its patch of the kept graphs, not the graphs, unless the patch holds more than
 * `patchMaxTargets` link targets. Null when data was forgotten since `input` was read: nothing
 * is written.
 */
export async function writeAuthorityUpdate(
  db: BacklinkDb,
  input: AuthorityInput,
  ranks: { pages: RankState; domains: RankState },
  computedAt: number,
  {
    patchMaxTargets = AUTHORITY_PATCH_MAX_TARGETS,
    inPlaceMax = AUTHORITY_IN_PLACE_MAX,
    resume,
    started,
  }: AuthorityWriteOptions = {},
): Promise<AuthorityWrite | null> {
  const { graphs, gone } = input;
  /** The records of both graphs, or null when more than `max` would be written. */
  const recordsOf = (before?: AuthorityInput['stored'], max = Infinity) => {
    const pages = authorityRecordsUpTo(
      'page',
      graphs.pages,
      ranks.pages.scores,
      computedAt,
      before?.pages,
      max,
    );
    const domains =
      pages &&
      authorityRecordsUpTo(
        'domain',
        graphs.domains,
        ranks.domains.scores,
        computedAt,
        before?.domains,
        max - pages.records.length,
      );
    return pages && domains ? { pages, domains } : null;
  };
  const goneCount = (gone?.pages.length ?? 0) + (gone?.domains.length ?? 0);
  // In place only over scores stored under a generation (not an earlier version's), and only
  // a few: the popup's read waits for that transaction.
  const stored =
    resume || (await loadAuthorityMeta(db))?.gen === undefined ? undefined : input.stored;
  // The moved records, given up past the bound: every record is then built, once.
  const moved = stored && recordsOf(stored, inPlaceMax - goneCount);
  const inPlace = !!moved;
  const { pages, domains } = moved || recordsOf()!;
  const scores = {
    pageScores: ranks.pages.scores,
    domainScores: ranks.domains.scores,
    pageStored: pages.stored,
    domainStored: domains.stored,
  };
  const kept: KeptGraphs =
    input.patch && targetsIn(input.patch.rows) <= patchMaxTargets
      ? { graphPatch: { ...input.patch, ...scores } }
      : {
          cache: {
            ...storeGraphs(graphs, input.pageKeys),
            epoch: input.epoch,
            fullAt: input.fullAt,
            savedAt: computedAt,
            ...scores,
          },
        };
  const records = [...pages.records, ...domains.records];
  const meta = { computedAt, pages: pages.scale, domains: domains.scale };
  const keep = { ...kept, settled: input.settled };
  if (inPlace) {
    if (!(await patchAuthority(db, records, meta, input.epoch, { ...keep, gone }))) return null;
    return { scores: records.length, gone: goneCount, kept: kept.graphPatch ? 'patch' : 'graphs' };
  }
  const from = resume ? await countGeneration(db, resume.gen) : 0;
  const generation = await writeAuthority(db, records, meta, input.epoch, keep, {
    ...(resume ? { gen: resume.gen, from } : {}),
    started: (gen) =>
      started?.({ gen, computedAt, epoch: input.epoch, graph: graphHash(graphs) }) ??
      Promise.resolve(),
  });
  if (!generation) return null;
  return {
    scores: records.length - from,
    gone: 0,
    kept: kept.graphPatch ? 'patch' : 'graphs',
    generation: { from, ...generation },
  };
}

/** What a computation wrote: counts, for the job's outcome. */
export interface AuthorityWrite {
  /** Score records put, and deleted in place (of nodes gone from the graphs). */
  scores: number;
  gone: number;
  /** Whether the graphs were stored whole, or a patch of the kept graphs beside them. */
  kept: 'graphs' | 'patch';
  /**
   * Written as a new generation (else in place): the records a stopped write had stored
   * already, and the records of other generations deleted after, and in how long.
   */
  generation?: { from: number; swept: number; sweepMs: number };
}

export async function loadAuthorityMeta(db: BacklinkDb): Promise<AuthorityMeta | null> {
  const meta = await db.get('meta', 'authority');
  if (meta?.id !== 'authority') return null;
  const { id: _id, ...rest } = meta;
  return rest;
}

export async function loadAuthorityRun(db: BacklinkDb): Promise<AuthorityRun | null> {
  const run = await db.get('meta', 'authority-run');
  if (run?.id !== 'authority-run') return null;
  const { id: _id, ...rest } = run;
  return rest;
}

export async function saveAuthorityRun(db: BacklinkDb, run: AuthorityRun): Promise<void> {
  await db.put('meta', { id: 'authority-run', ...run });
}

/**
 * The graphs and scores for the next update to patch: stored whole (dropping any patch), or
 * as a patch of the graphs stored whole before.
 */
type KeptGraphs =
  { cache: AuthorityCache; graphPatch?: never } | { graphPatch: AuthorityPatch; cache?: never };

/** What a computation keeps for the next one besides the scores. */
export type AuthorityKeep = KeptGraphs & {
  /** The change log's number when it was read: those notes are taken in. */
  settled: number;
};

/** Scores of generation `gen` stored so far: a stopped write puts its records in order. */
function countGeneration(db: BacklinkDb, gen: number): Promise<number> {
  return db.count('authority-scores', generation(gen));
}

/** After the live generation and any other stored (a write stopped and not gone on with). */
async function nextGeneration(db: BacklinkDb): Promise<number> {
  const tx = db.transaction(['authority-scores', 'meta']);
  const [meta, last] = await Promise.all([
    tx.objectStore('meta').get('authority'),
    tx.objectStore('authority-scores').openKeyCursor(null, 'prev'),
  ]);
  await tx.done;
  const live = meta?.id === 'authority' ? (meta.gen ?? 0) : 0;
  return Math.max(live, last?.key[0] ?? 0) + 1;
}

type AuthorityTx = IDBPTransaction<BacklinkSchema, ('authority-scores' | 'meta')[], 'readwrite'>;

/** Whether data was forgotten since `epoch` (none given: not checked), read in `tx`. */
async function forgottenSince(tx: AuthorityTx, epoch: number | undefined): Promise<boolean> {
  return epoch !== undefined && epochOf(await tx.objectStore('meta').get('data-epoch')) !== epoch;
}

/**
 * Wait for `writes` and the transaction. Contract: a failed request aborts the transaction, so
 * that none of `writes` lands, and its error is thrown once; no rejection is left unhandled.
 */
async function commit(
  tx: { done: Promise<void>; abort: () => void },
  writes: Promise<unknown>[],
): Promise<void> {
  try {
    await Promise.all([...writes, tx.done]);
  } catch (error) {
    // A failed put does not abort by itself: abort, so that no half of the scores lands.
    for (const p of [tx.done, ...writes]) p.catch(() => {});
    try {
      tx.abort();
    } catch {
      // Already aborted.
    }
    throw error;
  }
}

/**
 * The meta records that end a write, in its last transaction: the scale under generation
 * `gen`, the finished run's progress dropped, and with `keep` the graphs and the changes they
 * took in settled, so the graphs always match the scores and the notes still open.
 */
async function finishWrite(
  tx: AuthorityTx,
  meta: AuthorityMeta,
  gen: number,
  keep: AuthorityKeep | undefined,
): Promise<Promise<unknown>[]> {
  const store = tx.objectStore('meta');
  const writes: Promise<unknown>[] = [
    store.put({ id: 'authority', ...meta, gen }),
    store.delete('authority-run'),
  ];
  if (!keep) return writes;
  const changes = changesOf(await store.get('authority-changes'));
  writes.push(
    ...(keep.graphPatch
      ? [store.put({ id: 'authority-graph-patch', ...keep.graphPatch })]
      : [
          store.put({ id: 'authority-graph', ...keep.cache }),
          store.delete('authority-graph-patch'),
        ]),
    store.put({ id: 'authority-changes', ...settleChanges(changes, keep.settled) }),
  );
  return writes;
}

/**
 * Put the scores that moved and delete those of nodes gone, in the live generation, in one
 * transaction with the meta records: the popup sees the old scores or the new, never a mix.
 * False when data was forgotten since `epoch` (or no generation is live): nothing is written.
 */
async function patchAuthority(
  db: BacklinkDb,
  records: readonly AuthorityRecord[],
  meta: AuthorityMeta,
  epoch: number,
  keep: AuthorityKeep & { gone?: AuthorityInput['gone'] },
): Promise<boolean> {
  const tx = db.transaction(['authority-scores', 'meta'], 'readwrite');
  const live = await tx.objectStore('meta').get('authority');
  const gen = live?.id === 'authority' ? live.gen : undefined;
  if (gen === undefined || (await forgottenSince(tx, epoch))) {
    await tx.done;
    return false;
  }
  const store = tx.objectStore('authority-scores');
  const writes: Promise<unknown>[] = records.map((r) => store.put({ gen, ...r }));
  for (const key of keep.gone?.pages ?? []) writes.push(store.delete([gen, 'page', key]));
  for (const key of keep.gone?.domains ?? []) writes.push(store.delete([gen, 'domain', key]));
  writes.push(...(await finishWrite(tx, meta, gen, keep)));
  await commit(tx, writes);
  return true;
}

/**
 * Replace every stored score with `records` and the scale with `meta`: the records are put
 * under a new generation, AUTHORITY_WRITE_CHUNK a transaction (the popup's read of the live
 * one waits for one chunk at most, not for all of them), then one short transaction names it
 * live and drops the finished run's progress (see finishWrite), and the other generations are
 * deleted in chunks. The popup sees the old scores or the new, never a mix. A write stopped
 * with the worker goes on from `from` records of generation `gen`; `started` is told the new
 * generation before its first chunk. False when data was forgotten since `epoch` (checked in
 * every chunk, so no chunk of forgotten URLs is stored after the forgetting): nothing is live.
 */
export async function writeAuthority(
  db: BacklinkDb,
  records: readonly AuthorityRecord[],
  meta: AuthorityMeta,
  epoch?: number,
  keep?: AuthorityKeep,
  {
    gen: going,
    from = 0,
    started,
  }: { gen?: number; from?: number; started?: (gen: number) => Promise<void> } = {},
): Promise<{ swept: number; sweepMs: number } | false> {
  const gen = going ?? (await nextGeneration(db));
  if (going === undefined) await started?.(gen);
  for (let i = from; i < records.length; i += AUTHORITY_WRITE_CHUNK) {
    const tx = db.transaction(['authority-scores', 'meta'], 'readwrite');
    const forgotten = forgottenSince(tx, epoch);
    const store = tx.objectStore('authority-scores');
    const writes = records.slice(i, i + AUTHORITY_WRITE_CHUNK).map((r) => store.put({ gen, ...r }));
    if (await forgotten.catch(() => true)) {
      for (const p of [tx.done, ...writes]) p.catch(() => {});
      tx.abort();
      return false;
    }
    await commit(tx, writes);
  }
  const tx = db.transaction(['authority-scores', 'meta'], 'readwrite');
  if (await forgottenSince(tx, epoch)) {
    await tx.done;
    return false;
  }
  await commit(tx, await finishWrite(tx, meta, gen, keep));
  const sweeping = performance.now();
  const swept = await sweepAuthority(db);
  return { swept, sweepMs: performance.now() - sweeping };
}

/**
 * Keys deleted per transaction when the other generations go: a range of keys is one request,
 * far cheaper than as many puts, so the chunk is larger than a write's.
 */
export const AUTHORITY_SWEEP_CHUNK = 5_000;

/**
 * Delete every score not of the live generation (the last one, a stopped write's, the store
 * from before generations), AUTHORITY_SWEEP_CHUNK keys a transaction so that the popup's read
 * waits for one chunk at most. Nothing while no generation is live. Returns the count deleted.
 */
export async function sweepAuthority(db: BacklinkDb): Promise<number> {
  const gen = (await loadAuthorityMeta(db))?.gen;
  if (gen === undefined) return 0;
  let deleted = 0;
  const sweep = async (
    name: 'authority' | 'authority-scores',
    range: IDBKeyRange | null,
  ): Promise<void> => {
    for (;;) {
      const tx = db.transaction(name, 'readwrite');
      const keys: IDBValidKey[] = await tx.store.getAllKeys(range, AUTHORITY_SWEEP_CHUNK);
      const writes =
        keys.length > 0 ? [tx.store.delete(IDBKeyRange.bound(keys[0], keys[keys.length - 1]))] : [];
      await commit(tx, writes);
      deleted += keys.length;
      if (keys.length < AUTHORITY_SWEEP_CHUNK) return;
    }
  };
  await sweep('authority', null);
  await sweep('authority-scores', IDBKeyRange.upperBound([gen], true));
  await sweep('authority-scores', IDBKeyRange.lowerBound([gen + 1]));
  return deleted;
}

export { loadDataEpoch };

type ForgetStores = ['authority', 'authority-scores', 'meta'];

/** Count one more forgetting, so that a computation that read the old data writes nothing. */
async function nextEpoch(meta: IDBPObjectStore<BacklinkSchema, ForgetStores, 'meta', 'readwrite'>) {
  return { id: 'data-epoch' as const, epoch: epochOf(await meta.get('data-epoch')) + 1 };
}

/** Forget every score of every generation and the run in progress (all data cleared). */
export async function clearAuthority(db: BacklinkDb): Promise<void> {
  const tx = db.transaction(['authority', 'authority-scores', 'meta'], 'readwrite');
  const meta = tx.objectStore('meta');
  const epoch = await nextEpoch(meta);
  await Promise.all([
    tx.objectStore('authority').clear(),
    tx.objectStore('authority-scores').clear(),
    meta.clear(),
    meta.put(epoch),
    tx.done,
  ]);
}

/**
 * Delete the scores of the pages whose URL `matches` (a forgotten site), and of a domain that
 * lies wholly inside it, in every generation (a write under way included), reading keys only.
 */
export async function forgetAuthority(
  db: BacklinkDb,
  matches: (url: string) => boolean,
): Promise<void> {
  const tx = db.transaction(['authority', 'authority-scores', 'meta'], 'readwrite');
  const meta = tx.objectStore('meta');
  void meta.put(await nextEpoch(meta)).catch(() => {}); // a failure aborts: tx.done reports it
  // The kept graphs and the change log name the site's pages too; the next update reads all.
  void meta.delete('authority-graph').catch(() => {});
  void meta.delete('authority-graph-patch').catch(() => {});
  void meta.delete('authority-changes').catch(() => {});
  const forgotten = (kind: AuthorityKind, key: string) =>
    matches(kind === 'page' ? key : `https://${key}/`);
  const legacy = tx.objectStore('authority');
  for (let cursor = await legacy.openKeyCursor(); cursor; cursor = await cursor.continue()) {
    // A failed delete aborts the transaction, and tx.done reports it.
    if (forgotten(...cursor.key)) legacy.delete(cursor.key).catch(() => {});
  }
  const scores = tx.objectStore('authority-scores');
  for (let cursor = await scores.openKeyCursor(); cursor; cursor = await cursor.continue()) {
    const [, kind, key] = cursor.key;
    if (forgotten(kind, key)) scores.delete(cursor.key).catch(() => {});
  }
  await tx.done;
}
