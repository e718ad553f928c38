/**
 * The user's bring-your-own-key providers as kept in storage.local (platform/provider-store.ts):
 * which are added, their credentials, on or off. Parsed, never cast: storage is input like any
 * other. The keys live here only: never in IndexedDB, so no export or import can reach them.
 */
import { asObject, asString, asTime } from '../../core/guards';
import { PROVIDER_IDS as IDS, type ProviderId } from './ids';
import type { ProviderCredentials, ProviderSettings } from './types';

export const PROVIDERS_KEY = 'providers';
/** When a provider may be asked again after a rate limit or a spent quota, by id. */
export const PROVIDER_PAUSES_KEY = 'providerPauses';
/** No service issues keys this long; a cap keeps storage sane. */
export const MAX_CREDENTIAL_LENGTH = 1_000;

/** One provider as stored: `credentials` absent until the user added a key. */
export interface ProviderConfig {
  id: ProviderId;
  credentials?: ProviderCredentials;
  /** Asked only while on; off keeps the key but sends nothing. */
  enabled: boolean;
  addedAt?: number;
  /**
   * For tests only: a fake API on this machine in place of the service. Only loopback
   * addresses are read, so a stored key can never be sent to a host other than its service's.
   */
  endpoint?: string;
}

/** Whether a provider asks for a second credential: DataForSEO's password, Moz v2's secret. */
export const SECRET_NEED: Record<ProviderId, 'none' | 'optional' | 'required'> = {
  'open-pagerank': 'none',
  dataforseo: 'required',
  moz: 'optional',
  ahrefs: 'none',
  majestic: 'none',
};

const HOUR = 60 * 60 * 1000;
/**
 * How long a provider's answer is used before it is asked again. Each lookup costs the user
 * credits; Open PageRank's figures change once a quarter or so.
 */
export const PROVIDER_CACHE_TTL: Record<ProviderId, number> = {
  'open-pagerank': 7 * 24 * HOUR,
  dataforseo: 24 * HOUR,
  moz: 24 * HOUR,
  ahrefs: 24 * HOUR,
  majestic: 24 * HOUR,
};

/** An http origin on this machine (the e2e fake API), else null. */
export function loopbackOrigin(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return loopback && url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Credentials as typed: trimmed, '' meaning absent; null without a key. */
export function parseCredentials(value: unknown): ProviderCredentials | null {
  const object = asObject(value);
  const key = asString(object?.key, MAX_CREDENTIAL_LENGTH)?.trim();
  if (!key) return null;
  const secret = asString(object?.secret, MAX_CREDENTIAL_LENGTH)?.trim();
  return secret ? { key, secret } : { key };
}

/** The stored providers, in the options page's order; entries of unknown ids are dropped. */
export function parseProviderConfigs(value: unknown): ProviderConfig[] {
  const stored = asObject(value) ?? {};
  return IDS.flatMap((id): ProviderConfig[] => {
    const entry = asObject(stored[id]);
    if (!entry) return [];
    const credentials = parseCredentials(entry.credentials);
    const addedAt = asTime(entry.addedAt);
    const endpoint = loopbackOrigin(entry.endpoint);
    return [
      {
        id,
        enabled: entry.enabled !== false,
        ...(credentials ? { credentials } : {}),
        ...(addedAt !== null ? { addedAt } : {}),
        ...(endpoint ? { endpoint } : {}),
      },
    ];
  });
}

/** The configs as stored: an object by id. */
export const serializeProviderConfigs = (configs: readonly ProviderConfig[]) =>
  Object.fromEntries(configs.map(({ id, ...rest }) => [id, rest]));

/** A provider the worker may ask: a key, and turned on. */
export const isActive = (
  config: ProviderConfig | undefined,
): config is ProviderConfig & {
  credentials: ProviderCredentials;
} => !!config?.credentials && config.enabled;

/** What the adapter is run with: the credentials, and the test endpoint where one is stored. */
export function settingsOf(
  config: Pick<ProviderConfig, 'endpoint'> | undefined,
  credentials: ProviderCredentials,
): ProviderSettings {
  return config?.endpoint ? { credentials, endpoint: config.endpoint } : { credentials };
}

/** The stored pauses that are still running at `now`, by provider id. */
export function parsePauses(value: unknown, now: number): Partial<Record<ProviderId, number>> {
  const stored = asObject(value) ?? {};
  const pauses: Partial<Record<ProviderId, number>> = {};
  for (const id of IDS) {
    const until = stored[id];
    if (typeof until === 'number' && until > now) pauses[id] = until;
  }
  return pauses;
}
