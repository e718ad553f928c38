import { unwrap } from 'idb';
import type { LinkRecord } from '../core/types';
import type { BacklinkDb, LinkIndexes } from './db';

/**
 * Links live in two stores while an upgraded database moves its old links over (db.ts): `links`
 * under numbers the store generates, and `links-v1` under [source, target, anchor]. Every link
 * is in exactly one of them, so a read asks both and adds up; a write finds a link's key among
 * its source's links (by_source), and a link it rewrites from the old store moves to the new
 * one in the same transaction. Nothing outside this file names 'links-v1' but the scopes.
 */

/** Where a stored link is: a number in `links`, its [source, target, anchor] in `links-v1`. */
export type LinkKey = number | [string, string, string];
/** A stored link with its key. */
export interface KeyedLink {
  key: LinkKey;
  link: LinkRecord;
}
export type LinkIndex = keyof LinkIndexes;

/** The stores every transaction that reads or writes links takes (its scope names them). */
export const LINK_STORES = ['links', 'links-v1'] as const;

type Query = IDBValidKey | IDBKeyRange | null | undefined;

/**
 * Resolves with the request's result; a failed request also aborts the transaction. A store
 * that could not be unwrapped (a test's spied transaction) hands back idb's promise instead.
 */
export const settle = <T>(request: IDBRequest<T>): Promise<T> =>
  isPromise<T>(request)
    ? request
    : new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });

const isPromise = <T>(r: unknown): r is Promise<T> =>
  typeof (r as { then?: unknown } | null)?.then === 'function';

/** A write nobody awaits: its failure aborts the transaction, and tx.done reports it. */
const queued = (request: unknown): void => {
  if (isPromise(request)) request.catch(() => {});
};

/** The new store and the old one of an idb transaction whose scope has LINK_STORES, unwrapped. */
export function storesOf(tx: object): [IDBObjectStore, IDBObjectStore] {
  const raw = unwrap(tx as never) as unknown as IDBTransaction;
  return [raw.objectStore('links'), raw.objectStore('links-v1')];
}

/**
 * Connections that saw the old store empty: it never fills again (writers only delete there),
 * so their reads skip it, one request instead of two each (30 in the popup's head read).
 */
const drained = new WeakSet<IDBDatabase>();
/** When each connection last asked whether the old store is empty (a move takes a while). */
const lastChecked = new WeakMap<IDBDatabase, number>();
const RECHECK_MS = 10_000;

/** Whether this connection has seen the old store empty (for tests). */
export const oldStoreDrained = (db: BacklinkDb): boolean => drained.has(unwrap(db));

/**
 * The stores a read of `tx` must ask: the new one, and the old one until this connection has
 * seen it empty. Asking is a read of the old store's first key, queued in the same transaction,
 * at most every RECHECK_MS: reads queued before its answer still ask both stores, which is
 * never wrong. Not a count: Chromium counts by walking every record, and a count of a hundred
 * thousand old links held each popup's transaction open while the worker moved them.
 */
function readStoresOf(tx: object): IDBObjectStore[] {
  const [fresh, old] = storesOf(tx);
  const db = old.transaction.db;
  if (drained.has(db)) return [fresh];
  const now = Date.now();
  if (now - (lastChecked.get(db) ?? -Infinity) > RECHECK_MS) {
    lastChecked.set(db, now);
    askOldStore(old);
  }
  return [fresh, old];
}

/**
 * Ask in `old`'s transaction whether the old store is empty; the answer marks its connection.
 * Resolves once answered, either way.
 */
function askOldStore(old: IDBObjectStore): Promise<void> {
  const request = old.getAllKeys(null, 1);
  if (isPromise(request)) return Promise.resolve();
  return new Promise((resolve) => {
    request.onsuccess = () => {
      if (request.result.length === 0) drained.add(old.transaction.db);
      resolve();
    };
    // Only a hint: its failure must not abort the caller's transaction.
    request.onerror = (event) => {
      event.preventDefault();
      resolve();
    };
  });
}

/**
 * Resolves once the link reads of `tx` (an idb transaction whose scope has LINK_STORES) know
 * which stores to ask, while `tx` is still active: at once when this connection has seen the
 * old store empty or asked within RECHECK_MS, else when the old store's first key, asked now as
 * the transaction's next request, is answered. A screen's first read queues its other first
 * requests beside that question and its link reads after the answer: one request's round trip
 * inside the transaction, where waiting for a probe of its own transaction held the read back
 * (up to 50 ms on a loaded machine) and reading before its answer asked both stores.
 */
