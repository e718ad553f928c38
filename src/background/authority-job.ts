import browser from 'webextension-polyfill';
import { AuthorityGraphBuilder } from '../core/authority';
import {
  authorityDueAt,
  authorityRecords,
  authorityRetryDelay,
  rankInSlices,
  resumeRank,
  type AuthorityRun,
} from '../core/authority-job';
import {
  loadAuthorityMeta,
  loadAuthorityRun,
  loadDataEpoch,
  readAuthorityInput,
  saveAuthorityRun,
  writeAuthority,
} from '../storage/authority';
import { getDb } from '../platform/db-connection';
import { updateTermStatsQuietly } from '../storage/term-stats';

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
  pages: number;
  domains: number;
  links: number;
  iterations: { pages: number; domains: number };
  /** Whether it went on from a stopped worker's checkpoint. */
  resumed: boolean;
  /** Wall time from start to stored scores, and of that, reading, walking and writing time. */
  totalMs: number;
  readMs: number;
  rankMs: number;
  writeMs: number;
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

/** Call after a page or new links were recorded: schedules a computation, never waits on it. */
export function noteRecorded(now: number = Date.now()): void {
  lastRecordedAt = now;
  schedule(now).catch((error: unknown) => {
    console.error('Backlink Lens could not schedule authority:', error);
  });
}

async function compute(): Promise<AuthorityOutcome> {
  await setAlarm(Date.now() + WATCHDOG_MS);
  const keepAlive = setInterval(() => {
    // A failed call only means no keepalive this time; the watchdog set above still stands.
    setAlarm(Date.now() + WATCHDOG_MS).catch(() => {});
  }, KEEPALIVE_MS);
  try {
    const outcome = await computeSteps();
    // Relevance's term counts, over the same pages, while the worker is still kept alive.
    await updateTermStatsQuietly(await getDb());
    return outcome;
  } finally {
    clearInterval(keepAlive);
  }
}

/** Read, walk (resuming a stored walk), write; read again if data was forgotten meanwhile. */
async function computeSteps(attempts = 3): Promise<AuthorityOutcome> {
  const started = performance.now();
  const db = await getDb();
  const epoch = await loadDataEpoch(db);
  const stored = await loadAuthorityRun(db);
  const builder = new AuthorityGraphBuilder();
  const reading = performance.now();
  const read = await readAuthorityInput(db, builder);
  const graphs = builder.build();
  const readMs = performance.now() - reading;
  const run: AuthorityRun = {
    startedAt: stored?.startedAt ?? Date.now(),
    pages: resumeRank(graphs.pages, stored?.pages),
    domains: resumeRank(graphs.domains, stored?.domains),
  };
  // Reading and writing are redone after a stop; the walk, the part that grows with
  // iterations, goes on from here.
  const checkpoint = () => saveAuthorityRun(db, run);
  const walking = performance.now();
  run.pages = await rankInSlices(graphs.pages, run.pages, {
    pause,
    checkpoint: (s) => ((run.pages = s), checkpoint()),
  });
  run.domains = await rankInSlices(graphs.domains, run.domains, {
    pause,
    checkpoint: (s) => ((run.domains = s), checkpoint()),
  });
  const rankMs = performance.now() - walking;
  const writing = performance.now();
  const computedAt = Date.now();
  const pages = authorityRecords('page', graphs.pages, run.pages.scores, computedAt);
  const domains = authorityRecords('domain', graphs.domains, run.domains.scores, computedAt);
  const written = await writeAuthority(
    db,
    [...pages.records, ...domains.records],
    { computedAt, pages: pages.scale, domains: domains.scale },
    epoch,
  );
  if (!written) {
    if (attempts <= 1) throw new Error('stored data kept changing while authority was computed');
    return computeSteps(attempts - 1);
  }
  const writeMs = performance.now() - writing;
  lastComputedAt = Promise.resolve(computedAt);
  return {
    pages: graphs.pages.keys.length,
    domains: graphs.domains.keys.length,
    links: read.links,
    iterations: { pages: run.pages.iterations, domains: run.domains.iterations },
    resumed: stored !== null,
    totalMs: performance.now() - started,
    readMs,
    rankMs,
    writeMs,
    computedAt,
  };
}

/**
 * Compute and store every score now (one walk at a time), then schedule the next if pages
 * were recorded meanwhile. Logs a failure once, here; the watchdog alarm retries it.
 */
export function computeAuthority(): Promise<AuthorityOutcome> {
  running ??= compute()
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

/** For the test hook: a fresh computation that sees everything recorded so far. */
export async function computeAuthorityNow(): Promise<AuthorityOutcome> {
  await running?.catch(() => {});
  return computeAuthority();
}

export function onAuthorityAlarm(alarm: { name: string }): void {
  // Failures are logged and counted inside; the alarm set there retries.
  if (alarm.name === AUTHORITY_ALARM) computeAuthority().catch(() => {});
}
