import type { EarlyReads } from '../storage/flags';

/**
 * The report's later part (ui/later-chunk.ts: scoring, flags, relevance, the profile) behind
 * functions the screens call as before: its code is fetched at the first call, after the first
 * rows are read, so a screen's first render does not wait for it (issue 7).
 */
type LaterChunk = typeof import('./later-chunk');

let chunk: Promise<LaterChunk> | undefined;

/** The later chunk, fetched once; a failed fetch (the extension updated under the page) is tried again at the next call. */
export function loadLater(): Promise<LaterChunk> {
  chunk ??= import('./later-chunk').catch((error: unknown) => {
    chunk = undefined;
    throw error;
  });
  return chunk;
}

/** storage/flags#loadFlags, once its code is in. */
export const loadFlags: LaterChunk['loadFlags'] = (...args) =>
  loadLater().then((m) => m.loadFlags(...args));

/** storage/term-stats#loadRelevance, once its code is in. */
export const loadRelevance: LaterChunk['loadRelevance'] = (...args) =>
  loadLater().then((m) => m.loadRelevance(...args));

/**
 * storage/flags#startFlagReads, started once its code is in: the reads' promise is returned at
 * once, so the risk line and the site read wait on it as before.
 */
export function startFlagReads(...args: Parameters<LaterChunk['startFlagReads']>): EarlyReads {
  const reads = loadLater().then((m) => m.startFlagReads(...args).reads);
  // Awaited by loadFlags; a report replaced before that must not leave an unhandled rejection.
  reads.catch(() => {});
  return { domain: args[1], reads };
}
