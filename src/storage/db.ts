import {
  openDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type { LinkRecord, PageRecord } from '../core/types';

/**
 * The one place that knows the IndexedDB schema. Every change to it is a new entry in
 * MIGRATIONS; DB_VERSION is their count, so an old database is walked forward step by step.
 */
export interface BacklinkSchema extends DBSchema {
  pages: {
    key: string;
    value: PageRecord;
    indexes: { by_domain: string; by_canonical: string };
  };
  links: {
    /** [source, target, anchor]: the same page linking twice with other words is two links. */
    key: [string, string, string];
    value: LinkRecord;
    indexes: { by_target: string; by_target_domain: string; by_source: string };
  };
}

export type BacklinkDb = IDBPDatabase<BacklinkSchema>;
type UpgradeTx = IDBPTransaction<BacklinkSchema, StoreNames<BacklinkSchema>[], 'versionchange'>;

export const DB_NAME = 'backlink-lens';

const MIGRATIONS: ReadonlyArray<(db: BacklinkDb, tx: UpgradeTx) => void> = [
  // v1: pages and links with the indexes the popup, badge and revisit logic read by.
  (db) => {
    const pages = db.createObjectStore('pages', { keyPath: 'url' });
    pages.createIndex('by_domain', 'domain');
    pages.createIndex('by_canonical', 'canonical');
    const links = db.createObjectStore('links', { keyPath: ['source', 'target', 'anchor'] });
    links.createIndex('by_target', 'target');
    links.createIndex('by_target_domain', 'targetDomain');
    links.createIndex('by_source', 'source');
  },
];

export const DB_VERSION = MIGRATIONS.length;

/** onClosed: the connection is gone (a newer version took over, or the browser closed it). */
export function openBacklinkDb(
  name: string = DB_NAME,
  onClosed: () => void = () => {},
): Promise<BacklinkDb> {
  return openDB<BacklinkSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]?.(db, tx);
    },
    blocking(_current, _blocked, event) {
      // A newer version elsewhere wants to upgrade: let it, we reopen on next use.
      (event.target as IDBDatabase).close();
      onClosed();
    },
    terminated: onClosed,
  });
}
