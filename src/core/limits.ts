/**
 * The bounds every value is held to on the way in: from a page (extraction, then the snapshot
 * message the worker re-checks), from a file (import) and from storage (settings). Defined
 * once here, so the content script, the worker and the import agree.
 *
 * A URL over the limit is refused, never cut: a cut URL is another, made-up address. Text
 * (titles, anchors) is cut: a shortened title still says what the page is.
 */

/** Longest URL kept, in characters (Chromium shows 2 MB, but no real link needs more than this). */
export const MAX_URL_LENGTH = 8192;

/** Page titles, anchors and language tags are cut to these lengths. */
export const MAX_TITLE_LENGTH = 300;
export const MAX_ANCHOR_LENGTH = 200;
export const MAX_LANG_LENGTH = 35;

/** Link elements read from one page at most (extraction's default). */
export const MAX_PAGE_LINKS = 5000;

/** rel tokens kept per link, and the length of one. */
export const MAX_REL_TOKENS = 8;
export const MAX_REL_TOKEN_LENGTH = 40;

/** No record of this extension predates 1990-01-01 (the web itself barely does). */
export const MIN_TIME = Date.UTC(1990, 0, 1);
/** A clock may run a little ahead; a time more than a day in the future is not a real one. */
export const MAX_CLOCK_SKEW = 24 * 60 * 60 * 1000;

/** Whether `time` is a moment this extension could have seen, judged at `now`. */
export function isPlausibleTime(time: number, now: number = Date.now()): boolean {
  return Number.isFinite(time) && time >= MIN_TIME && time <= now + MAX_CLOCK_SKEW;
}
