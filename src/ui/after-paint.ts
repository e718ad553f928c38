import { useEffect, useLayoutEffect, useState } from 'preact/hooks';

/**
 * How many of a list's `all` items to render: `first` until the browser has painted the list
 * once, then all. Preact runs effects after the next frame, so the rest is rendered in a task
 * of its own behind the first paint: the report table's first screen shows without waiting for
 * the rest of its 200 rows. Once all are shown, they stay shown.
 */
export function useAfterPaint(first: number, all: number): number {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!painted) setPainted(true);
  }, [painted]);
  return painted ? all : Math.min(first, all);
}

/**
 * Whether a task queued right after the component's first commit has run: false in its first
 * render, true from the render that task makes (the commit goes on without it). Not after a
 * paint, as useAfterPaint: a popup the toolbar opens paints nothing until the browser shows it,
 * after its load event, so a frame would be waited for in vain (Preact falls back to 35 ms
 * then). The task is ranked ahead of others (nextTask); a frame the browser runs before it
 * paints the first commit alone. Once true, it stays true.
 */
export function useNextTask(): boolean {
  const [ran, setRan] = useState(false);
  useLayoutEffect(() => {
    if (ran) return;
    return nextTask(() => setRan(true));
  }, [ran]);
  return ran;
}

/**
 * Run `then` in a task of its own, ahead of the page's other tasks where the browser ranks
 * tasks (scheduler.postTask, 'user-blocking'): a timer's task waited behind the popup's
 * IndexedDB answers and the renders they made, ~10 ms of a hot toolbar popup's 30 ms from
 * its first rows to the others (10k, traced). Returns what cancels it.
 */
export function nextTask(then: () => void): () => void {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.postTask !== 'function') {
    const timer = setTimeout(then);
    return () => clearTimeout(timer);
  }
  const stop = new AbortController();
  scheduler
    .postTask(then, { priority: 'user-blocking', signal: stop.signal })
    .catch(() => undefined); // aborted: the component is gone, nothing to render
  return () => stop.abort();
}
