import {
  openDB,
  unwrap,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type { AuthorityRecord, LinkRecord, PageRecord, RedirectRecord } from '../core/types';
import type {
  AuthorityCache,
  AuthorityPatch,
  AuthorityChanges,
  AuthorityMeta,
  AuthorityRun,
} from '../core/authority-job';
import type { ReferralVisit } from '../core/referrals';
import type { StoredTermStats } from './term-stats';
import { fixAuthority, fixLink, fixPage, fixRedirect, fixReferral, scrubStore } from './scrub';
import type { RemoteCacheRecord } from './remote-cache';
import type { EngineImportRecord, EngineLinkRecord } from './engine-links';
import type { TargetStats } from '../core/target-stats';
import type { SiteHead, SiteTally } from '../core/site-stats';
import type { GraphEntry } from '../core/authority-rows';
import type { PackedRows } from '../core/authority-packed';
import type { StagedWrite } from './staged-writes';
import type { RiskRecord } from './risk-summary';
import { markStoredTies, type Tie } from './ties';

/** A stored score, under the generation of the computation that wrote it. */
export type ScoreRecord = AuthorityRecord & { gen: number };

/** One record per kind of fact about the database as a whole, keyed by `id`. */
export type MetaRecord =
  | ({ id: 'authority' } & AuthorityMeta)
  | ({ id: 'authority-run' } & AuthorityRun)
  /** The last authority graphs and the pages recorded since: see background/authority-job.ts. */
  | ({ id: 'authority-graph' } & AuthorityCache)
  /** What incremental updates patched into the kept graphs since (core/authority-job.ts). */
  | ({ id: 'authority-graph-patch' } & AuthorityPatch)
  | ({ id: 'authority-changes' } & AuthorityChanges)
  /** Counts the times stored data was forgotten (cleared, a site excluded): see writeAuthority. */
  | { id: 'data-epoch'; epoch: number }
  /** Document frequencies of page terms, for relevance (storage/term-stats.ts). */
  | ({ id: 'term-stats' } & StoredTermStats)
  /** Whether the graph store's rows were built from the records (storage/graph.ts). */
  | { id: 'graph-state'; built: boolean }
  /** The graph store's rows packed for a full computation to read at once (storage/graph-packed.ts). */
  | ({ id: 'graph-packed' } & PackedRows)
  /** Where a build of the graph store's rows from the records stands (storage/graph.ts). */
  | { id: 'graph-build'; epoch: number; after: string | null }
  /** Page writes whose new links are being staged (storage/staged-writes.ts). */
  | { id: 'staged-writes'; writes: StagedWrite[] };

/** The indexes of a links store, by name (the same in both, see 'links-v1'). */
export type LinkIndexes = {
  by_target: string;
  by_target_domain: string;
  by_source: string;
  /** Lost links only, by [target, lostAt]: a live link (lostAt null) has no entry. */
  by_target_lost: [string, number];
  /** [target, sourceDomain]: the rows of a target's shown groups only (storage/head.ts). */
  by_target_source_domain: [string, string];
};

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
    /**
     * A number the store gives each link (out of line: the record is a plain LinkRecord). One
     * record per [source, target, anchor] is kept by the writers (storage/link-keys.ts), not by
     * the key: a key of three URLs was copied into every index entry, half the bytes on disk.
     */
    key: number;
    value: LinkRecord;
    indexes: LinkIndexes;
  };
  /**
   * The links store as it was before the number keys, under [source, target, anchor], while the
   * worker moves its records into `links` (background/link-move.ts); empty afterwards, and on a
   * new install. Every link is in exactly one of the two (storage/link-keys.ts reads both).
   */
  'links-v1': {
    key: [string, string, string];
    value: LinkRecord;
    indexes: LinkIndexes;
  };
  redirects: {
    /** [from, to]: one hop, however often it was followed. */
    key: [string, string];
    value: RedirectRecord;
    indexes: { by_to: string; by_from: string };
  };
  /**
   * The scores as stored before generations (see 'authority-scores'): read while the meta record
   * names no generation, emptied by the first write after the upgrade.
   */
  authority: {
    /** [kind, key]: a page's URL and a domain may be the same string, the kind keeps them apart. */
    key: [AuthorityRecord['kind'], string];
    value: AuthorityRecord;
  };
  /**
   * Authority's scores by generation: the meta record 'authority' names the one to read; a
   * computation writes the next beside it (storage/authority.ts#writeAuthority).
   */
  'authority-scores': {
    key: [number, AuthorityRecord['kind'], string];
    value: ScoreRecord;
  };
  meta: {
    key: MetaRecord['id'];
    value: MetaRecord;
  };
  referrals: {
    /** [source, target, at]: one visit made by following a link (a re-import adds nothing). */
    key: [string, string, number];
    value: ReferralVisit;
    indexes: { by_target: string; by_source_domain: string; by_target_domain: string };
  };
  'remote-cache': {
    /** [sourceId, kind, key]: one validated answer of a remote source (storage/remote-cache.ts). */
    key: [string, string, string];
    value: RemoteCacheRecord;
    indexes: { by_source: string };
  };
  /** One record per imported search-engine export (storage/engine-links.ts). */
  'engine-imports': {
    key: string;
    value: EngineImportRecord;
  };
  'engine-links': {
    /** [importId, source, target, anchor]: a re-import of the same file adds nothing. */
    key: [string, string, string, string];
    value: EngineLinkRecord;
    indexes: { by_target: string; by_import: string };
  };
  /** Aggregates of hot targets for the popup's first render (storage/target-stats.ts). */
  'target-stats': {
    key: string;
    value: TargetStats;
    /** Records whose kept groups lack rows, by target (core/target-stats.ts#markRefill). */
    indexes: { by_refill: string };
  };
  /**
   * Authority's graph, one row per page (storage/graph.ts); dirty rows only in by_dirty, rows
   * written since the job last packed them only in by_fresh.
   */
  graph: {
    key: string;
    value: GraphEntry;
    indexes: { by_dirty: number; by_fresh: number };
  };
  /** The popup's risk line per page (storage/risk-summary.ts); current ones in by_watch. */
  risks: {
    key: string;
    value: RiskRecord;
    indexes: { by_watch: string; by_computed: number };
  };
  /** URLs with an alias or a redirect at either end (storage/ties.ts): the others count alone. */
  ties: {
    key: string;
    value: Tie;
  };
  /** The site line's counts of a hot site (storage/site-stats.ts), by registrable domain. */
  'site-stats': {
    key: string;
    value: SiteHead;
  };
  /** A hot site's tally per referring domain and per page; pages by link count in by_top. */
  'site-tallies': {
    key: [string, string];
    value: SiteTally;
    indexes: { by_top: [string, number] };
  };
}

