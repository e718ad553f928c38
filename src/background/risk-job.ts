import type { Runtime } from 'webextension-polyfill';
import type { Message } from '../core/messages';
import { asString } from '../core/guards';
import { MAX_URL_LENGTH } from '../core/limits';
import { canonicalizeUrl } from '../core/url';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { buildRiskSummary, capRiskSummaries, whenRiskStale } from '../storage/risk-summary';
import { RISK_SUMMARY_MIN_LINKS } from '../storage/risk-line';
import { fromExtensionPage } from './remote-index';

/**
 * Stored risk lines (storage/risk-summary.ts) built in the background: for a page whose popup
 * had to compute its line from every link, a moment after it asked (its own computation has
 * the machine first), and again for each line a write made stale, once recording has paused
 * (debounced: a burst of page loads costs one build). One build at a time: two builds of one
 * page would each take the other's claim and both store a stale line. A worker stopped before
 * a build only leaves a stale line, which the next popup shows with its age and asks for again.
 */

/** Wait after a popup asked, so its own reads and flags run first. */
export const ASKED_DELAY_MS = 2_000;
/** Quiet time after the last write that made a line stale. */
export const STALE_DELAY_MS = 5_000;

/** What the builds did, counts only: tests wait on it. */
export const riskActivity = { asked: 0, built: 0, stale: 0, failed: 0 };

const queue = new Set<string>();
let timer: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> | null = null;

function schedule(delayMs: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    running ??= buildQueued().finally(() => (running = null));
  }, delayMs);
}

async function buildQueued(): Promise<void> {
  const db = await getDb();
  while (queue.size > 0) {
    const [url] = queue;
    queue.delete(url!);
    try {
      const current = await buildRiskSummary(
        db,
        url!,
        (await loadSettings()).folds,
        RISK_SUMMARY_MIN_LINKS,
      );
      // Not current: a write came between its reads and its store, and queued it again.
      if (current) riskActivity.built++;
      else riskActivity.stale++;
    } catch (error) {
      riskActivity.failed++;
      console.error('Backlink Lens could not store a risk line:', error);
    }
  }
  try {
    await capRiskSummaries(db);
  } catch (error) {
    console.error('Backlink Lens could not drop old risk lines:', error);
  }
}

// Lines made stale by a write (in the write's transaction) are built again once it is quiet.
whenRiskStale((urls) => {
  for (const url of urls) queue.add(url);
  schedule(STALE_DELAY_MS);
});

/** 'risk/build' from the popup or report: a canonical URL, from the extension's own pages. */
export async function onRiskBuild(
  message: Message<'risk/build'>,
  sender: Runtime.MessageSender,
): Promise<{ queued: boolean }> {
  const url = asString(message.url, MAX_URL_LENGTH);
  if (!fromExtensionPage(sender) || !url || canonicalizeUrl(url) !== url) return { queued: false };
  riskActivity.asked++;
  queue.add(url);
  schedule(ASKED_DELAY_MS);
  return { queued: true };
}
