import { linkKey, type LinkRecord, type PageRecord } from './types';
import { asObject, asString, asTime, asUrlString, oneOf } from './guards';
// The anchor's bound as extraction keeps it (core/extract.ts), from the one place it is defined:
// importing extraction itself would bring the page parser into the popup's first render.
import { MAX_ANCHOR_LENGTH as maxAnchorLength } from './limits';
import { canonicalizeUrl, hostOf } from './url';
import { redirectChainFrom, MAX_REDIRECT_HOPS } from './redirects';

/**
 * How a link was followed: a plain click, a click with ctrl/cmd/shift/alt, a middle click, or
 * a context menu opened on it (the user may pick "open in new tab": only a tab opened from the
 * page then confirms it).
 */
export type ClickKind = 'click' | 'modified' | 'middle' | 'menu';
export const CLICK_KINDS: readonly ClickKind[] = ['click', 'modified', 'middle', 'menu'];

/** What the content script reports of a click on a link (untrusted until parsed). */
export interface LinkClick {
  /** The document the link is on, as the page reports it (checked against the sender). */
  page: string;
  /** The link's absolute href, read as extraction reads it. */
  href: string;
  /** The link's anchor text, read as extraction reads it, so it matches the stored link. */
  anchor: string;
  kind: ClickKind;
}

/** A click arriving by message is untrusted: re-check its shape and bounds. */
export function parseLinkClick(value: unknown): LinkClick | null {
  const v = asObject(value);
  const page = v && asUrlString(v.page);
  const href = v && asUrlString(v.href);
  if (!v || !page || !href || !CLICK_KINDS.includes(v.kind as ClickKind)) return null;
  return {
    page,
    href,
    anchor: asString(v.anchor, maxAnchorLength) ?? '',
    kind: oneOf(v.kind, CLICK_KINDS, 'click'),
  };
}

/**
 * A click is confirmed by a navigation at most this long after it (a slow server still answers
 * within it); after that it expires unconfirmed. A navigation seen before its click's message
 * (the message was slower than the page) is held for LATE_CLICK_MS.
 */
export const REFERRAL_WINDOW_MS = 15_000;
export const LATE_CLICK_MS = 5_000;
/** Clicks held at most while waiting for their navigation (a human clicks only so fast). */
export const MAX_PENDING_CLICKS = 50;

/** A click the worker holds until a navigation confirms it; URLs canonical. */
export interface PendingClick {
  tabId: number;
  source: string;
  /** Where the link points (canonical): the landing is it, or where its redirects lead. */
  href: string;
  anchor: string;
  kind: ClickKind;
  at: number;
}

/** A top-level navigation that committed in a tab; URL canonical. */
export interface Landing {
  tabId: number;
  url: string;
  at: number;
  /** For the first navigation of a tab opened from a link: the tab it was opened from. */
  openerTabId: number | null;
}

/** A redirect hop the browser followed lately (canonical ends), held only to match clicks. */
export interface RecentHop {
  from: string;
  to: string;
  status: number;
  at: number;
}

/** True when following `href` ends on `url`: it is the URL, or its recent redirects lead there. */
export function leadsTo(href: string, url: string, hops: readonly RecentHop[]): boolean {
  if (href === url) return true;
  const records = hops.map((h) => ({ ...h, firstSeen: h.at, lastSeen: h.at }));
  const chain = redirectChainFrom(href, records, MAX_REDIRECT_HOPS);
  return chain?.steps.some((s) => s.url === url) ?? false;
}

/**
 * Whether `landing` is the navigation `click` started: in the click's own tab (a plain or
 * modified click), or in a tab opened from it (any kind: middle click, ctrl-click, a link with
 * target=_blank, "open in new tab" from the menu); within the window; landing on the link's
 * href or where its redirects lead. A link to the page itself is a reload, not a referral.
 */
export function confirms(
  click: PendingClick,
  landing: Landing,
  hops: readonly RecentHop[],
): boolean {
  const sameTab =
    landing.tabId === click.tabId && (click.kind === 'click' || click.kind === 'modified');
  const fromTab = landing.openerTabId === click.tabId && landing.tabId !== click.tabId;
  if (!sameTab && !fromTab) return false;
  if (landing.at - click.at > REFERRAL_WINDOW_MS || click.at - landing.at > LATE_CLICK_MS) {
    return false;
  }
  return landing.url !== click.source && leadsTo(click.href, landing.url, hops);
}

