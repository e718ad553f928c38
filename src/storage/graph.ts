/**
 * The graph store: authority's input kept as one row per page (core/authority-rows.ts), so
 * that a computation reads 100,000 small rows rather than a million link records, the read
 * that was all of its time. Every write of links keeps it, in its own transaction: recording
 * writes the page's row; a delta, an import, a forgotten site or a pruned page marks its rows
 * dirty, and the job works those out from the records before it reads. The first computation
 * after the upgrade builds every row from the records, once.
 */
import type { StoreValue } from 'idb';
import type { AuthorityLink } from '../core/authority';
import {
  graphRowOf,
  GraphRowCollector,
  isDirtyRow,
  type GraphEntry,
  type GraphRow,
} from '../core/authority-rows';
import { linkKey, type LinkRecord, type PageRecord } from '../core/types';
import type { BacklinkDb, BacklinkSchema } from './db';
import { epochOf, loadDataEpoch } from './epoch';
import { getAllLinks } from './link-keys';
import { packRows } from '../core/authority-packed';

/** Rows read per transaction: each is small, so one read of 10,000 is a few megabytes. */
export const GRAPH_READ_BATCH = 10_000;
/** Dirty rows worked out per read-write transaction (each a keyed read of its links). */
export const GRAPH_FIX_BATCH = 500;
/** Rows put per transaction while building from the records: recording waits for none long. */
export const GRAPH_WRITE_BATCH = 5_000;

/** What a write transaction over the graph store needs of it. */
interface GraphStore {
  put(entry: GraphEntry): Promise<unknown>;
}

/**
 * In the recording transaction: the page's row from its new record and its links as the write
 * leaves them (`before`, with `after` in their place). The canonical URL it declares is marked
 * dirty, since recording may have written an alias record there.
 */
export function putGraphRow(
  store: GraphStore,
  page: PageRecord,
  before: readonly LinkRecord[],
  after: readonly LinkRecord[],
): Promise<unknown> {
  const links = new Map(before.map((l) => [linkKey(l), l]));
  for (const link of after) links.set(linkKey(link), link);
  const puts = [store.put({ ...graphRowOf(page.url, page, links.values())!, fresh: 1 })];
  if (page.canonical && page.canonical !== page.url) {
    puts.push(store.put({ url: page.canonical, dirty: 1 }));
  }
  return Promise.all(puts);
}

/** In a write transaction that changed these pages' records or links: their rows are redone. */
export function markGraphDirty(store: GraphStore, urls: Iterable<string>): Promise<unknown> {
  return Promise.all([...new Set(urls)].map((url) => store.put({ url, dirty: 1 })));
}

/**
 * In a write transaction that deleted these pages with every link on them: their rows go too.
 * A delete, not a mark, since pruning for room must not need room.
 */
export function deleteGraphRows(
  store: { delete(url: string): Promise<unknown> },
  urls: Iterable<string>,
): Promise<unknown> {
  return Promise.all([...urls].map((url) => store.delete(url)));
}

/** Whether every stored page has its row (or a dirty mark): the rows were built once. */
export async function isGraphBuilt(db: BacklinkDb): Promise<boolean> {
  const state = await db.get('meta', 'graph-state');
  return state?.id === 'graph-state' && state.built;
}

/**
 * The rows of `urls` worked out from their records and stored, in read-write transactions
 * over the records and the rows, so no recording lands between the read and the put. Returns
 * the rows still there (a URL with neither page nor links has its row deleted).
 */
export async function fixRows(
  db: BacklinkDb,
  urls: readonly string[],
  batch = GRAPH_FIX_BATCH,
): Promise<GraphRow[]> {
  const rows: GraphRow[] = [];
  for (let i = 0; i < urls.length; i += batch) {
    const part = urls.slice(i, i + batch);
    const tx = db.transaction(['pages', 'links', 'links-v1', 'graph'], 'readwrite');
    const graph = tx.objectStore('graph');
    const read = await Promise.all(
      part.map((url) =>
        Promise.all([tx.objectStore('pages').get(url), getAllLinks(tx, 'by_source', url)]),
      ),
    );
    const writes = part.map((url, j) => {
      const built = graphRowOf(url, read[j]![0], read[j]![1]);
      const row = built && { ...built, fresh: 1 as const };
      if (row) rows.push(row);
      return row ? graph.put(row) : graph.delete(url);
    });
    await Promise.all([...writes, tx.done]);
  }
  return rows;
}

/** Every dirty row worked out from the records; returns their URLs. */
export async function fixDirtyRows(db: BacklinkDb): Promise<string[]> {
  const urls = await db.getAllKeysFromIndex('graph', 'by_dirty');
  await fixRows(db, urls);
  return urls;
}

/**
 * Every record of `store` in key order, `batch` at a time, each batch in its own short
 * transaction: one long read of a million links would hold back every recording until it
 * ends (a read-write transaction waits for earlier read-only ones on its stores). The next
 * batch starts after the last key of this one, found by a key cursor that skips ahead without
 * decoding a value: the key is never rebuilt from a record, whatever shape the store gives it.
 */
export async function readInBatches<S extends 'pages' | 'links' | 'links-v1' | 'graph'>(
  db: BacklinkDb,
  store: S,
  batch: number,
  onBatch: (records: StoreValue<BacklinkSchema, S>[]) => void,
): Promise<number> {
  let range: IDBKeyRange | null = null;
  let read = 0;
  for (;;) {
    const tx = db.transaction(store);
    const [records, last] = await Promise.all([
      tx.store.getAll(range, batch),
      tx.store.openKeyCursor(range).then((c) => (c && batch > 1 ? c.advance(batch - 1) : c)),
    ]);
    if (records.length > 0) onBatch(records);
    read += records.length;
    if (records.length < batch || !last) return read;
    range = IDBKeyRange.lowerBound(last.key, true);
  }
}

