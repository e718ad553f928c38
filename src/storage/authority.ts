/**
 * What the background authority job reads and writes: the graph's input in batches, its
 * unfinished progress, and the finished scores. The popup reads scores through queries.ts.
 */
import type { IDBPObjectStore, StoreValue } from 'idb';
import type { AuthorityGraphBuilder } from '../core/authority';
import type { AuthorityMeta, AuthorityRun } from '../core/authority-job';
import type { AuthorityRecord } from '../core/types';
import type { BacklinkDb, BacklinkSchema } from './db';
import { epochOf, loadDataEpoch } from './epoch';

/** Records read per transaction while building the graph. */
export const AUTHORITY_READ_BATCH = 2_000;
/** Scores put per turn of the event loop while storing them. */
export const AUTHORITY_WRITE_CHUNK = 500;

/**
 * Every record of `store` in key order, `batch` at a time, each batch in its own short
 * transaction: one long read of a million links would hold back every recording until it
 * ends (a read-write transaction waits for earlier read-only ones on its stores).
 */
async function readInBatches<S extends 'pages' | 'links'>(
  db: BacklinkDb,
  store: S,
  keyOf: (record: StoreValue<BacklinkSchema, S>) => IDBValidKey,
  batch: number,
  onBatch: (records: StoreValue<BacklinkSchema, S>[]) => void,
): Promise<number> {
  let range: IDBKeyRange | null = null;
  let read = 0;
  for (;;) {
    const records = await db.transaction(store).store.getAll(range, batch);
    if (records.length > 0) onBatch(records);
    read += records.length;
    if (records.length < batch) return read;
    // The key is read off the last record: no second request for the keys.
    range = IDBKeyRange.lowerBound(keyOf(records[records.length - 1]!), true);
  }
}

/** Feed every stored page and link to `builder`; returns how many of each were read. */
export async function readAuthorityInput(
  db: BacklinkDb,
  builder: AuthorityGraphBuilder,
  batch = AUTHORITY_READ_BATCH,
): Promise<{ pages: number; links: number }> {
  const pages = await readInBatches(
    db,
    'pages',
    (p) => p.url,
    batch,
    (records) => {
      for (const page of records) builder.addPage(page);
    },
  );
  const links = await readInBatches(
    db,
    'links',
    (l) => [l.source, l.target, l.anchor],
    batch,
    (records) => {
      for (const link of records) builder.addLink(link);
    },
  );
  return { pages, links };
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
 * Replace every stored score with `records` and the scale with `meta`, and drop the finished
 * run's progress, in one transaction: the popup sees the old scores or the new, never a mix.
 */
export async function writeAuthority(
  db: BacklinkDb,
  records: readonly AuthorityRecord[],
  meta: AuthorityMeta,
  epoch?: number,
): Promise<boolean> {
  const tx = db.transaction(['authority', 'meta'], 'readwrite');
  const store = tx.objectStore('authority');
  const metaStore = tx.objectStore('meta');
  // Data forgotten since the links were read (all cleared, a site excluded): these scores would
  // bring the forgotten URLs back. Nothing is written; the caller computes again.
  if (epoch !== undefined && epochOf(await metaStore.get('data-epoch')) !== epoch) {
    await tx.done;
    return false;
  }
  const writes: Promise<unknown>[] = [store.clear()];
  try {
    // Every AUTHORITY_WRITE_CHUNK puts, wait for the last one: the transaction stays active
    // (the next puts are issued from its success), and the worker's event loop gets a turn
    // (messages, recording) instead of one long synchronous loop of 100,000 puts.
    for (let i = 0; i < records.length; i++) {
      const put = store.put(records[i]!);
      // A put that fails aborts the rest; its rejection is reported once, by Promise.all.
      put.catch(() => {});
      writes.push(put);
      if ((i + 1) % AUTHORITY_WRITE_CHUNK === 0) await put;
    }
    writes.push(metaStore.put({ id: 'authority', ...meta }), metaStore.delete('authority-run'));
    await Promise.all([...writes, tx.done]);
    return true;
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

export { loadDataEpoch };

/** Count one more forgetting, so that a computation that read the old data writes nothing. */
async function nextEpoch(
  meta: IDBPObjectStore<BacklinkSchema, ['authority', 'meta'], 'meta', 'readwrite'>,
) {
  return { id: 'data-epoch' as const, epoch: epochOf(await meta.get('data-epoch')) + 1 };
}

/** Forget every score and the run in progress (all data cleared). */
export async function clearAuthority(db: BacklinkDb): Promise<void> {
  const tx = db.transaction(['authority', 'meta'], 'readwrite');
  const meta = tx.objectStore('meta');
  const epoch = await nextEpoch(meta);
  await Promise.all([tx.objectStore('authority').clear(), meta.clear(), meta.put(epoch), tx.done]);
}

/**
 * Delete the scores of the pages whose URL `matches` (a forgotten site), and of a domain that
 * lies wholly inside it, reading keys only.
 */
export async function forgetAuthority(
  db: BacklinkDb,
  matches: (url: string) => boolean,
): Promise<void> {
  const tx = db.transaction(['authority', 'meta'], 'readwrite');
  const meta = tx.objectStore('meta');
  void meta.put(await nextEpoch(meta)).catch(() => {}); // a failure aborts: tx.done reports it
  const store = tx.objectStore('authority');
  let cursor = await store.openKeyCursor();
  while (cursor) {
    const [kind, key] = cursor.key;
    if (matches(kind === 'page' ? key : `https://${key}/`)) {
      // A failed delete aborts the transaction, and tx.done reports it.
      store.delete(cursor.key).catch(() => {});
    }
    cursor = await cursor.continue();
  }
  await tx.done;
}
