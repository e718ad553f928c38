/**
 * The link move's chunks (storage/link-move.ts): sized by time, each in a transaction over the
 * two link stores only, every link moved once however the sizes go and wherever a chunk fails;
 * and readers that check whether the old store is empty without counting it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBDatabase, IDBObjectStore } from 'fake-indexeddb';
import { NUMBER_KEYS_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { nextChunkSize, type ChunkSizing } from '../../src/core/chunk-size';
import { moveOldLinks, newMoveProgress } from '../../src/storage/link-move';
import {
  deleteLinks,
  getAllLinks,
  keyedLinks,
  LINK_STORES,
  oldStoreDrained,
  putLinks,
} from '../../src/storage/link-keys';
import { linkKey, type LinkRecord } from '../../src/core/types';
import { makeLink } from './helpers';
import { countRequestsOf } from '../support/idb-requests';

const opened: BacklinkDb[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const db of opened.splice(0)) db.close();
});

const linkOf = (i: number): LinkRecord =>
  makeLink(`https://s${i % 7}.org/post${Math.floor(i / 3)}`, `https://t${i % 5}.com/p${i % 11}`, {
    anchor: `anchor ${i}`,
  });

/** A database of the release before the number keys with `n` links, opened by this release. */
async function oldDatabase(n: number): Promise<{ db: BacklinkDb; links: LinkRecord[] }> {
  const name = `link-move-${Math.random()}`;
  const links = Array.from({ length: n }, (_, i) => linkOf(i));
  const old = await openBacklinkDb(name, () => {}, NUMBER_KEYS_VERSION - 1);
  const tx = old.transaction('links', 'readwrite');
  // Under [source, target, anchor] then: the key is in the record.
  const store = tx.objectStore('links') as unknown as { put(l: LinkRecord): Promise<unknown> };
  await Promise.all([...links.map((l) => store.put(l)), tx.done]);
  old.close();
  const db = await openBacklinkDb(name);
  opened.push(db);
  return { db, links };
}

async function storedIdentities(db: BacklinkDb): Promise<{ fresh: string[]; old: number }> {
  const [fresh, old] = await Promise.all([db.getAll('links'), db.count('links-v1')]);
  return { fresh: fresh.map(linkKey).sort(), old };
}

const SIZING: ChunkSizing = { first: 8, min: 4, max: 64, targetMs: 100 };

describe('nextChunkSize', () => {
  it('scales towards the target time, shrinking at once and at most doubling', () => {
    expect(nextChunkSize(16, 200, SIZING)).toBe(8);
    expect(nextChunkSize(16, 100, SIZING)).toBe(16);
    expect(nextChunkSize(16, 80, SIZING)).toBe(20);
    // A quick chunk (or one too quick to time) doubles, no more.
    expect(nextChunkSize(16, 1, SIZING)).toBe(32);
    expect(nextChunkSize(16, 0, SIZING)).toBe(32);
  });

  it('stays within its bounds', () => {
    expect(nextChunkSize(8, 10_000, SIZING)).toBe(4);
    expect(nextChunkSize(48, 1, SIZING)).toBe(64);
  });
});

