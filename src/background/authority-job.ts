import browser from 'webextension-polyfill';
import {
  authorityDueAt,
  authorityRetryDelay,
  rankInSlices,
  resumableWrite,
  resumeRank,
  type AuthorityRun,
  type FullReason,
} from '../core/authority-job';
import {
  type AuthorityInput,
  type AuthorityWrite,
  loadAuthorityMeta,
  loadAuthorityRun,
  noteAuthorityChanges,
  readAuthorityGraphs,
  saveAuthorityRun,
  writeAuthorityUpdate,
} from '../storage/authority';
import { getDb } from '../platform/db-connection';
import { importRunning } from '../platform/import-lock';
import { updateTermStatsQuietly } from '../storage/term-stats';
import { refreshStatsAuthority } from '../storage/target-stats';
import { dropFirstViewsOf } from './first-view';

/**
 * Source authority in the background. Scheduling is a `chrome.alarms` alarm rather than a
 * timer: an MV3 worker is stopped after 30 s without events, taking its timers with it, and
 * an alarm wakes it again. Re-creating the alarm under the same name replaces it, which is the
 * debounce. While a walk runs, the alarm is kept a minute ahead as a watchdog: if the worker
 * is stopped mid-walk, it fires and the walk resumes from its last stored checkpoint.
 */
export const AUTHORITY_ALARM = 'authority';
/** How far ahead the watchdog is set while a walk runs (Chrome's least alarm delay is 30 s). */
const WATCHDOG_MS = 60_000;
/**
 * While a computation runs, the watchdog is moved on this often. Being an extension API call,
 * it also resets the worker's 30 s idle timer (Chrome 110+), which IndexedDB work does not:
 * https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle
 */
const KEEPALIVE_MS = 10_000;
/** Re-create the alarm only when its time moves by more than this: not once per recording. */
const RESCHEDULE_SLACK_MS = 5_000;

/** What the last computation did: counts and times only, for tests and the worker's console. */
export interface AuthorityOutcome {
  /** Whether it patched the last graphs with the pages recorded since, or read every record. */
  mode: 'incremental' | 'full';
  /** Why every row was read. */
  reason?: FullReason;
  /** Built from every page and link record, read from the graph store, or its changed rows. */
  source: AuthorityInput['source'];
  /** Nodes in the graphs. */
  pages: number;
  domains: number;
  /** Links read (built from the records), else link targets in the rows read. */
  links: number;
  /** Recorded pages patched in (an incremental update); null when every row was read. */
  changedPages: number | null;
  iterations: { pages: number; domains: number };
  /** Whether it went on from a stopped worker's checkpoint. */
  resumed: boolean;
  /** Whether the build of the rows from the records went on from a stopped worker's place. */
  resumedBuild: boolean;
  /** Whether the write of a new generation of scores went on from a stopped worker's. */
  resumedWrite: boolean;
  /**
   * Wall time from start to stored scores, and of that, reading (the stores, or the kept
   * graphs and the changed pages), building the graphs, walking and writing time.
   */
  totalMs: number;
  readMs: number;
  /** Of readMs, storing the rows built from the records (0 unless built from them). */
  putMs: number;
  /** Built from the records: chunks read, and the records their answers held. */
  built: AuthorityInput['built'];
  buildMs: number;
  rankMs: number;
  writeMs: number;
  /** Scores put and deleted, in place or as a generation; the graphs stored whole or patched. */
  written: AuthorityWrite;
  computedAt: number;
}

export const authorityStatus: {
  runs: number;
  last: AuthorityOutcome | null;
  error?: string;
  /** Failed computations in a row: the next retry waits longer after each. */
  failures: number;
} = { runs: 0, last: null, failures: 0 };

let running: Promise<AuthorityOutcome> | null = null;
let scheduledFor = 0;
let lastRecordedAt = 0;
/** The last finished computation's time, read from storage once per worker start. */
let lastComputedAt: Promise<number | null> | null = null;

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setAlarm(when: number): Promise<void> {
  scheduledFor = when;
  return browser.alarms.create(AUTHORITY_ALARM, { when });
}

async function schedule(recordedAt: number): Promise<void> {
  lastComputedAt ??= getDb()
    .then(loadAuthorityMeta)
    .then((m) => m?.computedAt ?? null);
  const due = authorityDueAt(recordedAt, await lastComputedAt);
  // A walk in progress keeps its watchdog; it schedules the next one when it ends.
  if (running || Math.abs(due - scheduledFor) < RESCHEDULE_SLACK_MS) return;
  await setAlarm(due);
}

