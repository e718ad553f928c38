/**
 * Builds side by side on one kept profile (issue 6's popup at 1M): a kept profile's store
 * belongs to the extension id its dist/ path gave it, so two builds cannot be loaded at once.
 * Each build given is copied into this tree's dist/ in turn (ABAB, then BA AB...), the browser
 * launched on the profile, and the empty-state popup then the hot one opened in pairs, as
 * storage-scale's "popup first render, hot" does; and (BENCH_AB_FRESH=1) the empty store's
 * popup in a fresh profile, issue 6's baseline. Besides each page's time to its rows, what the
 * machine's load moves less: the page's main-thread CPU (task, script) and the CPU of the whole
 * browser while the page opened (its process tree, from /proc). dist/ is put back at the end.
 *
 * `npx tsx test/bench/popup-builds.ts` with BENCH_AB_DISTS=<dist dir>,<dist dir> (builds made
 * elsewhere, `cp -r dist`), BENCH_AB_PROFILE=<the kept size's profile dir, e.g. …/s13-1m/1m>;
 * BENCH_AB_ROUNDS (3), BENCH_AB_PAIRS (4). Run it from the tree whose dist/ path seeded the
 * profile (/work/profiles/s13-1m: /work/wt-merge): from another, the extension has another id
 * and an empty store there, and the hot popup times out. A run killed midway leaves dist/ as
 * the last build it copied, the tree's own in dist.ab-kept.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { DIST_DIR, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import { EMPTY_SHOWN, groupsShown, timeToReport } from './popup';
import { COLD, HOT } from './storage-scale-entry';

const DISTS = (process.env.BENCH_AB_DISTS ?? '').split(',').filter(Boolean);
const PROFILE = process.env.BENCH_AB_PROFILE ?? '';
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 3);
const PAIRS = Number(process.env.BENCH_AB_PAIRS ?? 4);
const FRESH = process.env.BENCH_AB_FRESH === '1';
/** The popup shows its first 30 referring domains (src/ui/popup/main.tsx). */
const POPUP_DOMAINS = 30;

type Kind = 'hot' | 'empty' | 'empty store';
interface Sample {
  build: string;
  kind: Kind;
  ms: number;
  task: number;
  script: number;
  tree: number;
}

/** CPU ms of every process of the browser whose --user-data-dir is `dir` (utime + stime). */
function treeCpu(dir: string): number {
  const procs = new Map<number, { ppid: number; ticks: number; root: boolean }>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      procs.set(Number(pid), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        root: cmd.includes(`--user-data-dir=${dir}`) && !cmd.includes('--type='),
      });
    } catch {
      // The process ended while read.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      const proc = procs.get(p);
      if (!proc) return false;
      if (proc.root) return true;
      p = proc.ppid;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, proc] of procs) if (inTree(pid)) ticks += proc.ticks;
  return ticks * 10;
}

async function sample(
  ext: ExtensionBrowser,
  dir: string,
  build: string,
  kind: Kind,
): Promise<Sample> {
  const [url, done] = kind === 'hot' ? [HOT, groupsShown(POPUP_DOMAINS)] : [COLD, EMPTY_SHOWN];
  const before = treeCpu(dir);
  const r = await timeToReport(ext, POPUP, url, done, { timeout: 120_000, cpu: true });
  return {
    build,
    kind,
    ms: r.ms,
    task: r.cpu?.task ?? Number.NaN,
    script: r.cpu?.script ?? Number.NaN,
    tree: treeCpu(dir) - before,
  };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Samples of one build in one browser: a warm-up pair, then PAIRS pairs (or the empty store). */
async function oneLaunch(build: string, sitePort: number, fresh: boolean): Promise<Sample[]> {
  const dir = fresh ? mkdtempSync(join(tmpdir(), 'backlink-lens-ab-')) : PROFILE;
  const ext = await launchWithExtension({ sitePort, userDataDir: dir });
  const kinds: Kind[] = fresh ? ['empty store'] : ['empty', 'hot'];
  const out: Sample[] = [];
  try {
    for (let i = -1; i < PAIRS; i++) {
      for (const kind of kinds) {
        const s = await sample(ext, dir, build, kind);
        if (i >= 0) out.push(s);
      }
    }
  } finally {
    await ext.close();
    if (fresh) rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function useBuild(dist: string): void {
  rmSync(DIST_DIR, { recursive: true, force: true });
  cpSync(dist, DIST_DIR, { recursive: true });
  // Newer than the sources: built-extension.ts must not build over it.
  const now = new Date();
  utimesSync(join(DIST_DIR, 'manifest.json'), now, now);
}

const line = (samples: Sample[], field: 'ms' | 'task' | 'script' | 'tree') =>
  samples.map((s) => s[field].toFixed(0)).join(' ');

async function main(): Promise<void> {
  if (DISTS.length < 2 || !existsSync(PROFILE)) {
    throw new Error('BENCH_AB_DISTS=<dist>,<dist> and BENCH_AB_PROFILE=<a kept profile>');
  }
  const kept = `${DIST_DIR.replace(/\/$/, '')}.ab-kept`;
  if (existsSync(DIST_DIR)) renameSync(DIST_DIR, kept);
  const server = await startSiteServer();
  const all: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const dist of round % 2 ? [...DISTS].reverse() : DISTS) {
        const build = basename(dist.replace(/\/dist\/?$/, '').replace(/\/$/, ''));
        useBuild(dist);
        const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
        const samples = [
          ...(await oneLaunch(build, server.port, false)),
          ...(FRESH ? await oneLaunch(build, server.port, true) : []),
        ];
        all.push(...samples);
        console.log(`round ${round} ${build} (load ${load})`);
        for (const kind of ['hot', 'empty', 'empty store'] as const) {
          const of = samples.filter((s) => s.kind === kind);
          if (of.length === 0) continue;
          console.log(
            `  ${kind}: ms ${line(of, 'ms')} | task ${line(of, 'task')} | ` +
              `script ${line(of, 'script')} | tree ${line(of, 'tree')}`,
          );
        }
      }
    }
  } finally {
    await server.close();
    rmSync(DIST_DIR, { recursive: true, force: true });
    if (existsSync(kept)) renameSync(kept, DIST_DIR);
  }
  console.log('medians over all rounds (ms; task, script: the page main thread; tree: browser)');
  for (const build of [...new Set(all.map((s) => s.build))]) {
    const m = (kind: Kind, field: 'ms' | 'task' | 'script' | 'tree') =>
      median(all.filter((s) => s.build === build && s.kind === kind).map((s) => s[field]));
    const ratio = FRESH
      ? ` hot/empty store ${(m('hot', 'ms') / m('empty store', 'ms')).toFixed(2)}x`
      : '';
    console.log(
      `${build}: hot ${m('hot', 'ms').toFixed(0)} empty ${m('empty', 'ms').toFixed(0)}${ratio} | ` +
        `task hot ${m('hot', 'task').toFixed(0)} empty ${m('empty', 'task').toFixed(0)} | ` +
        `script hot ${m('hot', 'script').toFixed(0)} empty ${m('empty', 'script').toFixed(0)} | ` +
        `tree hot ${m('hot', 'tree').toFixed(0)} empty ${m('empty', 'tree').toFixed(0)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
