// Bundled into one IIFE (global BacklinkMove) and run in an extension page: a store of the
// release before the number keys written in the extension's own database, what the move's
// progress looks like from outside, and the raw baseline of the move.
import { NUMBER_KEYS_VERSION, openBacklinkDb } from '../../src/storage/db';
import { moveOldLinks } from '../../src/storage/link-move';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { countRequestsOf, type RequestCount } from '../support/idb-requests';
import type { StoreSpec as TransferStoreSpec } from './transfer';

export const HOT = 'https://www.hot-target.com/the-definitive-guide';
export const COLD = 'https://www.cold-target.com/one-link-only';
/** Links per source page; every tenth link goes to HOT. */
const LINKS_PER_PAGE = 20;
/** Referring domains of the source pages. */
export const SOURCE_DOMAINS = 997;
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const NAME = 'backlink-lens';

const sourceDomain = (p: number) => `example${p % SOURCE_DOMAINS}.com`;
const sourceUrl = (p: number) => `https://www.${sourceDomain(p)}/posts/${p}`;

/** Source page p as the release before stored it. */
function oldPage(p: number): PageRecord {
  return {
    url: sourceUrl(p),
    domain: sourceDomain(p),
    host: `www.${sourceDomain(p)}`,
    title: `Post ${p} about things`,
    canonical: null,
    lang: 'en',
    robotsNoindex: false,
    robotsNofollow: false,
    firstSeen: T0,
    lastSeen: T0 + (p % 60) * DAY,
    outboundCount: LINKS_PER_PAGE,
    truncated: false,
  };
}

/** Link i as the release before stored it: under [source, target, anchor], the key in it. */
function oldLink(i: number): LinkRecord {
  const p = Math.floor(i / LINKS_PER_PAGE);
  const target =
    i === 5 ? COLD : i % 10 === 0 ? HOT : `https://www.target${i % 3001}.org/page/${i % 50_000}`;
  const rel = i % 7 === 0 ? ['nofollow'] : [];
  return {
    source: sourceUrl(p),
    target,
    anchor: `anchor ${i}`,
    rel,
    region: 'main',
    regions: ['main'],
    rels: rel,
    occurrences: 1,
    sourceDomain: sourceDomain(p),
    targetDomain: new URL(target).hostname.replace(/^www\./, ''),
    firstSeen: T0,
    lastSeen: T0 + (p % 60) * DAY,
    lostAt: null,
    context: 'some words before the link and some words after it on the page',
  };
}

const range = <T>(from: number, to: number, make: (i: number) => T) =>
  Array.from({ length: to - from }, (_, j) => make(from + j));

/**
 * Write `links` links and their pages into the extension's database at the version before
 * the number keys (the extension's worker must not run meanwhile: it would upgrade it),
 * 5,000 links per transaction. Returns the pages written.
 */
export async function seedOldLayout(links: number, name = NAME): Promise<number> {
  const pages = Math.ceil(links / LINKS_PER_PAGE);
  const db = await openBacklinkDb(name, () => {}, NUMBER_KEYS_VERSION - 1);
  try {
    for (let from = 0; from < links; from += 5_000) {
      const to = Math.min(links, from + 5_000);
      const tx = db.transaction(['pages', 'links'], 'readwrite');
      // The links store of that version keys by the record: put takes no key.
      const old = tx.objectStore('links') as unknown as { put(l: LinkRecord): Promise<unknown> };
      const firstPage = Math.floor(from / LINKS_PER_PAGE);
      const lastPage = Math.ceil(to / LINKS_PER_PAGE);
      await Promise.all([
        ...range(firstPage, lastPage, oldPage).map((p) => tx.objectStore('pages').put(p)),
        ...range(from, to, oldLink).map((l) => old.put(l)),
        tx.done,
      ]);
    }
  } finally {
    db.close();
  }
  return pages;
}

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** A connection of the database's current version that steps aside for an upgrade. */
async function openCurrent(name: string): Promise<IDBDatabase> {
  const db = await done(indexedDB.open(name));
  db.onversionchange = () => db.close();
  return db;
}

/**
 * The old store's first key (as JSON; null once it is empty, undefined before the upgrade made
 * it): polled while the move runs, so it must not be a count (Chromium counts by walking every
 * record, which held back the move it watched). It changes with every chunk moved.
 */
export async function oldStoreHead(
  name = NAME,
  store = 'links-v1',
): Promise<string | null | undefined> {
  const db = await openCurrent(name);
  try {
    if (!db.objectStoreNames.contains(store)) return undefined;
    const keys = await done(db.transaction(store).objectStore(store).getAllKeys(null, 1));
    return keys.length === 0 ? null : JSON.stringify(keys[0]);
  } finally {
    db.close();
  }
}

/**
 * The links in the new store and in the old one, read from outside the extension's code, once
 * the move is done. Before the upgrade there is no "links-v1": null.
 */
export async function linkStoreCounts(): Promise<{ fresh: number; old: number } | null> {
  const db = await openCurrent(NAME);
  try {
    if (!db.objectStoreNames.contains('links-v1')) return null;
    const tx = db.transaction(['links', 'links-v1']);
    const [fresh, old] = await Promise.all([
      done(tx.objectStore('links').count()),
      done(tx.objectStore('links-v1').count()),
    ]);
    return { fresh, old };
  } finally {
    db.close();
  }
}

