// The in-page half of the refresh rows of storage-scale.ts (bundled with storage-scale-entry.ts
// into its page): the aggregates' domain scores kept after an authority computation
// (storage/target-stats.ts#refreshStatsAuthority), its requests counted, and the popup's first
// read of a hot page looped meanwhile, while the worker refreshes.
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { loadFirstRead } from '../../src/storage/head';
import { loadLiveScores } from '../../src/storage/authority-live';
import { ensureTargetStats, refreshStatsAuthority } from '../../src/storage/target-stats';
import { markRefill } from '../../src/core/target-stats';
import { countRequestsOf, type RequestCount } from '../support/idb-requests';

let connection: Promise<BacklinkDb> | null = null;
const db = () => (connection ??= openBacklinkDb());

/** The popup's first read of a hot page: 30 groups of up to 5 rows (src/ui/popup/main.tsx). */
const POPUP_ROWS = { domains: 30, perDomain: 5 };

/** Live domain scores, and the aggregates kept: what a refresh reads. */
export async function refreshInputs(): Promise<{ scores: number; aggregates: number }> {
  const d = await db();
  const [scores, aggregates] = await Promise.all([
    loadLiveScores(d, 'domain'),
    d.count('target-stats'),
  ]);
  return { scores: scores.length, aggregates };
}

/** Milliseconds of a bare read of the live domain scores: what every refresh reads first. */
export async function readScores(): Promise<number> {
  const d = await db();
  const start = performance.now();
  await loadLiveScores(d, 'domain');
  return performance.now() - start;
}

/** Build the aggregates of `targets` (untimed): a person's hot pages. Links into each. */
export async function buildAggregates(targets: readonly string[]): Promise<number[]> {
  const d = await db();
  await ensureTargetStats(d, targets);
  return Promise.all(targets.map((t) => d.countFromIndex('links', 'by_target', t)));
}

/**
 * Make every aggregate's domain scores stale, so that the next refresh rewrites every record:
 * 'unscored' takes them out, as the release before them left the aggregates (groups of equal
 * counts in name order, those groups' rows kept): the first computation after the upgrade.
 * 'reordered' gives each domain a made-up score and keeps the rows of the groups first in that
 * order: the refresh then reads the rows of the groups first in the live scores' order, as
 * after a computation that moved every score (the most a refresh reads).
 */
export async function staleAggregates(how: 'unscored' | 'reordered'): Promise<number> {
  const tx = (await db()).transaction('target-stats', 'readwrite');
  let records = 0;
  for (let c = await tx.store.openCursor(); c; c = await c.continue()) {
    const record = c.value;
    for (const [domain, tally] of Object.entries(record.domains)) {
      if (how === 'unscored') tally.splice(3);
      else tally[3] = madeUpScore(domain);
    }
    markRefill(record);
    await c.update(record);
    records += 1;
  }
  await tx.done;
  return records;
}

/** A score in tenths (0-1000) that a domain's name fixes: FNV-1a of it. */
function madeUpScore(domain: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < domain.length; i++) hash = Math.imul(hash ^ domain.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 1001;
}

/** Milliseconds each write transaction of this page lasted, from its start to its end. */
function watchWrites(): { stop(): number[] } {
  const held: number[] = [];
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (
    this: IDBDatabase,
    ...args: Parameters<IDBDatabase['transaction']>
  ) {
    const tx = transaction.apply(this, args);
    if (args[1] === 'readwrite') {
      const start = performance.now();
      const end = () => held.push(performance.now() - start);
      tx.addEventListener('complete', end);
      tx.addEventListener('abort', end);
    }
    return tx;
  } as IDBDatabase['transaction'];
  return {
    stop() {
      IDBDatabase.prototype.transaction = transaction;
      return held;
    },
  };
}

export interface RefreshInPage {
  ms: number;
  changed: number;
  requests: RequestCount;
  /** Each write transaction's milliseconds. */
  writes: number[];
}

/** One refresh in this page, its requests counted and its write transactions timed. */
export async function refreshInPage(): Promise<RefreshInPage> {
  const d = await db();
  const writes = watchWrites();
  const start = performance.now();
  let held: number[] = [];
  const { result, count } = await countRequestsOf(() => refreshStatsAuthority(d)).finally(
    () => (held = writes.stop()),
  );
  const ms = performance.now() - start;
  return { ms, changed: result.length, requests: count, writes: held };
}

/** The popup's reads looped by startProbe: each one's start (epoch ms) and milliseconds. */
let probe: { stop: boolean; reads: Array<[number, number]>; done: Promise<void> } | null = null;

/** Loop the popup's first read of `url`, one after another, until stopProbe. */
export function startProbe(url: string): void {
  const state = { stop: false, reads: [] as Array<[number, number]>, done: Promise.resolve() };
  state.done = (async () => {
    const d = await db();
    while (!state.stop) {
      const at = Date.now();
      const start = performance.now();
      await loadFirstRead(d, url, {}, POPUP_ROWS);
      state.reads.push([at, performance.now() - start]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  probe = state;
}

/** The reads since startProbe: [start epoch ms, ms]. */
export async function stopProbe(): Promise<Array<[number, number]>> {
  if (!probe) return [];
  probe.stop = true;
  await probe.done;
  const { reads } = probe;
  probe = null;
  return reads;
}
