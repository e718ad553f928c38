import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { canonicalizeUrl } from '../../src/core/url';
import { seededRandom } from '../bench/random';
import type { LinkRecord, PageRecord } from '../../src/core/types';

// A burst of page loads in several tabs while the extension's service worker is stopped over
// the DevTools protocol and its process is killed, again and again. Afterwards the whole
// database must be consistent and every load recorded.

const TABS = 5;
const LOADS_PER_TAB = 8;
/**
 * A fast machine finishes LOADS_PER_TAB before enough disruptions: the tabs go on loading
 * until MIN_STOPS and MIN_KILLS happened, up to this many loads each.
 */
const MAX_LOADS_PER_TAB = 60;
const MIN_STOPS = 6;
const MIN_KILLS = 3;
/** Loads past this many in a tab revisit its first pages, with a changed link set. */
const URLS_PER_TAB = 5;
/** Between two disruptions (ms); every KILL_EVERY-th one kills the process instead. */
const DISRUPT_MS = [1000, 2500] as const;
const KILL_EVERY = 3;
/** Past the content script's whole retry schedule (30.75 s, core/delivery.ts) and a slow restart. */
const RECORD_TIMEOUT_MS = 40_000;

interface ServedLink {
  href: string;
  anchor: string;
}

interface Load {
  url: string;
  title: string;
  links: ServedLink[];
  /** Seen stored (committed) while the test ran. */
  seen: boolean;
  /** From the end of the page's load to its record seen stored. */
  storedAfterMs?: number;
  loadedAt?: number;
}

/** Page u of tab t, version 0 on the first visit; version 1 keeps every other link, adds new ones. */
function servedLinks(t: number, u: number, version: number): ServedLink[] {
  const count = 3 + ((t * 5 + u * 3) % 12);
  const first = Array.from({ length: count }, (_, j) => ({
    href: `http://target-${(t * 7 + u * 3 + j) % 11}.test/${t}-${u}/${j}`,
    anchor: `Link ${t}-${u}-${j}`,
  }));
  if (version === 0) return first;
  const added = Array.from({ length: 1 + (u % 4) }, (_, j) => ({
    href: `http://target-${(u + j) % 11}.test/${t}-${u}/again-${j}`,
    anchor: `Again ${t}-${u}-${j}`,
  }));
  return [...first.filter((_, j) => j % 2 === 0), ...added];
}

const html = (title: string, links: readonly ServedLink[]) =>
  `<!doctype html><html><head><title>${title}</title></head><body><main><h1>${title}</h1>` +
  `<p>${links.map((l) => `<a href="${l.href}">${l.anchor}</a>`).join(' ')}</p></main></body></html>`;

let server: SiteServer;
let ext: ExtensionBrowser;
let profile: string;

