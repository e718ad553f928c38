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

/**
 * The hint of every connection of this context, where it knows one itself (the worker, from
 * the store: background/hot-targets.ts): a connection opened again after the browser closed
 * the last one reads with it too, not untold until the next sync.
 */
let everyConnection: (() => HotTargets | null) | null = null;

export function hintEveryConnection(hint: () => HotTargets | null): void {
  everyConnection = hint;
}

/** Whether `url` (canonical) has an aggregate, as the hint of `db` says; undefined: no hint. */
export const hotByHint = (db: BacklinkDb, url: string): boolean | undefined =>
  (hints.get(unwrap(db))?.() ?? everyConnection?.())?.(url);

/** Every page with an aggregate: what the worker keeps the hint of. */
export const listHotTargets = (db: BacklinkDb): Promise<string[]> => db.getAllKeys('target-stats');
