import type { Runtime } from 'webextension-polyfill';
import type { Message } from '../core/messages';
import { asString } from '../core/guards';
import { MAX_URL_LENGTH } from '../core/limits';
import { canonicalizeUrl } from '../core/url';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import type { Folds } from '../storage/queries';
import { buildRiskSummary, capRiskSummaries, whenRiskStale } from '../storage/risk-summary';
import { RISK_SUMMARY_MIN_LINKS } from '../storage/risk-line';
import { fromExtensionPage } from './remote-index';

/**
 * Stored risk lines (storage/risk-summary.ts) built in the background: for a hot page shown in
 * a tab that has none (noteHotPage), and again for each line a write made stale, once
 * recording has paused (debounced: a burst of page loads costs one build); for a page whose
 * popup had to compute its line from every link, a moment after it asked (its own computation
 * has the machine first). One build at a time: two builds of one page would each take the
 * other's claim and both store a stale line. A worker stopped before a build only leaves a
 * stale line or none, which the page's next badge or popup asks for again.
 */

/** Wait after a popup asked, so its own reads and flags run first. */
export const ASKED_DELAY_MS = 2_000;
/** Quiet time after the last write that made a line stale. */
export const STALE_DELAY_MS = 5_000;

/**
 * Builds waiting at most. A build reads every link of its page (a few hundred ms at 5,000), one
 * at a time: tabs of many hot pages at once (an import, a restored session) queue this many,
 * the rest are noted again at their next badge. Not for a popup's ask nor a stale line.
 */
export const RISK_QUEUE_LIMIT = 20;

/**
 * What the builds did, counts only (and their time): tests and benches wait on it. `noted`: hot
 * pages queued by their badge; `full`: those left out because the queue was full; `ms`: the
 * builds' wall time in all.
 */
export const riskActivity = {
  asked: 0,
  noted: 0,
  full: 0,
  built: 0,
  stale: 0,
  failed: 0,
  ms: 0,
};

const queue = new Set<string>();
/** The page whose line is being built now. */
let building: string | null = null;
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
    building = url!;
    const start = performance.now();
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
    } finally {
      building = null;
      riskActivity.ms += performance.now() - start;
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

/**
 * A page with at least RISK_SUMMARY_MIN_LINKS links, shown in a tab (background/badge.ts, where
 * its aggregate is built too): queue the build of its risk line unless one is stored, current
 * under `folds`, so that its first popup reads the line instead of computing it from every link
 * (722 ms at 5,000 links, s23). Built once recording is quiet: the page's own load is recorded
 * after its badge, and that write would make a line built before it stale. Resolves to whether
 * it was queued.
 */
export async function noteHotPage(rawUrl: string, folds: Folds): Promise<boolean> {
  const url = canonicalizeUrl(rawUrl);
  if (!url || queue.has(url) || building === url) return false;
  const stored = await (await getDb()).get('risks', url);
  if (stored?.line && stored.current && stored.folds === JSON.stringify(folds)) return false;
  // Asked meanwhile (the badge refreshes after every recording), or too many waiting.
  if (queue.has(url) || building === url) return false;
  if (queue.size >= RISK_QUEUE_LIMIT) {
    riskActivity.full++;
    return false;
  }
  riskActivity.noted++;
  queue.add(url);
  schedule(STALE_DELAY_MS);
  return true;
}
