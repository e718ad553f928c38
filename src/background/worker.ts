import browser, { type Runtime } from 'webextension-polyfill';
import { dispatch, type Handlers, type RecordReply } from '../core/messages';
import { refreshTabBadge, scheduleBadgeRefresh } from './badge';
import { createMenus, onMenuClick } from './menus';
import { onDelta, onSnapshot } from './recording';

/**
 * How many messages from pages were handled since the worker started, by outcome: 'recorded'
 * (a snapshot), 'merged' (links added later), or the reason for skipping. Counts only, no
 * URLs: tests wait on it, and it keeps nothing of pages that must not be recorded.
 */
const activity: Record<string, number> = {};

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
  'data/changed': async () => {
    scheduleBadgeRefresh(0);
    return { ok: true };
  },
};

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) =>
  dispatch(handlers, message, sender),
);

browser.runtime.onInstalled.addListener(() => void createMenus());
browser.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));

browser.tabs.onActivated.addListener(({ tabId }) => {
  void browser.tabs.get(tabId).then((tab) => refreshTabBadge(tabId, tab.url));
});
browser.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') void refreshTabBadge(tabId, tab.url);
});

void browser.action.setBadgeBackgroundColor({ color: '#3559c7' });

// For end-to-end tests and debugging from the worker's console: the context-menu handler
// cannot be clicked from automation, so it is reachable by name, as are the outcome counts.
(globalThis as Record<string, unknown>).backlinkLens = { onMenuClick, activity };
