import type { StoreKey, StoreValue } from 'idb';
import type { BacklinkDb, BacklinkSchema } from './db';
import type { LinkRecord } from '../core/types';
import { withLastSeen } from '../core/transfer';
import { getMany } from './requests';

/** The stores an export holds. */
export type ExportStore = 'pages' | 'links' | 'redirects' | 'referrals';

/**
 * A store's records in key order, `size` at a time, each batch in a transaction of its own:
 * an export of a million links never holds more than a batch, and recording is never held up
 * behind one long read. (A page recorded meanwhile may or may not be in the export.)
 */
export function storeBatches<S extends ExportStore>(db: BacklinkDb, store: S, size = 2000) {
  return async function* (): AsyncGenerator<StoreValue<BacklinkSchema, S>[]> {
    // Links are in two stores while the worker moves them (storage/link-keys.ts), the old one
    // read first: a link moved meanwhile may come twice (an import merges it), never not at all.
    if (store === 'links') yield* inBatches(db, 'links-v1', size);
    yield* inBatches(db, store, size);
  };
}

/**
 * The links as an export writes them, `size` at a time: each with its last sighting
 * (core/transfer#withLastSeen), from its source page read after the batch.
 */
export function linkBatches(db: BacklinkDb, size = 2000) {
  const batches = storeBatches(db, 'links', size);
  return async function* (): AsyncGenerator<LinkRecord[]> {
    for await (const batch of batches()) {
      const urls = [...new Set(batch.map((l) => l.source))];
      const pages = await getMany(db.transaction('pages').store, urls);
      const lastSeen = new Map<string, number>();
      for (const page of pages) if (page) lastSeen.set(page.url, page.lastSeen);
      yield withLastSeen(batch, lastSeen);
    }
  };
}

async function* inBatches<S extends ExportStore | 'links-v1'>(
  db: BacklinkDb,
  store: S,
  size: number,
): AsyncGenerator<StoreValue<BacklinkSchema, S>[]> {
  let after: StoreKey<BacklinkSchema, S> | undefined;
  for (;;) {
    const tx = db.transaction(store);
    const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
    const [keys, values] = await Promise.all([
      tx.store.getAllKeys(range, size),
      tx.store.getAll(range, size),
    ]);
    await tx.done;
    if (values.length > 0) yield values;
    if (keys.length < size) return;
    after = keys[keys.length - 1];
  }
}
