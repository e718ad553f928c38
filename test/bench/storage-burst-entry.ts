// Bundled into one IIFE (global BacklinkBurst) and run in the extension's service worker: a
// burst of recording through the worker's write path (the write gate, then recordPage), as 8
// tabs loading pages one after another would send it, in the worker's own thread.
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import { gatedWrite } from '../../src/platform/write-gate';
import { pageSnapshot, type ScaleOptions } from './storage-scale-entry';

let connection: Promise<BacklinkDb> | null = null;
const db = () => (connection ??= openBacklinkDb());

/** The source URL of burst page i of tab t: pages of their own, not the seeded ones. */
const burstUrl = (t: number, i: number) => `https://burst${t}.test/page/${i}`;

interface Burst {
  /** When each write ended (performance.now()): while writes queue, the gaps are their lengths. */
  ends: number[];
  /**
   * How long each of the writes' transactions ran (ms), from the write gate letting it go to
   * the next gate or the write's end: a page written in one transaction has one, canonicalizing
   * included; a staged page one per chunk and its last.
   */
  transactions: number[];
  /** Pages recorded (their write acknowledged), by URL, with the live links each reported. */
  recorded: Map<string, number>;
  stop: boolean;
  done: Promise<void>;
}

let burst: Burst | null = null;

/**
 * Start `tabs` loops, each recording up to `pages` loads of `links`-link pages one after
 * another (as a tab loading page after page), until stopBurst. Returns at once.
 */
export function startBurst(tabs: number, pages: number, links: number): void {
  const options: ScaleOptions = {
    seed: 77,
    pages: tabs * pages,
    linksPerPage: links,
    targets: 50_000,
    hotLinks: 0,
  };
  const run: Burst = {
    ends: [],
    transactions: [],
    recorded: new Map(),
    stop: false,
    done: Promise.resolve(),
  };
  run.done = (async () => {
    const d = await db();
    const loop = async (t: number) => {
      for (let i = 0; i < pages && !run.stop; i++) {
        const snapshot = { ...pageSnapshot(options, t * pages + i), url: burstUrl(t, i) };
        const result = await gatedWrite(async (pause) => {
          // From the end of one pause to the next (or to the end): one transaction's run.
          let from = performance.now();
          const timedPause = async () => {
            run.transactions.push(performance.now() - from);
            await pause();
            from = performance.now();
          };
          const recorded = await recordPage(d, snapshot, Date.now(), null, timedPause);
          run.transactions.push(performance.now() - from);
          return recorded;
        });
        run.ends.push(performance.now());
        if (result) run.recorded.set(result.url, result.links);
      }
    };
    await Promise.all(Array.from({ length: tabs }, (_t, t) => loop(t)));
  })();
  burst = run;
}

/**
 * Stop the loops after the page each is recording, and wait for them. Then every recorded
 * page's links are counted in the store: `whole` is how many have all the links reported.
 */
export async function stopBurst(): Promise<{
  pages: number;
  whole: number;
  links: number;
  writeGaps: number[];
  transactions: number[];
}> {
  if (!burst) throw new Error('no burst started');
  burst.stop = true;
  await burst.done;
  const d = await db();
  let whole = 0;
  let links = 0;
  for (const [url, reported] of burst.recorded) {
    const stored = await d.countFromIndex('links', 'by_source', url);
    links += stored;
    if (stored === reported) whole++;
  }
  const { ends } = burst;
  return {
    pages: burst.recorded.size,
    whole,
    links,
    writeGaps: ends.slice(1).map((end, i) => end - ends[i]!),
    transactions: burst.transactions,
  };
}