export type BacklinkDb = IDBPDatabase<BacklinkSchema>;
export type UpgradeTx = IDBPTransaction<
  BacklinkSchema,
  StoreNames<BacklinkSchema>[],
  'versionchange'
>;

export const DB_NAME = 'backlink-lens';

/** A migration may be async (walking a cursor); the next one starts when it is done. */
type Migration = (db: BacklinkDb, tx: UpgradeTx) => void | Promise<void>;

// Compact links (issue 7, item 2): links under a number the store generates instead of
// [source, target, anchor], so no index entry copies three URLs (bytes per link halved).
// O(1) at open: the old store is only renamed, and the worker moves its records over in short
// committed chunks (background/link-move.ts), so an upgrade stopped by the browser neither
// starts again nor blocks the database. Emptied, 'links-v1' stays: it costs nothing, and a
// later migration can drop it with the second read once every install has moved.
const numberKeyedLinks: Migration = (db, tx) => {
  unwrap(tx).objectStore('links').name = 'links-v1';
  const links = db.createObjectStore('links', { autoIncrement: true });
  links.createIndex('by_target', 'target');
  links.createIndex('by_target_domain', 'targetDomain');
  links.createIndex('by_source', 'source');
  links.createIndex('by_target_lost', ['target', 'lostAt']);
  links.createIndex('by_target_source_domain', ['target', 'sourceDomain']);
};

// Its own name so that tests can build the version before it (TIES_VERSION).
const tiesStore: Migration = async (db, tx) => {
  db.createObjectStore('ties', { keyPath: 'url' });
  await markStoredTies(tx);
};

// Authority's scores by generation (issue 6): a computation writes its scores under a new
// generation in short transactions and then points the meta record at it in one more, so the
// popup reads the last scores whole while 110,000 are written (one transaction held its read for
// 20 s at 1M), and a write stopped with the worker goes on. O(1): the scores already in
// 'authority' stay readable, under no generation, until the first write replaces them.
const authorityGenerations: Migration = (db) => {
  db.createObjectStore('authority-scores', { keyPath: ['gen', 'kind', 'key'] });
};

