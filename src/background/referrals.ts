import browser, { type Runtime, type WebRequest } from 'webextension-polyfill';
import type { ClickReply, Message } from '../core/messages';
import {
  confirmingClick,
  confirms,
  LATE_CLICK_MS,
  parseLinkClick,
  REFERRAL_WINDOW_MS,
  unexpired,
  type Landing,
  type PendingClick,
  type RecentHop,
} from '../core/referrals';
import { shouldRecord } from '../core/settings';
import { canonicalizeUrl, hostOf } from '../core/url';
import { registrableDomain } from '../core/domain';
import { recordReferral } from '../storage/referrals';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { saveArrival } from '../platform/arrivals-store';
import { documentUrl } from './recording';

/*
 * How a referral is confirmed. The content script reports a click on a link; the worker holds
 * it and waits for the navigation it starts: the next top-level navigation of the same tab, or
 * the first one of a tab opened from it, landing on the link's href or where its redirects
 * lead, within REFERRAL_WINDOW_MS. Navigations come from webNavigation, chosen over
 * tabs.onUpdated because it tells a committed top-level navigation apart from a reload or a
 * back/forward step (transitionType, transitionQualifiers), and names the tab a new tab was
 * opened from (onCreatedNavigationTarget) for middle clicks, ctrl-clicks, target=_blank and
 * "open in new tab"; where that event is missing (Firefox's menu), the tab's openerTabId
 * stands in. Firefox has both events. The permission adds no install warning: the content
 * scripts' access to every site already covers it (checked in test/e2e/referrals.test.ts).
 *
 * Pending clicks, unmatched navigations, hops and new tabs are held in memory only: a click is
 * confirmed within seconds, while the message that brought it keeps the worker alive for 30 s.
 * Nothing is stored before both pages pass the privacy gate.
 */

let pending: PendingClick[] = [];
/** Navigations no click confirmed yet, held briefly for a click message that comes late. */
let landings: Landing[] = [];
let hops: RecentHop[] = [];
/** New tab -> the tab it was opened from, until the new tab's first navigation. */
const openers = new Map<number, { sourceTabId: number; at: number }>();
/** The page each tab last navigated to (canonical), to tell in-page URL rewrites apart. */
const currentUrls = new Map<number, string>();

/** Counts only, no URLs: what became of clicks and of navigations (tests wait on it). */
export const referralActivity = {
  clicks: {} as Record<string, number>,
  visits: {} as Record<string, number>,
};
const counted = (counts: Record<string, number>, outcome: string) =>
  (counts[outcome] = (counts[outcome] ?? 0) + 1);

function prune(now: number): void {
  const kept = unexpired(pending, now);
  for (let i = kept.length; i < pending.length; i++) counted(referralActivity.clicks, 'expired');
  pending = kept;
  landings = landings.filter((l) => now - l.at <= LATE_CLICK_MS);
  hops = hops.filter((h) => now - h.at <= REFERRAL_WINDOW_MS);
  for (const [tab, o] of openers) if (now - o.at > REFERRAL_WINDOW_MS) openers.delete(tab);
}

/** Store the visit if both pages may be recorded, and remember it as the tab's arrival. */
async function confirm(click: PendingClick, landing: Landing): Promise<string> {
  const tab = await browser.tabs.get(landing.tabId).catch(() => null);
  if (!tab) return 'not-a-tab';
  const settings = await loadSettings();
  for (const url of [click.source, landing.url]) {
    const decision = shouldRecord(url, settings, { incognito: tab.incognito });
    if (!decision.record) {
      await saveArrival(landing.tabId, null);
      return decision.reason;
    }
  }
  await recordReferral(await getDb(), {
    source: click.source,
    target: landing.url,
    href: click.href,
    anchor: click.anchor,
    at: landing.at,
    sourceDomain: registrableDomain(hostOf(click.source)),
    targetDomain: registrableDomain(hostOf(landing.url)),
  });
  const { source, anchor } = click;
  await saveArrival(landing.tabId, { source, target: landing.url, anchor, at: landing.at });
  return 'recorded';
}

