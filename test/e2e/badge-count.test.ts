import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { badgeFor, browse, OPTIONS, openPopupFor, stat } from '../support/extension-pages';
import { stopServiceWorker } from '../support/worker-stop';
import type { WorkerHooks } from '../../src/background/worker';

// The badge of a page with many links, in a worker started afresh (storage/queries.ts): its
// first badge reads the page's links and notes how many are from other sites; from 50 on, its
// next badges count them (countAlone) instead, and show the same number. Links from the page's
// own site count in the number (the popup lists them, as internal links) but not towards the 50:
// the count would read them anyway (149ed33). Links from the page to itself, which only an
// import stores, are in neither.

const s = useExtensionSession();

const SITE = 'home.test';
/** 52 links from other sites, one of them lost: counted from its second badge on. */
const COUNTED = `http://${SITE}/counted`;
/** 45 links from other sites (too few to count it from) and 10 from its own: read each time. */
const READ = `http://${SITE}/read`;
const OTHER_SITES = Array.from({ length: 52 }, (_, i) => `http://s${i}.test/`);
const LINKING_READ = 45;
/** Pages of the target's own site linking to both, one link to COUNTED lost. */
const OWN_PAGES = Array.from({ length: 10 }, (_, i) => `http://${SITE}/nav${i}`);

const html = (title: string, links: readonly string[]) =>
  `<!doctype html><html lang="en"><head><title>${title}</title></head><body><main>${links
    .map((href, i) => `<p><a href="${href}">${title}, link ${i}</a></p>`)
    .join('')}</main></body></html>`;

function serve(url: string, links: readonly string[]): void {
  const { host, pathname } = new URL(url);
  s.server.setPage(host, pathname, html(url, links));
}

/** Live links into each page: its links in from other sites and from its own, less the lost. */
const LIVE: Record<string, number> = {
  [COUNTED]: OTHER_SITES.length - 1 + OWN_PAGES.length - 1,
  [READ]: LINKING_READ + OWN_PAGES.length,
};

beforeAll(async () => {
  OTHER_SITES.forEach((url, i) => serve(url, i < LINKING_READ ? [COUNTED, READ] : [COUNTED]));
  OWN_PAGES.forEach((url) => serve(url, [COUNTED, READ]));
  serve(COUNTED, [OWN_PAGES[0]!]);
  serve(READ, [OWN_PAGES[0]!]);
  await browse(s.ext, s.page, [...OTHER_SITES, ...OWN_PAGES]);
  // Visited again without their link to COUNTED: those links are lost.
  serve(OTHER_SITES[0]!, [READ]);
  serve(OWN_PAGES[0]!, [READ]);
  await browse(s.ext, s.page, [OTHER_SITES[0]!, OWN_PAGES[0]!]);
}, 120_000);

type Probe = typeof globalThis & { backlinkLens: WorkerHooks; counted?: string[] };

/**
 * Stop the worker and start a new one (a message from an extension page wakes it), told which
 * pages have an aggregate (none here: both are cold), its counts of links from a site into a
 * page (what only countAlone asks, by_target_source_domain) noted by page.
 */
async function freshWorker(control: Page): Promise<void> {
  await stopServiceWorker(s.ext, control);
  await control.evaluate(() => chrome.runtime.sendMessage({ type: 'stats/build', targets: [] }));
  await expect
    .poll(() =>
      s.ext.worker
        .evaluate(() => typeof (globalThis as Probe).backlinkLens.syncHotTargets)
        .catch(() => null),
    )
    .toBe('function');
  await s.ext.worker.evaluate(() => (globalThis as Probe).backlinkLens.syncHotTargets());
  await noteCounts();
}

/** Note, by page, the worker's counts of links from a site into a page (countedSince). */
async function noteCounts(): Promise<void> {
  await s.ext.worker.evaluate(() => {
    const probe = globalThis as Probe;
    if (probe.counted) return;
    const counted: string[] = (probe.counted = []);
    const count = IDBIndex.prototype.count;
    IDBIndex.prototype.count = function (this: IDBIndex, query?: IDBValidKey | IDBKeyRange) {
      if (this.name === 'by_target_source_domain' && Array.isArray(query)) {
        counted.push(String(query[0]));
      }
      return count.call(this, query);
    };
  });
}

/** The pages the worker counted links from a site into, since the last call (noteCounts). */
const countedSince = () =>
  s.ext.worker.evaluate(() => [...new Set((globalThis as Probe).counted!.splice(0))].sort());

/**
 * Open `url` in the tab: its badge as the page loads and is recorded (several, the first of
 * them reads the page's links); then the one badge a switch back to the tab sets (switchBack).
 */
async function badgesOf(control: Page, url: string): Promise<[string, string]> {
  await s.page.bringToFront();
  await s.page.goto(url);
  await expect.poll(() => badgeFor(s.ext, url), { timeout: 10_000 }).not.toBe('');
  return [await badgeFor(s.ext, url), await switchBack(control, url)];
}

