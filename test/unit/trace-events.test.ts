import { describe, expect, it } from 'vitest';
import { forEachSelfTime, kindOf, threadEvents, type TraceEvent } from '../bench/trace-events';

// The trace benches' self-time walk (test/bench/trace-events.ts), on a hand-built thread.
const ev = (name: string, ts: number, dur: number, extra: Partial<TraceEvent> = {}) =>
  ({ name, cat: 'devtools.timeline', ph: 'X', ts, dur, pid: 1, tid: 1, ...extra }) as TraceEvent;

describe('threadEvents and forEachSelfTime', () => {
  it("gives each event its cost less its children's, thread time where it has it", () => {
    const events = [
      ev('Inner', 20_000, 10_000), // in Child
      ev('Task', 0, 100_000, { tdur: 90_000 }),
      ev('Other thread', 5_000, 1_000, { tid: 2 }),
      ev('Child', 10_000, 30_000),
      ev('Mark', 15_000, 0, { ph: 'R' }),
      ev('Second', 50_000, 20_000),
    ];
    const own = threadEvents(events, 1, 1);
    expect(own.map((e) => e.name)).toEqual(['Task', 'Child', 'Inner', 'Second']);
    const self: Record<string, number> = {};
    forEachSelfTime(own, (e, ms) => (self[e.name] = ms));
    expect(self).toEqual({ Inner: 10, Child: 20, Second: 20, Task: 40 });
  });

  it('never gives a negative self time (children costing more thread time than their parent)', () => {
    const self: number[] = [];
    forEachSelfTime([ev('Task', 0, 100_000, { tdur: 5_000 }), ev('Child', 0, 50_000)], (_e, ms) =>
      self.push(ms),
    );
    expect(self).toEqual([50, 0]);
  });
});

describe('kindOf', () => {
  it.each([
    ['FunctionCall', 'script'],
    ['FireAnimationFrame', 'script'],
    ['UpdateLayoutTree', 'style'],
    ['Layout', 'layout'],
    ['Paint', 'paint'],
    ['MinorGC', 'gc'],
    ['ParseHTML', 'parse'],
    ['v8.compile', 'compile'],
    ['Something', 'other'],
  ])('%s is %s', (name, kind) => {
    expect(kindOf(name)).toBe(kind);
  });
});