/** Pages recorded but not yet in the stored change log; null when some were not named. */
let unnoted: string[] | null = [];
/** The change log's write in progress, awaited before a computation reads the log. */
let noting: Promise<void> | null = null;
/** A note that could not be stored: the next computation cannot trust the log. */
let notesLost = false;

async function storeNotes(): Promise<void> {
  try {
    // Pages recorded while a write is in flight go in the next one: one short write per
    // burst of recordings, not one per page.
    while (unnoted === null || unnoted.length > 0) {
      const urls = unnoted;
      unnoted = [];
      await noteAuthorityChanges(await getDb(), urls);
    }
  } catch (error) {
    notesLost = true;
    unnoted = [];
    console.error('Backlink Lens could not note a change for authority:', error);
  } finally {
    noting = null;
  }
}

/**
 * Call after a page or new links were recorded (`url`, the page's canonical URL), or after
 * data changed in ways not named (an import: no URL): notes what changed for the next
 * update and schedules it. Never waits on either.
 */
export function noteRecorded(url?: string, now: number = Date.now()): void {
  lastRecordedAt = now;
  if (url === undefined) unnoted = null;
  else unnoted?.push(url);
  noting ??= storeNotes();
  schedule(now).catch((error: unknown) => {
    console.error('Backlink Lens could not schedule authority:', error);
  });
}

/** A computation asked for by name: every row read, or every row built again from the records. */
export type AuthorityRequest = 'full' | 'rebuild';

