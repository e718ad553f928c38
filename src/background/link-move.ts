import { getDb } from '../platform/db-connection';
import { gatedWrite } from '../platform/write-gate';
import { LINK_MOVE_SIZING, moveOldLinks, newMoveProgress } from '../storage/link-move';

let moving: Promise<number> | null = null;

/** How far this worker's move got and where its time went (the bench reads it). */
export const linkMoveProgress = newMoveProgress();

/**
 * Move links left in the old store by the upgrade (storage/link-move.ts), once per worker: a
 * worker stopped part-way leaves the rest for the next one, which starts this again. A failure
 * is logged and left for the next start; readers see both stores meanwhile, so nothing waits.
 */
export function startLinkMove(): Promise<number> {
  moving ??= getDb()
    .then((db) => moveOldLinks(db, LINK_MOVE_SIZING, gatedWrite, linkMoveProgress))
    .catch((error: unknown) => {
      console.error('Backlink Lens could not finish moving links to the compact store:', error);
      moving = null;
      return 0;
    });
  return moving;
}
