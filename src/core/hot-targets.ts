import { asObject } from './guards';

/**
 * Which pages have an aggregate (storage/target-stats.ts), kept by the worker in storage.local
 * beside the settings, so that a screen's first read knows before its first round whether a
 * page is cold (issue 7: a cold lookup is one round trip). A cold page's links are then asked
 * with that round, and a hot page's never: its first rows come with its aggregate. Only a hint:
 * a page it gets wrong is read as fast as with none, and shows the same.
 */

/** storage.local key of the hint (the early script, platform/early-boot.ts, spells it too). */
export const HOT_TARGETS_KEY = 'hot-targets';

/** Format of the stored hint: another version is no hint. */
const HOT_TARGETS_VERSION = 1;

/**
 * What is stored: a 32-bit hash of each URL with an aggregate (a page of 200 links or more), in
 * base 36: seven characters at most, where a URL takes about sixty. A URL sharing a hash with a
 * hot one is taken for hot: it waits for its aggregate's answer, as without a hint.
 */
export interface StoredHotTargets {
  v: number;
  hashes: string;
}

/** FNV-1a over the URL's UTF-16 code units. */
export function hotTargetHash(url: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < url.length; i++) {
    hash ^= url.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** The stored form of the set of URLs with an aggregate (sorted: the same set, the same value). */
export function storedHotTargets(targets: Iterable<string>): StoredHotTargets {
  const hashes = [...new Set([...targets].map(hotTargetHash))].sort();
  return { v: HOT_TARGETS_VERSION, hashes: hashes.join(',') };
}

/** A longer hint is none (a million hot pages would be 8 MB: no store holds that many). */
const MAX_HINT_LENGTH = 8_000_000;

/** Whether a canonical URL may have an aggregate (true), or has none (false). */
export type HotTargets = (url: string) => boolean;

/** The hint as stored, checked; null when there is none or it is not one. */
export function parseHotTargets(value: unknown): HotTargets | null {
  const stored = asObject(value);
  const list = stored?.hashes;
  // Not cut to a length (asString): a cut list would take hot pages for cold.
  if (stored?.v !== HOT_TARGETS_VERSION || typeof list !== 'string') return null;
  if (list.length > MAX_HINT_LENGTH) return null;
  const hashes = new Set(list === '' ? [] : list.split(','));
  return (url) => hashes.has(hotTargetHash(url));
}
