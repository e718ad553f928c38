// Bundled into one IIFE (global BacklinkPopupCount) and run in the popup before any of its own
// scripts (page.addInitScript): every IndexedDB request the page makes is counted, up to its
// first render and after it, so that what grows with the store shows in counts, not in times.
import { countRequests, type RequestCount } from '../support/idb-requests';

let counting = countRequests();
let first: RequestCount | null = null;

/** The first render is on screen: what was asked so far is its part. */
export function rendered(): void {
  if (first) return;
  first = counting.stop();
  counting = countRequests();
}

/** The requests up to the first render (null: not rendered) and those since; stops counting. */
export function counts(): { first: RequestCount | null; after: RequestCount } {
  return { first, after: counting.stop() };
}
