import { unwrap } from 'idb';

// Many requests in one transaction without a promise each (idb wraps every request in one):
// at thousands of gets or puts the promises cost more than IndexedDB itself.

/** Anything idb wraps that can read by key: a store or an index, of any transaction. */
type Readable<K, V> = { get(key: K): Promise<V | undefined> };
type Writable<V> = { put(value: V): unknown };

/**
 * The values of `keys`, in order (undefined where nothing is stored), read in one round.
 * Rejects with the first request's error; the transaction then aborts, as with idb's get.
 */
export function getMany<K, V>(
  source: Readable<K, V>,
  keys: readonly K[],
): Promise<Array<V | undefined>> {
  if (keys.length === 0) return Promise.resolve([]);
  const raw = unwrap(source as never) as unknown as IDBObjectStore | IDBIndex;
  return new Promise((resolve, reject) => {
    const values = new Array<V | undefined>(keys.length);
    let left = keys.length;
    keys.forEach((key, i) => {
      const request = raw.get(key as IDBValidKey);
      request.onsuccess = () => {
        values[i] = request.result as V | undefined;
        if (--left === 0) resolve(values);
      };
      request.onerror = () => reject(request.error);
    });
  });
}

/**
 * Queue puts as plain requests: a request that fails aborts the transaction (its error event
 * is not handled), which rejects tx.done, so the caller awaits the commit, not each put. A put
 * that throws at once (a value without a valid key) throws here.
 */
export function putAll<V>(store: Writable<V>, values: Iterable<V>): void {
  const raw = unwrap(store as never) as unknown as IDBObjectStore;
  for (const value of values) raw.put(value);
}

/** Queue deletes as plain requests, as putAll queues puts: a failure aborts the transaction. */
export function deleteAll(
  store: { delete(key: never): unknown },
  keys: Iterable<IDBValidKey>,
): void {
  const raw = unwrap(store as never) as unknown as IDBObjectStore;
  for (const key of keys) raw.delete(key);
}

/**
 * A request (or a write of several) nobody waits for: its failure aborts the transaction, which
 * tx.done reports, so the caller awaits the commit, not this.
 */
export const queued = (request: Promise<unknown>): void => void request.catch(() => {});

/**
 * A read-only transaction whose answers are in: they are final, so its commit, one more round
 * trip to the browser, is not awaited (245 ms from the last answer to the commit in a loaded
 * boot-hot-trace). An abort after them changes nothing read, and must not go unhandled.
 */
export const answered = (tx: { done: Promise<unknown> }): void => queued(tx.done);

/**
 * After a failure part-way through a transaction's writes, abort it so that none of them land
 * (a put that throws does not abort it by itself, and the puts queued before it would commit).
 * The pending requests and tx.done then reject with AbortError; nobody waits for them any more,
 * and the caller throws the cause.
 */
export function abortQuietly(
  tx: { abort(): void; done: Promise<unknown> },
  pending: readonly Promise<unknown>[] = [],
): void {
  for (const p of [tx.done, ...pending]) p.catch(() => {});
  try {
    tx.abort();
  } catch {
    // Already finished or aborted.
  }
}
