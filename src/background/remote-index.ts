import browser, { type Runtime } from 'webextension-polyfill';
import { LOOKUP_KINDS, lookupKey, type LookupKind } from '../core/index-protocol';
import type { Message } from '../core/messages';
import {
  decoySecretBytes,
  INFO_MAX_AGE,
  type RemoteIndexSettings,
} from '../core/remote-index-settings';
import { getDb } from '../platform/db-connection';
import { loadRemoteIndex, saveRemoteIndex } from '../platform/remote-index-store';
import { answerOf, describeFailure, fetchInfo, lookupEntry } from '../sources/index-client';
import type { SourceResult } from '../sources/types';
import { clearRemoteCache, readCachedAnswer, writeCachedAnswer } from '../storage/remote-cache';

/** What became of remote lookups since the worker started: counts only, for tests. */
export type LookupOutcome = 'fetched' | 'cached' | 'failed' | 'off' | 'refused';
export const lookupActivity: Partial<Record<LookupOutcome, number>> = {};

const noteOutcome = (outcome: LookupOutcome) =>
  (lookupActivity[outcome] = (lookupActivity[outcome] ?? 0) + 1);

/** Only the extension's own pages may ask: a content script would make lookups on page load. */
export function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && !!sender.url?.startsWith(browser.runtime.getURL(''));
}

/**
 * The index's description, fetched again when a day old (its size sets the prefix length).
 * A failed refresh keeps the stored one: the lookup itself says if the index is down.
 */
async function currentInfo(settings: RemoteIndexSettings): Promise<RemoteIndexSettings['info']> {
  if (Date.now() - settings.infoFetchedAt < INFO_MAX_AGE) return settings.info;
  try {
    const info = await fetchInfo(settings);
    // Saved onto what is stored now: the user may have changed k meanwhile.
    const stored = await loadRemoteIndex();
    if (stored?.url === settings.url) {
      await saveRemoteIndex({ ...stored, info, infoFetchedAt: Date.now() });
    }
    return info;
  } catch {
    return settings.info;
  }
}

/**
 * Look a page or its site up in the user's remote index: from the cache while it is fresh,
 * else from the index within the timeout. Only a validated answer is cached; a failure is
 * returned in words and stores nothing.
 */
export async function onRemoteLookup(
  message: Message<'remote/lookup'>,
  sender: Runtime.MessageSender,
): Promise<SourceResult> {
  const kind = message.kind as unknown;
  const key =
    LOOKUP_KINDS.includes(kind as LookupKind) && typeof message.url === 'string'
      ? lookupKey(kind as LookupKind, message.url)
      : null;
  if (!fromExtensionPage(sender) || !key) {
    noteOutcome('refused');
    return { status: 'off' };
  }
  const settings = await loadRemoteIndex();
  if (!settings?.enabled) {
    noteOutcome('off');
    return { status: 'off' };
  }
  try {
    const db = await getDb();
    const cached = await readCachedAnswer(db, settings.url, message.kind, key);
    if (cached) {
      noteOutcome('cached');
      return { status: 'answered', answer: cached.answer };
    }
    const info = await currentInfo(settings);
    const plan = {
      info,
      k: settings.k,
      decoys: settings.decoys,
      decoySecret: decoySecretBytes(settings.decoySecret),
    };
    const answer = answerOf(info.name, await lookupEntry(settings, plan, message.kind, key));
    const record = { sourceId: settings.url, kind: message.kind, key, fetchedAt: Date.now() };
    // The answer is shown even if it cannot be kept: the cache only saves asking again.
    await writeCachedAnswer(db, { ...record, answer }).catch((error: unknown) =>
      console.error('Backlink Lens could not cache a remote answer:', error),
    );
    noteOutcome('fetched');
    return { status: 'answered', answer };
  } catch (error) {
    const { message: why } = describeFailure(error);
    console.warn(`Backlink Lens: the remote index ${settings.info.name} failed:`, why);
    noteOutcome('failed');
    return { status: 'failed', name: settings.info.name, message: why };
  }
}

/** Delete every cached remote answer; a failure is logged, the caller's work goes on. */
export async function forgetRemoteAnswers(): Promise<void> {
  await clearRemoteCache(await getDb()).catch((error: unknown) =>
    console.error('Backlink Lens could not clear the remote answers:', error),
  );
}
