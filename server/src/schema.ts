/**
 * The index schema, as a list of migrations applied in order and recorded in
 * `schema_migrations`. A schema change is a new entry at the end, never an edit of one that
 * may have run somewhere.
 *
 * Links are keyed by the SHA-256 of their target's canonical URL (`target_hash`, first in the
 * primary key), so a lookup by hash prefix is one range scan of that index. The links table is
 * partitioned by range of that hash (16 partitions by its first hex digit, PostgreSQL
 * declarative partitioning): the same layout a distributed PostgreSQL (Citus) spreads over
 * nodes by the same column (docs/index-protocol.md, scale path).
 */
import type { Db } from './db';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** One partition per first hex digit of the hash: [0x00, 0x10), [0x10, 0x20), …, [0xf0, max). */
function linkPartitions(): string {
  return Array.from({ length: 16 }, (_, i) => {
    const from = i === 0 ? 'MINVALUE' : `'\\x${i.toString(16)}0'`;
    const to = i === 15 ? 'MAXVALUE' : `'\\x${(i + 1).toString(16)}0'`;
    return `CREATE TABLE links_${i.toString(16)} PARTITION OF links FOR VALUES FROM (${from}) TO (${to});`;
  }).join('\n');
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'domains, pages, links by target hash, meta',
    sql: `
      CREATE TABLE domains (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- Unique by hash, not by name or URL: a btree entry cannot hold an 8 KB URL.
        hash bytea NOT NULL UNIQUE,
        name text NOT NULL,
        -- 0-100, from the last authority job; null before the first.
        authority real
      );
      CREATE TABLE pages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        hash bytea NOT NULL UNIQUE,
        url text NOT NULL,
        domain_id integer NOT NULL REFERENCES domains (id),
        -- The page's robots nofollow at its latest crawl: its links pass no authority.
        nofollow boolean NOT NULL DEFAULT false,
        -- When the page itself was crawled or recorded; null for a page only linked to.
        first_seen bigint,
        last_seen bigint,
        authority real
      );
      CREATE TABLE links (
        target_hash bytea NOT NULL,
        source_id bigint NOT NULL,
        anchor text NOT NULL,
        target_id bigint NOT NULL,
        source_domain_id integer NOT NULL,
        target_domain_id integer NOT NULL,
        rel text[] NOT NULL,
        region text,
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        -- The crawl of the source that no longer had the link; null while it is live.
        lost_at bigint,
        PRIMARY KEY (target_hash, source_id, anchor)
      ) PARTITION BY RANGE (target_hash);
      ${linkPartitions()}
      CREATE INDEX links_source ON links (source_id);
      CREATE INDEX links_target_domain ON links (target_domain_id);
      CREATE TABLE index_meta (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
];

/** Applies the migrations not yet recorded, each in its own transaction; returns how many ran. */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  let applied = 0;
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      // Two servers starting on one database: the second waits, then finds the version done.
      await tx.query('SELECT pg_advisory_xact_lock(82026)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied++;
  }
  return applied;
}

/** The statements of a migration (no semicolons inside them here), comments dropped. */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
