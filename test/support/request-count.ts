/**
 * Counts the IndexedDB requests made while a function runs, by kind ("put", "index.getAll",
 * "cursor.continue"): a figure of the work a write does that no load on the machine changes.
 * Patches the global IDBObjectStore, IDBIndex and IDBCursor prototypes for the duration, so it
 * works alike in a Chromium page and over fake-indexeddb (whose auto import sets the globals).
 */

const STORE_METHODS = [
  'add',
  'put',
  'get',
  'getKey',
  'getAll',
  'getAllKeys',
  'getAllRecords',
  'count',
  'delete',
  'clear',
  'openCursor',
  'openKeyCursor',
] as const;
const INDEX_METHODS = [
  'get',
  'getKey',
  'getAll',
  'getAllKeys',
  'getAllRecords',
  'count',
  'openCursor',
  'openKeyCursor',
] as const;
const CURSOR_METHODS = ['continue', 'continuePrimaryKey', 'advance', 'update', 'delete'] as const;

export interface RequestCounts {
  /** Requests by kind, e.g. { put: 500, 'index.getAll': 1 }. */
  byKind: Record<string, number>;
  total: number;
  /** Requests per object store name. */
  byStore: Record<string, number>;
}

type Patchable = Record<string, unknown>;

function patch(
  proto: Patchable | undefined,
  methods: readonly string[],
  prefix: string,
  storeOf: (self: unknown) => string,
  count: (kind: string, store: string) => void,
): () => void {
  if (!proto) return () => {};
  const originals = new Map<string, unknown>();
  for (const name of methods) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    originals.set(name, original);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      count(`${prefix}${name}`, storeOf(this));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return () => {
    for (const [name, original] of originals) proto[name] = original;
  };
}

const protoOf = (name: string) =>
  (globalThis as unknown as Record<string, { prototype: Patchable } | undefined>)[name]?.prototype;

/** Run `run`, counting every IndexedDB request made meanwhile (by anyone in this realm). */
export async function countRequests<T>(
  run: () => Promise<T>,
): Promise<{ result: T; counts: RequestCounts }> {
  const counts: RequestCounts = { byKind: {}, total: 0, byStore: {} };
  const count = (kind: string, store: string) => {
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    counts.byStore[store] = (counts.byStore[store] ?? 0) + 1;
    counts.total++;
  };
  const restores = [
    patch(protoOf('IDBObjectStore'), STORE_METHODS, '', (s) => (s as IDBObjectStore).name, count),
    patch(
      protoOf('IDBIndex'),
      INDEX_METHODS,
      'index.',
      (s) => (s as IDBIndex).objectStore.name,
      count,
    ),
    patch(
      protoOf('IDBCursor'),
      CURSOR_METHODS,
      'cursor.',
      (s) => {
        const source = (s as IDBCursor).source as IDBObjectStore | IDBIndex;
        return 'objectStore' in source ? source.objectStore.name : source.name;
      },
      count,
    ),
  ];
  try {
    return { result: await run(), counts };
  } finally {
    for (const restore of restores) restore();
  }
}
