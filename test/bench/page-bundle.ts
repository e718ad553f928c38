/**
 * The extractors bundled with Vite into one page script (browser-entry.ts, global
 * BacklinkBench), for the benchmarks that time them inside real Chromium; or another entry
 * under another global (seed-entry.ts, BacklinkSeed: the store's write path).
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

declare global {
  interface Window {
    BacklinkBench: typeof import('./browser-entry');
    BacklinkSeed: typeof import('./seed-entry');
  }
}

/**
 * `srcDir`: the extension's sources the entry imports (`../../src/…`) taken from another tree
 * instead (a "before" worktree), the entry itself from this one: both builds' code in one page.
 */
export async function bundleForPage(
  entry = './browser-entry.ts',
  name = 'BacklinkBench',
  srcDir?: string,
): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    ...(srcDir
      ? {
          resolve: {
            alias: [{ find: /^\.\.\/\.\.\/src\//, replacement: `${srcDir}/` }],
            // One idb for both trees' code: the other tree's own copy would wrap its database
            // in proxies this tree's unwrap() does not know (it answered undefined). One Preact
            // too: its hooks live in the copy that renders.
            dedupe: ['idb', 'preact', '@preact/signals'],
          },
        }
      : {}),
    build: {
      write: false,
      minify: true,
      lib: {
        entry: fileURLToPath(new URL(entry, import.meta.url)),
        formats: ['iife'],
        name,
      },
    },
  });
  const output = (Array.isArray(result) ? result[0] : result) as Rolldown.RolldownOutput;
  const chunk = output.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('no bundle produced');
  return chunk.code;
}
