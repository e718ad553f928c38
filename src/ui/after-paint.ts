import { useEffect, useState } from 'preact/hooks';

/**
 * How many of a list's `all` items to render: `first` until the browser has painted the list
 * once (`ready`), then all. Preact runs effects after the next frame, so the rest is rendered
 * in a task of its own behind the first paint: the popup's rows in its first viewport show
 * without waiting for the render and layout of the 150 below it (issue 7: 35–65 ms of CPU on
 * a loaded machine). Undefined `first`: all at once. Once all are shown, they stay shown.
 */
export function useAfterPaint(first: number | undefined, all: number, ready: boolean): number {
  const [painted, setPainted] = useState(first === undefined);
  useEffect(() => {
    if (ready && !painted) setPainted(true);
  }, [ready, painted]);
  return painted || first === undefined ? all : Math.min(first, all);
}

/** Longest afterPaint waits for a frame (none comes while the page is hidden, nor in Node). */
const FRAME_WAIT_MS = 100;

/**
 * Resolves in the first task after the browser's next frame, as Preact runs effects: work
 * started then (reads whose answers would compete with the first paint) comes after it.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timeout);
      setTimeout(resolve, 0);
    };
    const timeout = setTimeout(done, FRAME_WAIT_MS);
    globalThis.requestAnimationFrame?.(done);
  });
}
