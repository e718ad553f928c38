/**
 * The server tests run every suite on both engines: PGlite (in memory, always) and a real
 * PostgreSQL (the cluster of setup/postgres.ts, one fresh database per file). Tables are
 * emptied between tests, so each starts from an empty, migrated index.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import { openPglite, openPostgres, type Db } from '../../server/src/db';
import type { IndexedLink, IndexedPage } from '../../server/src/model';
import { migrate } from '../../server/src/schema';

export type Engine = 'pglite' | 'postgres';
export const ENGINES: readonly Engine[] = ['pglite', 'postgres'];

/** 2026-10-01: a time every bound accepts. */
export const T0 = Date.UTC(2026, 9, 1);
export const DAY = 86_400_000;

export const makeLink = (url: string, overrides: Partial<IndexedLink> = {}): IndexedLink => ({
  url,
  anchor: 'read this',
  rel: [],
  ...overrides,
});

export const makePage = (
  url: string,
  links: IndexedLink[],
  overrides: Partial<IndexedPage> = {},
): IndexedPage => ({ url, seenAt: T0, links, ...overrides });

/** A URL of the real PostgreSQL with a database of its own, or null when it is not installed. */
async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const server = inject('postgresUrl');
  if (!server) return null;
  const name = `index_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres(server);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/**
 * A migrated database of `engine` for the tests of the enclosing describe, emptied before
 * each. Without PostgreSQL installed its tests fail under CI and skip locally, saying why.
 */
export function useDb(engine: Engine): () => Db {
  let db: Db | null = null;
  let drop: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    if (engine === 'pglite') {
      db = await openPglite();
    } else {
      const created = await createPostgresDatabase();
      if (!created) return;
      drop = created.drop;
      db = await openPostgres(created.url);
    }
    await migrate(db);
  });
  beforeEach(async (context) => {
    if (!db) {
      const reason = inject('postgresMissing');
      if (process.env.CI === 'true') throw new Error(`PostgreSQL tests cannot run: ${reason}`);
      console.warn(`Skipping the PostgreSQL server tests: ${reason}`);
      context.skip();
      return;
    }
    await db.query('TRUNCATE links, pages, domains, index_meta RESTART IDENTITY CASCADE');
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });
  return () => db!;
}

/** `body` once per engine, in a describe named after it. */
export function describeEngines(name: string, body: (db: () => Db, engine: Engine) => void) {
  for (const engine of ENGINES) describe(`${name} (${engine})`, () => body(useDb(engine), engine));
}

/** Every row of the index, in a stable order: equal dumps mean nothing changed. */
export async function dumpIndex(db: Db) {
  return {
    domains: await db.query(
      `SELECT id, encode(hash, 'hex') AS hash, name, authority, xmin::text AS version FROM domains ORDER BY id`,
    ),
    pages: await db.query(
      `SELECT id, encode(hash, 'hex') AS hash, url, domain_id, nofollow, first_seen, last_seen, authority, xmin::text AS version
       FROM pages ORDER BY id`,
    ),
    links: await db.query(
      `SELECT encode(target_hash, 'hex') AS target_hash, source_id, anchor, target_id, rel, region,
              first_seen, last_seen, lost_at, xmin::text AS version
       FROM links ORDER BY 1, 2, 3`,
    ),
    meta: await db.query('SELECT key, value FROM index_meta ORDER BY key'),
  };
}
