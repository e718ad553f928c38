import type { RedirectRecord, Settings } from './types';
import { shouldRecord, type SkipReason } from './settings';
import { canonicalizeUrl } from './url';

/**
 * Redirect hops are followed at most this far, backwards (which URLs lead to a page) and
 * forwards (where a URL ends up). Browsers give up after 20; a link at the end of a longer chain
 * than this is not credited, as search engines stop following after a few hops too.
 */
export const MAX_REDIRECT_HOPS = 5;

/** Statuses a server redirects with (304 Not Modified and 300 Multiple Choices do not move). */
export const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

export type Hop = Pick<RedirectRecord, 'from' | 'to' | 'status'>;

export type HopSkip = SkipReason | 'not-redirect' | 'same-url';

export type HopDecision = { record: true; hop: Hop } | { record: false; reason: HopSkip };

/**
 * What may be stored of a redirect the browser followed: both ends canonical, through the same
 * privacy gate as a page (paused, excluded site at either end, incognito). Ends that are the same
 * page once canonical (a tracking parameter stripped by the server) make no hop.
 */
export function redirectHop(
  observed: { from: string; to: string; status: number },
  settings: Settings,
  context: { incognito: boolean },
): HopDecision {
  if (!REDIRECT_STATUSES.includes(observed.status))
    return { record: false, reason: 'not-redirect' };
  for (const end of [observed.from, observed.to]) {
    const decision = shouldRecord(end, settings, context);
    if (!decision.record) return decision;
  }
  const from = canonicalizeUrl(observed.from);
  const to = canonicalizeUrl(observed.to);
  if (!from || !to) return { record: false, reason: 'not-http' };
  if (from === to) return { record: false, reason: 'same-url' };
  return { record: true, hop: { from, to, status: observed.status } };
}

/**
 * The hop each URL answers with now: of several seen from one URL (the server changed where it
 * points), the one seen last. Only that one credits its target.
 */
export function currentHops(hops: readonly RedirectRecord[]): Map<string, RedirectRecord> {
  const current = new Map<string, RedirectRecord>();
  for (const hop of hops) {
    const known = current.get(hop.from);
    if (!known || hop.lastSeen > known.lastSeen) current.set(hop.from, hop);
  }
  return current;
}

/** How a link's target reaches the page: by its first hop, and in how many. */
export interface ViaRedirect {
  /** Status of the first hop, the one the link's own target answered with. */
  status: number;
  /** Where that first hop pointed: the page itself for a single hop. */
  next: string;
  hops: number;
}

/**
 * Every URL that leads to one of `targets` through at most maxHops current redirects, nearest
 * first, with how. The targets are left out (a loop back through them adds nothing), and a URL
 * is reached once however the chains branch.
 */
export function redirectsInto(
  targets: readonly string[],
  hops: readonly RedirectRecord[],
  maxHops = MAX_REDIRECT_HOPS,
): Map<string, ViaRedirect> {
  const into = new Map<string, RedirectRecord[]>();
  for (const hop of currentHops(hops).values()) {
    into.set(hop.to, [...(into.get(hop.to) ?? []), hop]);
  }
  const seen = new Set(targets);
  const found = new Map<string, ViaRedirect>();
  let frontier = [...seen];
  for (let depth = 1; depth <= maxHops && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const url of frontier) {
      for (const hop of into.get(url) ?? []) {
        if (seen.has(hop.from)) continue;
        seen.add(hop.from);
        found.set(hop.from, { status: hop.status, next: hop.to, hops: depth });
        next.push(hop.from);
      }
    }
    frontier = next;
  }
  return found;
}

/** Where a URL is sent, hop by hop. */
export interface RedirectChain {
  /** The URLs after the start, each with the status of the hop that led to it. */
  steps: Array<{ url: string; status: number }>;
  /** The last step is a URL already in the chain (the start included): browsers give up. */
  loop: boolean;
  /** The walk stopped at maxHops while the chain went on. */
  bounded: boolean;
}

/** The chain of current redirects from `start`, null when it does not redirect. */
export function redirectChainFrom(
  start: string,
  hops: readonly RedirectRecord[],
  maxHops = MAX_REDIRECT_HOPS,
): RedirectChain | null {
  const current = currentHops(hops);
  const visited = new Set([start]);
  const steps: RedirectChain['steps'] = [];
  let hop = current.get(start);
  while (hop) {
    if (steps.length === maxHops) return { steps, loop: false, bounded: true };
    steps.push({ url: hop.to, status: hop.status });
    if (visited.has(hop.to)) return { steps, loop: true, bounded: false };
    visited.add(hop.to);
    hop = current.get(hop.to);
  }
  return steps.length > 0 ? { steps, loop: false, bounded: false } : null;
}
