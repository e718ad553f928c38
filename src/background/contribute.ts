/**
 * Contribution to the user's remote index (opt-in, off by default, needs a token): each page
 * recorded while it is on is queued (its URL only, in storage.local, so a stopped worker loses
 * nothing); an alarm sends the queue in batches a minute after recording settles, and retries
 * with backoff, or after the index's Retry-After, when a batch fails. The batch is read from
 * the store when it goes, so only what the privacy rules let be recorded is sent, and a page
 * forgotten or excluded meanwhile is dropped. Recording never waits for any of this.
 */
import browser from 'webextension-polyfill';
import {
  CONTRIBUTION_KEY,
  contributionBody,
  dropPages,
  emptyContribution,
  enqueuePage,
  markFailed,
  markSent,
  nextAttemptAt,
  nextBatch,
  parseContributionState,
  type ContributionState,
  type OutboundPage,
} from '../core/contribution';
import {
  contributesTo,
  parseRemoteIndexSettings,
  REMOTE_INDEX_KEY,
} from '../core/remote-index-settings';
import { isExcludedUrl } from '../core/settings';
import { getDb } from '../platform/db-connection';
import { loadRemoteIndex } from '../platform/remote-index-store';
import { loadSettings } from '../platform/settings-store';
import { describeFailure, sendContribution } from '../sources/index-client';
import { loadOutboundLinks } from '../storage/outbound';

const CONTRIBUTE_ALARM = 'contribute';

/** What became of contribution work since the worker started: counts only, for tests. */
export type ContributeOutcome = 'queued' | 'sent' | 'failed' | 'dropped' | 'off';
export const contributeActivity: Partial<Record<ContributeOutcome, number>> = {};
const note = (outcome: ContributeOutcome, n = 1) =>
  (contributeActivity[outcome] = (contributeActivity[outcome] ?? 0) + n);

async function loadState(): Promise<ContributionState> {
  const stored = await browser.storage.local.get(CONTRIBUTION_KEY);
  return parseContributionState(stored[CONTRIBUTION_KEY]);
}

/**
 * Every change of the state goes through this chain, one after the other: a recording that
 * queues a page while a batch is being sent must not be overwritten by the send's result.
 */
let chain: Promise<unknown> = Promise.resolve();
function updateState(
  change: (state: ContributionState) => ContributionState | Promise<ContributionState>,
): Promise<ContributionState> {
  const next = chain.then(async () => {
    const state = await change(await loadState());
    await browser.storage.local.set({ [CONTRIBUTION_KEY]: state });
    return state;
  });
  chain = next.catch(() => undefined);
  return next;
}

/** Set the alarm for the next batch, or clear it when nothing waits. */
async function schedule(state: ContributionState): Promise<void> {
  const when = nextAttemptAt(state, Date.now());
  if (when === null) await browser.alarms.clear(CONTRIBUTE_ALARM);
  else await browser.alarms.create(CONTRIBUTE_ALARM, { when });
}

/**
 * A page was recorded: queue it if contribution is on. Never throws and never delays the
 * caller: a failure here costs one page's contribution, logged once.
 */
export function noteContributable(url: string): void {
  void (async () => {
    if (!contributesTo(await loadRemoteIndex())) return;
    const state = await updateState((s) => enqueuePage(s, url));
    note('queued');
    // Re-created on each recording: the debounce (the batch goes a minute after the last one).
    await schedule(state);
  })().catch((error: unknown) =>
    console.error('Backlink Lens could not queue a page for the remote index:', error),
  );
}

/** The queued pages that may still go: stored, not on a site excluded since. */
async function readBatch(urls: readonly string[]) {
  const [db, settings] = await Promise.all([getDb(), loadSettings()]);
  const pages: OutboundPage[] = [];
  const dropped: string[] = [];
  for (const url of urls) {
    const found = isExcludedUrl(url, settings.excludedSites)
      ? null
      : await loadOutboundLinks(db, url);
    if (found) pages.push(found);
    else dropped.push(url);
  }
  return { pages, dropped };
}

/**
 * Send what waits, batch by batch, until the queue is empty or a batch fails (then the alarm
 * is set for the retry). With contribution turned off, the queue is emptied and nothing sent.
 * Runs from the alarm; tests call it directly (sendContributionsNow) instead of waiting.
 */
export function sendContributions(): Promise<ContributionState> {
  const run = async (): Promise<ContributionState> => {
    const settings = await loadRemoteIndex();
    if (!contributesTo(settings) || !settings) {
      note('off');
      const state = await updateState((s) => ({ ...s, pending: [] }));
      await schedule(state);
      return state;
    }
    let state = await loadState();
    while (state.pending.length > 0) {
      const { pages, dropped } = await readBatch(nextBatch(state));
      note('dropped', dropped.length);
      if (pages.length === 0) {
        state = await updateState((s) => dropPages(s, dropped));
        continue;
      }
      const { body, included } = contributionBody(pages, new Date().toISOString());
      try {
        const receipt = await sendContribution(settings, body);
        const sent = included.map((p) => p.page.url);
        note('sent', sent.length);
        state = await updateState((s) =>
          markSent(s, { sent, dropped, pages: receipt.pages, links: receipt.links }, Date.now()),
        );
      } catch (error) {
        const failure = describeFailure(error);
        note('failed');
        console.warn('Backlink Lens could not contribute to the remote index:', failure.message);
        state = await updateState((s) =>
          markFailed(
            dropPages(s, dropped),
            { message: failure.message, retryAfterSeconds: failure.retryAfterSeconds },
            Date.now(),
          ),
        );
        break;
      }
    }
    await schedule(state);
    return state;
  };
  return run();
}

/** Forget the queue and the figures (contribution turned off, or the index removed). */
export async function resetContributions(): Promise<void> {
  await updateState(() => emptyContribution());
  await browser.alarms.clear(CONTRIBUTE_ALARM);
}

/**
 * The remote index settings changed (options page): with contribution off the queue is
 * emptied, and with the index removed or replaced its figures go too. Nothing queued for one
 * index is ever sent to another.
 */
export function onRemoteIndexChanged(
  changes: Record<string, { oldValue?: unknown; newValue?: unknown }>,
  area: string,
): void {
  const change = changes[REMOTE_INDEX_KEY];
  if (area !== 'local' || !change) return;
  const before = parseRemoteIndexSettings(change.oldValue);
  const after = parseRemoteIndexSettings(change.newValue);
  const reset =
    before?.url !== after?.url
      ? resetContributions()
      : contributesTo(after)
        ? null
        : updateState((s) => ({ ...s, pending: [] })).then(schedule);
  reset?.catch((error: unknown) =>
    console.error('Backlink Lens could not update the contribution queue:', error),
  );
}

export function onContributeAlarm(alarm: { name: string }): void {
  if (alarm.name !== CONTRIBUTE_ALARM) return;
  // Failures are kept in the state (shown in the options page) and retried by the alarm.
  sendContributions().catch((error: unknown) =>
    console.error('Backlink Lens could not contribute to the remote index:', error),
  );
}
