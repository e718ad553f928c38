import browser, { type Runtime } from 'webextension-polyfill';
import type { Message, RecordReply } from '../core/messages';
import { shouldRecord } from '../core/settings';
import { parseDelta, parseSnapshot } from '../core/snapshot';
import { canonicalizeUrl } from '../core/url';
import { recordDelta, recordPage } from '../storage/records';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { scheduleBadgeRefresh } from './badge';

type Refusal = Extract<RecordReply, { recorded: false }>;

/**
 * The document a content script speaks for, or why it may not be recorded. Only our own
 * content script in a tab speaks for a page, and the URL is the browser's word for where the
 * frame is, not the page's. A frame is its own source page (as search engines treat it), and it
 * obeys the privacy gate twice: its own URL, and the page that embeds it.
 */
async function documentOf(sender: Runtime.MessageSender): Promise<{ url: string } | Refusal> {
  const tab = sender.tab;
  const top = sender.frameId === 0;
  const url = sender.url ?? (top ? tab?.url : undefined);
  if (sender.id !== browser.runtime.id || !tab || sender.frameId === undefined || !url) {
    return { recorded: false, reason: 'not-a-page' };
  }
  const settings = await loadSettings();
  const context = { incognito: tab.incognito };
  for (const gated of top || !tab.url ? [url] : [url, tab.url]) {
    const decision = shouldRecord(gated, settings, context);
    if (!decision.record) return { recorded: false, reason: decision.reason };
  }
  return { url };
}

/**
 * A message about another URL than the frame shows now was sent before an in-app navigation
 * landed (or is forged): refused, the content script sends the new URL's snapshot itself.
 */
const sameDocument = (claimed: string, actual: string) =>
  canonicalizeUrl(claimed) === canonicalizeUrl(actual);

export async function onSnapshot(
  message: Message<'page/snapshot'>,
  sender: Runtime.MessageSender,
): Promise<RecordReply> {
  const doc = await documentOf(sender);
  if ('reason' in doc) return doc;
  const snapshot = parseSnapshot(message.snapshot);
  if (!snapshot) return { recorded: false, reason: 'malformed' };
  if (!sameDocument(snapshot.url, doc.url)) return { recorded: false, reason: 'stale' };
  const result = await recordPage(await getDb(), { ...snapshot, url: doc.url });
  if (!result) return { recorded: false, reason: 'not-http' };
  scheduleBadgeRefresh();
  return { recorded: true, ...result };
}

export async function onDelta(
  message: Message<'page/links'>,
  sender: Runtime.MessageSender,
): Promise<RecordReply> {
  const doc = await documentOf(sender);
  if ('reason' in doc) return doc;
  const delta = parseDelta(message.delta);
  if (!delta) return { recorded: false, reason: 'malformed' };
  if (!sameDocument(delta.url, doc.url)) return { recorded: false, reason: 'stale' };
  const result = await recordDelta(await getDb(), { ...delta, url: doc.url });
  // No visit to merge into: its snapshot was refused or lost. The sender sends one.
  if (!result) return { recorded: false, reason: 'no-visit' };
  if (result.added > 0) scheduleBadgeRefresh();
  return { recorded: true, ...result };
}