/** A store's layout as the transfer bench reads it, without its name. */
type StoreSpec = Omit<TransferStoreSpec, 'name'>;

function specOf(store: IDBObjectStore): StoreSpec {
  return {
    keyPath: store.keyPath,
    autoIncrement: store.autoIncrement,
    indexes: [...store.indexNames].map((name) => {
      const { keyPath, unique, multiEntry } = store.index(name);
      return { name, keyPath, unique, multiEntry };
    }),
  };
}

/**
 * The raw floor of the move: the same links in two stores laid out as the extension's old and
 * new link stores (read from its upgraded database), in a database of their own, moved `chunk`
 * at a time with bare IndexedDB (read a chunk, delete it, add it; one transaction each), back
 * to back with nothing else queued. The old store is filled untimed. Returns the move's ms.
 */
export async function rawMove(links: number, chunk: number, source = NAME): Promise<number> {
  return (await rawMoveChunks(links, chunk, source)).ms;
}

/** Where a move's time went: the whole, each chunk's transaction, each poll (see moveHere). */
export interface ChunkTimes {
  ms: number;
  chunks: number[];
  polls: number[];
  counts?: RequestCount;
}

/**
 * Poll the old store's first key as the link-move bench used to while the worker moved (a
 * connection and a read every 250 ms) until the returned function is called; its durations.
 */
function pollOldStore(name: string, store = 'links-v1'): () => Promise<number[]> {
  let polling = true;
  const polls: number[] = [];
  const done = (async () => {
    while (polling) {
      const start = performance.now();
      await oldStoreHead(name, store);
      polls.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return async () => {
    polling = false;
    await done;
    return polls;
  };
}

/**
 * The extension's move (storage/link-move.ts) of the old store seeded under `name`, in this
 * page, `chunk` links per transaction: each chunk's time and the requests made, with the old
 * store polled meanwhile when `poll`. The same page and chunk size as rawMoveChunks, so a
 * difference is the code's, not the worker's surroundings.
 */
export async function moveHere(name: string, chunk: number, poll: boolean): Promise<ChunkTimes> {
  const db = await openBacklinkDb(name);
  const stopPolling = poll ? pollOldStore(name) : null;
  const chunks: number[] = [];
  const timed = async <T>(write: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await write();
    chunks.push(performance.now() - start);
    return result;
  };
  try {
    const start = performance.now();
    const { count: counts } = await countRequestsOf(() => moveOldLinks(db, chunk, timed));
    const ms = performance.now() - start;
    return { ms, chunks, polls: (await stopPolling?.()) ?? [], counts };
  } finally {
    db.close();
  }
}

/** rawMove with each chunk's time, the old store polled meanwhile when `poll`. */
export async function rawMoveChunks(
  links: number,
  chunk: number,
  sourceName = NAME,
  poll = false,
): Promise<ChunkTimes> {
  const source = await openCurrent(sourceName);
  const tx = source.transaction(['links-v1', 'links']);
  const [oldSpec, newSpec] = [specOf(tx.objectStore('links-v1')), specOf(tx.objectStore('links'))];
  source.close();
  const name = 'raw-move-bench';
  await done(indexedDB.deleteDatabase(name));
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    for (const [store, spec] of [
      ['old', oldSpec],
      ['new', newSpec],
    ] as const) {
      const created = open.result.createObjectStore(store, {
        keyPath: spec.keyPath,
        autoIncrement: spec.autoIncrement,
      });
      for (const { name: index, keyPath, ...flags } of spec.indexes)
        created.createIndex(index, keyPath, flags);
    }
  };
  const db = await done(open);
  try {
    for (let from = 0; from < links; from += 5_000) {
      const fill = db.transaction('old', 'readwrite');
      for (const link of range(from, Math.min(links, from + 5_000), oldLink))
        fill.objectStore('old').put(link);
      await new Promise((resolve) => (fill.oncomplete = resolve));
    }
    const stopPolling = poll ? pollOldStore(name, 'old') : null;
    const chunks: number[] = [];
    const start = performance.now();
    for (;;) {
      const chunkStart = performance.now();
      const move = db.transaction(['old', 'new'], 'readwrite');
      const [old, fresh] = [move.objectStore('old'), move.objectStore('new')];
      const [records, keys] = await Promise.all([
        done(old.getAll(null, chunk)),
        done(old.getAllKeys(null, chunk)),
      ]);
      if (keys.length > 0) {
        old.delete(IDBKeyRange.bound(keys[0], keys[keys.length - 1]));
        for (const record of records) fresh.put(record);
      }
      await new Promise((resolve, reject) => {
        move.oncomplete = resolve;
        move.onerror = () => reject(move.error);
      });
      chunks.push(performance.now() - chunkStart);
      if (keys.length < chunk) break;
    }
    const ms = performance.now() - start;
    return { ms, chunks, polls: (await stopPolling?.()) ?? [] };
  } finally {
    db.close();
    await done(indexedDB.deleteDatabase(name));
  }
}