async function compute(request?: AuthorityRequest): Promise<AuthorityOutcome> {
  await setAlarm(Date.now() + WATCHDOG_MS);
  const keepAlive = setInterval(() => {
    // A failed call only means no keepalive this time; the watchdog set above still stands.
    setAlarm(Date.now() + WATCHDOG_MS).catch(() => {});
  }, KEEPALIVE_MS);
  try {
    const outcome = await computeSteps(request);
    // Relevance's term counts, over the same pages, while the worker is still kept alive.
    await updateTermStatsQuietly(await getDb(), outcome.changedPages);
    await refreshStatsQuietly();
    return outcome;
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * The new scores kept with the hot pages' aggregates: their popups show groups of equal counts
 * strongest first, and a tab's first view in the old order is prepared again, each as soon as
 * its aggregate is put (a refresh cut short leaves no entry in the old order behind). A
 * failure leaves the aggregates not yet refreshed in the last computation's order (the next
 * computation's refresh takes them), and is logged here.
 */
export async function refreshStatsQuietly(): Promise<void> {
  try {
    await refreshStatsAuthority(await getDb(), (target) => dropFirstViewsOf([target]));
  } catch (error) {
    console.error('Backlink Lens could not rank the hot pages by the new authority:', error);
  }
}

/**
 * Read, walk (resuming a stored walk), write; read again if data was forgotten meanwhile.
 * Reading is the costly part at scale, so when only a few pages were recorded since the last
 * computation, their records patch its graphs instead; either way the walk starts from its
 * scores and runs until it converges on the graph as it is now.
 */
async function computeSteps(
  request: AuthorityRequest | undefined,
  attempts = 3,
): Promise<AuthorityOutcome> {
  const started = performance.now();
  const db = await getDb();
  // The notes of pages this worker recorded are in the log before it is read.
  await noting;
  const lost = notesLost;
  const stored = await loadAuthorityRun(db);
  const reading = performance.now();
  const input = await readAuthorityGraphs(db, {
    full: request === 'full' || lost,
    rebuild: request === 'rebuild',
  });
  const { graphs, plan, read } = input;
  const { buildMs } = input;
  const readMs = performance.now() - reading - buildMs;
  // A write stopped with the worker goes on with the scores it was writing: the walk is over.
  const resume = resumableWrite(stored, graphs, input.epoch);
  const run: AuthorityRun = resume
    ? stored!
    : {
        startedAt: stored?.startedAt ?? Date.now(),
        pages: resumeRank(graphs.pages, stored?.pages, input.warm.pages),
        domains: resumeRank(graphs.domains, stored?.domains, input.warm.domains),
      };
  // Reading and writing are redone after a stop; the walk, the part that grows with
  // iterations, goes on from here, and a new generation's write from its last chunk.
  const checkpoint = () => saveAuthorityRun(db, run);
  const walking = performance.now();
  if (!resume) {
    run.pages = await rankInSlices(graphs.pages, run.pages, {
      pause,
      checkpoint: (s) => ((run.pages = s), checkpoint()),
    });
    run.domains = await rankInSlices(graphs.domains, run.domains, {
      pause,
      checkpoint: (s) => ((run.domains = s), checkpoint()),
    });
  }
  const rankMs = performance.now() - walking;
  const writing = performance.now();
  const computedAt = resume?.computedAt ?? Date.now();
  const written = await writeAuthorityUpdate(db, input, run, computedAt, {
    resume,
    // The final states, stored before the first chunk: what a new worker writes on with.
    started: (write) => saveAuthorityRun(db, { ...run, write }),
  });
  if (!written) {
    if (attempts <= 1) throw new Error('stored data kept changing while authority was computed');
    return computeSteps(request, attempts - 1);
  }
  // The log is trusted again once a computation that read everything has taken its place.
  if (plan.mode === 'full' && lost) notesLost = false;
  const writeMs = performance.now() - writing;
  lastComputedAt = Promise.resolve(computedAt);
  return {
    mode: plan.mode,
    ...(plan.mode === 'full' ? { reason: plan.reason } : {}),
    source: input.source,
    changedPages: plan.mode === 'incremental' ? plan.pages.length : null,
    pages: graphs.pages.keys.length,
    domains: graphs.domains.keys.length,
    links: read.links,
    iterations: { pages: run.pages.iterations, domains: run.domains.iterations },
    resumed: stored !== null,
    resumedBuild: input.resumedBuild,
    resumedWrite: resume !== null,
    putMs: input.putMs,
    built: input.built,
    totalMs: performance.now() - started,
    readMs,
    buildMs,
    rankMs,
    writeMs,
    written,
    computedAt,
  };
}

/**
 * Compute and store every score now (one walk at a time), then schedule the next if pages
 * were recorded meanwhile. Logs a failure once, here; the watchdog alarm retries it.
 */
export function computeAuthority(request?: AuthorityRequest): Promise<AuthorityOutcome> {
  running ??= compute(request)
    .finally(() => (running = null))
    .then(
      (outcome) => {
        authorityStatus.runs++;
        authorityStatus.last = outcome;
        authorityStatus.failures = 0;
        delete authorityStatus.error;
        // Pages recorded during the walk are not in it: schedule the next, else stand down.
        scheduledFor = 0;
        const next =
          lastRecordedAt > outcome.computedAt - outcome.totalMs
            ? schedule(lastRecordedAt)
            : browser.alarms.clear(AUTHORITY_ALARM);
        // Only a failed alarm call lands here; the next recording schedules again.
        void next.catch(() => {});
        return outcome;
      },
      (error: unknown) => {
        // Retried from the last checkpoint by the alarm, later after each failure in a row.
        authorityStatus.error = String(error);
        authorityStatus.failures++;
        console.error('Backlink Lens could not compute authority:', error);
        setAlarm(Date.now() + authorityRetryDelay(authorityStatus.failures)).catch(() => {});
        throw error;
      },
    );
  return running;
}

/**
 * For the test hook: a fresh computation that sees everything recorded so far; 'full' reads
 * every row even when patching the last graphs would do (to compare the two), 'rebuild' builds
 * the rows again from every record.
 */
export async function computeAuthorityNow(mode?: AuthorityRequest): Promise<AuthorityOutcome> {
  await running?.catch(() => {});
  return computeAuthority(mode);
}

/** How long the job waits for an import under way before it asks again (platform/import-lock). */
const IMPORT_WAIT_MS = 60_000;

export async function onAuthorityAlarm(alarm: { name: string }): Promise<void> {
  if (alarm.name !== AUTHORITY_ALARM) return;
  // Not beside an import: its end (data/changed) schedules the job again, and this alarm
  // covers an import page closed part-way. Without an answer from the locks, compute.
  if (await importRunning().catch(() => false)) {
    await setAlarm(Date.now() + IMPORT_WAIT_MS).catch(() => {});
    return;
  }
  // Failures are logged and counted inside; the alarm set there retries.
  await computeAuthority().catch(() => {});
}
