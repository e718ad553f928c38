import { useEffect, useState } from 'preact/hooks';

/**
 * How many of a list's `all` items to render: `first` until the browser has painted the list
 * once (`ready`), then all. Preact runs effects after the next frame, so the rest is rendered
 * in a task of its own behind the first paint: the popup's groups in its first viewport show
 * without waiting for the render and layout of the 150 rows below them (issue 7: 35–65 ms of
 * CPU on a loaded machine), the report table's first screen without the rest of its 200.
 * Undefined `first`: all at once. Once all are shown, they stay shown.
 */
export function useAfterPaint(first: number | undefined, all: number, ready: boolean): number {
  const [painted, setPainted] = useState(first === undefined);
  useEffect(() => {
    if (ready && !painted) setPainted(true);
  }, [ready, painted]);
  return painted || first === undefined ? all : Math.min(first, all);
}