beforeAll(async () => {
  // A profile of our own: its path names this browser's processes and no other.
  profile = await mkdtemp(join(tmpdir(), 'backlink-lens-crash-'));
  server = await startSiteServer();
  ext = await launchWithExtension({ sitePort: server.port, userDataDir: profile });
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Pids of this browser's extension renderer (where the service worker runs). */
async function extensionProcesses(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      // Chromium rewrites its children's command line as one string: split on spaces too.
      (text) => text.split(/[\0 ]/),
      (): string[] => [],
    );
    if (args.includes(`--user-data-dir=${profile}`) && args.includes('--extension-process')) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

interface Dump {
  pages: PageRecord[];
  links: LinkRecord[];
  pageKeys: string[];
  linkKeys: string[];
}

/**
 * Reads the extension's database from one of its own pages. Killing the extension's process
 * takes that page down too: it is then opened again.
 */
class Reader {
  private page: Page | null = null;

  /** Every record and key; only the pages when not `full` (while the burst runs). */
  async dump(full = true): Promise<Dump> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.page) {
          this.page = await ext.context.newPage();
          // Any document of the extension's origin can read its database; this one runs no code.
          await this.page.goto(ext.extensionUrl('manifest.json'));
        }
        return await this.page.evaluate(readStores, full);
      } catch (error) {
        await this.page?.close().catch(() => undefined);
        this.page = null;
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

/** Runs in an extension page: the page records, and with `full` every link and key too. */
async function readStores(full: boolean): Promise<Dump> {
  const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
    const open = indexedDB.open('backlink-lens');
    // Not created yet: opening it here would create an empty version 1, which the extension's
    // migrations cannot upgrade (they expect their own v1). Back out and report nothing stored.
    open.onupgradeneeded = () => open.transaction!.abort();
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => (open.error?.name === 'AbortError' ? resolve(null) : reject(open.error));
  });
  if (!db) return { pages: [], links: [], pageKeys: [], linkKeys: [] };
  try {
    // Links are in two stores while an upgraded database moves them (storage/link-keys.ts).
    const tx = db.transaction(['pages', 'links', 'links-v1']);
    const all = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const none = Promise.resolve([]);
    const [pages, links, oldLinks, pageKeys] = await Promise.all([
      all(tx.objectStore('pages').getAll()),
      full ? all<LinkRecord[]>(tx.objectStore('links').getAll()) : none,
      full ? all<LinkRecord[]>(tx.objectStore('links-v1').getAll()) : none,
      full ? all(tx.objectStore('pages').getAllKeys()) : none,
    ]);
    const both = [...links, ...oldLinks];
    return {
      pages,
      links: both,
      pageKeys: pageKeys.map((k) => JSON.stringify(k)),
      // A link is one [source, target, anchor] across both stores: the writers keep it so, not
      // the store's key (a number), so this is what must be unique.
      linkKeys: both.map((l) => JSON.stringify([l.source, l.target, l.anchor])),
    };
  } finally {
    db.close();
  }
}

