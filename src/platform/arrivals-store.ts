import browser from 'webextension-polyfill';
import { parseArrivals, withArrival, type Arrival } from '../core/referrals';

const KEY = 'referral-arrivals';

/**
 * The last confirmed referral into each tab's current page, in storage.session: kept while the
 * browser runs (the worker may stop meanwhile), gone when it closes, never written to disk,
 * and readable by the popup. Chrome 102+, Firefox 115+.
 */
async function loadArrivals(): Promise<Record<string, Arrival>> {
  return parseArrivals((await browser.storage.session.get(KEY))[KEY]);
}

/** How the user came to the page `tabId` shows now, if by following a link. */
export async function loadArrival(tabId: number): Promise<Arrival | null> {
  return (await loadArrivals())[String(tabId)] ?? null;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Set (or, with null, forget) a tab's arrival. Changes run one after another: two navigations
 * in quick succession must not read the same old map and drop each other's change.
 */
export function saveArrival(tabId: number, arrival: Arrival | null): Promise<void> {
  const next = queue.then(async () => {
    const arrivals = await loadArrivals();
    if (!arrival && !(String(tabId) in arrivals)) return;
    await browser.storage.session.set({ [KEY]: withArrival(arrivals, tabId, arrival) });
  });
  queue = next.catch(() => undefined);
  return next;
}
