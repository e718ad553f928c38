/**
 * The one request counter of the tests and benches (test/support/idb-requests.ts): what it
 * counts must be what was asked, and counting must not change what idb does.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDB, type IDBPDatabase } from 'idb';
import { countRequests, countRequestsOf } from '../support/idb-requests';

let db: IDBPDatabase;
beforeEach(async () => {
  db = await openDB(`idb-requests-${Math.random()}`, 1, {
    upgrade(d) {
      d.createObjectStore('rows', { keyPath: 'id' }).createIndex('by_group', 'group');
    },
  });
  const tx = db.transaction('rows', 'readwrite');
  for (const id of [1, 2, 3]) void tx.store.put({ id, group: 'a' });
  await tx.done;
});
afterEach(() => db.close());

/** Every id of the store, by an idb cursor loop. */
async function idsByCursor(): Promise<number[]> {
  const ids: number[] = [];
  let cursor = await db.transaction('rows').store.openCursor();
  while (cursor) {
    ids.push(cursor.key as number);
    cursor = await cursor.continue();
  }
  return ids;
}

describe('counting cursors', () => {
  it("leaves idb's cursor loop whole, counting each step one round after the last", async () => {
    const { result, count } = await countRequestsOf(idsByCursor);
    expect(result).toEqual([1, 2, 3]);
    // The open answers with the first entry; each continue() is a step, the last answers null.
    expect(count.byName).toEqual({ 'rows.openCursor': 1, 'rows.openCursor.step': 3 });
    expect(count.rounds).toBe(4);
    expect(count.records).toBe(3);
    // And after counting, idb still knows its advance methods.
    expect(await idsByCursor()).toEqual([1, 2, 3]);
  });

  it("counts a cursor's writes under the cursor's store", async () => {
    const { count } = await countRequestsOf(async () => {
      const tx = db.transaction('rows', 'readwrite');
      let cursor = await tx.store.index('by_group').openCursor('a');
      while (cursor) {
        if (cursor.primaryKey === 2) void cursor.update({ ...cursor.value, group: 'b' });
        cursor = await cursor.continue();
      }
      await tx.done;
    });
    expect(count.byName['rows.by_group.openCursor.update']).toBe(1);
    expect(count.byStore).toEqual({ rows: 1 + 3 + 1 });
    expect(await db.getAllKeysFromIndex('rows', 'by_group', 'b')).toEqual([2]);
  });
});

describe('counting writes', () => {
  it('puts queued at once after a read are one round, reads queued with them too', async () => {
    const { count } = await countRequestsOf(async () => {
      const tx = db.transaction('rows', 'readwrite');
      const old = await tx.store.getAll();
      for (const row of old) void tx.store.put({ ...row, seen: true });
      void tx.store.add({ id: 4, group: 'a' });
      const [keys] = await Promise.all([tx.store.index('by_group').getAllKeys('a'), tx.done]);
      return keys;
    });
    expect(count.byMethod).toEqual({ getAll: 1, put: 3, add: 1, getAllKeys: 1 });
    expect(count.requests).toBe(6);
    expect(count.rounds).toBe(2);
    expect(count.readRounds).toBe(2);
    // Read entries only: the getAll's 3 and the getAllKeys' 4.
    expect(count.records).toBe(7);
  });

  it('a read that waits for a write is a round after it', async () => {
    const { count } = await countRequestsOf(async () => {
      const tx = db.transaction('rows', 'readwrite');
      await tx.store.put({ id: 5, group: 'c' });
      await tx.store.get(5);
      await tx.store.delete(5);
      await tx.done;
    });
    expect(count.byName).toEqual({ 'rows.put': 1, 'rows.get': 1, 'rows.delete': 1 });
    expect(count.rounds).toBe(3);
    expect(count.readRounds).toBe(2);
  });

  it('stops counting at stop(), and puts the methods back', async () => {
    const put = IDBObjectStore.prototype.put;
    const counting = countRequests();
    expect(IDBObjectStore.prototype.put).not.toBe(put);
    await db.put('rows', { id: 6, group: 'a' });
    const count = counting.stop();
    await db.put('rows', { id: 7, group: 'a' });
    expect(count.requests).toBe(1);
    expect(IDBObjectStore.prototype.put).toBe(put);
  });
});
