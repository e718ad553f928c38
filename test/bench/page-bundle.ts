/**
 * The extractors bundled with Vite into one page script (browser-entry.ts, global
 * BacklinkBench), for the benchmarks that time them inside real Chromium.
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

declare global {
  interface Window {
    BacklinkBench: typeof import('./browser-entry');
  }
}

export async function bundleForPage(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      lib: {
        entry: fileURLToPath(new URL('./browser-entry.ts', import.meta.url)),
        formats: ['iife'],
        name: 'BacklinkBench',
      },
    },
  });
  const output = (Array.isArray(result) ? result[0] : result) as Rolldown.RolldownOutput;
  const chunk = output.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('no bundle produced');
  return chunk.code;
}
