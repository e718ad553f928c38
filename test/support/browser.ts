import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  extensionUrl(path: string): string;
  /** The profile the browser runs in (where it writes DevToolsActivePort, say). */
  userDataDir: string;
  close(): Promise<void>;
}

/** Flags every test browser shares. Made-up *.test hosts resolve to the local site server. */
export function chromiumArgs(sitePort: number): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    `--host-resolver-rules=MAP *.test 127.0.0.1:${sitePort}, EXCLUDE 127.0.0.1`,
  ];
}

/**
 * Debian's Chromium with the built extension loaded. Made-up *.test hosts resolve to the
 * local site server, so no request leaves 127.0.0.1.
 */
export async function launchWithExtension(options: {
  sitePort: number;
  headless?: boolean;
  userDataDir?: string;
  /** The browser's UI language (Chromium on Linux reads it from LANGUAGE), e.g. "de". */
  language?: string;
  /** Another build than dist/ (a benchmark's "before"). */
  distDir?: string;
  /** More Chromium flags (a benchmark's remote debugging port). */
  args?: string[];
  /**
   * Scrollbars that take room, as a person's browser has: Playwright hides them when headless
   * (--hide-scrollbars), and a layout that only fits without one then passes.
   */
  scrollbars?: boolean;
}): Promise<ExtensionBrowser> {
  const dist = options.distDir ?? DIST_DIR;
  if (!existsSync(join(dist, 'manifest.json'))) {
    throw new Error(`No build in ${dist}: run "npm run build" first.`);
  }
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'backlink-lens-')));
  // A kept profile (a benchmark's filled store) holds the worker it last ran in its service
  // worker cache, and Chromium starts that cached script again, not the build's, even when the
  // build changed (an unpacked extension keeps its version). Without the cache it registers the
  // build's worker afresh; the extension's data (IndexedDB, storage, alarms) lives elsewhere.
  await rm(join(userDataDir, 'Default', 'Service Worker'), { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: options.headless ?? true,
    ...(options.scrollbars ? { ignoreDefaultArgs: ['--hide-scrollbars'] } : {}),
    args: [
      ...chromiumArgs(options.sitePort),
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      ...(options.language ? [`--lang=${options.language}`] : []),
      ...(options.args ?? []),
    ],
    ...(options.language
      ? { env: { ...process.env, LANGUAGE: options.language, LANG: `${options.language}.UTF-8` } }
      : {}),
  });
  const close = async () => {
    await context.close();
    if (!options.userDataDir) await rm(userDataDir, { recursive: true, force: true });
  };
  let worker: Worker;
  try {
    worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  } catch (error) {
    // No worker in time (a busy machine): do not leave the browser running behind the error.
    await close();
    throw error;
  }
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    extensionUrl: (path) => `chrome-extension://${extensionId}/${path}`,
    userDataDir,
    close,
  };
}

export interface PlainBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * The same Chromium, flags and kind of fresh profile as launchWithExtension, without the
 * extension: the baseline a benchmark compares the extension's cost with.
 */
export async function launchWithoutExtension(options: {
  sitePort: number;
  headless?: boolean;
}): Promise<PlainBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'backlink-lens-plain-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: options.headless ?? true,
    args: chromiumArgs(options.sitePort),
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
