/**
 * `npm run bench`: the benchmark suite, run in order. Each prints a table of medians and
 * ratios against a baseline measured in the same run; nothing asserts on time. The exit code
 * is non-zero only when a benchmark fails or a correctness check of what was timed fails.
 * BENCH_ONLY=watch-cost,extraction-shadow runs only the named ones.
 */
import { cpus } from 'node:os';
import { runExtraction } from './extraction';
import { runExtractionChromium } from './extraction-chromium';
import { runExtractionShadow } from './extraction-shadow';
import { runStorageWrite } from './storage-write';
import { runStorageRead } from './storage-read';
import { runPopup } from './popup';
import { runBoot } from './boot';
import { runBootHot } from './boot-hot';
import { runReportFirst } from './report-first';
import { runReportRows } from './report-rows';
import { runWatchCost } from './watch-cost';
import { runAuthority } from './authority';
import { runAuthorityChromium } from './authority-chromium';
import { runFlags } from './flags';
import { runQuality } from './quality';
import { runPlacement } from './placement';
import { runCanonicalize } from './canonicalize';
import { runIngestRead } from './ingest-read';
import { runIndexServer } from './index-server';
import { runStorageBurst, runStorageScale } from './storage-scale';
import { runTransfer } from './transfer';
import { runLinkMove } from './link-move';
import { runLinkMoveChunks } from './link-move-chunks';
import { runTiesUpgrade } from './ties-upgrade';
import { formatMs } from './measure';

/** [id for BENCH_ONLY (the file's name), what it measures, run]. */
const BENCHMARKS: ReadonlyArray<[string, string, () => Promise<void>]> = [
  ['extraction', 'extraction', runExtraction],
  ['extraction-chromium', 'extraction (Chromium)', runExtractionChromium],
  ['extraction-shadow', 'extraction with shadow roots (Chromium)', runExtractionShadow],
  ['canonicalize', 'canonicalization with the secrets list', runCanonicalize],
  ['storage-write', 'storage write', runStorageWrite],
  ['storage-read', 'storage read', runStorageRead],
  ['popup', 'popup', runPopup],
  ['boot', 'what an extension page costs before our work (Chromium)', runBoot],
  ['boot-hot', 'where the first rows of a hot page spend their time (Chromium)', runBootHot],
  ['report-first', "a hot target's report page against another build (Chromium)", runReportFirst],
  [
    'report-rows',
    "the report table's first page rendered, against another tree (Chromium)",
    runReportRows,
  ],
  ['storage-scale', 'storage at 10k and 100k links (Chromium)', () => runStorageScale()],
  ['storage-ingest', 'ingest rows of storage-scale alone (Chromium)', () => runStorageScale(true)],
  ['storage-burst', 'popup during a recording burst (Chromium)', runStorageBurst],
  ['authority', 'authority (PageRank)', runAuthority],
  ['authority-chromium', 'authority in the worker (Chromium)', runAuthorityChromium],
  ['flags', 'risk flags', runFlags],
  ['quality', 'link quality scores', runQuality],
  ['placement', 'placement accuracy on real pages', runPlacement],
  ['index-server', 'index server on PGlite (BENCH_SCALE=1m for 1M links)', runIndexServer],
  ['transfer', 'streaming import and export (Chromium)', runTransfer],
  ['link-move', 'the compact upgrade moving an old database (Chromium)', runLinkMove],
  [
    'link-move-chunks',
    'one chunk of the link move against a raw one (Chromium)',
    runLinkMoveChunks,
  ],
  ['ties-upgrade', 'the ties upgrade opening an older database (Chromium)', runTiesUpgrade],
  ['ingest-read', 'index ingest readers (WAT, export)', runIngestRead],
  // Last: with the default minute per run it takes a few minutes.
  ['watch-cost', 'watcher cost (Chromium)', runWatchCost],
];

const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);
const unknown = only.filter((id) => !BENCHMARKS.some(([known]) => known === id));
if (unknown.length > 0) {
  console.error(
    `Unknown BENCH_ONLY ${unknown.join(', ')}; known: ${BENCHMARKS.map(([id]) => id).join(', ')}`,
  );
  process.exit(2);
}
const selected = BENCHMARKS.filter(([id]) => only.length === 0 || only.includes(id));

const cpu = cpus();
console.log(
  `Backlink Lens benchmarks: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ` +
    `${new Date().toISOString()}`,
);
console.log('Medians of several runs after a warm-up; ratios against the first row of each table.');
if (only.length > 0) console.log(`Only: ${selected.map(([id]) => id).join(', ')} (BENCH_ONLY)`);

const started = performance.now();
for (const [, name, run] of selected) {
  try {
    await run();
  } catch (error) {
    console.error(`\n!! ${name} failed:`, error);
    process.exitCode = 1;
  }
}
console.log(`\nAll benchmarks: ${formatMs((performance.now() - started) / 1000)} s`);
// A bench that leaves something open (a server, a timer, a child process) must not hold the run
// (and a CI job, or a lock around it) after its tables are printed: say what, and end.
const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
if (open.length > 0) console.log(`(still open at the end, closed by exiting: ${open.join(', ')})`);
process.exit();
