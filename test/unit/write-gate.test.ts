import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  FIRST_READ_LOCK,
  gatedWrite,
  holdRecording,
  MAX_HOLD_MS,
  readersDone,
} from '../../src/platform/write-gate';
import { FakeLocks } from './fake-locks';

/** Let promise callbacks run (the fake grants in microtasks). */
const settle = () => vi.advanceTimersByTimeAsync(0);

let locks: FakeLocks;
beforeEach(() => {
  vi.useFakeTimers();
  locks = new FakeLocks();
});
afterEach(() => vi.useRealTimers());

describe('holdRecording and readersDone', () => {
  test('a write goes at once when no screen reads', async () => {
    let done = false;
    void readersDone(locks).then(() => (done = true));
    await settle();
    expect(done).toBe(true);
    expect([...locks.names]).toEqual([FIRST_READ_LOCK]);
  });

  test('a write waits for every reading screen to let go', async () => {
    const first = holdRecording(locks);
    const second = holdRecording(locks);
    await settle();
    let done = false;
    void readersDone(locks).then(() => (done = true));
    await settle();
    first();
    await settle();
    expect(done).toBe(false);
    second();
    await settle();
    expect(done).toBe(true);
    expect(locks.held).toEqual([]);
  });

  test('a screen that never lets go holds recording back MAX_HOLD_MS at most', async () => {
    holdRecording(locks, 60_000); // as if its own bound were gone: the writer's still holds
    await settle();
    let done = false;
    void readersDone(locks).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(MAX_HOLD_MS - 10);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(done).toBe(true);
  });

  test('a screen lets go by itself after MAX_HOLD_MS', async () => {
    holdRecording(locks);
    await settle();
    expect(locks.held).toEqual(['shared']);
    await vi.advanceTimersByTimeAsync(MAX_HOLD_MS);
    expect(locks.held).toEqual([]);
  });

  test('letting go before the lock was granted withdraws the request', async () => {
    // A write holds the lock (granted, not yet let go): the screen's request waits behind it.
    let writeHeld = () => {};
    void locks.request(FIRST_READ_LOCK, {}, () => new Promise<void>((r) => (writeHeld = r)));
    await settle();
    const release = holdRecording(locks);
    await settle();
    expect(locks.queue).toHaveLength(1);
    release();
    release(); // twice is harmless
    await settle();
    expect(locks.queue).toHaveLength(0);
    writeHeld();
    await settle();
    expect(locks.held).toEqual([]);
  });

  test('without a lock manager nothing waits', async () => {
    let done = false;
    void readersDone(null).then(() => (done = true));
    await settle();
    expect(done).toBe(true);
    expect(() => holdRecording(null)()).not.toThrow();
  });
});

describe('gatedWrite', () => {
  test('runs writes one at a time, in order, a failure not holding up the next', async () => {
    const log: string[] = [];
    const write =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const a = gatedWrite(write('a'), locks);
    const b = gatedWrite(write('b', true), locks);
    const c = gatedWrite(write('c'), locks);
    await vi.advanceTimersByTimeAsync(100);
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('a write queued while a screen reads starts once it let go', async () => {
    const release = holdRecording(locks);
    await settle();
    let started = false;
    const write = gatedWrite(async () => {
      started = true;
    }, locks);
    await vi.advanceTimersByTimeAsync(200);
    expect(started).toBe(false);
    release();
    await settle();
    expect(started).toBe(true);
    await write;
  });
});
