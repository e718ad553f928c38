import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRemoteCache,
  readCachedAnswer,
  REMOTE_CACHE_TTL,
  writeCachedAnswer,
  type RemoteCacheRecord,
} from '../../src/storage/remote-cache';
import { closeTestDbs, makeLink, openTestDb, T0 } from './helpers';

afterEach(closeTestDbs);

const URL_A = 'https://target.com/a';
const cached = (sourceId: string, key: string, fetchedAt = T0): RemoteCacheRecord => ({
  sourceId,
  kind: 'url',
  key,
  fetchedAt,
  answer: { name: 'Index', links: [makeLink('https://a.com/', key)] },
});

describe('remote cache', () => {
  it('returns an answer until its TTL is over, never one from the future', async () => {
    const db = await openTestDb();
    await writeCachedAnswer(db, cached('https://index.example', URL_A));
    const read = (now: number) => readCachedAnswer(db, 'https://index.example', 'url', URL_A, now);
    expect((await read(T0 + 1000))?.answer.links).toHaveLength(1);
    expect(await read(T0 + REMOTE_CACHE_TTL)).toBeNull();
    expect(await read(T0 - 1000)).toBeNull();
    // Another kind of lookup of the same key is another answer.
    expect(await readCachedAnswer(db, 'https://index.example', 'domain', URL_A, T0)).toBeNull();
  });

  it('forgets one source without touching another', async () => {
    const db = await openTestDb();
    await writeCachedAnswer(db, cached('https://one.example', URL_A));
    await writeCachedAnswer(db, cached('https://one.example', 'https://target.com/b'));
    await writeCachedAnswer(db, cached('https://two.example', URL_A));
    await clearRemoteCache(db, 'https://one.example');
    expect((await db.getAll('remote-cache')).map((r) => r.sourceId)).toEqual([
      'https://two.example',
    ]);
    await clearRemoteCache(db);
    expect(await db.count('remote-cache')).toBe(0);
  });
});