/** The latest of `clicks` that `landing` confirms, if any. */
export function confirmingClick(
  clicks: readonly PendingClick[],
  landing: Landing,
  hops: readonly RecentHop[],
): PendingClick | undefined {
  return clicks
    .filter((c) => confirms(c, landing, hops))
    .reduce<PendingClick | undefined>((best, c) => (!best || c.at > best.at ? c : best), undefined);
}

/** Clicks still waiting at `now`, the newest MAX_PENDING_CLICKS at most. */
export function unexpired(clicks: readonly PendingClick[], now: number): PendingClick[] {
  return clicks.filter((c) => now - c.at <= REFERRAL_WINDOW_MS).slice(-MAX_PENDING_CLICKS);
}

/** One visit the user made by following a link: stored, one record per visit. */
export interface ReferralVisit {
  /** The page the link was on (canonical). */
  source: string;
  /** The page the user landed on (canonical), after any redirects. */
  target: string;
  /** The link's own target (canonical): the target, or a URL that redirected there. */
  href: string;
  anchor: string;
  at: number;
  sourceDomain: string;
  targetDomain: string;
}

/** A stored or imported visit is untrusted: URLs canonical again, domains derived, bounds kept. */
export function parseReferralVisit(
  value: unknown,
  domainOf: (host: string) => string,
): ReferralVisit | null {
  const v = asObject(value);
  if (!v) return null;
  const source = canonicalizeUrl(asUrlString(v.source) ?? '');
  const target = canonicalizeUrl(asUrlString(v.target) ?? '');
  const href = canonicalizeUrl(asUrlString(v.href) ?? '') ?? target;
  const at = asTime(v.at);
  if (!source || !target || !href || at === null || source === target) return null;
  return {
    source,
    target,
    href,
    anchor: asString(v.anchor, maxAnchorLength) ?? '',
    at,
    sourceDomain: domainOf(hostOf(source)),
    targetDomain: domainOf(hostOf(target)),
  };
}

/** Visits counted together: how many, first and last. */
export interface ReferralTally {
  count: number;
  firstVisit: number;
  lastVisit: number;
}

/** The visits from one page to one page. */
export interface ReferralSource extends ReferralTally {
  source: string;
  target: string;
  /** The anchor of the last visit. */
  anchor: string;
}

/** What the report shows of the visits into a page. */
export interface ReferralView {
  /** Per (source, target), most visits first. */
  sources: ReferralSource[];
  /** Per shown link (core/types#linkKey): the visits it sent. */
  byLink: Record<string, ReferralTally>;
  total: number;
}

const tallied = (t: ReferralTally | undefined, at: number): ReferralTally =>
  t
    ? {
        count: t.count + 1,
        firstVisit: Math.min(t.firstVisit, at),
        lastVisit: Math.max(t.lastVisit, at),
      }
    : { count: 1, firstVisit: at, lastVisit: at };

/**
 * Aggregate visits into a page per (source, target), and credit each to the link followed:
 * the stored link with the same source, href and anchor, or else (the anchor's words changed
 * since) the first link from the same source to the same href.
 */
export function summarizeReferrals(
  visits: readonly ReferralVisit[],
  links: readonly Pick<LinkRecord, 'source' | 'target' | 'anchor'>[],
): ReferralView {
  const pairs = new Map<string, ReferralSource>();
  const byLink: Record<string, ReferralTally> = {};
  const keys = new Set(links.map(linkKey));
  const firstByHref = new Map<string, string>();
  for (const l of links) {
    const pair = `${l.source}\n${l.target}`;
    if (!firstByHref.has(pair)) firstByHref.set(pair, linkKey(l));
  }
  for (const v of [...visits].sort((a, b) => a.at - b.at)) {
    const pair = `${v.source}\n${v.target}`;
    const known = pairs.get(pair);
    pairs.set(pair, {
      source: v.source,
      target: v.target,
      anchor: v.anchor,
      ...tallied(known, v.at),
    });
    const exact = linkKey({ source: v.source, target: v.href, anchor: v.anchor });
    const key = keys.has(exact) ? exact : firstByHref.get(`${v.source}\n${v.href}`);
    if (key) byLink[key] = tallied(byLink[key], v.at);
  }
  const sources = [...pairs.values()].sort(
    (a, b) => b.count - a.count || b.lastVisit - a.lastVisit || a.source.localeCompare(b.source),
  );
  return { sources, byLink, total: visits.length };
}

