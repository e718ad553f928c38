import type { StoreKey, StoreValue } from 'idb';
import type { BacklinkDb, BacklinkSchema } from './db';

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
