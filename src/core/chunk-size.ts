/**
 * Work done in chunks sized by time, not count (issue 7): a transaction that a screen's read may
 * have to wait for should take about the same time on a quiet and on a loaded machine, while a
 * quiet machine still moves many records per commit.
 */
export interface ChunkSizing {
  /** The size of the first chunk, before any was timed. */
  first: number;
  min: number;
  max: number;
  /** How long one chunk should take (ms). */
  targetMs: number;
}

/**
 * The size of the next chunk after one of `size` took `tookMs`: scaled towards the target, but
 * at most doubled, since one quick chunk says little; shrunk at once, since a slow one is what a
 * waiting reader feels. Always within [min, max].
 */
export function nextChunkSize(size: number, tookMs: number, sizing: ChunkSizing): number {
  const fit = tookMs > 0 ? (size * sizing.targetMs) / tookMs : Infinity;
  const next = Math.round(Math.min(size * 2, fit));
  return Math.max(sizing.min, Math.min(sizing.max, next));
}
