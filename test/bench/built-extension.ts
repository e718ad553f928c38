/**
 * The benchmarks that load the extension measure whatever dist/ holds, so dist/ must be built
 * from the sources in this tree: build it when it is missing or older than them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DIST_DIR } from '../support/browser';
import { step } from './measure';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_INPUTS = ['src', 'public', 'manifest.json', 'vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why dist/ must be (re)built, or null when it is current. */
function staleReason(): string | null {
  const manifest = join(DIST_DIR, 'manifest.json');
  if (!existsSync(manifest)) return 'dist/ is missing';
  const built = statSync(manifest).mtimeMs;
  const changed = BUILD_INPUTS.find((input) => newestMtime(join(ROOT, input)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** Run `vite build` (what `npm run build` does) when dist/ is missing or stale. */
export async function ensureExtensionBuilt(): Promise<void> {
  const reason = staleReason();
  if (!reason) return;
  await step(`npm run build (${reason}; untimed)`, () =>
    promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: ROOT,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
}
