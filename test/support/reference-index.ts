import { afterAll, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import { readConfig } from '../../server/src/config';
import type { Db } from '../../server/src/db';
import { startServer, type RunningServer } from '../../server/src/serve';
import type { Session } from './session';

export interface ReferenceIndex {
  index: RunningServer;
  /** A tab for the options page. */
  options: Page;
}

/**
 * The reference index server on PGlite for an e2e file, in memory so nothing is left behind,
 * configured by `env` (the server's environment variables) and filled by `seed`. Started after
 * Chromium is up, not beside it: compiling PGlite's WebAssembly holds this process's event loop
 * for long stretches on a loaded machine, and the browser's launch timed out meanwhile.
 * The returned object is filled in by beforeAll.
 */
export function useReferenceIndex(
  s: Session,
  env: Record<string, string>,
  seed: (db: Db) => Promise<unknown> = async () => undefined,
): ReferenceIndex {
  const ref = {} as ReferenceIndex;
  let starting: Promise<RunningServer> | null = null;
  beforeAll(async () => {
    starting = startServer({ ...readConfig({ PORT: '0', ...env }), dataDir: '' });
    ref.index = await starting;
    await seed(ref.index.db);
    ref.options = await s.ext.context.newPage();
  }, 240_000);
  afterAll(async () => {
    const running = await starting?.catch(() => null);
    running?.server.closeAllConnections();
    await running?.close().catch(() => undefined);
  });
  return ref;
}