const MIGRATIONS: readonly Migration[] = [
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
  // v2: repeated links folded into one record (every region and rel seen, how many times), and
  // the redirects the browser followed, read backwards from a page (by_to) and forwards.
  async (db, tx) => {
    const redirects = db.createObjectStore('redirects', { keyPath: ['from', 'to'] });
    redirects.createIndex('by_to', 'to');
    redirects.createIndex('by_from', 'from');
    let cursor = await tx.objectStore('links').openCursor();
    while (cursor) {
      const link = cursor.value as LinkRecord & Partial<Pick<LinkRecord, 'occurrences'>>;
      if (link.occurrences === undefined) {
        void cursor.update({ ...link, regions: [link.region], rels: link.rel, occurrences: 1 });
      }
      cursor = await cursor.continue();
    }
  },
  // v3: source authority, derived from the links (so nothing to convert): the scores of the
  // last computation, and its scale and unfinished progress in `meta`.
  (db) => {
    db.createObjectStore('authority', { keyPath: ['kind', 'key'] });
    db.createObjectStore('meta', { keyPath: 'id' });
  },
  // v4: visits the user made by following a link (referrals), new facts: nothing to convert.
  // Read by landing page for the report, by either end's domain to forget a site.
  (db) => {
    const referrals = db.createObjectStore('referrals', { keyPath: ['source', 'target', 'at'] });
    referrals.createIndex('by_target', 'target');
    referrals.createIndex('by_source_domain', 'sourceDomain');
    referrals.createIndex('by_target_domain', 'targetDomain');
  },
  // v5: nothing kept that the rules on the way in now refuse: secrets in URLs stripped (the
  // record moved to its clean key) or, for secret addresses, removed with every link, hop and
  // visit to or from them; records with impossible times (an old import of 1e20) removed.
  // Rewriting rather than deleting keeps a page's history when only a parameter was secret.
  async (_db, tx) => {
    const now = Date.now();
    await scrubStore(tx, 'pages', fixPage, now);
    await scrubStore(tx, 'links', fixLink, now);
    await scrubStore(tx, 'redirects', fixRedirect, now);
    await scrubStore(tx, 'referrals', fixReferral, now);
    await scrubStore(tx, 'authority', fixAuthority, now);
  },
  // v6: the lost links of a target, so that its live links are counted from two index counts
  // (all links minus lost ones) without reading a record: the badge after every recorded page.
  // A null is not a valid key, so a live link has no entry and the index stays small.
  (_db, tx) => {
    tx.objectStore('links').createIndex('by_target_lost', ['target', 'lostAt']);
  },
  // v7: the remote index (issue 8): validated answers of remote sources, kept for a while so that
  // opening the popup twice asks the index once. A store of its own, nothing to convert.
  (db) => {
    const cache = db.createObjectStore('remote-cache', { keyPath: ['sourceId', 'kind', 'key'] });
    cache.createIndex('by_source', 'sourceId');
  },
  // The search engines' own link exports (issue 9): imports and their links, stores of their
  // own so that an import is removed whole and never mixes with what this browser recorded.
  (db) => {
    db.createObjectStore('engine-imports', { keyPath: 'id' });
    const links = db.createObjectStore('engine-links', {
      keyPath: ['importId', 'source', 'target', 'anchor'],
    });
    links.createIndex('by_target', 'target');
    links.createIndex('by_import', 'importId');
  },
  // The popup's first render reads what it shows (issue 7, item 1): per-target aggregates of
  // hot targets, built lazily by storage/target-stats.ts (nothing to build here), and the
  // links of a target by referring domain, so only the shown groups' rows are read.
  (db, tx) => {
    db.createObjectStore('target-stats', { keyPath: 'target' });
    const links = tx.objectStore('links');
    if (!links.indexNames.contains('by_target_source_domain')) {
      links.createIndex('by_target_source_domain', ['target', 'sourceDomain']);
    }
  },
  numberKeyedLinks,
  // Authority at a million links (issue 6): its graph as one row per page, the distinct targets
  // of the page's links, kept by every write of links, so a computation reads rows rather than
  // every link. The rows are built from the records by the next computation (storage/graph.ts),
  // not here, so the upgrade stays short; only rows to redo have a `dirty` field, and an entry
  // in by_dirty.
  (db) => {
    db.createObjectStore('graph', { keyPath: 'url' }).createIndex('by_dirty', 'dirty');
  },
  // Authority at a million links, read in one go (issue 6): the job keeps the rows packed in one
  // record (storage/graph-packed.ts) and merges in the rows written since, found by this index;
  // rows stored before it have no mark and are packed by the next computation's full read.
  (_db, tx) => {
    tx.objectStore('graph').createIndex('by_fresh', 'fresh');
  },
  // The popup's first rows kept with a hot target's aggregate (issue 7, item 1), so that its
  // first render is one get. Aggregates without them are dropped, to be built again with them
  // when next wanted (as after an import); records whose rows need reading again are indexed.
  async (_db, tx) => {
    const stats = tx.objectStore('target-stats');
    stats.createIndex('by_refill', 'refill');
    await stats.clear();
  },
  // The popup's risk line without reading the page's links (issue 6): stored per page, built
  // in the background; each current one indexed by the domains a write must match to make it
  // stale (multiEntry). Derived data, built when next wanted: nothing to convert.
  (db) => {
    db.createObjectStore('risks', { keyPath: 'url' }).createIndex('by_watch', 'watch', {
      multiEntry: true,
    });
  },
  // Stored risk lines are capped (risk-summary.ts#capRiskSummaries): the oldest built go first.
  (_db, tx) => {
    tx.objectStore('risks').createIndex('by_computed', 'computedAt');
  },
  // The cold badge and first read within budget (issue 7): URLs tied to another by a canonical
  // or a redirect, so that the others skip those lookups. Marked here for what is stored, then
  // by every writer (storage/ties.ts).
  tiesStore,
  // The site line from counts, not records (issue 7, item 1): a maintained aggregate per hot
  // site (storage/site-stats.ts). Derived data, built when next wanted: nothing to convert.
  (db) => {
    db.createObjectStore('site-stats', { keyPath: 'site' });
    db.createObjectStore('site-tallies', { keyPath: ['site', 'part'] }).createIndex('by_top', [
      'site',
      'top',
    ]);
  },
  authorityGenerations,
];

