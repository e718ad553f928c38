import { useEffect, useState } from 'preact/hooks';

/**
 * How many of a list's `all` items to render: `first` until the browser has painted the list
 * once, then all. Preact runs effects after the next frame, so the rest is rendered in a task
 * of its own behind the first paint: the report table's first screen shows without waiting for
 * the rest of its 200 rows. (The popup renders its 30 groups in one commit since s19, the rows
 * below its fold skipped by content-visibility instead: styles.css.) Once all are shown, they
 * stay shown.
 */
export function useAfterPaint(first: number, all: number): number {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!painted) setPainted(true);
  }, [painted]);
  return painted ? all : Math.min(first, all);
}
