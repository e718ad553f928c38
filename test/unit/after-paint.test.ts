import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTask } from '../../src/ui/after-paint';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('nextTask', () => {
  it("asks the browser for a task ranked ahead of the page's others, cancelled by what it returns", async () => {
    const postTask = vi.fn((run: () => void, options: SchedulerPostTaskOptions) =>
      Promise.resolve().then(() => {
        if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
        run();
      }),
    );
    vi.stubGlobal('scheduler', { postTask });
    const ran = vi.fn();
    nextTask(ran);
    expect(postTask).toHaveBeenCalledWith(
      ran,
      expect.objectContaining({ priority: 'user-blocking' }),
    );
    await vi.waitFor(() => expect(ran).toHaveBeenCalledOnce());

    const cancelled = vi.fn();
    nextTask(cancelled)();
    await new Promise((resolve) => setTimeout(resolve));
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('falls back on a timer in a browser without the scheduler (and in tests)', () => {
    vi.stubGlobal('scheduler', undefined);
    vi.useFakeTimers();
    const ran = vi.fn();
    const cancelled = vi.fn();
    nextTask(ran);
    nextTask(cancelled)();
    expect(ran).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(ran).toHaveBeenCalledOnce();
    expect(cancelled).not.toHaveBeenCalled();
  });
});
