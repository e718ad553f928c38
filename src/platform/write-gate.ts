/**
 * Readers first (issue 7, item 5). A screen that reads IndexedDB for its first render (the
 * popup, the report page) holds a shared Web Lock while it reads; the worker starts no new
 * recording write while one is held. IndexedDB runs a read after the write transactions opened
 * before it on the same stores, so the screen then waits for the one write already running at
 * most, and renders while the worker stays idle. Bounded on both sides: a screen holds the lock
 * MAX_HOLD_MS at most, and a write waits for it no longer, so recording never starves.
 *
 * Web Locks are shared by the worker and the extension's pages (one origin) and released by
 * the browser when a page closes or its process dies:
 * https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API
 */

/** The lock a screen holds while it reads what it shows first. */
export const FIRST_READ_LOCK = 'backlink-lens-first-read';
/** Longest a screen holds recording back, and a write waits for screens (ms). */
export const MAX_HOLD_MS = 1_000;

/** The part of the Web Locks API used here (navigator.locks). */
export interface Locks {
  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => unknown,
  ): Promise<unknown>;
}

/** The browser's lock manager; null where there is none (Node, an old browser): no gate then. */
export function systemLocks(): Locks | null {
  return (globalThis.navigator as Navigator | undefined)?.locks ?? null;
}

/**
 * For a screen about to read: hold recording back until the returned function is called, or
 * MAX_HOLD_MS passed, whichever is first. Reading does not wait for the lock to be granted:
 * the lock only keeps the worker from starting writes ahead of the read. Calling the returned
 * function more than once is harmless.
 */
export function holdRecording(locks = systemLocks(), maxMs = MAX_HOLD_MS): () => void {
  if (!locks) return () => {};
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, maxMs);
  const pending = new AbortController();
  locks
    .request(FIRST_READ_LOCK, { mode: 'shared', signal: pending.signal }, () => released)
    // Released before it was granted: the request is withdrawn, nothing was held.
    .catch(() => {});
  return () => {
    clearTimeout(timer);
    release();
    pending.abort();
  };
}

/**
 * Resolves once no screen holds FIRST_READ_LOCK, or after `maxMs` (a screen that never lets go
 * must not stop recording). Never rejects.
 */
export async function readersDone(locks = systemLocks(), maxMs = MAX_HOLD_MS): Promise<void> {
  if (!locks) return;
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(), maxMs);
  // Granted when every shared holder let go; let go of at once, the write does not hold it.
  await locks
    .request(FIRST_READ_LOCK, { mode: 'exclusive', signal: waiting.signal }, () => {})
    .catch(() => {});
  clearTimeout(timer);
}

let lastWrite: Promise<unknown> = Promise.resolve();

/**
 * Run recording writes one after another, each once the screens' first reads are done
 * (readersDone). One at a time, so that a screen arriving while writes queue waits for the
 * running one only, and no page's links are canonicalized while the screen renders. A write
 * made of several transactions (a large page's, records.ts#recordPage) calls `pause` before
 * each: the gate again, so a screen waits for one of them at most.
 * Resolves or rejects as `write` does; a failed write does not hold up the next.
 */
export function gatedWrite<T>(
  write: (pause: () => Promise<void>) => Promise<T>,
  locks = systemLocks(),
): Promise<T> {
  const pause = () => readersDone(locks);
  const run = lastWrite.then(pause).then(() => write(pause));
  lastWrite = run.catch(() => {});
  return run;
}
