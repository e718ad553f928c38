import { describe, expect, it } from 'vitest';
import { pairOrder } from '../bench/pair-order';

// storage-scale's page reads in turns (measureOperations): the badge rows 9 turns, the first
// read 3, each after a warm-up turn. Each read and its baseline must go first in turn.
describe('pairOrder', () => {
  it('alternates each read, whatever the others run', () => {
    const oursFirst = pairOrder();
    const first = new Map<string, number>();
    const timed = new Map<string, number>();
    for (let rep = -1; rep < 9; rep++) {
      const reads = ['badge hot', 'badge cold', ...(rep < 3 ? ['first read cold'] : [])];
      for (const read of reads) {
        const ours = oursFirst(read);
        if (rep < 0) continue;
        timed.set(read, (timed.get(read) ?? 0) + 1);
        if (ours) first.set(read, (first.get(read) ?? 0) + 1);
      }
    }
    for (const [read, n] of timed) {
      expect(Math.abs(2 * (first.get(read) ?? 0) - n), read).toBeLessThanOrEqual(1);
    }
  });
});
