/**
 * `npm run bench`: the benchmark suite, run in order. Each prints a table of medians and
 * ratios against a baseline measured in the same run; nothing asserts on time. The exit code
 * is non-zero only when a benchmark fails or a correctness check of what was timed fails.
 */
import { cpus } from 'node:os';
import { runExtraction } from './extraction';
import { runExtractionChromium } from './extraction-chromium';
import { runStorageWrite } from './storage-write';
import { runStorageRead } from './storage-read';
import { runPopup } from './popup';
import { formatMs } from './measure';

const BENCHMARKS: ReadonlyArray<[string, () => Promise<void>]> = [
  ['extraction', runExtraction],
  ['extraction (Chromium)', runExtractionChromium],
  ['storage write', runStorageWrite],
  ['storage read', runStorageRead],
  ['popup', runPopup],
  ['authority', async () => (await import('./authority')).runAuthority()],
];

const cpu = cpus();
console.log(
  `Backlink Lens benchmarks: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ` +
    `${new Date().toISOString()}`,
);
console.log('Medians of several runs after a warm-up; ratios against the first row of each table.');

const started = performance.now();
for (const [name, run] of BENCHMARKS) {
  try {
    await run();
  } catch (error) {
    console.error(`\n!! ${name} failed:`, error);
    process.exitCode = 1;
  }
}
console.log(`\nAll benchmarks: ${formatMs((performance.now() - started) / 1000)} s`);
