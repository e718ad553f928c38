import { getDb } from '../platform/db-connection';
import { FIRST_READ_LOCK, gatedWrite, readersDone } from '../platform/write-gate';
import { LINK_MOVE_SIZING, moveOldLinks, newMoveProgress } from '../storage/link-move';

let moving: Promise<number> | null = null;

/** How far this worker's move got and where its time went (the bench reads it). */
export const linkMoveProgress = newMoveProgress();

/**
 * How long the move stays out of the way after a screen read for its first render: the screen
 * lets recording go after a second at most, but the rest of its first render (a page without
 * aggregates reads in full) and its extras follow in further transactions, each of which would
 * otherwise queue behind a chunk. The move can wait; the person looking at the popup cannot.
 */
const STEP_ASIDE_MS = 2_000;

/** Whether a screen holds the first-read lock right now (without waiting for it). */
async function screenReading(): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return false;
  return locks
    .request(FIRST_READ_LOCK, { mode: 'exclusive', ifAvailable: true }, (lock) => !lock)
    .then(
      (held) => held === true,
      // Only a courtesy: without an answer the move goes on through the recording gate.
      () => false,
    );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The move's gate: the recording gate (platform/write-gate.ts), after stepping aside while
 * screens read and for STEP_ASIDE_MS after; outside the recording queue, so that recording
 * goes on meanwhile.
 */
async function moveGate<T>(write: () => Promise<T>): Promise<T> {
  while (await screenReading()) {
    await readersDone();
    await sleep(STEP_ASIDE_MS);
  }
  return gatedWrite(write);
}

/**
 * Move links left in the old store by the upgrade (storage/link-move.ts), once per worker: a
 * worker stopped part-way leaves the rest for the next one, which starts this again. A failure
 * is logged and left for the next start; readers see both stores meanwhile, so nothing waits.
 */
export function startLinkMove(): Promise<number> {
  moving ??= getDb()
    .then((db) => moveOldLinks(db, LINK_MOVE_SIZING, moveGate, linkMoveProgress))
    .catch((error: unknown) => {
      console.error('Backlink Lens could not finish moving links to the compact store:', error);
      moving = null;
      return 0;
    });
  return moving;
}
