import { defineConfig, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifestJson from './manifest.json' with { type: 'json' };
import { version } from './package.json' with { type: 'json' };

// One manifest.json (Chrome MV3). Firefox's MV3 wants background.scripts instead of a
// service worker and an explicit add-on id, so that build rewrites just those fields.
const target = process.env.TARGET_BROWSER === 'firefox' ? 'firefox' : 'chrome';

// The version lives in package.json only: both builds (and `npm run package`) take it from there.
const baseManifest = { ...manifestJson, version };

function manifestFor(browser: 'chrome' | 'firefox'): ManifestV3Export {
  if (browser === 'chrome') return baseManifest as ManifestV3Export;
  const { minimum_chrome_version: _unused, ...rest } = baseManifest;
  return {
    ...rest,
    background: { scripts: [baseManifest.background.service_worker], type: 'module' },
    // A lighter tile on dark themes ("light" names the icon for a theme's light text); the
    // icons are drawn by .ci/icons.ts.
    action: {
      ...baseManifest.action,
      theme_icons: [16, 32].map((size) => ({
        light: `icons/icon-light-${size}.png`,
        dark: `icons/icon-${size}.png`,
        size,
      })),
    },
    browser_specific_settings: {
      gecko: {
        id: 'backlink-lens@example.org',
        strict_min_version: '140.0',
        // Nothing is collected or sent anywhere: the data stays in the browser profile.
        data_collection_permissions: { required: ['none'] },
      },
      // Firefox for Android reads data_collection_permissions from 142 on.
      gecko_android: { strict_min_version: '142.0' },
    },
  } as ManifestV3Export;
}

/** The pages whose first paint is timed (issue 7): see firstPaintChunk. */
const FIRST_PAINT_PAGES = ['src/ui/popup/index.html', 'src/ui/report/index.html'];

type ModuleInfoOf = (id: string) => { importers: readonly string[] } | null;

/**
 * The roots (entries, or modules only ever imported dynamically) that reach a module through
 * static imports alone: what must be loaded with it.
 */
function staticRootsOf(
  id: string,
  info: ModuleInfoOf,
  memo: Map<string, Set<string>>,
): Set<string> {
  const known = memo.get(id);
  if (known) return known;
  const roots = new Set<string>();
  memo.set(id, roots); // a cycle adds nothing more
  const importers = info(id)?.importers ?? [];
  if (importers.length === 0) roots.add(id);
  for (const importer of importers)
    for (const r of staticRootsOf(importer, info, memo)) roots.add(r);
  return roots;
}

/**
 * Chunks for the popup's and report's first paint: left to the default, the code these pages
 * share with the worker and the options page came in nine chunks, one per set of pages sharing
 * it, and a page waited for every file (issue 7: the empty popup's wall time was mostly the
 * browser serving its files, not its own work). Now a page loads its entry, rolldown's runtime,
 * 'ui' (what the pages share that the worker does not need: Preact, the report's components,
 * its state) and 'shared' (what they share with the worker), and the worker loads no UI code.
 */
function firstPaintChunk(id: string, info: ModuleInfoOf, memo: Map<string, Set<string>>) {
  const roots = [...staticRootsOf(id, info, memo)];
  const onPage = roots.some((r) => FIRST_PAINT_PAGES.some((page) => r.endsWith(page)));
  // A module of one root alone stays in that root's chunk (the page's entry, a lazy part).
  if (!onPage || roots.length < 2) return null;
  return roots.some((r) => r.endsWith('src/background/worker.ts')) ? 'shared' : 'ui';
}

/**
 * The style sheet inlined in the popup's and report's HTML: one request fewer before the first
 * paint, and none Chromium must rewrite for __MSG_ placeholders (it reads the locale's messages
 * for each extension CSS file it serves). MV3's default CSP restricts scripts, not styles:
 * https://developer.chrome.com/docs/extensions/reference/manifest/content-security-policy
 */
const inlineFirstPaintCss: Plugin = {
  name: 'backlink-lens:inline-first-paint-css',
  enforce: 'post',
  generateBundle(_, bundle) {
    for (const page of FIRST_PAINT_PAGES) {
      const html = bundle[page];
      if (html?.type !== 'asset' || typeof html.source !== 'string') continue;
      html.source = html.source.replace(
        /<link rel="stylesheet"[^>]*href="\/(assets\/[^"]+\.css)"[^>]*>/g,
        (tag, file: string) => {
          const css = bundle[file];
          if (css?.type !== 'asset') throw new Error(`${page}: no ${file} to inline`);
          return `<style>${String(css.source).replaceAll('</', '<\\/')}</style>`;
        },
      );
    }
  },
};

/** The pages' first script (platform/early-boot.ts): its own entry, no imports. */
const EARLY_BOOT = 'src/platform/early-boot.ts';

/**
 * Put the early script in the popup's and report's HTML as a classic script, before the module
 * tags: its fetch is the page's first (after them, it waited behind the module and its
 * preloads), and the database opens and the settings (and the popup's active tab) are read while
 * the modules are fetched (issue 7). MV3's CSP allows a script file of the extension, not an
 * inline one. The popup's tag asks for the active tab.
 */
const earlyBootScript: Plugin = {
  name: 'backlink-lens:early-boot-script',
  enforce: 'post',
  generateBundle(_, bundle) {
    const chunk = Object.values(bundle).find(
      (c) => c.type === 'chunk' && c.facadeModuleId?.endsWith(EARLY_BOOT),
    );
    if (chunk?.type !== 'chunk') throw new Error(`${EARLY_BOOT}: no chunk built`);
    // A classic script cannot import or export: the build fails rather than the page.
    if (chunk.imports.length + chunk.dynamicImports.length + chunk.exports.length > 0) {
      throw new Error(`${EARLY_BOOT} must not import or export at run time`);
    }
    for (const page of FIRST_PAINT_PAGES) {
      const html = bundle[page];
      if (html?.type !== 'asset' || typeof html.source !== 'string') continue;
      const tab = page.includes('/popup/') ? ' data-active-tab' : '';
      const tag = `<script src="/${chunk.fileName}"${tab}></script>`;
      const at = html.source.indexOf('<script type="module"');
      if (at < 0) throw new Error(`${page}: no module script to put ${EARLY_BOOT} before`);
      html.source = `${html.source.slice(0, at)}${tag}\n    ${html.source.slice(at)}`;
    }
  },
};

/** The roots found per chunking pass (a watch build chunks again after each change). */
const rootsMemo = new WeakMap<object, Map<string, Set<string>>>();
function memoOf(pass: object): Map<string, Set<string>> {
  const memo = rootsMemo.get(pass) ?? new Map<string, Set<string>>();
  rootsMemo.set(pass, memo);
  return memo;
}

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [
    crx({
      manifest: manifestFor(target),
      browser: target,
      // One self-contained classic script: no loader doing a dynamic import at page load, and
      // no web_accessible_resources by which any page could detect the extension.
      contentScripts: { standaloneFiles: ['src/content/content.ts'] },
    }),
    inlineFirstPaintCss,
    earlyBootScript,
  ],
  build: {
    outDir: target === 'firefox' ? 'dist-firefox' : 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The report page is not named by the manifest, so it is an extra entry.
    rolldownOptions: {
      input: { report: 'src/ui/report/index.html', 'early-boot': EARLY_BOOT },
      output: {
        codeSplitting: {
          groups: [
            {
              name: (id, ctx) => firstPaintChunk(id, (m) => ctx.getModuleInfo(m), memoOf(ctx)),
            },
          ],
        },
      },
    },
  },
  server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
});
