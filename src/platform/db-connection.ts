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
