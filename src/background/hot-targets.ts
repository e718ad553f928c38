import browser from 'webextension-polyfill';
import {
  HOT_TARGETS_KEY,
  parseHotTargets,
  storedHotTargets,
  type HotTargets,
} from '../core/hot-targets';
import { hintEveryConnection, listHotTargets } from '../storage/hot-targets';
import { getDb } from '../platform/db-connection';

/** The hint as this worker last stored or found it (null: not yet). */
let known: HotTargets | null = null;

/**
 * Keep storage.local's hint of the pages with an aggregate (core/hot-targets.ts) as the store
 * holds them, written only when it changed; the worker's own reads (its tabs' first views, its
 * badges) take it too, on every connection it opens. Run as the worker starts and after it
 * builds aggregates: one dropped meanwhile (a write, an import, retention) leaves its page named
 * hot until then, which only has its first read wait for the aggregate's answer, as without a
 * hint.
 */
export async function syncHotTargets(): Promise<void> {
  const db = await getDb();
  const [targets, stored] = await Promise.all([
    listHotTargets(db),
    browser.storage.local.get(HOT_TARGETS_KEY),
  ]);
  const hint = storedHotTargets(targets);
  const parsed = parseHotTargets(hint);
  hintEveryConnection(() => parsed);
  known = parsed;
  const before = stored[HOT_TARGETS_KEY] as Partial<typeof hint> | undefined;
  if (before?.v === hint.v && before.hashes === hint.hashes) return;
  await browser.storage.local.set({ [HOT_TARGETS_KEY]: hint });
}

/**
 * syncHotTargets, its failure logged: the hint stays as it was, screens read as without it.
 * Never rejects.
 */
export function syncHotTargetsQuietly(): Promise<void> {
  return syncHotTargets().catch((error: unknown) =>
    console.error('Backlink Lens could not note which pages have an aggregate:', error),
  );
}

/**
 * Pages a sync found with no aggregate though their badge counted enough links (spread over
 * aliases, say, where each URL's own stay under the mark): not synced for again at every badge
 * until an aggregate is built. Bounded: a long session forgets them and checks once more.
 */
const notHot = new Set<string>();
const NOT_HOT_MAX = 1_000;

/**
 * After aggregates of `targets` were asked for: sync when one was built, or is not in the hint
 * (built elsewhere, by a page: a bench's, or before this worker's first sync ended).
 */
export function noteHotTargets(targets: readonly string[], built: number): void {
  if (built > 0) {
    notHot.clear();
    return void syncHotTargetsQuietly();
  }
  const unnamed = targets.filter((t) => !known?.(t) && !notHot.has(t));
  if (unnamed.length === 0) return;
  if (notHot.size > NOT_HOT_MAX) notHot.clear();
  void syncHotTargetsQuietly().then(() =>
    unnamed.filter((t) => !known?.(t)).forEach((t) => notHot.add(t)),
  );
}