/** Time spent in `work`, added to `clock.ms`: the building inside a read, told apart. */
export function timed<A extends unknown[], R>(clock: { ms: number }, work: (...args: A) => R) {
  return (...args: A): R => {
    const started = performance.now();
    try {
      return work(...args);
    } finally {
      clock.ms += performance.now() - started;
    }
  };
}

/** What takes the records in: the graph builder (a build from records), or the row collector. */
export interface AuthoritySink {
  addPage(page: PageRecord): unknown;
  addLink(link: AuthorityLink): unknown;
}

/**
 * Feed every stored page and link to `sink`; returns how many of each were read. `clock`
 * gathers the time spent feeding the sink, apart from the reading. The one place the job
 * reads the links store in full: links come as LinkRecord values, whatever the store's key.
 */
export async function readAuthorityInput(
  db: BacklinkDb,
  sink: AuthoritySink,
  batch = GRAPH_READ_BATCH,
  clock = { ms: 0 },
): Promise<{ pages: number; links: number }> {
  const pages = await readInBatches(
    db,
    'pages',
    batch,
    timed(clock, (records: PageRecord[]) => {
      for (const page of records) sink.addPage(page);
    }),
  );
  // Both link stores (storage/link-keys.ts), the old one first: a link the worker moves while
  // this reads may come twice (the same edge again), never not at all.
  const addLinks = timed(clock, (records: AuthorityLink[]) => {
    for (const link of records) sink.addLink(link);
  });
  const links =
    (await readInBatches(db, 'links-v1', batch, addLinks)) +
    (await readInBatches(db, 'links', batch, addLinks));
  return { pages, links };
}

/**
 * Build every row from the records and store them: the first computation after the upgrade
 * (or after all data was cleared). The store is emptied first; from then on the write paths
 * keep the rows of what they write, so a row found stored when these are put is newer than
 * the records read here, and stays. Marked built only if nothing was forgotten meanwhile
 * (a forgotten page's row could otherwise come back). Returns the rows, for this computation.
 */
export async function buildGraphRows(
  db: BacklinkDb,
  batch = GRAPH_READ_BATCH,
  clock = { ms: 0 },
): Promise<{ rows: GraphRow[]; read: { pages: number; links: number } }> {
  const epoch = await loadDataEpoch(db);
  // Built again from nothing: neither a packed graph nor a mark of being built stays behind, so
  // a build stopped part-way is done again by the next computation.
  const start = db.transaction(['graph', 'meta'], 'readwrite');
  await Promise.all([
    start.objectStore('graph').clear(),
    start.objectStore('meta').delete('graph-packed'),
    start.objectStore('meta').delete('graph-state'),
    start.done,
  ]);
  const collector = new GraphRowCollector();
  const read = await readAuthorityInput(db, collector, batch, clock);
  const rows = timed(clock, () => collector.rows())();
  for (let i = 0; i < rows.length; i += GRAPH_WRITE_BATCH) {
    const part = rows.slice(i, i + GRAPH_WRITE_BATCH);
    const tx = db.transaction('graph', 'readwrite');
    const range = IDBKeyRange.bound(part[0]!.url, part[part.length - 1]!.url);
    const stored = new Set(await tx.store.getAllKeys(range));
    const puts = part.filter((row) => !stored.has(row.url)).map((row) => tx.store.put(row));
    await Promise.all([...puts, tx.done]);
  }
  // The rows just put, packed: they carry no fresh mark, and one a recording put meanwhile does.
  const packed = timed(clock, () => packRows(rows))();
  const tx = db.transaction('meta', 'readwrite');
  if (epochOf(await tx.store.get('data-epoch')) === epoch) {
    await Promise.all([
      tx.store.put({ id: 'graph-state', built: true }),
      tx.store.put({ id: 'graph-packed', ...packed }),
    ]);
  }
  await tx.done;
  return { rows, read };
}

/**
 * Every row, `batch` at a time in short transactions, dirty ones worked out from the records
 * (a page recorded since the job fixed them).
 */
export async function readGraphRows(db: BacklinkDb, batch = GRAPH_READ_BATCH): Promise<GraphRow[]> {
  const rows: GraphRow[] = [];
  const dirty: string[] = [];
  await readInBatches(db, 'graph', batch, (entries) => {
    for (const entry of entries) {
      if (isDirtyRow(entry)) dirty.push(entry.url);
      else rows.push(entry);
    }
  });
  return dirty.length > 0 ? [...rows, ...(await fixRows(db, dirty))] : rows;
}

/**
 * The rows of `urls` and of the canonical URLs they declare (recording writes an alias record
 * there), dirty ones worked out from the records: what an incremental update patches in.
 */
export async function readRowsOf(db: BacklinkDb, urls: readonly string[]): Promise<GraphRow[]> {
  const read = async (keys: readonly string[]) => {
    const tx = db.transaction('graph');
    const entries = await Promise.all(keys.map((url) => tx.store.get(url)));
    await tx.done;
    const dirty = keys.filter((_, i) => entries[i] && isDirtyRow(entries[i]));
    const rows = entries.filter((e): e is GraphRow => !!e && !isDirtyRow(e));
    return dirty.length > 0 ? [...rows, ...(await fixRows(db, dirty))] : rows;
  };
  const rows = await read(urls);
  const asked = new Set(urls);
  const aliases = rows.flatMap((r) =>
    r.canonical && !asked.has(r.canonical) ? [r.canonical] : [],
  );
  return aliases.length > 0 ? [...rows, ...(await read([...new Set(aliases)]))] : rows;
}
