/**
 * IndexedDB requests counted while a read runs, in fake-indexeddb (unit tests) or in Chromium
 * (benches): how many, and in how many rounds. A request's round is one more than the deepest
 * round answered before it was made, so `rounds` is the longest chain of requests each waiting
 * for an answer: what a read waits in round trips, whatever the machine's load. A cursor's
 * every step counts as one request, one round after its previous step (IDBCursor.prototype is
 * left alone: idb recognises its advance methods by identity).
 */
export interface RequestCount {
  requests: number;
  rounds: number;
  /**
   * Entries the answers hold or were counted over: a getAll's records, a get's one, a count's
   * number (Chromium counts by walking them), a cursor's steps.
   */
  records: number;
  /** Requests by `store.method` or `store.index.method` (cursor steps: `….step`). */
  byName: Record<string, number>;
}

type Method = (this: IDBObjectStore | IDBIndex, ...args: unknown[]) => IDBRequest;
const METHODS = ['get', 'getKey', 'getAll', 'getAllKeys', 'count', 'openCursor', 'openKeyCursor'];
const CURSORS = new Set(['openCursor', 'openKeyCursor']);

/** Entries in one answer (see RequestCount.records). */
function recordsIn(method: string, result: unknown): number {
  if (Array.isArray(result)) return result.length;
  if (method === 'count') return result as number;
  return result === undefined || result === null ? 0 : 1;
}

/** Count every request from now until `stop()`, which puts the methods back and tells. */
export function countRequests(): { stop(): RequestCount } {
  const count: RequestCount = { requests: 0, rounds: 0, records: 0, byName: {} };
  let answered = 0;
  let counting = true;
  const note = (name: string, round: number) => {
    count.requests += 1;
    count.byName[name] = (count.byName[name] ?? 0) + 1;
    count.rounds = Math.max(count.rounds, round);
  };
  const restore: Array<() => void> = [];
  for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype]) {
    for (const method of METHODS) {
      const original = (proto as unknown as Record<string, Method>)[method]!;
      const patched: Method = function (...args) {
        const request = original.apply(this, args);
        if (!counting) return request;
        const name =
          this instanceof IDBIndex
            ? `${this.objectStore.name}.${this.name}.${method}`
            : `${this.name}.${method}`;
        let round = answered + 1;
        note(name, round);
        let answers = 0;
        // Added before the caller's handlers, so it runs first: a request they make is later.
        request.addEventListener('success', () => {
          // A cursor answers again after each continue(), made once its last step was seen.
          if (answers++ > 0 && CURSORS.has(method) && counting) note(`${name}.step`, ++round);
          answered = Math.max(answered, round);
          if (counting) count.records += recordsIn(method, request.result);
        });
        return request;
      };
      (proto as unknown as Record<string, Method>)[method] = patched;
      restore.push(() => ((proto as unknown as Record<string, Method>)[method] = original));
    }
  }
  return {
    stop() {
      counting = false;
      restore.forEach((undo) => undo());
      return count;
    },
  };
}
