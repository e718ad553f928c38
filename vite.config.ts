import { defineConfig } from 'vite';
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
  ],
  build: {
    outDir: target === 'firefox' ? 'dist-firefox' : 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The report page is not named by the manifest, so it is an extra entry.
    rolldownOptions: { input: { report: 'src/ui/report/index.html' } },
  },
  server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
});
