/**
 * What the popup's and report's first script (platform/early-boot.ts) started before their
 * modules loaded, handed to the modules through one global: each promise is taken once, by the
 * read it stands for (getDb, the entry's settings and active tab), and is then gone, so a
 * later read (a fold, another page) asks the browser again.
 */
export interface EarlyStart {
  /**
   * The database at whatever version it has (the early script has no migrations); null when
   * it did not open or does not exist yet (its creation is left to openBacklinkDb).
   */
  db?: Promise<IDBDatabase | null>;
  /** Set when that connection closed before a module took it (an upgrade elsewhere). */
  closed: boolean;
  /** storage.local's `settings` value as stored: not checked yet (core/settings#coerceSettings). */
  settings?: Promise<unknown>;
  /**
   * storage.local's hint of the pages with an aggregate (core/hot-targets.ts), as stored: set
   * (undefined when none is stored) just before `settings` resolves. A value, not a promise:
   * not taken, every first read of the page's connection asks it (platform/db-connection.ts).
   */
  hotTargets?: unknown;
  /** The active tab of the current window (the popup only). */
  tab?: Promise<{ id?: number; url?: string } | undefined>;
  /**
   * The worker's first view of that tab's page (?tab= when given), as stored in
   * storage.session (core/first-view.ts): not checked yet; undefined when there is none.
   */
  firstView?: Promise<unknown>;
}

declare global {
  // A `var`: a global property the classic script sets and the modules read.
  var __backlinkLensEarly: EarlyStart | undefined;
}

/** Take what the early script started for `key` (once); undefined where it started nothing. */
export function takeEarly<K extends 'db' | 'settings' | 'tab' | 'firstView'>(
  key: K,
): EarlyStart[K] {
  const early = globalThis.__backlinkLensEarly;
  const started = early?.[key];
  if (early) delete early[key];
  return started;
}
