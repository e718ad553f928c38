import browser, { type Runtime } from 'webextension-polyfill';
import { dispatch, type Handlers, type RecordReply } from '../core/messages';
import { onBuildStats, refreshTabBadge, scheduleBadgeRefresh } from './badge';
import { syncHotTargets, syncHotTargetsQuietly } from './hot-targets';
import { dropAllFirstViews, removeFirstView, scheduleFirstView } from './first-view';
import { createMenus, onMenuClick } from './menus';
import {
  authorityStatus,
  computeAuthorityNow,
  noteRecorded,
  onAuthorityAlarm,
  refreshStatsQuietly,
} from './authority-job';
import { onDelta, onSnapshot } from './recording';
import { linkMoveProgress, startLinkMove } from './link-move';
import { onRiskBuild, riskActivity } from './risk-job';
import {
  contributeActivity,
  onContributeAlarm,
  onRemoteIndexChanged,
  sendContributions,
} from './contribute';
import { forgetRemoteAnswers, lookupActivity, onRemoteLookup } from './remote-index';
import { onProviderLookup, onProviderTest, providerActivity } from './providers';
import { onRedirect, REDIRECT_FILTER, type RedirectOutcome } from './redirects';
import { removeLeftoverScratchFiles } from '../platform/scratch-files';
import {
  noteHop,
  onLinkClick,
  onNavigation,
  onNewTab,
  onTabClosed,
  referralActivity,
} from './referrals';

/**
 * How many messages from pages were handled since the worker started, by outcome: 'recorded'
 * (a snapshot), 'merged' (links added later), or the reason for skipping. Counts only, no
 * URLs: tests wait on it, and it keeps nothing of pages that must not be recorded.
 */
const activity: Record<string, number> = {};
/** The same for redirect hops the browser followed, by outcome ('recorded' or why not). */
const redirects: Partial<Record<RedirectOutcome, number>> = {};

/** Log a recording failure once, here, and count every outcome. */
function counted<M>(
  kind: string,
  handler: (message: M, sender: Runtime.MessageSender) => Promise<RecordReply>,
) {
  return async (message: M, sender: Runtime.MessageSender): Promise<RecordReply> => {
    const reply = await handler(message, sender).catch((error: unknown): RecordReply => {
      console.error('Backlink Lens could not record a page:', error);
      return { recorded: false, reason: 'error' };
    });
    const outcome = reply.recorded ? kind : reply.reason;
    activity[outcome] = (activity[outcome] ?? 0) + 1;
    return reply;
  };
}

const handlers: Handlers<Runtime.MessageSender> = {
  'page/snapshot': counted('recorded', onSnapshot),
  'page/links': counted('merged', onDelta),
  'referral/click': onLinkClick,
  'data/changed': async () => {
    scheduleBadgeRefresh(0);
    // Cleared, imported or forgotten links: no popup may show the counts before.
    await dropAllFirstViews().catch(() => undefined);
    // Cached remote answers name pages whose popup was opened: cleared data, an excluded site
    // or an import must not leave them behind (they are fetched again when needed).
    await forgetRemoteAnswers();
    // Their aggregates went with them: the hint of the pages that had one must not outlive them.
    void syncHotTargetsQuietly();
    // Imported or forgotten links change the graph: compute authority again (debounced).
    noteRecorded();
    return { ok: true };
  },
  'remote/lookup': onRemoteLookup,
  'provider/lookup': onProviderLookup,
  'provider/test': onProviderTest,
  'stats/build': onBuildStats,
  'risk/build': onRiskBuild,
};

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) =>
  dispatch(handlers, message, sender),
);

// Registered at the top level: an MV3 worker may be asleep, and only a listener added in its
// first turn wakes it for the event.
browser.webRequest.onBeforeRedirect.addListener((details) => {
  noteHop(details);
  void onRedirect(details)
    .catch((error: unknown): RedirectOutcome => {
      console.error('Backlink Lens could not record a redirect:', error);
      return 'error';
    })
    .then((outcome) => (redirects[outcome] = (redirects[outcome] ?? 0) + 1));
}, REDIRECT_FILTER);

// Referrals: a click on a link is confirmed by the navigation that follows (background/referrals).
const logReferralError = (error: unknown) =>
  console.error('Backlink Lens could not record a referral:', error);