test('stopped workers and killed processes lose no visit and leave the database consistent', async () => {
  const reader = new Reader();
  const loads: Load[][] = Array.from({ length: TABS }, () => []);
  /** Title of the last load seen stored per URL, and loads seen going backwards (a rollback). */
  const seenTitle = new Map<string, string>();
  const rollbacks: string[] = [];
  let done = false;

  // Watch the database: a load counts as stored once its page record carries its title.
  const order = (title: string) => Number(title.split(' ').at(-1));
  const watch = (async () => {
    while (!done) {
      const { pages } = await reader.dump(false);
      for (const page of pages) {
        const before = seenTitle.get(page.url);
        if (before !== undefined && order(page.title) < order(before)) {
          rollbacks.push(`${page.url}: ${before} -> ${page.title}`);
        }
        seenTitle.set(page.url, page.title);
      }
      for (const load of loads.flat()) {
        if (load.seen || seenTitle.get(load.url) !== load.title) continue;
        load.seen = true;
        if (load.loadedAt) load.storedAfterMs = Date.now() - load.loadedAt;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();

  // Disrupt the worker while the tabs load: stop it over CDP, and every so often kill its process.
  const control = await ext.context.newPage();
  const cdp: CDPSession = await ext.context.newCDPSession(control);
  let workerStops = 0;
  let stopsObserved = 0;
  let kills = 0;
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${ext.extensionId}/`)) {
        if (v.runningStatus === 'stopped') stopsObserved++;
      }
    }
  });
  await cdp.send('ServiceWorker.enable');
  const random = seededRandom(7);
  const chaos = (async () => {
    // Disruptions since the last kill: a kill that finds no process (the worker had stopped and
    // nothing woke it) is tried again at the next one, so a fast burst still sees its kills.
    for (let sinceKill = 1; !done; sinceKill++) {
      const until = Date.now() + DISRUPT_MS[0] + random() * (DISRUPT_MS[1] - DISRUPT_MS[0]);
      while (!done && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      if (done) break;
      if (sinceKill >= KILL_EVERY) {
        const pids = await extensionProcesses();
        let killed = false;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
            killed = true;
          } catch {
            // Gone between the listing and the kill (the worker had stopped): nothing to kill.
          }
        }
        if (killed) {
          kills++;
          sinceKill = 0;
        }
      } else {
        await cdp.send('ServiceWorker.stopAllWorkers');
        workerStops++;
      }
    }
  })();

  const started = Date.now();
  await Promise.all(
    Array.from({ length: TABS }, async (_, t) => {
      const tab = await ext.context.newPage();
      const enough = () => workerStops >= MIN_STOPS && kills >= MIN_KILLS;
      for (let i = 0; i < MAX_LOADS_PER_TAB && (i < LOADS_PER_TAB || !enough()); i++) {
        const u = i % URLS_PER_TAB;
        const host = `crash-${t}.test`;
        const load: Load = {
          url: `http://${host}/page-${u}`,
          title: `Tab ${t} page ${u} load ${i}`,
          // Revisits alternate between the two link sets.
          links: servedLinks(t, u, Math.floor(i / URLS_PER_TAB) % 2),
          seen: false,
        };
        server.setPage(host, `/page-${u}`, html(load.title, load.links));
        loads[t]!.push(load);
        await tab.goto(load.url, { waitUntil: 'load' });
        load.loadedAt = Date.now();
        // Stay until the visit is stored, as long as the retries may take; then move on.
        const deadline = Date.now() + RECORD_TIMEOUT_MS;
        while (!load.seen && Date.now() < deadline) await tab.waitForTimeout(100);
      }
    }),
  );
  const burstMs = Date.now() - started;
  done = true;
  await Promise.all([chaos, watch]);

  // The whole database, read once everything is quiet.
  const dump = await reader.dump();
  const all = loads.flat();
  const missed = all.filter((l) => !l.seen);
  const pageUrls = new Set(dump.pages.map((p) => p.url));
  const orphans = dump.links.filter((l) => !pageUrls.has(l.source));
  const lastLoads = new Map(all.map((l) => [l.url, l]));
  const wrongLinkSets: string[] = [];
  for (const [url, load] of lastLoads) {
    const page = dump.pages.find((p) => p.url === url);
    // A page never recorded is counted in `missed`; a recorded one must be whole.
    if (!page) continue;
    const shownLoad = all.filter((l) => l.url === url).find((l) => l.title === page.title);
    const expected = new Set(
      (shownLoad ?? load).links.map((l) => `${canonicalizeUrl(l.href)}|${l.anchor}`),
    );
    const live = new Set(
      dump.links
        .filter((l) => l.source === url && l.lostAt === null)
        .map((l) => `${l.target}|${l.anchor}`),
    );
    const same = live.size === expected.size && [...expected].every((k) => live.has(k));
    if (!shownLoad || !same || page.outboundCount !== expected.size) {
      wrongLinkSets.push(`${url} (${page.title}): ${live.size} live of ${expected.size}`);
    }
  }
  const duplicateKeys =
    dump.pageKeys.length -
    new Set(dump.pageKeys).size +
    dump.linkKeys.length -
    new Set(dump.linkKeys).size;

  const delays = all.flatMap((l) => l.storedAfterMs ?? []).sort((a, b) => a - b);
  console.table({
    'page loads': all.length,
    'loads stored': all.length - missed.length,
    'loads lost': missed.length,
    'worker stops sent (CDP)': workerStops,
    'extension worker seen stopped': stopsObserved,
    'extension process kills': kills,
    'pages stored': dump.pages.length,
    'links stored': dump.links.length,
    'orphan links': orphans.length,
    'half-written link sets': wrongLinkSets.length,
    'duplicate keys': duplicateKeys,
    'rollbacks seen': rollbacks.length,
    'stored after load, median (ms)': delays[Math.floor(delays.length / 2)],
    'stored after load, max (ms)': delays.at(-1),
    'stored after load, > 1 s': delays.filter((d) => d > 1000).length,
    'burst (s)': Math.round(burstMs / 100) / 10,
  });

  // The disruptions happened, or the test proves nothing.
  expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
  expect(workerStops).toBeGreaterThanOrEqual(MIN_STOPS);
  expect(orphans).toEqual([]);
  expect(wrongLinkSets).toEqual([]);
  expect(duplicateKeys).toBe(0);
  expect(rollbacks).toEqual([]);
  expect(missed.map((l) => l.title)).toEqual([]);
  // The last load of every URL is the stored one.
  for (const [url, load] of lastLoads) {
    expect(dump.pages.find((p) => p.url === url)?.title).toBe(load.title);
  }
}, 180_000);
