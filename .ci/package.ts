/**
 * `npm run package`: the zips the stores take, built from a clean build, byte for byte the
 * same for the same input (files sorted, one fixed timestamp, fixed attributes), so a
 * reviewer can rebuild from the source zip and compare.
 *
 *   artifacts/backlink-lens-<version>-chrome.zip   the Chrome Web Store upload (dist/)
 *   artifacts/backlink-lens-<version>-firefox.zip  the AMO upload (dist-firefox/)
 *   artifacts/backlink-lens-<version>-source.zip   the source AMO asks for: every tracked file
 *
 * `--no-build` zips what dist/ and dist-firefox/ hold now.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

const root = join(import.meta.dirname, '..');
const out = join(root, 'artifacts');
// Zip stores local time in DOS format; any fixed moment will do, this one is the format's floor.
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listed.split('\0').filter(Boolean);
}

/** The same names and bytes give the same zip: sorted entries, fixed time, os and mode. */
export function reproducibleZip(dir: string, names: readonly string[]): Uint8Array {
  const entries: Zippable = {};
  for (const name of [...names].sort()) {
    entries[name] = [
      readFileSync(join(dir, name)),
      { mtime: FIXED_TIME, os: 3, attrs: 0o644 << 16, level: 9 },
    ];
  }
  return zipSync(entries);
}

function main(): void {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  if (!process.argv.includes('--no-build')) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    execFileSync('npm', ['run', '--silent', 'build:firefox'], { cwd: root, stdio: 'inherit' });
  }
  for (const dir of ['dist', 'dist-firefox']) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'manifest.json'), 'utf8')) as {
      version?: string;
    };
    if (manifest.version !== version) {
      throw new Error(`${dir}/manifest.json says ${manifest.version}, package.json ${version}`);
    }
  }
  mkdirSync(out, { recursive: true });
  const zips = {
    chrome: reproducibleZip(join(root, 'dist'), filesUnder(join(root, 'dist'))),
    firefox: reproducibleZip(join(root, 'dist-firefox'), filesUnder(join(root, 'dist-firefox'))),
    source: reproducibleZip(root, trackedFiles()),
  };
  for (const [kind, bytes] of Object.entries(zips)) {
    const file = join(out, `backlink-lens-${version}-${kind}.zip`);
    writeFileSync(file, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    console.log(`${sha}  ${relative(root, file)}  (${(bytes.length / 1024).toFixed(0)} KiB)`);
  }
}

main();
