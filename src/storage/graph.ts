/**
 * The graph store: authority's input kept as one row per page (core/authority-rows.ts), so
 * that a computation reads 100,000 small rows rather than a million link records, the read
 * that was all of its time. Every write of links keeps it, in its own transaction: recording
 * writes the page's row; a delta, an import, a forgotten site or a pruned page marks its rows
 * dirty, and the job works those out from the records before it reads. The first computation
 * after the upgrade builds every row from the records, once.
 */
import { unwrap, type StoreValue } from 'idb';
import type { AuthorityLink } from '../core/authority';
import {
  graphRowOf,
  GraphRowCollector,
  isDirtyRow,
  sameRow,
  type GraphEntry,
  type GraphRow,
} from '../core/authority-rows';
import { linkKey, type LinkRecord, type PageRecord } from '../core/types';
import type { BacklinkDb, BacklinkSchema } from './db';
import { epochOf, loadDataEpoch } from './epoch';
import { getAllLinks, LINK_STORES, oldStoreDrained, settle, storesOf } from './link-keys';
import { packRows, type PackedRows } from '../core/authority-packed';
import { nextChunkSize, type ChunkSizing } from '../core/chunk-size';

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
 * dirty, since recording may have written an alias record there. `stored`: the page's entry as
 * the transaction read it; a row that holds the same already is not put again. A revisit of an
 * unchanged page then writes no row (30 kB of a 500-link page's 220 kB) and leaves it unmarked,
 * in the packed graph as it is (graph-packed.ts), so the job has nothing of it to take in.
 */
export function putGraphRow(
  store: GraphStore,
  page: PageRecord,
  before: readonly LinkRecord[],
  after: readonly LinkRecord[],
  stored?: GraphEntry,
): Promise<unknown> {
  const links = new Map(before.map((l) => [linkKey(l), l]));
  for (const link of after) links.set(linkKey(link), link);
  const row = graphRowOf(page.url, page, links.values())!;
  const puts =
    stored && !isDirtyRow(stored) && sameRow(stored, row) ? [] : [store.put({ ...row, fresh: 1 })];
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
 * With `upTo` (a string-keyed store), only the records keyed up to it.
 */
export async function readInBatches<S extends 'pages' | 'links' | 'links-v1' | 'graph'>(
  db: BacklinkDb,
  store: S,
  batch: number,
  onBatch: (records: StoreValue<BacklinkSchema, S>[]) => void,
  upTo?: string,
): Promise<number> {
  let range: IDBKeyRange | null = upTo === undefined ? null : IDBKeyRange.upperBound(upTo);
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
    range =
      upTo === undefined
        ? IDBKeyRange.lowerBound(last.key, true)
        : IDBKeyRange.bound(last.key, upTo, true);
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

/** A chunk of the first build: about this many links, and their pages (as many at most). */
export const GRAPH_BUILD_SIZING: ChunkSizing = {
  first: 2_000,
  min: 1_000,
  max: 20_000,
  // A chunk's reads are read-only and its puts take the graph store only, so the popup's reads
  // never wait for them; a recording does (and a popup's read queued behind it): as long as a
  // link move's chunk at most. Not fewer than a thousand links: on a loaded machine (load 30 on
  // 2 cores) a chunk costs about a tenth of a second whatever it holds, and at 200 to 350 links
  // a chunk the build's read was 1.2-1.8x a bare read of the same records (s13, 4 runs).
  targetMs: 300,
};

/** Give the event loop a turn between chunks: a macrotask, so messages get answered. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** How a build from the records goes: for tests and the benchmark; every field has a default. */
export interface GraphBuildOptions {
  clock?: { ms: number };
  /** Called between chunks; a stopped worker is a pause that never returns. */
  pause?: () => Promise<void>;
  sizing?: ChunkSizing;
}

/** What a build from the records gives the computation that ran it. */
export interface GraphBuild {
  /** Every row, in URL order, as put (a row a write path put meanwhile is stored instead). */
  rows: GraphRow[];
  packed: PackedRows;
  /** Records read by this call; a resumed build read the rows put before the stop instead. */
  read: { pages: number; links: number };
  /** Whether it went on from the place a stopped build had stored. */
  resumed: boolean;
  /**
   * Of the time it took, storing the rows and the place (the chunks' write transactions, each
   * beside the next chunk's read).
   */
  putMs: number;
  /** Chunks read, and the records their reads' answers held (a cut URL's twice). */
  chunks: number;
  entries: number;
}

/** A chunk of the first build: its records, and where the next one starts after. */
interface BuildChunk {
  /** Its last URL: it covers (after, end]. */
  end: string;
  pages: PageRecord[];
  links: LinkRecord[];
  /** Records the read's answers held, those left for the next chunk included. */
  entries: number;
}

/** The smallest of `keys`, or null when there is none. */
const least = (keys: readonly string[]): string | null =>
  keys.length === 0 ? null : keys.reduce((a, b) => (b < a ? b : a));

/**
 * The records of the next chunk after `after` (null: from the start), in one read-only
 * transaction of two rounds: up to `links` links by source from each link store, then the pages
 * up to the last of those sources, as many at most. A list that came back full may have
 * stopped inside its last URL's records, so the chunk ends before the first such URL (`cut`),
 * which the next chunk reads again: each row is whole, and no key cursor walks the index to
 * find the end first (two rounds and two requests a chunk fewer). One URL with more links than
 * that alone is read whole, in a third round. Null when nothing is left.
 */
async function readBuildChunk(
  db: BacklinkDb,
  after: string | null,
  links: number,
): Promise<BuildChunk | null> {
  const tx = db.transaction(['pages', ...LINK_STORES]);
  const from = after === null ? null : IDBKeyRange.lowerBound(after, true);
  const [fresh, old] = storesOf(tx);
  // The old store while this connection has not seen it empty (link-keys.ts).
  const stores = oldStoreDrained(db) ? [fresh] : [fresh, old];
  const lists = await Promise.all(
    stores.map((s) => settle(s.index('by_source').getAll(from, links) as IDBRequest<LinkRecord[]>)),
  );
  const linkCut = least(
    lists.flatMap((l) => (l.length === links ? [l[l.length - 1]!.source] : [])),
  );
  const upTo =
    linkCut === null
      ? from
      : after === null
        ? IDBKeyRange.upperBound(linkCut)
        : IDBKeyRange.bound(after, linkCut, true);
  let pages = await tx.objectStore('pages').getAll(upTo, links);
  const pageCut = pages.length === links ? pages[pages.length - 1]!.url : null;
  const cut = least([linkCut, pageCut].filter((k): k is string => k !== null));
  let stored = lists.flat();
  let entries = pages.length + stored.length;
  if (cut !== null) {
    pages = pages.filter((p) => p.url < cut);
    stored = stored.filter((l) => l.source < cut);
    if (pages.length === 0 && stored.length === 0) {
      // The chunk's first URL alone holds more than a chunk: all of its records.
      const only = IDBKeyRange.only(cut);
      [pages, stored] = await Promise.all([
        tx.objectStore('pages').getAll(only),
        getAllLinks(tx, 'by_source', only),
      ]);
      entries += pages.length + stored.length;
    }
  }
  await tx.done;
  if (pages.length === 0 && stored.length === 0) return null;
  // The chunk's last URL, where the next one starts after.
  const end = [...pages.map((p) => p.url), ...stored.map((l) => l.source)].reduce((a, b) =>
    b > a ? b : a,
  );
  return { end, pages, links: stored, entries };
}

/**
 * Put a chunk's rows and the place reached (`after` to `end`), in one read-write transaction
 * of one round: the rows are added, not put, and a row already stored (written by a recording
 * since the build cleared the store, so newer than the records read) stays, its add's error
 * handled. The place and the epoch are read in the same round; if the data was forgotten or
 * the place moved meanwhile, the transaction is aborted and nothing lands: false.
 */
async function putChunk(
  db: BacklinkDb,
  rows: readonly GraphRow[],
  place: { epoch: number; after: string | null; end: string },
): Promise<boolean> {
  const tx = db.transaction(['graph', 'meta'], 'readwrite');
  const raw = unwrap(tx) as unknown as IDBTransaction;
  const graph = raw.objectStore('graph');
  for (const row of rows) {
    const add = graph.add(row);
    add.onerror = (event) => {
      if (add.error?.name !== 'ConstraintError') return;
      // Kept: not the transaction's failure (nor, bubbling up, idb's tx.done).
      event.preventDefault();
      event.stopPropagation();
    };
  }
  const meta = tx.objectStore('meta');
  const done = tx.done;
  done.catch(() => {}); // reported by the await below, or aborted here on purpose
  const [now, stored] = await Promise.all([
    meta.get('data-epoch'),
    meta.get('graph-build'),
    meta.put({ id: 'graph-build', epoch: place.epoch, after: place.end }),
  ]);
  if (
    epochOf(now) !== place.epoch ||
    stored?.id !== 'graph-build' ||
    stored.after !== place.after
  ) {
    tx.abort();
    return false;
  }
  await done;
  return true;
}

/**
 * Build every row from the records and store them: the first computation after the upgrade
 * (or after all data was cleared). The store is emptied first, then filled chunk by chunk in
 * URL order, each chunk read in a short read-only transaction and put in a short one of its
 * own with the place reached (meta 'graph-build') while the next chunk is read, with a turn of
 * the event loop between: a worker stopped part-way loses one chunk at most, and the next
 * computation goes on from the place stored (reading back the rows put before, for the packed
 * record). From the clearing on,
 * the write paths keep the rows of what they write, so a row found stored when a chunk's are put
 * is newer than the records read, and stays. Data forgotten meanwhile (the epoch moved) starts
 * the build again, and it is marked built only if nothing was forgotten since its last chunk
 * (a forgotten page's row could otherwise come back). Returns the rows, for this computation.
 */
export async function buildGraphRows(
  db: BacklinkDb,
  { clock = { ms: 0 }, pause = nextTask, sizing = GRAPH_BUILD_SIZING }: GraphBuildOptions = {},
  attempts = 3,
): Promise<GraphBuild> {
  const epoch = await loadDataEpoch(db);
  const stored = await db.get('meta', 'graph-build');
  const resumeAt = stored?.id === 'graph-build' && stored.epoch === epoch ? stored.after : null;
  const resumed = stored?.id === 'graph-build' && stored.epoch === epoch;
  if (!resumed) {
    // Built again from nothing: neither a packed graph nor a mark of being built stays behind.
    const start = db.transaction(['graph', 'meta'], 'readwrite');
    await Promise.all([
      start.objectStore('graph').clear(),
      start.objectStore('meta').delete('graph-packed'),
      start.objectStore('meta').delete('graph-state'),
      start.objectStore('meta').put({ id: 'graph-build', epoch, after: null }),
      start.done,
    ]);
  }
  // The rows put before a stop, read back (dirty marks aside: the next read redoes them).
  const rows: GraphRow[] = [];
  if (resumeAt !== null) {
    await readInBatches(
      db,
      'graph',
      GRAPH_READ_BATCH,
      (entries) => {
        for (const entry of entries) if (!isDirtyRow(entry)) rows.push(entry);
      },
      resumeAt,
    );
  }
  const read = { pages: 0, links: 0 };
  let putMs = 0;
  let chunks = 0;
  let entries = 0;
  let after = resumeAt;
  let size = sizing.first;
  let next = readBuildChunk(db, after, size);
  let lastDone = performance.now();
  for (;;) {
    const chunk = await next;
    if (!chunk) break;
    chunks++;
    entries += chunk.entries;
    // The next chunk is read while this one's rows are built and put: the scopes do not
    // overlap (records, then graph and meta), so neither waits for the other.
    next = readBuildChunk(db, chunk.end, size);
    // Stopped or started again before it is awaited, its failure is nobody's.
    next.catch(() => {});
    const built = timed(clock, () => {
      const collector = new GraphRowCollector();
      for (const page of chunk.pages) collector.addPage(page);
      for (const link of chunk.links) collector.addLink(link);
      return collector.rows();
    })();
    const putting = performance.now();
    if (!(await putChunk(db, built, { epoch, after, end: chunk.end }))) {
      // Data forgotten (or everything cleared) since the build began: begin again.
      if (attempts <= 1) throw new Error('stored data kept changing while the graph was built');
      await db.delete('meta', 'graph-build');
      return buildGraphRows(db, { clock, pause, sizing }, attempts - 1);
    }
    putMs += performance.now() - putting;
    for (const row of built) rows.push(row);
    read.pages += chunk.pages.length;
    read.links += chunk.links.length;
    after = chunk.end;
    // Sized by the time from one chunk stored to the next: the read beside the put included.
    size = nextChunkSize(size, performance.now() - lastDone, sizing);
    await pause();
    lastDone = performance.now();
  }
  // The rows just put, packed: they carry no fresh mark, and one a recording put meanwhile does.
  const packed = timed(clock, () => packRows(rows))();
  const tx = db.transaction('meta', 'readwrite');
  if (epochOf(await tx.store.get('data-epoch')) === epoch) {
    await Promise.all([
      tx.store.put({ id: 'graph-state', built: true }),
      tx.store.put({ id: 'graph-packed', ...packed }),
      tx.store.delete('graph-build'),
    ]);
  }
  await tx.done;
  return { rows, packed, read, resumed, putMs, chunks, entries };
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
