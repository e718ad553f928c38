import type { LookupKind, SourceAnswer } from '../sources/types';
import type { BacklinkDb } from './db';

/** One remote source's validated answer for a page or site, as of `fetchedAt`. */
export interface RemoteCacheRecord {
  /** The source's id: for a remote index, its base URL (another index is another cache). */
  sourceId: string;
  kind: LookupKind;
  /** The canonical URL or registrable domain asked about. */
  key: string;
  fetchedAt: number;
  answer: SourceAnswer;
}

/** How long an answer is used before the source is asked again. */
export const REMOTE_CACHE_TTL = 6 * 60 * 60 * 1000;

/** The cached answer if younger than `ttl` (the source's own, if any) and not from the future. */
export async function readCachedAnswer(
  db: BacklinkDb,
  sourceId: string,
  kind: LookupKind,
  key: string,
  now: number = Date.now(),
  ttl: number = REMOTE_CACHE_TTL,
): Promise<RemoteCacheRecord | null> {
  const record = await db.get('remote-cache', [sourceId, kind, key]);
  if (!record) return null;
  const age = now - record.fetchedAt;
  return age >= 0 && age < ttl ? record : null;
}

export async function writeCachedAnswer(db: BacklinkDb, record: RemoteCacheRecord): Promise<void> {
  await db.put('remote-cache', record);
}

/** Forget every answer of one source (it was removed or changed), or of all with no id. */
export async function clearRemoteCache(db: BacklinkDb, sourceId?: string): Promise<void> {
  const tx = db.transaction('remote-cache', 'readwrite');
  if (sourceId === undefined) {
    await tx.store.clear();
  } else {
    let cursor = await tx.store.index('by_source').openKeyCursor(sourceId);
    while (cursor) {
      await tx.store.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}
