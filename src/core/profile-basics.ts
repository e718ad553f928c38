/**
 * What of the backlink profile (core/profile.ts) the popup's and report's first paint need: the
 * page the links point to as the loaded report knows it (the flags and the scores compare
 * anchors with it), the day, and the "recent" window (the table's "new" filter, the risk line's
 * windows). Apart from core/profile so that the first paint need not load the profile's code
 * (issue 7): the profile itself is built after it (ui/state.ts#addProfile).
 */
import type { BacklinkSummary } from './summary';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** The "recent" window of the new and lost counts. */
export const RECENT_DAYS = 30;

/** What is known of the page the links point to. */
export interface ProfileTarget {
  url: string;
  /** Its registrable domain (eTLD+1, computed where the Public Suffix List is at hand). */
  domain: string;
  title: string;
}

/**
 * The target as far as the loaded report knows it: the stored page's domain and title, else the
 * domain the worker stored on a link straight to the page, else the host.
 */
export function profileTargetOf(
  url: string,
  page: { domain: string; title: string } | null,
  summary: BacklinkSummary,
): ProfileTarget {
  const direct = summary.groups.flatMap((g) => g.links).find((l) => l.via === null);
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // Not a URL: the report says so elsewhere; no brand to match.
  }
  return { url, domain: page?.domain ?? direct?.targetDomain ?? host, title: page?.title ?? '' };
}
