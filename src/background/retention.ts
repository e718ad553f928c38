import browser from 'webextension-polyfill';
import { syncHotTargetsQuietly } from './hot-targets';
import {
  alertText,
  MAX_LINKS_PER_SOURCE,
  retentionCutoff,
  type StorageAlert,
} from '../core/retention';
import {
  capSourceLinks,
  pruneExpired,
  StorageFullError,
  writeWithRoom,
} from '../storage/retention';
import { getDb } from '../platform/db-connection';
import {
  loadPrunedAt,
  loadSettings,
  loadStorageAlert,
  savePrunedAt,
  saveStorageAlert,
} from '../platform/settings-store';

/** The retention rule runs at most this often, after a page is recorded. */
const PRUNE_EVERY = 24 * 60 * 60 * 1000;
const ALERT_COLOR = '#b3261e';
const NORMAL_COLOR = '#3559c7';

let pruning = false;
/** When the retention rule last ran: read once per worker start (storage.local keeps it). */
let prunedAt: number | null = null;
/** Whether the stored alert says "full": read once per worker start, then kept up to date. */
let full: boolean | null = null;

/**
 * Record within bounds. The write (recordPage or recordDelta: one atomic transaction) is
 * retried once after making room when the quota is full, and the user is told (popup line,
 * toolbar title, badge colour; "!" while nothing can be recorded). After it, the page's links
 * are held to MAX_LINKS_PER_SOURCE, and the retention rule runs if a day has passed.
 */
export async function recordWithinBounds<T extends { url: string } | null>(
  write: () => Promise<T>,
): Promise<T> {
  const db = await getDb();
  const now = Date.now();
  const cutoff = retentionCutoff(now, (await loadSettings()).retentionMonths);
  let outcome: { result: T; removed: number | null };
  try {
    outcome = await writeWithRoom(db, cutoff, write);
  } catch (error) {
    if (error instanceof StorageFullError) {
      await announce({ kind: 'full', at: now, removed: error.removed });
    }
    throw error;
  }
  if (outcome.removed !== null) {
    void syncHotTargetsQuietly(); // the pruned pages' aggregates went with them
    await announce({ kind: 'pruned', at: now, removed: outcome.removed });
  } else if (full !== false) {
    const alert = await loadStorageAlert();
    full = alert?.kind === 'full';
    // Recording works again (space was freed elsewhere): no longer full, still news.
    if (alert && full) await announce({ ...alert, kind: 'pruned' });
  }
  if (outcome.result && (await capSourceLinks(db, outcome.result.url, MAX_LINKS_PER_SOURCE)) > 0) {
    void syncHotTargetsQuietly();
  }
  void pruneIfDue(now).catch((error: unknown) =>
    console.error('Backlink Lens could not delete expired pages:', error),
  );
  return outcome.result;
}

/** Run the retention rule once a day, in the background of a recording. */
async function pruneIfDue(now: number): Promise<void> {
  if (pruning || now - (prunedAt ??= await loadPrunedAt()) < PRUNE_EVERY) return;
  pruning = true;
  try {
    prunedAt = now;
    await savePrunedAt(now);
    const cutoff = retentionCutoff(now, (await loadSettings()).retentionMonths);
    // Expired pages take every aggregate with them: the screens' hint must not name them.
    if ((await pruneExpired(await getDb(), cutoff)) > 0) void syncHotTargetsQuietly();
  } finally {
    pruning = false;
  }
}

/** Tell the user what a full disk made the worker do: stored for the popup, and on the icon. */
async function announce(alert: StorageAlert): Promise<void> {
  await saveStorageAlert(alert);
  full = alert.kind === 'full';
  await Promise.all([
    browser.action.setTitle({ title: `Backlink Lens: ${alertText(alert)}` }),
    browser.action.setBadgeBackgroundColor({ color: full ? ALERT_COLOR : NORMAL_COLOR }),
  ]);
  if (!full) return;
  // Counts are per tab, and a tab's text wins over the global one: mark every tab. The next
  // page recorded refreshes the counts.
  const tabs = await browser.tabs.query({});
  await Promise.all(
    tabs.map((t) =>
      t.id === undefined
        ? null
        : browser.action.setBadgeText({ tabId: t.id, text: '!' }).catch(() => undefined),
    ),
  );
}
