/**
 * The graph store's rows as a full computation reads them: one packed record in `meta`
 * (core/authority-packed.ts), plus the rows written since it was packed. The write paths never
 * touch the packed record; every row they write carries a fresh mark (in the by_fresh index),
 * a dirty mark, or is deleted. So, invariant: a row without a mark is in the packed record as
 * it is in the store. A full read is then the packed record, the marked rows, and a count of
 * the store, which tells whether rows of the packed record were deleted (a site forgotten,
 * pages pruned, all cleared); only then are the store's keys read, to find which.
 */
import {
  indexPacked,
  isPackedRows,
  mergePacked,
  packedRowCount,
  packedRowUrls,
  packRows,
  rowsAmong,
  type PackedIndex,
  type PackedRows,
} from '../core/authority-packed';
import { isDirtyRow, sameRow, type GraphRow } from '../core/authority-rows';
import type { BacklinkDb } from './db';
import { fixRows, readGraphRows, timed } from './graph';

/**
 * The packed record is written again when at least this many rows changed since, or this
 * share of all rows: rewriting ten megabytes for one recorded page would cost more than reading
 * its row each time until then.
 */
export const REPACK_MIN_ROWS = 500;
export const REPACK_SHARE = 0.01;

/** Every row as the store holds it now, and what packing it again would take. */
export interface PackedRead {
  packed: PackedRows;
  /** Its node keys (and URL → id, made when first asked). */
  index: PackedIndex;
  /** Whether to store `packed` (see writePackedGraph), and the marked rows it took in. */
  repack: boolean;
  fresh: GraphRow[];
  /** How it was read: the packed record and the rows changed since, or every row. */
  via: 'packed' | 'rows';
  /** Rows, and the targets they hold. */
  rows: number;
  links: number;
}

/**
 * Every row of the graph store, packed, dirty ones worked out from the records. `clock` gathers
 * the time spent packing rather than reading.
 */
export async function readPackedGraph(db: BacklinkDb, clock = { ms: 0 }): Promise<PackedRead> {
  const tx = db.transaction(['graph', 'meta']);
  const graph = tx.objectStore('graph');
  // One transaction: the count and the marked rows describe the same moment.
  const [stored, marked, dirty, count] = await Promise.all([
    tx.objectStore('meta').get('graph-packed'),
    graph.index('by_fresh').getAll(),
    graph.index('by_dirty').getAllKeys(),
    graph.count(),
    tx.done,
  ]);
  const fresh = marked.filter((entry): entry is GraphRow => !isDirtyRow(entry));
  const base = isPackedRows(stored) ? stored : null;
  const index = base && timed(clock, () => indexPacked(base))();
  // Rows without a mark, each in the packed record (the invariant) unless rows were deleted.
  const unmarked = count - fresh.length - dirty.length;
  const expected =
    base && index
      ? packedRowCount(base) - rowsAmong(base, index, [...fresh.map((r) => r.url), ...dirty])
      : 0;
  if (!base || !index || unmarked > expected) {
    // Nothing packed yet (rows of an earlier version, or a record that does not hold together):
    // read every row, once.
    const rows = await readGraphRows(db);
    const packed = timed(clock, () => packRows(rows))();
    const marks = rows.filter((row) => row.fresh);
    const packedIndex = timed(clock, () => indexPacked(packed))();
    return {
      packed,
      index: packedIndex,
      repack: true,
      fresh: marks,
      via: 'rows',
      ...sizeOf(packed),
    };
  }
  const fixed = dirty.length > 0 ? await fixRows(db, dirty) : [];
  const stillThere = new Set(fixed.map((row) => row.url));
  const removed = dirty.filter((url) => !stillThere.has(url));
  if (unmarked < expected) {
    // Rows of the packed record are gone: the keys say which (a row deleted and written again
    // since is marked, and taken in as such).
    const keys = new Set(await db.getAllKeys('graph'));
    for (const url of packedRowUrls(base, index)) if (!keys.has(url)) removed.push(url);
  }
  const changed = [...fresh, ...fixed];
  const packed = timed(clock, () => mergePacked(base, changed, removed, index))();
  const changes = changed.length + removed.length;
  const repack =
    unmarked < expected ||
    changes >= Math.max(REPACK_MIN_ROWS, REPACK_SHARE * packedRowCount(packed));
  const packedIndex = packed === base ? index : timed(clock, () => indexPacked(packed))();
  return { packed, index: packedIndex, repack, fresh: changed, via: 'packed', ...sizeOf(packed) };
}

const sizeOf = (packed: PackedRows) => ({
  rows: packedRowCount(packed),
  links: packed.targets.length,
});

/**
 * Store `packed`, and take the fresh mark off each row of `fresh` (the marked rows it took in)
 * still stored as it was read, in one transaction: a row written again since keeps its mark,
 * so the next read takes the newer row in.
 */
export async function writePackedGraph(
  db: BacklinkDb,
  packed: PackedRows,
  fresh: readonly GraphRow[],
): Promise<void> {
  const tx = db.transaction(['graph', 'meta'], 'readwrite');
  const graph = tx.objectStore('graph');
  const now = await Promise.all(fresh.map((row) => graph.get(row.url)));
  const writes: Promise<unknown>[] = [
    tx.objectStore('meta').put({ id: 'graph-packed', ...packed }),
  ];
  fresh.forEach((row, i) => {
    const entry = now[i];
    if (!entry || isDirtyRow(entry) || !entry.fresh || !sameRow(entry, row)) return;
    const { fresh: _mark, ...unmarked } = entry;
    writes.push(graph.put(unmarked));
  });
  await Promise.all([...writes, tx.done]);
}
