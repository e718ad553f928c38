import browser, { type WebRequest } from 'webextension-polyfill';
import { redirectHop, type HopSkip } from '../core/redirects';
import { recordRedirect } from '../storage/records';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { scheduleBadgeRefresh } from './badge';
import { dropTouchedFirstViews } from './first-view';

/** Top-level navigations only, on web pages: the redirects a person's own browsing follows. */
export const REDIRECT_FILTER: WebRequest.RequestFilter = {
  urls: ['http://*/*', 'https://*/*'],
  types: ['main_frame'],
};

export type RedirectOutcome = 'recorded' | HopSkip | 'not-a-tab' | 'internal' | 'error';

/**
 * Chrome's extra field: a prerendered page is the browser's guess of where the user will go, not
 * a navigation the user made. https://developer.chrome.com/docs/extensions/reference/api/webRequest
 */
const isPrerender = (details: object) =>
  (details as { documentLifecycle?: unknown }).documentLifecycle === 'prerender';

/** Record one hop of a redirect the browser followed (webRequest.onBeforeRedirect). */
export async function onRedirect(
  details: WebRequest.OnBeforeRedirectDetailsType,
): Promise<RedirectOutcome> {
  // -1: not in a tab (a prefetch, the extension's own fetch): nobody navigated.
  if (details.tabId < 0 || isPrerender(details)) return 'not-a-tab';
  // The browser's own rewrite (an HSTS upgrade, another extension): no server answered it.
  if (/internal redirect/i.test(details.statusLine)) return 'internal';
  const tab = await browser.tabs.get(details.tabId).catch(() => null);
  if (!tab) return 'not-a-tab';
  const decision = redirectHop(
    { from: details.url, to: details.redirectUrl, status: details.statusCode },
    await loadSettings(),
    { incognito: details.incognito ?? tab.incognito },
  );
  if (!decision.record) return decision.reason;
  await recordRedirect(await getDb(), decision.hop);
  // The pages on both ends count each other's links now: their first views are stale.
  await dropTouchedFirstViews(decision.hop.from, [{ href: decision.hop.to }], 0).catch(() => {});
  scheduleBadgeRefresh();
  return 'recorded';
}