export const DB_VERSION = MIGRATIONS.length;
/** The first version with number-keyed links: a test builds the one before it. */
export const NUMBER_KEYS_VERSION = MIGRATIONS.indexOf(numberKeyedLinks) + 1;
/** The first version with the ties store: a test builds the one before it. */
export const TIES_VERSION = MIGRATIONS.indexOf(tiesStore) + 1;
/** The first version with scores by generation: a test builds the one before it. */
export const GENERATIONS_VERSION = MIGRATIONS.indexOf(authorityGenerations) + 1;

/**
 * Run the migrations in order, each after the previous one's requests: the upgrade transaction
 * stays open while requests are pending, so awaiting them is safe. A failure aborts the whole
 * upgrade, so the database stays at its old version with its data, and opening it rejects.
 */
async function migrate(
  db: BacklinkDb,
  oldVersion: number,
  newVersion: number,
  tx: UpgradeTx,
): Promise<void> {
  try {
    for (let v = oldVersion; v < newVersion; v++) await MIGRATIONS[v]?.(db, tx);
  } catch {
    try {
      tx.abort();
    } catch {
      // Already aborted by the failed request.
    }
  }
}

/**
 * onClosed: the connection is gone (a newer version took over, or the browser closed it).
 * `version`: an earlier schema, for tests that upgrade a database an earlier release wrote.
 */
export function openBacklinkDb(
  name: string = DB_NAME,
  onClosed: () => void = () => {},
  version: number = DB_VERSION,
): Promise<BacklinkDb> {
  return openDB<BacklinkSchema>(name, version, {
    upgrade(db, oldVersion, _newVersion, tx) {
      // A database another page opened without a version (DevTools, a test) is an empty
      // version 1: built from the start, or every upgrade would fail on the missing stores.
      const empty = db.objectStoreNames.length === 0;
      void migrate(db, empty ? 0 : oldVersion, version, tx);
    },
    blocking(_current, _blocked, event) {
      // A newer version elsewhere wants to upgrade: let it, we reopen on next use.
      (event.target as IDBDatabase).close();
      onClosed();
    },
    terminated: onClosed,
  });
}
