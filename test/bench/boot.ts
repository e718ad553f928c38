/**
 * `BENCH_ONLY=boot`: what an extension page costs before any of our work (issue 7: the empty
 * popup took ~270 ms on a quiet machine, the budget is < 100 ms). A floor of extension pages,
 * each one step more than the last, is added to a copy of the build and opened exactly as the
 * popup is (popup.ts#timeToReport: a new tab, navigation start to the first mutation after which
 * the page shows its text): static HTML with one line, then one tiny module script, then
 * webextension-polyfill, then browser.tabs.query, storage.local.get and indexedDB.open before
 * the line shows, then as many tiny module files as the popup loads before its first paint.
 * The popup's and report's empty states follow, in the same browser and turns, so the table
 * says what Chromium itself costs on this machine and what each step and our pages add.
 *
 * Columns beside the median: where the page stood (Navigation Timing medians): the commit in the
 * extension's renderer, the HTML parsed, and the module scripts' first run ended; then the
 * page's main-thread CPU time up to its mark (all tasks, and script alone), which the load of a
 * shared machine stretches far less than wall time: what is the page's own work, and what is
 * waiting on other processes.
 * The empty popup is also timed as the toolbar opens it (toolbar-popup.ts: action.openPopup()
 * for a served page with no links), from its own navigation start: a popup is not a tab.
 * BENCH_BOOT_BEFORE=<dist dir> adds the popup and report of another build (a "before"), in a
 * second browser sampled in the same turns.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP, REPORT } from '../support/extension-pages';
import { collectInterleaved, formatMs, heading, info, median, printColumns } from './measure';
import { ensureExtensionBuilt } from './built-extension';
import { EMPTY_SHOWN, timeToReport, type PageCpu, type PagePhases } from './popup';
import { TOOLBAR_POPUP_ARGS, toolbarPopups } from './toolbar-popup';

const REPEAT = { warmup: 2, reps: Number(process.env.BENCH_BOOT_REPS ?? 7) };
/** The popup's budget (issue 7): navigation start to rows visible. */
const POPUP_BUDGET_MS = 100;
const FLOOR_DIR = 'boot-floor';
const FLOOR_SHOWN = "document.getElementById('done') !== null";
/** No backlinks anywhere: the empty state. */
const NOWHERE = 'https://nothing-stored.test/';
/** The same, served (over http: the site server has no TLS), for the toolbar popup's tab. */
const NOWHERE_SERVED = new URL('http://nothing-stored.test/');

const SHOW_LINE =
  "const p = document.createElement('p'); p.id = 'done'; p.textContent = 'Backlink Lens'; " +
  'document.body.append(p);';

/** One step of the floor: the page's scripts (file name → text) and the tags that load them. */
interface FloorPage {
  name: string;
  file: string;
  tags: string;
  scripts?: Record<string, string>;
}

/** How many scripts and style sheets a built page loads before its first paint. */
function filesBeforePaint(dist: string, page: string): number {
  const html = readFileSync(join(dist, page), 'utf8');
  return (html.match(/<script type="module"|rel="modulepreload"|rel="stylesheet"/g) ?? []).length;
}

/**
 * What a built page loads before its first paint, by its HTML (Vite names every static import
 * of the entry in a modulepreload link): requests (the HTML too) and bytes on disk. Counts,
 * not timings: the same on a loaded machine.
 */
export function firstPaintLoad(dist: string, page: string): string {
  const html = readFileSync(join(dist, page), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const size = (f: string) => statSync(join(dist, f)).size;
  const js = files.filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + size(f), 0);
  const bytes = files.reduce((sum, f) => sum + size(f), html.length);
  // The script bytes alone: what the browser fetches and compiles before the modules run.
  return `${files.length + 1} requests, ${(bytes / 1000).toFixed(1)} kB (JS ${(js / 1000).toFixed(1)} kB)`;
}

function floorPages(files: number): FloorPage[] {
  const polyfill = '<script src="polyfill.js"></script>';
  const awaiting = (name: string, file: string, call: string): FloorPage => ({
    name,
    file,
    tags: `${polyfill}<script type="module" src="${file}.js"></script>`,
    scripts: { [`${file}.js`]: `await ${call};\n${SHOW_LINE}` },
  });
  const many = Array.from({ length: files }, (_, i) => `many-${i}.js`);
  return [
    {
      name: 'bare page: static HTML, one line',
      file: 'bare',
      tags: '',
    },
    {
      name: '+ one tiny module script',
      file: 'module',
      tags: '<script type="module" src="show.js"></script>',
    },
    {
      name: '+ webextension-polyfill',
      file: 'polyfill',
      tags: `${polyfill}<script type="module" src="show.js"></script>`,
    },
    awaiting(
      '+ browser.tabs.query',
      'tabs',
      'browser.tabs.query({ active: true, currentWindow: true })',
    ),
    awaiting('+ storage.local.get', 'storage', "browser.storage.local.get('settings')"),
    awaiting(
      '+ indexedDB.open',
      'idb',
      "new Promise((resolve, reject) => { const r = indexedDB.open('boot-floor'); " +
        'r.onsuccess = () => resolve(r.result.close()); r.onerror = () => reject(r.error); })',
    ),
    {
      // Chromium rewrites __MSG_ placeholders in an extension's CSS, reading the locale's
      // messages for it: our style sheet, copied from the build, is timed alone here.
      name: '+ our style sheet (one <link>)',
      file: 'css',
      tags: `<link rel="stylesheet" href="styles.css"><script type="module" src="show.js"></script>`,
    },
    awaiting(
      '+ chrome.i18n.getMessage',
      'i18n',
      "Promise.resolve(chrome.i18n.getMessage('extName'))",
    ),
    {
      name: `${files} tiny module files (as many as the popup loads first)`,
      file: 'many',
      tags: `<script type="module" src="many-0.js"></script>${many
        .slice(1)
        .map((f) => `<link rel="modulepreload" href="${f}">`)
        .join('')}`,
      scripts: Object.fromEntries(
        many.map((f, i) => [f, i + 1 < many.length ? `import './many-${i + 1}.js';` : SHOW_LINE]),
      ),
    },
  ];
}