describe('moveOldLinks', () => {
  it('grows chunks that finish early and moves every link once', async () => {
    const { db, links } = await oldDatabase(150);
    const progress = newMoveProgress();
    const sizing = { ...SIZING, first: 5, max: 40, targetMs: 1e9 };
    expect(await moveOldLinks(db, sizing, undefined, progress)).toBe(150);
    // 5, 10, 20, 40, 40, then 35 of 40 asked: fewer than asked, the old store is empty.
    expect(progress).toMatchObject({ moved: 150, chunks: 6, size: 40, done: true });
    expect(await storedIdentities(db)).toEqual({ fresh: links.map(linkKey).sort(), old: 0 });
  });

  it('shrinks chunks that take too long to the smallest size', async () => {
    const { db, links } = await oldDatabase(60);
    const progress = newMoveProgress();
    const sizing = { first: 20, min: 4, max: 40, targetMs: 1e-9 };
    expect(await moveOldLinks(db, sizing, undefined, progress)).toBe(60);
    // 20, then ten of 4, then one that finds nothing.
    expect(progress).toMatchObject({ moved: 60, chunks: 12, size: 4, done: true });
    expect(await storedIdentities(db)).toEqual({ fresh: links.map(linkKey).sort(), old: 0 });
  });

  it('reads each chunk in one request, deletes it in one, and puts each link once', async () => {
    const { db, links } = await oldDatabase(100);
    // Chunks of 25: four full ones, then one that finds nothing.
    const { result, count: counts } = await countRequestsOf(() => moveOldLinks(db, 25));
    expect(result).toBe(100);
    expect(counts.byMethod).toEqual({ getAllRecords: 5, delete: 4, put: 100 });
    expect(counts.byStore).toEqual({ 'links-v1': 9, links: 100 });
    expect(await storedIdentities(db)).toEqual({ fresh: links.map(linkKey).sort(), old: 0 });
  });

  it('reads with getAll and getAllKeys where the browser has no getAllRecords', async () => {
    const { db, links } = await oldDatabase(60);
    const proto = IDBObjectStore.prototype as unknown as Record<string, unknown>;
    const own = Object.getOwnPropertyDescriptor(proto, 'getAllRecords')!;
    // As in a browser without it (Firefox, Chromium before 141).
    Object.defineProperty(proto, 'getAllRecords', { value: undefined, configurable: true });
    try {
      const { result, count: counts } = await countRequestsOf(() => moveOldLinks(db, 25));
      expect(result).toBe(60);
      expect(counts.byMethod).toEqual({ getAll: 3, getAllKeys: 3, delete: 3, put: 60 });
    } finally {
      Object.defineProperty(proto, 'getAllRecords', own);
    }
    expect(await storedIdentities(db)).toEqual({ fresh: links.map(linkKey).sort(), old: 0 });
  });

  it('writes in transactions over the two link stores only', async () => {
    const { db } = await oldDatabase(30);
    const scopes: string[][] = [];
    const open = IDBDatabase.prototype.transaction;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
      this: IDBDatabase,
      ...args: Parameters<IDBDatabase['transaction']>
    ) {
      if (args[1] === 'readwrite')
        scopes.push([...(typeof args[0] === 'string' ? [args[0]] : args[0])].sort());
      return open.apply(this, args);
    });
    await moveOldLinks(db, { ...SIZING, first: 10 });
    expect(scopes.length).toBeGreaterThan(1);
    for (const scope of scopes) expect(scope).toEqual([...LINK_STORES].sort());
  });

  it('passes each chunk through the gate, one at a time', async () => {
    const { db } = await oldDatabase(25);
    let inside = 0;
    let most = 0;
    let calls = 0;
    const gate = async <T>(write: () => Promise<T>): Promise<T> => {
      calls += 1;
      most = Math.max(most, ++inside);
      try {
        return await write();
      } finally {
        inside -= 1;
      }
    };
    expect(await moveOldLinks(db, 10, gate)).toBe(25);
    expect([calls, most]).toEqual([3, 1]);
  });

  it('moves each link once while writers move or delete links it has not reached yet', async () => {
    const { db, links } = await oldDatabase(90);
    const source = links[80]!.source;
    let calls = 0;
    let deleted = '';
    // Between the chunks, the way recording does (storage/link-keys.ts): a page rewritten (its
    // links put again: moved ahead of the move), then one of its links deleted.
    const gate = async <T>(write: () => Promise<T>): Promise<T> => {
      calls += 1;
      if (calls === 2 || calls === 3) {
        const tx = db.transaction(LINK_STORES, 'readwrite');
        const mine = await keyedLinks(tx, 'by_source', source);
        if (calls === 2) putLinks(tx, mine);
        else {
          deleted = linkKey(mine[0]!.link);
          await deleteLinks(tx, [mine[0]!.key]);
        }
        await tx.done;
      }
      return write();
    };
    await moveOldLinks(db, 10, gate);
    const expected = links.map(linkKey).filter((k) => k !== deleted);
    expect(expected).toHaveLength(89);
    expect(await storedIdentities(db)).toEqual({ fresh: expected.sort(), old: 0 });
  });

  it('loses and doubles nothing when a sized chunk fails, and finishes when started again', async () => {
    const { db, links } = await oldDatabase(120);
    const realPut = IDBObjectStore.prototype.put;
    let puts = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      // A put of the third chunk (8 + 16 before it) fails.
      if (++puts === 30) throw new Error('injected');
      return realPut.apply(this, args);
    });
    const progress = newMoveProgress();
    const sizing = { ...SIZING, targetMs: 1e9 };
    await expect(moveOldLinks(db, sizing, undefined, progress)).rejects.toThrow('injected');
    vi.restoreAllMocks();
    expect(progress).toMatchObject({ moved: 24, done: false });
    const half = await storedIdentities(db);
    expect([half.fresh.length, half.old]).toEqual([24, 96]);

    expect(await moveOldLinks(db, sizing)).toBe(96);
    expect(await storedIdentities(db)).toEqual({ fresh: links.map(linkKey).sort(), old: 0 });
  });
});

describe('reads during the move', () => {
  it('learn that the old store is empty without counting it', async () => {
    const { db, links } = await oldDatabase(40);
    const count = vi.spyOn(IDBObjectStore.prototype, 'count');
    const read = () => getAllLinks(db.transaction(LINK_STORES), 'by_target', links[0]!.target);
    const before = await read();
    await moveOldLinks(db, SIZING);
    // The first read asked while the old store was full; this connection asks again later.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
    expect(await read()).toEqual(before);
    expect(oldStoreDrained(db)).toBe(true);
    expect(count).not.toHaveBeenCalled();
  });
});
