/**
 * Which of a read and its raw baseline a turn times first (storage-scale-entry.ts#timedPair):
 * each in turn, counted per read (`key`). One count for every read let the order stick to a
 * read once it ran more turns than the rest: the badge rows' 9 turns against 3 left two pairs a
 * turn, and the hot count went first in 7 of 9 turns, the cold one second in 7.
 */
export function pairOrder(): (key: string) => boolean {
  const turns = new Map<string, number>();
  return (key) => {
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    return turn % 2 === 0;
  };
}
