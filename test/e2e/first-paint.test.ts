import { expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR } from '../support/browser';
import { useExtensionSession } from '../support/session';
import { browse, POPUP, REPORT } from '../support/extension-pages';

// Issue 7: the popup and the report page render their first rows from a small entry; the parts
// shown later (profile charts, outreach hints, the remote sources with the Public Suffix List)
// come in chunks of their own, loaded after the first paint. These tests keep that split from
// silently coming undone (one static import is enough).

const s = useExtensionSession();
const ASSETS = join(DIST_DIR, 'assets');

/** Every script a built page loads before it runs: its entry and their static imports. */
function staticScripts(page: string): Map<string, string> {
  const html = readFileSync(join(DIST_DIR, page), 'utf8');
  return importedFrom(
    [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!),
  );
}

/** The scripts under assets/ named in `queue`, and everything they import statically. */
function importedFrom(queue: string[]): Map<string, string> {
  const code = new Map<string, string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (code.has(file)) continue;
    const text = readFileSync(join(ASSETS, file), 'utf8');
    code.set(file, text);
    // `import{…}from"./x.js"` and `import"./x.js"`; a dynamic `import("./x.js")` is not followed.
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) queue.push(m[1]!);
  }
  return code;
}

/** The built chunk named after a module (rolldown names a chunk after its first module). */
function chunkOf(module: string): string {
  const found = readdirSync(ASSETS).filter((f) => f.startsWith(`${module}-`) && f.endsWith('.js'));
  expect(found, `one chunk for ${module}`).toHaveLength(1);
  return found[0]!;
}

/** A rule of the Public Suffix List's private section, in tldts' data. */
const PSL_MARK = 'blogspot';
/** Far under the 420 KB the popup loaded with the Public Suffix List, with room to grow. */
const FIRST_PAINT_BYTES = 250_000;

test.each([
  ['popup', POPUP],
  ['report page', REPORT],
])(
  'the %s loads no later part and not the Public Suffix List before its first paint',
  (_, page) => {
    const code = staticScripts(page);
    const lazy = ['Profile', 'Outreach', 'registry'].map(chunkOf);
    for (const chunk of lazy) expect([...code.keys()]).not.toContain(chunk);
    // The mark is there to find: in the chunk the remote sources load, not before.
    const all = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
    expect(all.some((f) => readFileSync(join(ASSETS, f), 'utf8').includes(PSL_MARK))).toBe(true);
    for (const [file, text] of code) expect(text.includes(PSL_MARK), file).toBe(false);
    const bytes = [...code.values()].reduce((sum, text) => sum + text.length, 0);
    expect(bytes).toBeLessThan(FIRST_PAINT_BYTES);
  },
);

/**
 * Code the first rows do not run, each found by a string only it holds: the flags' detectors,
 * the quality scoring, the term counting of relevance (its stop words), the page parser's
 * placement rules, the site view's engine-confirmed sites, and the backlink profile
 * (core/profile: its generic anchors). Loaded after the first render (ui/later.ts,
 * lazyComponent): in the file of the old popup, they were about 33 KB of its 152.
 */
const LATER_MARKS = {
  'flag detectors': 'flag_burst_page',
  'quality scoring': 'quality_anchor_exact',
  'relevance terms': 'the and for are but',
  'page parser': 'breadcrumb',
  'confirmed sites': 'engine_confirmed_sites_heading',
  'backlink profile': 'find out more',
};

test.each([
  ['popup', POPUP],
  ['report page', REPORT],
])(
  'the %s loads no scoring, flag detectors, page parser or profile before its first paint',
  (_, page) => {
    const code = [...staticScripts(page)];
    const all = readdirSync(ASSETS)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(ASSETS, f), 'utf8'));
    for (const [part, mark] of Object.entries(LATER_MARKS)) {
      // The mark is there to find (the test cannot pass by a renamed string), in a later chunk.
      expect(
        all.some((text) => text.includes(mark)),
        part,
      ).toBe(true);
      for (const [file, text] of code)
        expect(text.includes(mark), `${part} in ${file}`).toBe(false);
    }
  },
);

