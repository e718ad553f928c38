/**
 * CPU time spent by the processes this benchmark started (Chromium's browser, renderers, GPU
 * and utility processes, all descendants of this Node process), in nanoseconds, from Linux's
 * per-thread schedstat. On a machine shared with other work a write's wall time is mostly its
 * wait for a core: at a load average of 20 on 2 cores the same 500 puts took 165 ms to 1.2 s.
 * The CPU time it uses on the way is the work itself, which the load hardly changes.
 * Null where /proc is not Linux's.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The parent of each process now running: pid → ppid. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Its name is in parentheses and may hold spaces: the fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, Number(fields[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Every process below `root`, not `root` itself, that is Chromium's (not tsx's esbuild). */
function descendants(root: number): number[] {
  const ppid = parents();
  const below = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of ppid) {
      if (!below.has(pid) && (parent === root || below.has(parent))) {
        below.add(pid);
        grew = true;
      }
    }
  }
  return [...below].filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('chrom');
    } catch {
      return false;
    }
  });
}

/** CPU nanoseconds of one process's threads so far (threads that ended are in none). */
function cpuOf(pid: number): number {
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    // The process ended meanwhile.
  }
  return ns;
}

/** CPU nanoseconds used so far by every process this one started (see above), or null. */
export function childrenCpuNs(): number | null {
  try {
    readFileSync('/proc/self/schedstat');
  } catch {
    return null;
  }
  return descendants(process.pid).reduce((sum, pid) => sum + cpuOf(pid), 0);
}
