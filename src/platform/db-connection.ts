import { openBacklinkDb, DB_NAME, type BacklinkDb } from '../storage/db';

let connection: Promise<BacklinkDb> | null = null;

/** One connection per extension context, reopened after the browser or an upgrade closed it. */
export function getDb(): Promise<BacklinkDb> {
  if (!connection) {
    const opening = openBacklinkDb(DB_NAME, () => (connection = null));
    opening.catch(() => (connection = null));
    connection = opening;
  }
  return connection;
}

/**
 * Start opening the connection (and its upgrade check) now, for a screen whose first read comes
 * after other work (asking for the active tab, rendering its loading line): the open runs
 * beside it, not after. A failure shows where the screen reads, through getDb.
 */
export function openEarly(): void {
  getDb().catch(() => undefined);
}