export function oldStoreKnown(tx: object): Promise<void> {
  const [, old] = storesOf(tx);
  const db = old.transaction.db;
  if (drained.has(db) || Date.now() - (lastChecked.get(db) ?? -Infinity) <= RECHECK_MS) {
    return Promise.resolve();
  }
  lastChecked.set(db, Date.now());
  return askOldStore(old);
}

const sourceOf = (store: IDBObjectStore, index: LinkIndex | null) =>
  index === null ? store : store.index(index);

/**
 * Records of `index` (or the stores, null) for `query`, the new store's first: for one index
 * key that is the order one index over both would give, a number sorting before an array.
 */
export async function getAllLinks(
  tx: object,
  index: LinkIndex | null,
  query?: Query,
  count?: number,
): Promise<LinkRecord[]> {
  const [fresh, old = []] = await Promise.all(
    readStoresOf(tx).map((s) =>
      settle(sourceOf(s, index).getAll(query, count) as IDBRequest<LinkRecord[]>),
    ),
  );
  const all = old.length === 0 ? fresh! : [...fresh!, ...old];
  return count === undefined ? all : all.slice(0, count);
}

/** Keys of `index` for `query` in both stores (see getAllLinks for the order). */
export async function getAllLinkKeys(
  tx: object,
  index: LinkIndex,
  query?: Query,
  count?: number,
): Promise<LinkKey[]> {
  const [fresh, old = []] = await Promise.all(
    readStoresOf(tx).map((s) =>
      settle(s.index(index).getAllKeys(query, count) as IDBRequest<LinkKey[]>),
    ),
  );
  const all = old.length === 0 ? fresh! : [...fresh!, ...old];
  return count === undefined ? all : all.slice(0, count);
}

