import type { Runtime } from 'webextension-polyfill';
import { formatDateTime, t } from '../core/i18n';
import { LOOKUP_KINDS, lookupKey, type LookupKind } from '../core/index-protocol';
import type { Message, ProviderTestReply } from '../core/messages';
import { getDb } from '../platform/db-connection';
import {
  loadProviderConfigs,
  loadProviderPauses,
  saveProviderPause,
} from '../platform/provider-store';
import { askProvider } from '../sources/providers/adapter';
import { providerError } from '../sources/providers/http';
import { providerById } from '../sources/providers/index';
import { isProviderId } from '../sources/providers/ids';
import {
  isActive,
  parseCredentials,
  PROVIDER_CACHE_TTL,
  settingsOf,
} from '../sources/providers/settings';
import { ProviderError, type ProviderAdapter, type ProviderId } from '../sources/providers/types';
import type { SourceResult } from '../sources/types';
import { readCachedAnswer, writeCachedAnswer } from '../storage/remote-cache';
import { fromExtensionPage } from './remote-index';

/**
 * What became of provider lookups since the worker started, counts only (tests wait on them):
 * 'joined' is a lookup that waited for the same one already under way.
 */
export type ProviderOutcome =
  'fetched' | 'cached' | 'joined' | 'paused' | 'failed' | 'off' | 'refused';
export const providerActivity: Partial<Record<ProviderOutcome, number>> = {};

const noteOutcome = (outcome: ProviderOutcome) =>
  (providerActivity[outcome] = (providerActivity[outcome] ?? 0) + 1);

/** A rate limit without Retry-After holds the provider back this long. */
const DEFAULT_RATE_PAUSE_MS = 60_000;
/** A spent quota: an hour, so a popup opened now and then costs nothing until it renews. */
const QUOTA_PAUSE_MS = 60 * 60 * 1000;
/** No pause lasts longer, whatever the service asked. */
const MAX_PAUSE_MS = 24 * 60 * 60 * 1000;

/** How long to leave a provider alone after `error`; null when asking again is fine. */
export function pauseAfter(error: ProviderError): number | null {
  const asked = error.retryAfter !== undefined ? error.retryAfter * 1000 : null;
  if (error.kind === 'rate-limit') return Math.min(asked ?? DEFAULT_RATE_PAUSE_MS, MAX_PAUSE_MS);
  if (error.kind === 'quota') return Math.min(Math.max(asked ?? 0, QUOTA_PAUSE_MS), MAX_PAUSE_MS);
  return null;
}

/** Lookups under way, by provider, kind and key: a second asker waits for the first. */
const inFlight = new Map<string, Promise<SourceResult>>();

/**
 * Look a page or its site up with one provider: from the cache while it is fresh (the
 * provider's TTL), else one request at a time per provider and page, unless the provider asked
 * to be left alone for now. Only an answer the adapter validated is cached; a failure is
 * returned in words and stores nothing.
 */
export async function onProviderLookup(
  message: Message<'provider/lookup'>,
  sender: Runtime.MessageSender,
): Promise<SourceResult> {
  const id = message.provider as unknown;
  const kind = message.kind as unknown;
  const key =
    LOOKUP_KINDS.includes(kind as LookupKind) && typeof message.url === 'string'
      ? lookupKey(kind as LookupKind, message.url)
      : null;
  const adapter = isProviderId(id) ? providerById(id) : undefined;
  if (!fromExtensionPage(sender) || !key || !adapter) {
    noteOutcome('refused');
    return { status: 'off' };
  }
  const flight = `${adapter.id}\n${kind as LookupKind}\n${key}`;
  const running = inFlight.get(flight);
  if (running) {
    noteOutcome('joined');
    return running;
  }
  const lookup = lookupOnce(adapter, kind as LookupKind, key).finally(() =>
    inFlight.delete(flight),
  );
  inFlight.set(flight, lookup);
  return lookup;
}

async function lookupOnce(
  adapter: ProviderAdapter,
  kind: LookupKind,
  key: string,
): Promise<SourceResult> {
  const config = (await loadProviderConfigs()).find((c) => c.id === adapter.id);
  if (!isActive(config)) {
    noteOutcome('off');
    return { status: 'off' };
  }
  const sourceId = `provider:${adapter.id}`;
  const db = await getDb();
  const ttl = PROVIDER_CACHE_TTL[adapter.id];
  const cached = await readCachedAnswer(db, sourceId, kind, key, Date.now(), ttl);
  if (cached) {
    noteOutcome('cached');
    return { status: 'answered', answer: cached.answer };
  }
  const pausedUntil = (await loadProviderPauses())[adapter.id];
  if (pausedUntil) {
    noteOutcome('paused');
    return { status: 'failed', name: adapter.name, message: pausedWords(adapter, pausedUntil) };
  }
  try {
    // The canonical URL (secrets stripped) or the registrable domain: nothing more is sent.
    const answer = await askProvider(adapter, kind, key, settingsOf(config, config.credentials));
    // The answer is shown even if it cannot be kept: the cache only saves asking (and paying) again.
    await writeCachedAnswer(db, { sourceId, kind, key, fetchedAt: Date.now(), answer }).catch(
      (error: unknown) => console.error('Backlink Lens could not cache a provider answer:', error),
    );
    noteOutcome('fetched');
    return { status: 'answered', answer };
  } catch (error) {
    const failure = asProviderError(error, adapter.name);
    const pause = pauseAfter(failure);
    let message = failure.message;
    if (pause !== null) {
      const until = Date.now() + pause;
      await saveProviderPause(adapter.id, until).catch((e: unknown) =>
        console.error('Backlink Lens could not note a provider pause:', e),
      );
      message = `${message} ${pausedWords(adapter, until)}`;
    }
    // The message is built from fixed words and redacted details (http.ts): it holds no key.
    console.warn(`Backlink Lens: ${adapter.name} failed:`, failure.message);
    noteOutcome('failed');
    return { status: 'failed', name: adapter.name, message };
  }
}

const pausedWords = (adapter: ProviderAdapter, until: number) =>
  t('provider_paused', { name: adapter.name, time: formatDateTime(until) });

/** Any failure as a ProviderError; anything else is the adapter's bug, said without details. */
const asProviderError = (error: unknown, name: string): ProviderError =>
  error instanceof ProviderError ? error : providerError('unreachable', name);

/**
 * Try a key with the provider's cheapest documented call: the one being added, or the stored
 * one. A key that works lifts a pause (the user topped up, or the limit passed).
 */
export async function onProviderTest(
  message: Message<'provider/test'>,
  sender: Runtime.MessageSender,
): Promise<ProviderTestReply> {
  const id = message.provider as unknown;
  const adapter = isProviderId(id) ? providerById(id) : undefined;
  if (!fromExtensionPage(sender) || !adapter) {
    return { ok: false, message: t('provider_test_refused') };
  }
  const config = (await loadProviderConfigs()).find((c) => c.id === adapter.id);
  const credentials =
    message.credentials === undefined ? config?.credentials : parseCredentials(message.credentials);
  if (!credentials) return { ok: false, message: t('provider_no_key', { name: adapter.name }) };
  try {
    const check = await adapter.run(adapter.testKey, '', settingsOf(config, credentials));
    await saveProviderPause(adapter.id as ProviderId, null);
    return { ok: true, ...check };
  } catch (error) {
    return { ok: false, message: asProviderError(error, adapter.name).message };
  }
}