/**
 * The one badge a switch from `control` back to the tab showing `url` sets, the page not loaded
 * again; its counts of links from a site into a page noted alone (countedSince).
 */
async function switchBack(control: Page, url: string): Promise<string> {
  await control.bringToFront();
  await s.ext.worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: u });
    await chrome.action.setBadgeText({ tabId: tab!.id!, text: '' });
  }, url);
  await countedSince();
  await s.page.bringToFront();
  await expect.poll(() => badgeFor(s.ext, url), { timeout: 10_000 }).not.toBe('');
  return badgeFor(s.ext, url);
}

test("a cold page's badge in a fresh worker: counted from 50 links from other sites, its own site's links and lost ones as the popup counts them", async () => {
  const control = await s.ext.context.newPage();
  await control.goto(s.ext.extensionUrl('manifest.json'));
  await freshWorker(control);

  // 62 links, 52 from other sites, one of them lost, and one of its own site's: 60. Counted
  // once its first badge noted 52 links from other sites; the popup shows the same number.
  expect(await badgesOf(control, COUNTED)).toEqual([String(LIVE[COUNTED]), String(LIVE[COUNTED])]);
  expect(await countedSince()).toEqual([COUNTED]);
  // 55 links, 45 of them from other sites: read every time, never counted.
  expect(await badgesOf(control, READ)).toEqual([String(LIVE[READ]), String(LIVE[READ])]);
  expect(await countedSince()).toEqual([]);

  for (const url of [COUNTED, READ]) {
    await openPopupFor(s.ext, control, url);
    expect(await stat(control, 'backlinks')).toBe(LIVE[url]);
  }
  await control.close();
});

// Links from a page to itself: recording never stores one (storage/records.ts), an import can.
// The count leaves the live ones out (countLiveSelfLinksOf), as the popup does.
const IMPORTED = 'http://imported.test/page';
/** Links into IMPORTED from 52 other sites: enough to count it from. */
const IMPORTED_FROM = Array.from({ length: 52 }, (_, i) => `http://i${i}.test/`);
const IMPORTED_OWN = 'http://imported.test/nav';
/** Three live self-links, one lost. */
const SELF_LINKS = [false, false, false, true].map((lost, i) => ({ anchor: `self ${i}`, lost }));

/** An export file (the fields an import needs) of the pages linking to IMPORTED, itself too. */
function importFile(): string {
  const now = Date.now();
  const page = (url: string) => ({ url, title: url, lang: 'en', firstSeen: now, lastSeen: now });
  const link = (source: string, anchor: string, lost = false) => ({
    source,
    target: IMPORTED,
    anchor,
    rel: [],
    region: 'main',
    firstSeen: now - 1,
    lastSeen: lost ? now - 1 : now,
    lostAt: lost ? now : null,
  });
  return JSON.stringify({
    format: 'backlink-lens',
    version: 4,
    exportedAt: new Date(now).toISOString(),
    pages: [...IMPORTED_FROM, IMPORTED_OWN].map(page),
    links: [
      ...[...IMPORTED_FROM, IMPORTED_OWN].map((source) => link(source, `from ${source}`)),
      ...SELF_LINKS.map(({ anchor, lost }) => link(IMPORTED, anchor, lost)),
    ],
    redirects: [],
    referrals: [],
  });
}

test("imported self-links are left out of a counted page's badge and its popup, in a fresh worker too", async () => {
  // Visited first (its link to itself not stored): a visit stores the page's links as they are
  // now, so a later one would mark the imported self-links lost. Its badges below are the tab's,
  // switched back to.
  serve(IMPORTED, [IMPORTED_OWN, IMPORTED]);
  await browse(s.ext, s.page, [IMPORTED]);
  const control = await s.ext.context.newPage();
  await control.goto(s.ext.extensionUrl(OPTIONS));
  await control.locator('#import').setInputFiles({
    name: 'with-self-links.json',
    mimeType: 'application/json',
    buffer: Buffer.from(importFile()),
  });
  await expect
    .poll(() => control.locator('#notice').innerText())
    .toBe(`Imported 53 pages and ${53 + SELF_LINKS.length} links.`);
  // 52 from other sites and one from its own: 53. The self-links would make it 56.
  const live = String(IMPORTED_FROM.length + 1);

  // The import's end refreshed every tab's badge (data/changed): that one read the page's links,
  // 52 from other sites, so the worker that saw the import counts it from its next badge on.
  await noteCounts();
  expect([await switchBack(control, IMPORTED), await countedSince()]).toEqual([live, [IMPORTED]]);
  // A fresh worker reads the page first, then counts it.
  await freshWorker(control);
  expect([await switchBack(control, IMPORTED), await countedSince()]).toEqual([live, []]);
  expect([await switchBack(control, IMPORTED), await countedSince()]).toEqual([live, [IMPORTED]]);

  await openPopupFor(s.ext, control, IMPORTED);
  expect(await stat(control, 'backlinks')).toBe(Number(live));
  await control.close();
});