browser.webNavigation.onCommitted.addListener((d) => void onNavigation(d).catch(logReferralError));
browser.webNavigation.onHistoryStateUpdated.addListener(
  (d) => void onNavigation({ ...d, inPage: true }).catch(logReferralError),
);
browser.webNavigation.onCreatedNavigationTarget.addListener(onNewTab);
browser.tabs.onRemoved.addListener(onTabClosed);
browser.tabs.onRemoved.addListener((tabId) => void removeFirstView(tabId).catch(() => undefined));

// Folding variants changes which links count for a page: badges follow settings.
browser.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && 'settings' in changes) {
    scheduleBadgeRefresh(0);
    // Folds and excluded sites change what a popup may show first.
    void dropAllFirstViews().catch(() => undefined);
  }
});

// The authority job's debounce and watchdog: an alarm, since a stopped worker keeps no timer.
browser.alarms.onAlarm.addListener(onAuthorityAlarm);
// Contribution to the remote index: batches sent by an alarm; settings changes reset the queue.
browser.alarms.onAlarm.addListener(onContributeAlarm);
browser.storage.onChanged.addListener(onRemoteIndexChanged);

browser.runtime.onInstalled.addListener(() => void createMenus());
// An export's file left on disk by a page closed early; a failure waits for the next start.
browser.runtime.onStartup.addListener(() => void removeLeftoverScratchFiles().catch(() => 0));
browser.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));

browser.tabs.onActivated.addListener(({ tabId }) => {
  void browser.tabs.get(tabId).then((tab) => refreshTabBadge(tabId, tab.url, tab.incognito));
  scheduleFirstView({ id: tabId, active: true });
});
browser.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') {
    void refreshTabBadge(tabId, tab.url, tab.incognito);
  }
  // Another page in the tab: its entry goes at once, the new page's is prepared.
  if (change.url) void removeFirstView(tabId).catch(() => undefined);
  if (change.url || change.status === 'complete') scheduleFirstView(tab);
});

void browser.action.setBadgeBackgroundColor({ color: '#3559c7' });
// Links an upgrade left in the old store move to the compact one, in short chunks.
void startLinkMove();
// Which pages have an aggregate, for the screens' first reads (an upgrade may have dropped some).
void syncHotTargetsQuietly();

/** What tests and the worker's console reach as `backlinkLens`. */
export interface WorkerHooks {
  onMenuClick: typeof onMenuClick;
  activity: typeof activity;
  redirects: typeof redirects;
  /** Compute authority now instead of 30 s after the last recording. */
  computeAuthorityNow: typeof computeAuthorityNow;
  authority: typeof authorityStatus;
  /** What became of link clicks and of navigations (referrals), counts only. */
  referrals: typeof referralActivity;
  /** What became of remote index lookups (fetched, cached, failed, off), counts only. */
  remoteLookups: typeof lookupActivity;
  /** What became of provider lookups (fetched, cached, joined, paused, failed, off), counts only. */
  providerLookups: typeof providerActivity;
  /** Contribution: pages queued, sent, dropped, failures, counts only. */
  contributions: typeof contributeActivity;
  /** Send the contribution queue now instead of a minute after the last recording. */
  sendContributionsNow: typeof sendContributions;
  /** The link move's progress and where its time went (storage/link-move.ts). */
  linkMove: typeof linkMoveProgress;
  /** Note the pages with an aggregate now: benches build some in a page, not here. */
  syncHotTargets: typeof syncHotTargets;
  /** What became of stored risk lines' builds (asked, noted, built, stale, failed), counts only. */
  risks: typeof riskActivity;
  /** Keep the live scores with the aggregates now, as after a computation: benches time it. */
  refreshStats: typeof refreshStatsQuietly;
}

// For end-to-end tests and debugging from the worker's console: the context-menu handler
// cannot be clicked from automation, so it is reachable by name, as are the outcome counts;
// and no test should wait out the authority job's debounce.
const hooks: WorkerHooks = {
  onMenuClick,
  activity,
  redirects,
  computeAuthorityNow,
  authority: authorityStatus,
  referrals: referralActivity,
  remoteLookups: lookupActivity,
  providerLookups: providerActivity,
  contributions: contributeActivity,
  sendContributionsNow: sendContributions,
  linkMove: linkMoveProgress,
  syncHotTargets,
  risks: riskActivity,
  refreshStats: refreshStatsQuietly,
};
(globalThis as Record<string, unknown>).backlinkLens = hooks;
