/**
 * IndexedDB requests counted while something runs, in fake-indexeddb (unit tests) or in
 * Chromium (benches): reads and writes, how many, in how many rounds, and the entries the reads
 * touched. Figures of the work a read or a write does that no load on the machine changes.
 *
 * A request's round is one more than the deepest round answered before it was made, so
 * `rounds` is the longest chain of requests each waiting for an answer: what a read or a write
 * waits in round trips, whatever the machine's load. A write's puts queued at once are one
 * round; a read issued after them, whose answer comes after theirs, is in the same round too.
 *
 * Patches the store and index prototypes (and a cursor's update and delete) while counting.
 * A cursor's advance methods are left alone: idb recognises them by identity (its wrapFunction
 * compares them with IDBCursor.prototype's, cached at first use), and a patched `continue`
 * made idb's `cursor.continue()` answer undefined, ending every cursor loop after one entry.
 * A cursor's every step is counted instead from its request's answers: one request, one round
 * after its previous step.
 */
export interface RequestCount {
  requests: number;
  rounds: number;
  /** The last round a read (a cursor's step included) was made in: 0 without reads. */
  readRounds: number;
  /**
   * Entries the reads' answers hold or were counted over: a getAll's records, a get's one, a
   * count's number (Chromium counts by walking them), a cursor's steps. Writes add none.
   */
  records: number;
  /**
   * Requests by `store.method` or `store.index.method`: `links.put`,
   * `links.by_source.getAllRecords`; a cursor's steps `….openCursor.step`, its writes
   * `….openCursor.update` / `.delete`.
   */
  byName: Record<string, number>;
  /** Requests by method alone, whatever the store: `put`, `getAllRecords`, `step`. */
  byMethod: Record<string, number>;
  /** Requests by object store (an index's and a cursor's under their store's name). */
  byStore: Record<string, number>;
}

type Method = (this: object, ...args: unknown[]) => IDBRequest;
type Proto = Record<string, Method>;

const READS = ['get', 'getKey', 'getAll', 'getAllKeys', 'getAllRecords', 'count'];
const CURSORS = ['openCursor', 'openKeyCursor'];
const STORE_METHODS = [...READS, ...CURSORS, 'add', 'put', 'delete', 'clear'];
const INDEX_METHODS = [...READS, ...CURSORS];
/** Not the advance methods (see above): these make requests of their own. */
const CURSOR_WRITES = ['update', 'delete'];

/** Entries in one read's answer (see RequestCount.records). */
function recordsIn(method: string, result: unknown): number {
  if (Array.isArray(result)) return result.length;
  if (method === 'count') return result as number;
  return result === undefined || result === null ? 0 : 1;
}

/** `store.method` or `store.index.method`, and the store, of a request's source. */
function nameOf(source: object, method: string): { name: string; store: string } {
  if (source instanceof IDBIndex) {
    const store = source.objectStore.name;
    return { name: `${store}.${source.name}.${method}`, store };
  }
  if (source instanceof IDBCursor) {
    const opened = source instanceof IDBCursorWithValue ? 'openCursor' : 'openKeyCursor';
    return nameOf(source.source, `${opened}.${method}`);
  }
  const store = (source as IDBObjectStore).name;
  return { name: `${store}.${method}`, store };
}

/**
 * Count every request from now until `stop()`, which puts the methods back and tells. Counts
 * the requests of anyone in this realm: run one thing at a time.
 */
export function countRequests(): { stop(): RequestCount } {
  const count: RequestCount = {
    requests: 0,
    rounds: 0,
    readRounds: 0,
    records: 0,
    byName: {},
    byMethod: {},
    byStore: {},
  };
  let answered = 0;
  let counting = true;
  const note = (name: string, method: string, store: string, round: number, read: boolean) => {
    count.requests += 1;
    if (read) count.readRounds = Math.max(count.readRounds, round);
    count.byName[name] = (count.byName[name] ?? 0) + 1;
    count.byMethod[method] = (count.byMethod[method] ?? 0) + 1;
    count.byStore[store] = (count.byStore[store] ?? 0) + 1;
    count.rounds = Math.max(count.rounds, round);
  };
  const patch = (proto: Proto, method: string) => {
    const original = proto[method];
    if (typeof original !== 'function') return; // getAllRecords: not in every browser
    const patched: Method = function (...args) {
      const request = original.apply(this, args);
      if (!counting) return request;
      const { name, store } = nameOf(this, method);
      let round = answered + 1;
      const isCursor = CURSORS.includes(method);
      const isRead = isCursor || READS.includes(method);
      note(name, method, store, round, isRead);
      let answers = 0;
      // Added before the caller's handlers, so it runs first: a request they make is later.
      const answer = () => {
        // A cursor answers again after each continue(), made once its last step was seen.
        if (answers++ > 0 && isCursor && counting)
          note(`${name}.step`, 'step', store, ++round, true);
        answered = Math.max(answered, round);
        if (counting && isRead) count.records += recordsIn(method, request.result);
      };
      request.addEventListener('success', answer);
      request.addEventListener('error', () => (answered = Math.max(answered, round)));
      return request;
    };
    proto[method] = patched;
    restore.push(() => (proto[method] = original));
  };
  const restore: Array<() => void> = [];
  const protoOf = (type: { prototype: unknown }) => type.prototype as Proto;
  for (const method of STORE_METHODS) patch(protoOf(IDBObjectStore), method);
  for (const method of INDEX_METHODS) patch(protoOf(IDBIndex), method);
  for (const method of CURSOR_WRITES) patch(protoOf(IDBCursor), method);
  return {
    stop() {
      counting = false;
      restore.forEach((undo) => undo());
      return count;
    },
  };
}

/** Run `run`, counting every request made meanwhile (see countRequests). */
export async function countRequestsOf<T>(
  run: () => Promise<T>,
): Promise<{ result: T; count: RequestCount }> {
  const counting = countRequests();
  let count: RequestCount | undefined;
  const result = await run().finally(() => (count = counting.stop()));
  return { result, count: count! };
}
