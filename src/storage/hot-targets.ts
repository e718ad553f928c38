import { unwrap } from 'idb';
import type { HotTargets } from '../core/hot-targets';
import type { BacklinkDb } from './db';

/** Per connection: how its reads learn which pages have an aggregate (hintHotTargets). */
const hints = new WeakMap<IDBDatabase, () => HotTargets | null>();

/**
 * Give the first reads of `db` (storage/head.ts) a hint of which pages have an aggregate
 * (core/hot-targets.ts), asked at each read (null: none known yet). A screen's connection is
 * new: without the hint its first read waits for the old link store's answer and, beside it,
 * the aggregate's before it asks a cold page's links (three rounds where a raw read of its rows
 * takes two); with it, a cold page's links come with the first round, and a hot page's are
 * never read.
 */
export function hintHotTargets(db: BacklinkDb, hint: () => HotTargets | null): void {
  hints.set(unwrap(db), hint);
}

/** Whether `url` (canonical) has an aggregate, as the hint of `db` says; undefined: no hint. */
export const hotByHint = (db: BacklinkDb, url: string): boolean | undefined =>
  hints.get(unwrap(db))?.()?.(url);

/** Every page with an aggregate: what the worker keeps the hint of. */
export const listHotTargets = (db: BacklinkDb): Promise<string[]> => db.getAllKeys('target-stats');