/** How many entries `index` (or the stores, null) has for `query`, in both stores. */
export async function countLinks(
  tx: object,
  index: LinkIndex | null,
  query?: Query,
): Promise<number> {
  const counts = await Promise.all(
    readStoresOf(tx).map((s) =>
      settle(query == null ? sourceOf(s, index).count() : sourceOf(s, index).count(query)),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** One entry of IDBIndex.getAllRecords (not yet in TypeScript's DOM types). */
interface IndexRecord {
  primaryKey: LinkKey;
  value: LinkRecord;
}
type RecordsIndex = IDBIndex & {
  getAllRecords(options: { query?: Query; count?: number }): IDBRequest<IndexRecord[]>;
};

const hasGetAllRecords = (index: IDBIndex): index is RecordsIndex =>
  typeof (index as Partial<RecordsIndex>).getAllRecords === 'function';

/**
 * Records of `index` for `query` with their keys, in one round: one getAllRecords request per
 * store where the browser has it (Chromium 141+), which walks the index once; else an index's
 * getAll and getAllKeys, which list the same entries in the same order (index key, then
 * primary key). A revisit reads its page's links this way before every write (records.ts).
 */
export async function keyedLinks(tx: object, index: LinkIndex, query: Query): Promise<KeyedLink[]> {
  const [fresh, old = []] = await Promise.all(
    readStoresOf(tx).map((s) => keyedOf(s.index(index), query)),
  );
  return old.length === 0 ? fresh! : [...fresh!, ...old];
}

/** One index's records for `query` (the first `count`), with their keys (see keyedLinks). */
async function keyedOf(index: IDBIndex, query: Query, count?: number): Promise<KeyedLink[]> {
  if (hasGetAllRecords(index)) {
    const records = await settle(
      index.getAllRecords(count === undefined ? { query } : { query, count }),
    );
    return records.map((r) => ({ key: r.primaryKey, link: r.value }));
  }
  const [links, keys] = await Promise.all([
    settle(index.getAll(query, count) as IDBRequest<LinkRecord[]>),
    settle(index.getAllKeys(query, count) as IDBRequest<LinkKey[]>),
  ]);
  return links.map((link, i) => ({ key: keys[i]!, link }));
}

/** A target's first links (firstLinksOf): all of them, or the first and how to read the rest. */
export type FirstLinks =
  { links: LinkRecord[]; rest: null } | { links: null; rest: () => Promise<LinkRecord[]> };

/**
 * The links into `target` in by_target order (getAllLinks's), read in one round when there
 * are fewer than `count`, else in two without reading them all twice: the first `count` of
 * each store by [target, source domain], then `rest()` reads from the last domain read on,
 * only that domain's links read again. (An index is read by its key alone, and by_target's
 * key is the target: a read that left off inside it could only start over.)
 */
export async function firstLinksOf(tx: object, target: string, count: number): Promise<FirstLinks> {
  const stores = readStoresOf(tx).map((s) => s.index('by_target_source_domain'));
  const firsts = await Promise.all(
    stores.map((i) => keyedOf(i, IDBKeyRange.bound([target], [target, []]), count)),
  );
  if (firsts.every((f) => f.length < count)) return { links: inKeyOrder(firsts), rest: null };
  const rest = async () => {
    const parts = await Promise.all(
      stores.map(async (index, i) => {
        const first = firsts[i]!;
        if (first.length < count) return first;
        const last = first[first.length - 1]!.link.sourceDomain;
        // Strings order alike in IndexedDB and in JavaScript (by UTF-16 code unit).
        const before = first.filter((k) => k.link.sourceDomain < last);
        const from = await keyedOf(index, IDBKeyRange.bound([target, last], [target, []]));
        return [...before, ...from];
      }),
    );
    return inKeyOrder(parts);
  };
  return { links: null, rest };
}

/** Each store's links by key, the new store's first: one target's order in by_target. */
const inKeyOrder = (stores: readonly KeyedLink[][]): LinkRecord[] =>
  stores.flatMap((keyed) =>
    [...keyed].sort((a, b) => indexedDB.cmp(a.key, b.key)).map((k) => k.link),
  );

/** The stored records of `keys`, in order (undefined where none is), read in one round. */
export function getLinks(
  tx: object,
  keys: readonly LinkKey[],
): Promise<Array<LinkRecord | undefined>> {
  const [fresh, old] = storesOf(tx);
  return Promise.all(
    keys.map((k) =>
      settle((typeof k === 'number' ? fresh : old).get(k) as IDBRequest<LinkRecord | undefined>),
    ),
  );
}

/**
 * Queue puts as plain requests (see requests.ts#putAll): a link stored before goes back under
 * its number; one from the old store is deleted there and put in the new one (so it moves with
 * its first write); a new one (no key) gets a number from the store.
 */
export function putLinks(
  tx: object,
  links: Iterable<{ key?: LinkKey | undefined; link: LinkRecord }>,
): void {
  const [fresh, old] = storesOf(tx);
  for (const { key, link } of links) {
    if (typeof key === 'number') {
      queued(fresh.put(link, key));
      continue;
    }
    if (key !== undefined) queued(old.delete(key));
    queued(fresh.put(link));
  }
}

/** Put links not stored before (each gets a number from the store); resolves with their keys. */
export function addLinks(tx: object, links: readonly LinkRecord[]): Promise<LinkKey[]> {
  const [fresh] = storesOf(tx);
  return Promise.all(links.map((link) => settle(fresh.put(link) as IDBRequest<number>)));
}

/** Delete stored links by key, as plain requests; resolves when the last is done. */
export function deleteLinks(tx: object, keys: Iterable<LinkKey>): Promise<unknown> {
  const [fresh, old] = storesOf(tx);
  const requests = [...keys].map((k) => (typeof k === 'number' ? fresh : old).delete(k));
  return requests.length === 0 ? Promise.resolve() : settle(requests[requests.length - 1]!);
}

/** Delete every link of both stores. */
export function clearLinks(tx: object): Promise<unknown> {
  return Promise.all(storesOf(tx).map((s) => settle(s.clear())));
}

/** What identifies a link within its source page. */
export const targetAnchorOf = (l: Pick<LinkRecord, 'target' | 'anchor'>): string =>
  `${l.target}\u0000${l.anchor}`;

/** The links of one source by target and anchor: the map a writer finds a link's key in. */
export const byTargetAnchor = (links: readonly KeyedLink[]): Map<string, KeyedLink> =>
  new Map(links.map((k) => [targetAnchorOf(k.link), k]));

/** The stored link of `source` to `target` with `anchor`, with its key, if there is one. */
export async function findLink(
  db: BacklinkDb,
  source: string,
  target: string,
  anchor: string,
): Promise<KeyedLink | undefined> {
  const tx = db.transaction(LINK_STORES);
  const links = await keyedLinks(tx, 'by_source', source);
  return byTargetAnchor(links).get(targetAnchorOf({ target, anchor }));
}

/** Every stored link, in both stores: what the options page counts. */
export const countAllLinks = (db: BacklinkDb): Promise<number> =>
  countLinks(db.transaction(LINK_STORES), null);
