import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerHooks } from '../../src/background/worker';

export const DIST_FIREFOX_DIR = fileURLToPath(new URL('../../dist-firefox/', import.meta.url));
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The add-on id the Firefox build declares (vite.config.ts). */
export const ADDON_ID = 'backlink-lens@example.org';
/**
 * Firefox gives each install a random moz-extension:// host; the test profile fixes it, the
 * way the Chromium tests read the extension id off the worker's URL.
 */
const ADDON_UUID = '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b';

export interface FirefoxExtension {
  browser: Browser;
  /** A tab to browse in. */
  page: Page;
  /** Where Firefox saves downloads, without asking. */
  downloads: string;
  extensionUrl(path: string): string;
  /** Open one of the extension's pages in `page` and wait until it has loaded. */
  openExtensionPage(page: Page, path: string): Promise<void>;
  /** The background page's count of page loads handled, by outcome (the worker's in Chromium). */
  activity(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Debian's Firefox ESR driven over WebDriver BiDi, with the Firefox build installed as a
 * temporary add-on (what about:debugging does; an unsigned add-on cannot be installed for
 * good). Every http request goes through the local site server acting as the proxy, so the
 * made-up *.test hosts reach it and nothing leaves 127.0.0.1.
 */
export async function launchFirefoxWithExtension(options: {
  sitePort: number;
  /**
   * Each site in a process of its own (Fission), as Firefox runs for its users. Puppeteer
   * turns it off (fission.webContentIsolationStrategy 0, for its mouse events: Mozilla bug
   * 1773393), which puts a frame of another site in its embedding page's process: the frames'
   * tests need it back.
   */
  siteIsolation?: boolean;
}): Promise<FirefoxExtension> {
  if (!existsSync(join(DIST_FIREFOX_DIR, 'manifest.json'))) {
    throw new Error(`No build in ${DIST_FIREFOX_DIR}: run "npm run build:firefox" first.`);
  }
  const downloads = await mkdtemp(join(tmpdir(), 'backlink-lens-ff-downloads-'));
  const browser = await withSiteIsolation(options.siteIsolation === true, () =>
    puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      // WebDriver BiDi refuses to navigate to moz-extension:// pages without it.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: ADDON_UUID }),
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': options.sitePort,
        'network.proxy.no_proxies_on': '',
        'network.proxy.allow_hijacking_localhost': true,
        'browser.download.folderList': 2,
        'browser.download.dir': downloads,
        'browser.download.useDownloadDir': true,
        'browser.download.start_downloads_in_tmp_dir': false,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.alwaysOpenPanel': false,
      },
    }),
  );
  const close = async () => {
    await browser.close().catch(() => undefined);
    await rm(downloads, { recursive: true, force: true });
  };
  try {
    await browser.installExtension(DIST_FIREFOX_DIR);
  } catch (error) {
    await close();
    throw error;
  }
  const extensionUrl = (path: string) => `moz-extension://${ADDON_UUID}/${path}`;
  const openExtensionPage = async (page: Page, path: string) => {
    const url = extensionUrl(path);
    // BiDi never reports an extension page's load to puppeteer's navigation: start it, then
    // wait for the document itself.
    // The document now is marked, so that reopening the same URL waits for the new one.
    await page
      .evaluate(() => ((globalThis as { staleDocument?: boolean }).staleDocument = true))
      .catch(() => undefined);
    page.goto(url, { timeout: 120_000 }).catch(() => undefined);
    const deadline = Date.now() + 20_000;
    // Asked by hand, not by waitForFunction, whose polling breaks while the realm changes.
    const loaded = () =>
      page
        .evaluate(
          (u) =>
            location.href === u &&
            document.readyState === 'complete' &&
            !(globalThis as { staleDocument?: boolean }).staleDocument,
          url,
        )
        .catch(() => false);
    while (!(await loaded())) {
      if (Date.now() > deadline) throw new Error(`${url} did not load in 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const hooksPage = await browser.newPage();
  let hooksOpen: Promise<void> | null = null;
  const activity = async () => {
    await (hooksOpen ??= openExtensionPage(hooksPage, 'src/ui/options/index.html'));
    return hooksPage.evaluate(async () => {
      // Firefox runs the background as an event page: asking for it wakes it if it slept.
      const runtime = (globalThis as unknown as { browser: typeof chrome }).browser.runtime;
      const background = (await runtime.getBackgroundPage()) as unknown as {
        backlinkLens: WorkerHooks;
      };
      return { ...background.backlinkLens.activity };
    });
  };
  return {
    browser,
    page: await browser.newPage(),
    downloads,
    extensionUrl,
    openExtensionPage,
    activity,
    close,
  };
}

/** fission.webContentIsolationStrategy: a process per site, for every site. */
const ISOLATE_EVERYTHING = 1;

/** Puppeteer's Firefox launcher: the preferences it writes into a new profile, its last word. */
interface Launcher {
  getPreferences(extra: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Run `launch` with every site isolated (Firefox's default on the desktop) when `on`: Puppeteer
 * sets its switch-off after the caller's own preferences, so only its launcher can undo it.
 */
async function withSiteIsolation<T>(on: boolean, launch: () => Promise<T>): Promise<T> {
  if (!on) return launch();
  const { FirefoxLauncher } = (await import('puppeteer-core/internal/node/FirefoxLauncher.js')) as {
    FirefoxLauncher: Launcher;
  };
  const preferences = FirefoxLauncher.getPreferences;
  FirefoxLauncher.getPreferences = (extra) => ({
    ...preferences(extra),
    'fission.webContentIsolationStrategy': ISOLATE_EVERYTHING,
  });
  try {
    return await launch();
  } finally {
    FirefoxLauncher.getPreferences = preferences;
  }
}

/** The next file Firefox finishes saving in `dir` that was not there before (`known`). */
export async function nextDownload(
  dir: string,
  known: readonly string[],
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Firefox writes into a .part file beside an empty placeholder of the final name, and
    // renames the .part over it when done; the placeholder can be there before the .part is,
    // so an empty file is not done either (every download here has content).
    const names = await readdir(dir);
    const candidates = names.filter(
      (f) => !known.includes(f) && !f.endsWith('.part') && !names.includes(`${f}.part`),
    );
    const sizes = await Promise.all(
      candidates.map((f) =>
        stat(join(dir, f)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    const done = candidates.filter((_f, i) => sizes[i]! > 0);
    if (done.length > 0) return join(dir, done[0]!);
    if (Date.now() > deadline) throw new Error(`no download appeared in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
