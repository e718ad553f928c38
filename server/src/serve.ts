/**
 * `npm run index:serve`: opens the database (PGlite in INDEX_DATA_DIR, or DATABASE_URL),
 * brings its schema up to date and serves the API on HOST:PORT (127.0.0.1:8787 by default)
 * until SIGINT or SIGTERM, then closes the database cleanly.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readConfig, type ServerConfig } from './config';
import { openDb, type Db } from './db';
import { createIndexServer } from './http';
import { migrate } from './schema';

export interface RunningServer {
  server: Server;
  db: Db;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(db);
  const server = createIndexServer({ ...config, db });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    server,
    db,
    url: `http://${host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

export async function serveCommand(): Promise<void> {
  const config = readConfig();
  const running = await startServer(config);
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
  const contributions = config.tokens.length ? `on (${config.tokens.length} tokens)` : 'off';
  console.log(`${config.name} serving ${running.url} on ${where}; contributions ${contributions}.`);
  const stop = () => {
    running.server.closeAllConnections();
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
