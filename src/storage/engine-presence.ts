import type { BacklinkDb } from './db';

/**
 * How many search-engine exports are imported: one key count, so that a popup on a machine
 * without any (the common case) never reads the engines' links.
 */
export function countEngineImports(db: BacklinkDb): Promise<number> {
  return db.count('engine-imports');
}
