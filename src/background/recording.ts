import browser, { type Runtime } from 'webextension-polyfill';
import type { Message, RecordReply } from '../core/messages';
import { shouldRecord } from '../core/settings';
import { parseDelta, parseSnapshot } from '../core/snapshot';
import { parseVisitId } from '../core/delivery';
import { canonicalizeUrl, isSecretAddress, parseHttpUrl } from '../core/url';
import { recordDelta, recordPage, type RecordResult } from '../storage/records';
import { sweepStagedWrites } from '../storage/staged-writes';
import type { BacklinkDb } from '../storage/db';
import { getDb } from '../platform/db-connection';
import { gatedWrite } from '../platform/write-gate';
import { loadSettings } from '../platform/settings-store';
import { scheduleBadgeRefresh } from './badge';
import { noteRecorded } from './authority-job';
import { recordWithinBounds } from './retention';
import { noteContributable } from './contribute';
import { dropTouchedFirstViews } from './first-view';

type Refusal = Extract<RecordReply, { recorded: false }>;

let swept: Promise<unknown> | null = null;

/**
 * Before this worker's first write: what a large page's write staged when the worker before it
 * died part-way is deleted (storage/staged-writes.ts). Once per worker; a failure is not
 * retried here, since the next write of the same page deletes its own leftovers anyway.
 */
const sweepOnce = (db: BacklinkDb): Promise<unknown> =>
  (swept ??= sweepStagedWrites(db).catch((error: unknown) => {
    console.error('Backlink Lens could not sweep unfinished writes:', error);
  }));

/**
 * The URL of the document a content script speaks for, or why it may not be recorded. Only our
 * own content script in a tab speaks for a page. Its claimed URL is taken only where the
 * browser vouches for it: the same origin as the frame's document (an in-app navigation can
 * change the path, never the origin, and the sender's URL stays the one the document loaded
 * with), from a document still on screen, so a message from a page the tab has since left is
 * not filed under the new one (an earlier URL of the same document is fine: links seen there
 * just before an in-app navigation belong to it). A frame is its own source page (as search engines treat
 * it) and obeys the privacy gate twice: its own URL, and the page that embeds it.
 */
export async function documentUrl(
  claimed: string,
  sender: Runtime.MessageSender,
): Promise<Refusal | null> {
  const tab = sender.tab;
  const top = sender.frameId === 0;
  if (sender.id !== browser.runtime.id || !tab || sender.frameId === undefined || !sender.url) {
    return { recorded: false, reason: 'not-a-page' };
  }
  const url = canonicalizeUrl(claimed);
  // A page whose address is a one-time secret has no canonical form: refused for what it is,
  // not taken for a document the tab has left (which the sender would read again at once).
  if (!url && isSecretAddress(claimed)) {
    return { recorded: false, reason: 'secret' };
  }
  const loaded = parseHttpUrl(sender.url);
  if (!url || !loaded || new URL(url).origin !== loaded.origin) {
    return { recorded: false, reason: 'stale' };
  }
  // Chrome says whether the sending document is still the frame's current one; elsewhere the
  // top frame's URL must be the tab's. A page the tab has since left speaks for nothing.
  const lifecycle = (sender as { documentLifecycle?: string }).documentLifecycle;
  if (
    lifecycle !== undefined
      ? lifecycle !== 'active'
      : top && tab.url !== undefined && canonicalizeUrl(tab.url) !== url
  ) {
    return { recorded: false, reason: 'stale' };
  }
  const settings = await loadSettings();
  const context = { incognito: tab.incognito };
  for (const gated of top || !tab.url ? [url] : [url, tab.url]) {
    const decision = shouldRecord(gated, settings, context);
    if (!decision.record) return { recorded: false, reason: decision.reason };
  }
  return null;
}

/** Drop the popups' first views the write made stale; a failure leaves them to their age. */
const firstViewsAfter = (result: RecordResult, links: ReadonlyArray<{ href: string }>) =>
  dropTouchedFirstViews(result.url, links, result.lost).catch((error: unknown) =>
    console.error('Backlink Lens could not drop a first view:', error),
  );

export async function onSnapshot(
  message: Message<'page/snapshot'>,
  sender: Runtime.MessageSender,
): Promise<RecordReply> {
  const snapshot = parseSnapshot(message.snapshot);
  if (!snapshot) return { recorded: false, reason: 'malformed' };
  const refusal = await documentUrl(snapshot.url, sender);
  if (refusal) return refusal;
  // Without a usable visit id, each delivery of a snapshot is stored as a visit of its own.
  const visit = parseVisitId(message.visit);
  // A full disk: room is made and the write retried once (background/retention.ts).
  const db = await getDb();
  // After any screen's first read (platform/write-gate.ts): the popup never queues behind a burst.
  const result = await recordWithinBounds(() =>
    gatedWrite(async (pause) => {
      await sweepOnce(db);
      return recordPage(db, snapshot, Date.now(), visit, pause);
    }),
  );
  if (!result) return { recorded: false, reason: 'not-http' };
  // Before the reply: a popup opened once the page is recorded shows its counts, not older ones.
  await firstViewsAfter(result, snapshot.links);
  scheduleBadgeRefresh();
  noteRecorded(result.url);
  noteContributable(result.url);
  return { recorded: true, ...result };
}

export async function onDelta(
  message: Message<'page/links'>,
  sender: Runtime.MessageSender,
): Promise<RecordReply> {
  const delta = parseDelta(message.delta);
  if (!delta) return { recorded: false, reason: 'malformed' };
  const refusal = await documentUrl(delta.url, sender);
  if (refusal) return refusal;
  const db = await getDb();
  const result = await recordWithinBounds(() =>
    gatedWrite(async () => {
      await sweepOnce(db);
      return recordDelta(db, delta);
    }),
  );
  // No visit to merge into: its snapshot was refused or lost. The sender sends one.
  if (!result) return { recorded: false, reason: 'no-visit' };
  await firstViewsAfter(result, delta.links);
  if (result.added > 0) {
    scheduleBadgeRefresh();
    noteRecorded(result.url);
    noteContributable(result.url);
  }
  return { recorded: true, ...result };
}