/** The last confirmed referral into a tab's current page, kept per tab (storage.session). */
export interface Arrival {
  source: string;
  target: string;
  anchor: string;
  at: number;
}

/** Tabs remembered at most; the oldest arrivals go first. */
export const MAX_ARRIVAL_TABS = 500;

/** Arrivals read from session storage are untrusted shapes: keep the valid ones. */
export function parseArrivals(value: unknown): Record<string, Arrival> {
  const out: Record<string, Arrival> = {};
  for (const [tab, raw] of Object.entries(asObject(value) ?? {}).slice(0, MAX_ARRIVAL_TABS)) {
    const v = asObject(raw);
    const source = v && canonicalizeUrl(asUrlString(v.source) ?? '');
    const target = v && canonicalizeUrl(asUrlString(v.target) ?? '');
    const at = v && asTime(v.at);
    if (!/^\d+$/.test(tab) || !v || !source || !target || at === null || at === undefined) continue;
    out[tab] = { source, target, anchor: asString(v.anchor, maxAnchorLength) ?? '', at };
  }
  return out;
}

/** The arrivals with one tab's set (or removed, for null), the oldest dropped past the cap. */
export function withArrival(
  arrivals: Readonly<Record<string, Arrival>>,
  tabId: number,
  arrival: Arrival | null,
): Record<string, Arrival> {
  const { [String(tabId)]: _old, ...rest } = arrivals;
  const entries = Object.entries(rest);
  if (arrival) entries.push([String(tabId), arrival]);
  entries.sort(([, a], [, b]) => a.at - b.at);
  return Object.fromEntries(entries.slice(-MAX_ARRIVAL_TABS));
}

/**
 * A page visited at least this many times counts as one the user visits often; loads closer
 * together than VISIT_GAP_MS are one visit (reloads, a return within the half hour that web
 * analytics also take as one session).
 */
export const OFTEN_VISITED = 3;
export const VISIT_GAP_MS = 30 * 60 * 1000;

/** A page's visit count after a load at `now` (null: a page never recorded before). */
export function nextVisitCount(
  old: Pick<PageRecord, 'lastSeen' | 'visits'> | undefined,
  now: number,
): number {
  if (!old) return 1;
  // Pages stored before visits were counted were visited at least once.
  const known = old.visits ?? 1;
  return now - old.lastSeen >= VISIT_GAP_MS ? known + 1 : known;
}

/** An inbound link likely to send visitors: editorial, on a page the user visits often. */
export interface TrafficSender {
  link: LinkRecord;
  visits: number;
  /** Visits the link already sent the user, if any. */
  referrals: ReferralTally | null;
}

/** Senders listed at most. */
export const MAX_TRAFFIC_SENDERS = 10;

/**
 * Among a page's live inbound links from other sites, those in the main content (editorial)
 * of pages the user visits often, most visited first: where a reader is likely to see the
 * link and follow it. Whether it passes authority does not matter to a reader.
 */
export function likelyTrafficSenders(
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, Pick<PageRecord, 'visits'>>>,
  referrals: ReferralView | null,
  limit = MAX_TRAFFIC_SENDERS,
): TrafficSender[] {
  return links
    .filter((l) => l.lostAt === null && l.region === 'main' && l.sourceDomain !== l.targetDomain)
    .map((link) => ({
      link,
      visits: sources[link.source]?.visits ?? 1,
      referrals: referrals?.byLink[linkKey(link)] ?? null,
    }))
    .filter((s) => s.visits >= OFTEN_VISITED)
    .sort(
      (a, b) =>
        b.visits - a.visits ||
        (b.referrals?.count ?? 0) - (a.referrals?.count ?? 0) ||
        a.link.source.localeCompare(b.link.source),
    )
    .slice(0, limit);
}
