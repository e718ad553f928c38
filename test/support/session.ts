import { afterAll, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from './browser';
import { startSiteServer, type SiteServer } from './site-server';

export interface Session {
  server: SiteServer;
  ext: ExtensionBrowser;
  /** A tab to browse in. */
  page: Page;
}

/**
 * One site server and one Chromium with the extension (fresh profile) for a test file.
 * The returned object is filled in by beforeAll. `scrollbars`: see launchWithExtension.
 */
export function useExtensionSession(options: { scrollbars?: boolean } = {}): Session {
  const session = {} as Session;
  beforeAll(async () => {
    session.server = await startSiteServer();
    session.ext = await launchWithExtension({ sitePort: session.server.port, ...options });
    session.page = await session.ext.context.newPage();
  });
  afterAll(async () => {
    await session.ext?.close();
    await session.server?.close();
  });
  return session;
}