/** 'referral/click': hold a click on a link until its navigation confirms it. */
export async function onLinkClick(
  message: Message<'referral/click'>,
  sender: Runtime.MessageSender,
): Promise<ClickReply> {
  const click = parseLinkClick(message.click);
  if (!click) return { noted: false, reason: 'malformed' };
  // The same checks as a snapshot: our content script, in a tab, a document on screen whose URL
  // the browser vouches for, and the privacy gate for the page and any page embedding it.
  const refusal = await documentUrl(click.page, sender);
  const source = canonicalizeUrl(click.page);
  const href = canonicalizeUrl(click.href);
  const tabId = sender.tab?.id;
  const reason = refusal?.reason ?? (!source || !href || tabId === undefined ? 'not-http' : null);
  if (reason || !source || !href || tabId === undefined) {
    counted(referralActivity.clicks, reason ?? 'not-http');
    return { noted: false, reason: reason ?? 'not-http' };
  }
  const now = Date.now();
  prune(now);
  const noted: PendingClick = {
    tabId,
    source,
    href,
    anchor: click.anchor,
    kind: click.kind,
    at: now,
  };
  counted(referralActivity.clicks, 'noted');
  const landing = landings.find((l) => confirms(noted, l, hops));
  if (landing) {
    landings = landings.filter((l) => l !== landing);
    counted(referralActivity.visits, await confirm(noted, landing));
  } else {
    pending.push(noted);
  }
  return { noted: true };
}

/** What onCommitted and onHistoryStateUpdated report (the fields read here). */
export interface NavigationDetails {
  tabId: number;
  frameId: number;
  url: string;
  transitionType?: string;
  transitionQualifiers?: string[];
  documentLifecycle?: string;
  /** From onHistoryStateUpdated: the document stayed, only its URL changed (pushState). */
  inPage?: boolean;
}

/**
 * A top-level navigation committed in a tab: confirm the click that started it and record
 * the visit, or note that the tab's page was not reached by a link (its arrival is forgotten).
 * Returns the outcome, also counted.
 */
export async function onNavigation(details: NavigationDetails): Promise<string> {
  // A prerendered page is the browser's guess, not where the user went.
  if (details.frameId !== 0 || details.tabId < 0 || details.documentLifecycle === 'prerender') {
    return 'not-top-level';
  }
  const now = Date.now();
  prune(now);
  const opened = openers.get(details.tabId);
  openers.delete(details.tabId);
  const url = canonicalizeUrl(details.url);
  // A page rewriting its own URL on load (replaceState to drop utm_ parameters) is still the
  // page the user came to: its arrival stays.
  if (details.inPage && url !== null && currentUrls.get(details.tabId) === url) {
    return 'same-page';
  }
  if (url) currentUrls.set(details.tabId, url);
  else currentUrls.delete(details.tabId);
  // The tab has left any page it landed on before: a click on this page (or a later one) did
  // not start that navigation. Held on, a typed visit to B followed by a click on a link that
  // redirects to B would be confirmed by the old visit, and the real one found unconfirmed.
  landings = landings.filter((l) => l.tabId !== details.tabId);
  // A reload or a step back or forward is not following a link now.
  const replay =
    details.transitionType === 'reload' ||
    (details.transitionQualifiers ?? []).includes('forward_back');
  let outcome: string;
  if (!url || replay) {
    await saveArrival(details.tabId, null);
    outcome = 'not-a-link';
  } else {
    let openerTabId = opened?.sourceTabId ?? null;
    // Without onCreatedNavigationTarget for this tab, the tab's opener stands in, asked only
    // when a click in another tab is waiting.
    if (openerTabId === null && pending.some((c) => c.tabId !== details.tabId)) {
      const tab = await browser.tabs.get(details.tabId).catch(() => null);
      openerTabId = tab?.openerTabId ?? null;
    }
    const landing: Landing = { tabId: details.tabId, url, at: now, openerTabId };
    const click = confirmingClick(pending, landing, hops);
    if (click) {
      pending = pending.filter((c) => c !== click);
      outcome = await confirm(click, landing);
    } else {
      landings.push(landing);
      await saveArrival(details.tabId, null);
      outcome = 'unconfirmed';
    }
  }
  counted(referralActivity.visits, outcome);
  return outcome;
}

/** webNavigation.onCreatedNavigationTarget: a link opened a new tab or window. */
export function onNewTab(details: { sourceTabId: number; tabId: number }): void {
  openers.set(details.tabId, { sourceTabId: details.sourceTabId, at: Date.now() });
}

/** A redirect hop of a top-level navigation (webRequest.onBeforeRedirect), held to match clicks. */
export function noteHop(details: WebRequest.OnBeforeRedirectDetailsType): void {
  const from = canonicalizeUrl(details.url);
  const to = canonicalizeUrl(details.redirectUrl);
  if (details.tabId < 0 || !from || !to || from === to) return;
  hops.push({ from, to, status: details.statusCode, at: Date.now() });
}

/**
 * A closed tab has no current page to have arrived at, and nothing held for it can be
 * confirmed. Its pending clicks stay: a tab it opened may still land.
 */
export function onTabClosed(tabId: number): void {
  currentUrls.delete(tabId);
  openers.delete(tabId);
  landings = landings.filter((l) => l.tabId !== tabId);
  saveArrival(tabId, null).catch(() => undefined);
}
