import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  FIRST_READ_LOCK,
  gatedWrite,
  holdRecording,
  MAX_HOLD_MS,
  readersDone,
  type Locks,
} from '../../src/platform/write-gate';

interface Request {
  mode: LockMode;
  grant: () => void;
}

/**
 * The Web Locks rules the gate relies on, for one process (Node has no navigator.locks):
 * requests granted in order, shared ones together, an exclusive one alone; a pending request
 * withdrawn by its signal rejects with AbortError; a lock is held until its callback's promise
 * settles. https://w3c.github.io/web-locks/#algorithms
 */
class FakeLocks implements Locks {
  held: LockMode[] = [];
  queue: Request[] = [];
  names = new Set<string>();

  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => unknown,
  ): Promise<unknown> {
    this.names.add(name);
    const mode = options.mode ?? 'exclusive';
    return new Promise((resolve, reject) => {
      const entry: Request = {
        mode,
        grant: () => {
          this.held.push(mode);
          void Promise.resolve(callback({ name, mode } as Lock)).then((value) => {
            this.held.splice(this.held.indexOf(mode), 1);
            resolve(value);
            this.process();
          });
        },
      };
      options.signal?.addEventListener('abort', () => {
        const at = this.queue.indexOf(entry);
        if (at < 0) return; // granted already: the signal no longer matters
        this.queue.splice(at, 1);
        reject(new DOMException('withdrawn', 'AbortError'));
        this.process();
      });
      this.queue.push(entry);
      this.process();
    });
  }

  private process(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const free =
        next.mode === 'exclusive' ? this.held.length === 0 : !this.held.includes('exclusive');
      if (!free) return;
      this.queue.shift();
      next.grant();
    }
  }
}

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
