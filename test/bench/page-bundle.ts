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

export async function bundleForPage(
  entry = './browser-entry.ts',
  name = 'BacklinkBench',
): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
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
