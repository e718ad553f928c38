import browser from 'webextension-polyfill';
import {
  HOT_TARGETS_KEY,
  parseHotTargets,
  storedHotTargets,
  type HotTargets,
} from '../core/hot-targets';
import { hintHotTargets, listHotTargets } from '../storage/hot-targets';
import { getDb } from '../platform/db-connection';

/** The hint as this worker last stored or found it (null: not yet). */
let known: HotTargets | null = null;

/**
 * Keep storage.local's hint of the pages with an aggregate (core/hot-targets.ts) as the store
 * holds them, written only when it changed; the worker's own first reads (its tabs' first views)
 * take it too. Run as the worker starts and after it builds aggregates: one dropped meanwhile
 * (a write, an import, retention) leaves its page named hot until then, which only has its
 * first read wait for the aggregate's answer, as without a hint.
 */
export async function syncHotTargets(): Promise<void> {
  const db = await getDb();
  const [targets, stored] = await Promise.all([
    listHotTargets(db),
    browser.storage.local.get(HOT_TARGETS_KEY),
  ]);
  const hint = storedHotTargets(targets);
  const parsed = parseHotTargets(hint);
  hintHotTargets(db, () => parsed);
  known = parsed;
  const before = stored[HOT_TARGETS_KEY] as Partial<typeof hint> | undefined;
  if (before?.v === hint.v && before.hashes === hint.hashes) return;
  await browser.storage.local.set({ [HOT_TARGETS_KEY]: hint });
}

/** syncHotTargets, its failure logged: the hint stays as it was, screens read as without it. */
export function syncHotTargetsQuietly(): void {
  void syncHotTargets().catch((error: unknown) =>
    console.error('Backlink Lens could not note which pages have an aggregate:', error),
  );
}

/**
 * After aggregates of `targets` were asked for: sync when one was built, or is not in the hint
 * (built elsewhere, by a page: a bench's, or before this worker's first sync ended).
 */
export function noteHotTargets(targets: readonly string[], built: number): void {
  if (built > 0 || targets.some((t) => !known?.(t))) syncHotTargetsQuietly();
}
