import type { BacklinkDb, MetaRecord } from './db';

/**
 * The data epoch: how many times stored data was forgotten (cleared, a site excluded). A
 * background computation reads it before the data and writes nothing if it changed meanwhile.
 */
export const epochOf = (record: MetaRecord | undefined): number =>
  record?.id === 'data-epoch' ? record.epoch : 0;

/** How many times stored data was forgotten: read before the data, checked at the write. */
export async function loadDataEpoch(db: BacklinkDb): Promise<number> {
  return epochOf(await db.get('meta', 'data-epoch'));
}
