import { wrap } from 'idb';
import { openBacklinkDb, DB_NAME, DB_VERSION, type BacklinkDb } from '../storage/db';
import { takeEarly } from './early-start';
import { parseHotTargets, type HotTargets } from '../core/hot-targets';
import { hintHotTargets } from '../storage/hot-targets';

let connection: Promise<BacklinkDb> | null = null;

/**
 * One connection per extension context, reopened after the browser or an upgrade closed it. On
 * the popup and report page, the first is the one their early script opened (early-boot.ts)
 * when it is of this version and still open: one open fewer after the modules load.
 */
export function getDb(): Promise<BacklinkDb> {
  if (!connection) {
    const closed = () => (connection = null);
    const early = takeEarly('db');
    const opening = (
      early
        ? early.then((raw) => adopt(raw, closed) ?? openBacklinkDb(DB_NAME, closed))
        : openBacklinkDb(DB_NAME, closed)
    ).then((db) => {
      // Before anyone has the connection: its first read asks the hint.
      hintHotTargets(db, earlyHotTargets());
      return db;
    });
    opening.catch(closed);
    connection = opening;
  }
  return connection;
}

/**
 * The hint of which pages have an aggregate that the page's early script read with the
 * settings (early-start.ts), parsed once it is there; null before (or in a context with no early
 * script: the worker, the options page).
 */
function earlyHotTargets(): () => HotTargets | null {
  let parsed: HotTargets | null | undefined;
  return () => {
    const early = globalThis.__backlinkLensEarly;
    if (parsed === undefined && early && 'hotTargets' in early) {
      parsed = parseHotTargets(early.hotTargets);
    }
    return parsed ?? null;
  };
}

/**
 * The early script's connection, watched as openBacklinkDb watches its own; null (and closed)
 * when it is of another version (an upgrade is due: openBacklinkDb runs the migrations) or
 * already closed.
 */
function adopt(raw: IDBDatabase | null, onClosed: () => void): BacklinkDb | null {
  if (!raw) return null;
  if (
    raw.name !== DB_NAME ||
    raw.version !== DB_VERSION ||
    globalThis.__backlinkLensEarly?.closed
  ) {
    raw.close();
    return null;
  }
  raw.addEventListener('versionchange', () => {
    // A newer version elsewhere wants to upgrade: let it, we reopen on next use.
    raw.close();
    onClosed();
  });
  raw.addEventListener('close', onClosed);
  return wrap(raw) as BacklinkDb;
}