/** A copy of `dist` with the floor pages in FLOOR_DIR; removed by the caller. */
function distWithFloor(dist: string, pages: readonly FloorPage[]): string {
  const copy = mkdtempSync(join(tmpdir(), 'backlink-lens-boot-'));
  cpSync(dist, copy, { recursive: true });
  const dir = join(copy, FLOOR_DIR);
  cpSync(
    fileURLToPath(
      new URL(
        '../../node_modules/webextension-polyfill/dist/browser-polyfill.min.js',
        import.meta.url,
      ),
    ),
    join(dir, 'polyfill.js'),
  );
  writeFileSync(join(dir, 'show.js'), SHOW_LINE);
  // The popup's style sheet is inlined in its HTML (vite.config.ts): the options page links it.
  const css = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.css'));
  if (css.length !== 1) throw new Error(`The build has ${css.length} style sheets, not one`);
  cpSync(join(dist, 'assets', css[0]!), join(dir, 'styles.css'));
  for (const page of pages) {
    // The line is in the HTML of the bare page only: the others show it from their script.
    const body = page.tags === '' ? '<p id="done">Backlink Lens</p>' : '';
    writeFileSync(
      join(dir, `${page.file}.html`),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Backlink Lens</title>` +
        `${page.tags}</head><body>${body}</body></html>`,
    );
    for (const [file, text] of Object.entries(page.scripts ?? {})) {
      writeFileSync(join(dir, file), text);
    }
  }
  return copy;
}

/**
 * The boot marks of the popup and report (platform/early-boot.ts, their main.tsx, ui/state.ts),
 * ms from navigation start: the early script ran, its connection opened and its settings were
 * read; the modules ran, had their connection and settings; the first read ended.
 */
const BOOT_MARKS = [
  'early',
  'early db',
  'early settings',
  'entry',
  'db-open',
  'settings',
  'first read',
] as const;
type BootMarks = Record<(typeof BOOT_MARKS)[number], number>;

/**
 * Read in the page: each mark's time, NaN when the page set none (the floor, an old build). No
 * named helper inside: tsx would wrap it in a __name call the page does not have.
 */
const readBootMarks = (): BootMarks => {
  const [early, earlyDb, earlySettings, entry, db, settings, head, none] = [
    'early',
    'early-db',
    'early-settings',
    'entry',
    'db-open',
    'settings',
    'head-read',
    'head-none',
  ].map((n) => performance.getEntriesByName(`bl:${n}`)[0]?.startTime ?? Number.NaN);
  return {
    early: early!,
    'early db': earlyDb!,
    'early settings': earlySettings!,
    entry: entry!,
    'db-open': db!,
    settings: settings!,
    'first read': Number.isNaN(head!) ? none! : head!,
  };
};

interface BootRow {
  name: string;
  note: string;
  sample: () => Promise<{ ms: number; phases: PagePhases; cpu?: PageCpu; after: BootMarks }>;
}

export async function runBoot(): Promise<void> {
  heading(
    'boot: what an extension page costs before our work (Chromium)',
    'Navigation start to the page showing its first line (the popup and report: their empty\n' +
      'state), each page opened in a new tab of the running browser as popup.ts times the popup.',
  );
  if (!existsSync(CHROMIUM)) {
    info(`skipped: needs ${CHROMIUM}`);
    return;
  }
  await ensureExtensionBuilt();
  const beforeDist = process.env.BENCH_BOOT_BEFORE;
  const pages = floorPages(filesBeforePaint(DIST_DIR, POPUP));
  const dist = distWithFloor(DIST_DIR, pages);
  const server = await startSiteServer();
  const browsers: ExtensionBrowser[] = [];
  /** Run before the browsers close, last first. */
  const cleanups: (() => void)[] = [];
  try {
    const ext = await launchWithExtension({
      sitePort: server.port,
      distDir: dist,
      args: TOOLBAR_POPUP_ARGS,
    });
    browsers.push(ext);
    // The toolbar's popup is the active tab's: a served page with no links, as NOWHERE has none.
    server.setPage(
      NOWHERE_SERVED.host,
      '/',
      '<!doctype html><title>Nothing</title><p>No links.</p>',
    );
    const activeTab = await ext.context.newPage();
    await activeTab.goto(NOWHERE_SERVED.href);
    const toolbar = await toolbarPopups(ext);
    cleanups.push(() => toolbar.close());
    const before = beforeDist
      ? await launchWithExtension({ sitePort: server.port, distDir: beforeDist })
      : null;
    if (before) browsers.push(before);

    const open = (on: ExtensionBrowser, path: string, done: string, probe?: 'poll') => () =>
      timeToReport(on, path, NOWHERE, done, {
        cpu: true,
        then: (page) => page.evaluate(readBootMarks),
        ...(probe ? { probe } : {}),
      });
    const rows: BootRow[] = [
      ...pages.map((p) => ({
        name: p.name,
        note: 'floor',
        sample: open(ext, `${FLOOR_DIR}/${p.file}.html`, FLOOR_SHOWN),
      })),
      { name: 'popup, empty state', note: 'ours', sample: open(ext, POPUP, EMPTY_SHOWN) },
      {
        name: 'popup, empty state, as the toolbar opens it',
        note: 'action.openPopup',
        sample: async () => {
          const opened = await toolbar.open<BootMarks>(
            activeTab,
            EMPTY_SHOWN,
            `(${readBootMarks.toString()})()`,
          );
          return { ms: opened.ms, phases: opened.phases, after: opened.after };
        },
      },
      {
        name: 'popup, empty state, old probe (waitForFunction)',
        note: 'the measure',
        sample: open(ext, POPUP, EMPTY_SHOWN, 'poll'),
      },
      { name: 'report page, empty state', note: 'ours', sample: open(ext, REPORT, EMPTY_SHOWN) },
      ...(before
        ? [
            {
              name: 'popup, empty state (before)',
              note: beforeDist!,
              sample: open(before, POPUP, EMPTY_SHOWN),
            },
            {
              name: 'report page, empty state (before)',
              note: beforeDist!,
              sample: open(before, REPORT, EMPTY_SHOWN),
            },
          ]
        : []),
    ];

    const phases = rows.map((): PagePhases[] => []);
    const cpus = rows.map((): PageCpu[] => []);
    const marks = rows.map((): BootMarks[] => []);
    const timings = await collectInterleaved(
      rows.map((row, r) => ({
        name: row.name,
        sample: async (rep: number) => {
          const result = await row.sample();
          if (rep >= 0) phases[r]!.push(result.phases);
          if (rep >= 0 && result.cpu) cpus[r]!.push(result.cpu);
          if (rep >= 0) marks[r]!.push(result.after);
          return result.ms;
        },
      })),
      REPEAT,
    );

    const bare = timings[0]!;
    const phase = (r: number, key: keyof PagePhases) =>
      formatMs(median(phases[r]!.map((p) => p[key])));
    printColumns(
      [
        'page',
        'median ms',
        'min–max ms',
        'vs bare page',
        'commit',
        'HTML parsed',
        'scripts ran',
        'CPU: all',
        'CPU: script',
        'budget',
        'note',
      ],
      timings.map((t, r) => [
        t.name,
        formatMs(t.median),
        `${formatMs(Math.min(...t.samples))}–${formatMs(Math.max(...t.samples))}`,
        r === 0 ? 'baseline' : `${(t.median / bare.median).toFixed(2)}x`,
        phase(r, 'commit'),
        phase(r, 'parsed'),
        phase(r, 'scripts'),
        formatMs(median(cpus[r]!.map((c) => c.task))),
        formatMs(median(cpus[r]!.map((c) => c.script))),
        rows[r]!.name.startsWith('popup') ? `< ${POPUP_BUDGET_MS} ms` : '',
        rows[r]!.note,
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8]),
    );
    for (const [name, page] of [
      ['popup', POPUP],
      ['report page', REPORT],
    ] as const) {
      const before = beforeDist ? `; before: ${firstPaintLoad(beforeDist, page)}` : '';
      info(`${name} before its first paint: ${firstPaintLoad(DIST_DIR, page)}${before}`);
    }
    // Where the popup's and report's time went before their first render, step by step.
    const ours = rows.flatMap((row, r) => (row.note === 'floor' ? [] : [r]));
    info('Boot marks of our pages (medians, ms from navigation start; – where a build sets none):');
    printColumns(
      ['page', 'commit', 'HTML parsed', ...BOOT_MARKS, 'shown'],
      ours.map((r) => [
        timings[r]!.name,
        phase(r, 'commit'),
        phase(r, 'parsed'),
        ...BOOT_MARKS.map((m) => formatMs(median(marks[r]!.map((at) => at[m])))),
        formatMs(timings[r]!.median),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    );
    info(
      `The bare page is what Chromium costs here for any extension page opened this way: ` +
        `${formatMs(bare.median)} ms against the popup's ${POPUP_BUDGET_MS} ms budget` +
        (bare.median >= POPUP_BUDGET_MS ? ' (over it before any script of ours runs).' : '.'),
    );
  } finally {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    for (const b of browsers) await b.close().catch(() => {});
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
}
