import browser, { type Runtime } from 'webextension-polyfill';
import { isMessage, type Message, type RecordReply } from '../core/messages';
import { shouldRecord } from '../core/settings';
import { parseSnapshot } from '../core/snapshot';
import { recordPage } from '../storage/records';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { refreshTabBadge, scheduleBadgeRefresh } from './badge';
import { createMenus, onMenuClick } from './menus';

async function onSnapshot(
  message: Message<'page/snapshot'>,
  sender: Runtime.MessageSender,
): Promise<RecordReply> {
  // Only our own content script in a top frame speaks for a page; the URL is the browser's
  // word for where the frame is, not the page's.
  const tab = sender.tab;
  const url = sender.url ?? tab?.url;
  if (sender.id !== browser.runtime.id || !tab || sender.frameId !== 0 || !url) {
    return { recorded: false, reason: 'not-a-page' };
  }
  const decision = shouldRecord(url, await loadSettings(), { incognito: tab.incognito });
  if (!decision.record) return { recorded: false, reason: decision.reason };
  const snapshot = parseSnapshot(message.snapshot);
  if (!snapshot) return { recorded: false, reason: 'malformed' };
  const result = await recordPage(await getDb(), { ...snapshot, url });
  if (!result) return { recorded: false, reason: 'not-http' };
  scheduleBadgeRefresh();
  return { recorded: true, url: result.url, links: result.links, lost: result.lost };
}

/**
 * How many page loads were handled since the worker started, by outcome ('recorded' or the
 * reason for skipping). Counts only, no URLs: tests wait on it, and it keeps nothing of
 * pages that must not be recorded.
 */
const activity: Record<string, number> = {};

async function handleSnapshot(message: Message<'page/snapshot'>, sender: Runtime.MessageSender) {
  const reply = await onSnapshot(message, sender).catch((error: unknown): RecordReply => {
    console.error('Backlink Lens could not record a page:', error);
    return { recorded: false, reason: 'error' };
  });
  const outcome = reply.recorded ? 'recorded' : reply.reason;
  activity[outcome] = (activity[outcome] ?? 0) + 1;
  return reply;
}

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (!isMessage(message)) return undefined;
  switch (message.type) {
    case 'page/snapshot':
      return handleSnapshot(message as Message<'page/snapshot'>, sender);
    case 'data/changed':
      scheduleBadgeRefresh(0);
      return Promise.resolve({ ok: true });
  }
});

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
