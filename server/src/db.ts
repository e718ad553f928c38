/**
 * One small database interface over both engines the index server runs on: embedded PGlite
 * (PostgreSQL in WebAssembly, data in a folder; the default, nothing to install) and a real
 * PostgreSQL through `pg` when DATABASE_URL is set. Schema, migrations and queries are the
 * same SQL for both: parameters are $1…, arrays go in as JS arrays, hashes as hex text
 * (decode/encode in SQL), so neither driver's binary types leak into the store.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements at once, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** The database is not reachable (down, closed, refusing connections): the server answers 503. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutting down).
const UNAVAILABLE_SQLSTATE = /^(08|57P0)/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
]);

/** Whether `error` means the database cannot be reached, rather than a bad query. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))
  ) {
    return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return (
    typeof message === 'string' &&
    /PGlite is closed|Connection terminated|connect ECONNREFUSED|pool after calling end/.test(
      message,
    )
  );
}

export async function openPglite(dataDir?: string): Promise<Db> {
  // Without a folder PGlite keeps everything in memory (tests, benchmarks).
  const lite = await PGlite.create(dataDir);
  return {
    engine: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => (await lite.query<T>(sql, params)).rows,
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      lite.transaction((tx) =>
        work({
          query: async <R>(sql: string, params?: unknown[]) =>
            (await tx.query<R>(sql, params)).rows,
        }),
      ),
    exec: async (sql) => void (await lite.exec(sql)),
    close: () => lite.close(),
  };
}

// int8 (counts, times in ms) as numbers, as PGlite gives them: both fit 2^53 here.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openPostgres(connectionString: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString, types, max: 8, connectionTimeoutMillis: 5_000 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) =>
    (await client.query(sql, params)).rows as T[];
  return {
    engine: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: (sql, params) => run(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    exec: async (sql) => void (await pool.query(sql)),
    close: () => pool.end(),
  };
}

/** PostgreSQL when a connection string is given, else PGlite in `dataDir` (memory if none). */
export function openDb(options: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}
