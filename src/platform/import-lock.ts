import { systemLocks } from './write-gate';

/**
 * An import (the options page) holds this Web Lock while it writes, so that the worker's
 * authority job waits for it to end: every batch changes the graph, so a computation started
 * meanwhile reads hundreds of thousands of records only to find them changed and read again
 * (three times, then a retry later), in the process the import runs in: a 1M-link import's
 * process went from about 250 MB to 651 MB while they ran. The browser lets the lock go when
 * the page closes. https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API
 */
export const IMPORT_LOCK = 'backlink-lens-import';

/**
 * Run `work` holding the import lock; resolves or rejects as it does. Shared: two pages
 * importing at once both hold it, and neither waits for the other.
 */
export function whileImporting<T>(work: () => Promise<T>, locks = systemLocks()): Promise<T> {
  if (!locks) return work();
  return locks.request(IMPORT_LOCK, { mode: 'shared' }, work) as Promise<T>;
}

/** Whether an import holds the lock now (without waiting for it); false without Web Locks. */
export async function importRunning(locks = systemLocks()): Promise<boolean> {
  if (!locks) return false;
  const held = await locks.request(IMPORT_LOCK, { mode: 'exclusive', ifAvailable: true }, (lock) =>
    Promise.resolve(lock === null),
  );
  return held === true;
}
