import { signal } from '@preact/signals';
import type { RetentionMonths } from '../../core/types';
import { pruneText, retentionCutoff } from '../../core/retention';
import type { StorageStats } from '../../core/storage-view';
import { pruneExpired } from '../../storage/retention';
import { getDb } from '../../platform/db-connection';
import { loadAlert } from '../storage-alert';
import { countAllLinks } from '../../storage/link-keys';

/** The storage panel's figures; null until first read. */
export const storageStats = signal<StorageStats | null>(null);

/** Read the counts (key counts, no records) and the browser's estimate of the space used. */
export async function refreshStorage(): Promise<void> {
  const db = await getDb();
  const [pages, links, estimate] = await Promise.all([
    db.count('pages'),
    countAllLinks(db),
    // Not every browser has it (Firefox before 57, some embedded views): then unknown.
    navigator.storage?.estimate?.().catch(() => null) ?? Promise.resolve(null),
    loadAlert(),
  ]);
  storageStats.value = {
    pages,
    links,
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
  };
}

/** "Delete expired pages now": the retention rule at once, instead of at the worker's next run. */
export async function pruneNow(months: RetentionMonths): Promise<string> {
  const removed = await pruneExpired(await getDb(), retentionCutoff(Date.now(), months));
  await refreshStorage();
  return pruneText(removed, months);
}