/**
 * Module files before the first paint: the entry, what the pages share, what they share with
 * the worker, and rolldown's runtime (vite.config.ts#firstPaintChunk). Each file is a request
 * the browser process serves before the page can run: split by default, there were ten.
 */
const FIRST_PAINT_FILES = 4;

/** The early script (platform/early-boot.ts): a classic script, beside the modules. */
const EARLY_BOOT = /^early-boot-[\w-]+\.js$/;

test.each([
  ['popup', POPUP],
  ['report page', REPORT],
])('the %s loads its first paint in four module files at most', (_, page) => {
  const modules = [...staticScripts(page).keys()].filter((f) => !EARLY_BOOT.test(f));
  expect(modules.length).toBeLessThanOrEqual(FIRST_PAINT_FILES);
});

test.each([
  ['popup', POPUP],
  ['report page', REPORT],
])(
  "the %s's early script opens the database, and its modules use that connection",
  async (_, path) => {
    // The worker creates the database as it starts; a page opened before that finds none, and
    // its early script leaves the creation to the modules (a second open: a busy CI machine).
    await expect
      .poll(() =>
        s.ext.worker.evaluate(async () =>
          (await indexedDB.databases()).some((d) => d.name === 'backlink-lens' && d.version! > 1),
        ),
      )
      .toBe(true);
    const page = await s.ext.context.newPage();
    // Every indexedDB.open of the page, from before its first script runs.
    await page.addInitScript(() => {
      const opens: (number | null)[] = [];
      (window as unknown as { opens: typeof opens }).opens = opens;
      const open = indexedDB.open.bind(indexedDB);
      indexedDB.open = (name: string, version?: number) => {
        if (name === 'backlink-lens') opens.push(version ?? null);
        return open(name, version);
      };
    });
    await page.goto(s.ext.extensionUrl(`${path}?url=${encodeURIComponent('http://forum.test/')}`));
    // Its empty state: the page has read the database.
    await page.waitForSelector('.report .empty');
    const seen = await page.evaluate(() => ({
      opens: (window as unknown as { opens: unknown }).opens,
      early: performance.getEntriesByName('bl:early').length,
      classic: [...document.scripts].some((e) => !e.type && /early-boot/.test(e.src)),
    }));
    // One open, without a version: the early script's (a second would be the modules' own).
    expect(seen).toEqual({ opens: [null], early: 1, classic: true });
    await page.close();
  },
);

test("the worker loads none of the pages' components", () => {
  const loader = readFileSync(join(DIST_DIR, 'service-worker-loader.js'), 'utf8');
  const entry = loader.match(/assets\/([^']+\.js)/)?.[1];
  expect(entry).toBeDefined();
  const popup = staticScripts(POPUP);
  // The message key of the report's profile heading: used by its component alone.
  expect([...popup.values()].some((text) => text.includes('profile_label'))).toBe(true);
  for (const [file, text] of importedFrom([entry!])) {
    expect(text.includes('profile_label'), file).toBe(false);
  }
});

test('the popup shows its rows before the profile, whose code then loads and shows', async () => {
  await browse(s.ext, s.page, ['http://news-daily.test/', 'http://linkfarm.test/']);
  const page = await s.ext.context.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  // What the page holds at the moment its first rows are in the DOM, before any later task.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.querySelector('.report .group')) return;
      observer.disconnect();
      (window as unknown as { firstRows: object }).firstRows = {
        // The profile's code (its component, core/profile): fetched after the rows, not before.
        profileCode: performance
          .getEntriesByType('resource')
          .some((e) => /\/assets\/[Pp]rofile-/.test(e.name)),
        profile: document.querySelector('.profile') !== null,
      };
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(
    s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent('http://forum.test/thread-42')}`),
  );
  await page.waitForSelector('.profile [data-profile]');
  const firstRows = await page.evaluate(
    () => (window as unknown as { firstRows: object }).firstRows,
  );
  expect(firstRows).toEqual({ profileCode: false, profile: false });
  expect(await page.locator('[data-lazy-loading], [data-lazy-failed]').count()).toBe(0);
  expect(requested.some((url) => url.includes(`/assets/${chunkOf('Profile')}`))).toBe(true);
  await page.close();
});
