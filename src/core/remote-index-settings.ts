/**
 * The user's remote index, as kept in storage.local under its own key: off (null) until the
 * user adds one in the options page. Parsed, never cast: storage is untrusted like any input.
 */
import { asObject, asString } from './guards';
import { DEFAULT_K, parseInfo, type IndexInfo } from './index-protocol';
import { MAX_URL_LENGTH } from './limits';

export interface RemoteIndexSettings {
  /** The index's base URL: http(s), no credentials, query or fragment, no trailing slash. */
  url: string;
  /** Bearer token, '' when the index needs none. */
  token: string;
  /** Lookups happen only while on; off keeps the index configured but asks it nothing. */
  enabled: boolean;
  /**
   * Send the links of pages recorded from now on to the index (background/contribute.ts). Off
   * by default; only with a token, and only to an index that takes contributions.
   */
  contribute: boolean;
  /** A lookup's bucket holds at least k indexed keys in expectation. */
  k: number;
  /** Decoy buckets asked for with each lookup (0–MAX_DECOYS). */
  decoys: number;
  /**
   * The device's secret for deriving decoys (core/index-protocol#decoyPrefixes), hex: the same
   * page gets the same decoys, so the real prefix is not the one that repeats.
   */
  decoySecret: string;
  /** The index's /v1/info when it was added or last refreshed. */
  info: IndexInfo;
  infoFetchedAt: number;
}

export const REMOTE_INDEX_KEY = 'remoteIndex';
export const MIN_K = 1;
export const MAX_K = 1_000_000;
export const MAX_DECOYS = 3;
/** The token is a secret of the user's index, never shown back; a cap keeps storage sane. */
export const MAX_TOKEN_LENGTH = 1_000;
/** The stored /v1/info is fetched again after this long (the index grows, k needs its size). */
export const INFO_MAX_AGE = 24 * 60 * 60 * 1000;

/**
 * An index address the user typed, as its base URL; null when it is not an http(s) address
 * or carries a user name or password (which fetch would send to the server in the clear).
 */
export function normalizeIndexUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return base.length <= MAX_URL_LENGTH ? base : null;
}

/** The host permission to ask for to reach the index: its scheme and host, any port and path. */
export function permissionOrigin(indexUrl: string): string {
  const url = new URL(indexUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** A k within bounds, or the default for anything that is not a number. */
export function clampK(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(MAX_K, Math.max(MIN_K, Math.round(value)))
    : DEFAULT_K;
}

const SECRET = /^[0-9a-f]{64}$/;

/** A fresh decoy secret: 32 random bytes, hex. */
export function newDecoySecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The decoy secret as bytes. */
export function decoySecretBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Whether recorded pages go to this index: turned on, with a token, to an index that takes them. */
export const contributesTo = (settings: RemoteIndexSettings | null): boolean =>
  !!settings && settings.contribute && settings.token !== '' && settings.info.contributions;

/** Stored settings, or null (no index: the feature is off) when absent or not valid. */
export function parseRemoteIndexSettings(value: unknown): RemoteIndexSettings | null {
  const v = asObject(value);
  const url = typeof v?.url === 'string' ? normalizeIndexUrl(v.url) : null;
  if (!v || !url || typeof v.decoySecret !== 'string' || !SECRET.test(v.decoySecret)) return null;
  let info: IndexInfo;
  try {
    info = parseInfo(v.info);
  } catch {
    return null;
  }
  const decoys = typeof v.decoys === 'number' ? Math.round(v.decoys) : 0;
  return {
    url,
    token: asString(v.token, MAX_TOKEN_LENGTH) ?? '',
    enabled: v.enabled === true,
    contribute: v.contribute === true,
    k: clampK(v.k),
    decoys: Number.isFinite(decoys) ? Math.min(MAX_DECOYS, Math.max(0, decoys)) : 0,
    decoySecret: v.decoySecret,
    info,
    infoFetchedAt: typeof v.infoFetchedAt === 'number' ? v.infoFetchedAt : 0,
  };
}
