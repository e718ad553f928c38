/**
 * The popup's first view of a page, prepared by the worker (background/first-view.ts) before
 * the popup is opened and kept in storage.session (memory only), so the popup's first rows need
 * not wait for IndexedDB to open (issues 6 and 7). Pure rules here: what an entry holds, when
 * the popup may show it, and which writes make it stale.
 */
import type { PageRecord, SiteFolds } from './types';
import type { BacklinkSummary } from './summary';
import type { RedirectChain } from './redirects';
import { siteKey, type FoldGroup, type VariantCount } from './variants';

/** storage.session key of a tab's entry: one per tab, replaced on navigation. */
export const firstViewKey = (tabId: number): string => `firstView:${tabId}`;

/** An entry at most this large (UTF-8 bytes of its JSON) is stored; a larger one is skipped. */
export const FIRST_VIEW_MAX_BYTES = 256 * 1024;

/**
 * An entry older than this is not shown: writes drop the entries they touch before they are
 * acknowledged, so this only bounds what a worker stopped between a write and its drop left.
 */
export const FIRST_VIEW_MAX_AGE_MS = 15 * 60_000;

/**
 * Format of the entry: an entry of another version is ignored. 2: all the popup's groups, stored
 * as one JSON string (encodeFirstView).
 */
export const FIRST_VIEW_VERSION = 2;

/** What the popup's first render shows of the page (ui/state#ReportState's head form). */
export interface FirstViewState {
  url: string;
  /** The page's record without its terms, signals and visit ids (not shown, and large). */
  page: PageRecord | null;
  /** Exact counts; `groups` holds the groups shown first only, each cut to its first rows. */
  summary: BacklinkSummary;
  redirect: RedirectChain | null;
  variants: VariantCount[];
  folded: FoldGroup[];
  /** Referring domains in all, and those with a live link. */
  head: { groups: number; liveGroups: number };
}

export interface FirstViewEntry {
  v: number;
  /** The canonical URL the entry is of. */
  url: string;
  /** The page's site's folds it was read with (foldsKeyOf). */
  folds: string;
  /** Every URL whose links count for the page: a write touching one makes it stale. */
  targets: string[];
  builtAt: number;
  state: FirstViewState;
}

/** The folds that change what counts for `url` (its site's), as a comparable string. */
export function foldsKeyOf(url: string, folds: Readonly<Record<string, SiteFolds>>): string {
  return JSON.stringify(folds[siteKey(url)] ?? null);
}

/** Why an entry is not shown, or null when it may be. */
export type FirstViewMismatch = 'missing' | 'version' | 'url' | 'folds' | 'age';

/**
 * Whether `entry` (as read from storage.session: untrusted shape) may be shown for the
 * canonical `url` with the user's `folds` now: same page, same folds, fresh enough.
 */
export function checkFirstView(
  entry: unknown,
  url: string,
  folds: Readonly<Record<string, SiteFolds>>,
  now: number,
): FirstViewMismatch | null {
  if (typeof entry !== 'object' || entry === null) return 'missing';
  const e = entry as Partial<FirstViewEntry>;
  if (e.v !== FIRST_VIEW_VERSION || typeof e.state !== 'object' || e.state === null) {
    return 'version';
  }
  if (e.url !== url || e.state.url !== url) return 'url';
  if (e.folds !== foldsKeyOf(url, folds)) return 'folds';
  const age = now - (e.builtAt ?? Number.NaN);
  if (!(age >= 0 && age <= FIRST_VIEW_MAX_AGE_MS)) return 'age';
  return null;
}

/**
 * The entry as stored in storage.session: one JSON string, not the object. A get's cost is in
 * converting a deep object between processes, not its bytes: the 30-group entry (99 kB) took
 * 111 ms as an object and 16 ms as a string with its parse, against 9 ms for a 4-group object
 * (real Chromium, 25 alternated turns, load 4-13; test/bench/first-view-encoding.ts).
 */
export const encodeFirstView = (entry: FirstViewEntry): string => JSON.stringify(entry);

/**
 * What storage.session held under a tab's key, decoded for checkFirstView: a string is parsed
 * (undefined when it is not JSON); anything else (an entry of version 1, nothing) as it is.
 */
export function decodeFirstView(stored: unknown): unknown {
  if (typeof stored !== 'string') return stored;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return undefined;
  }
}

/** The entry's size as stored (UTF-8 bytes of its JSON). */
export const firstViewBytes = (entry: FirstViewEntry): number =>
  new TextEncoder().encode(encodeFirstView(entry)).length;

/** Whether the entry is small enough to be stored. */
export const fitsFirstView = (entry: FirstViewEntry): boolean =>
  firstViewBytes(entry) <= FIRST_VIEW_MAX_BYTES;

/** The page's record as an entry keeps it: what the header shows, not its terms. */
export function pageForFirstView(page: PageRecord | null): PageRecord | null {
  if (!page) return null;
  const { terms: _terms, signals: _signals, visitIds: _visitIds, ...shown } = page;
  return shown;
}

/**
 * A whole summary cut as storage/head.ts cuts a hot page's: the first `domains` groups and the
 * first `domains` with a live link (shown when lost links are hidden), each its first
 * `perDomain` links with its size; and the counts of all groups.
 */
export function cutSummary(
  summary: BacklinkSummary,
  rows: { domains: number; perDomain: number },
): { summary: BacklinkSummary; head: FirstViewState['head'] } {
  return {
    summary: cutGroups(summary, rows),
    head: {
      groups: summary.groups.length,
      liveGroups: summary.groups.filter((g) => g.live > 0).length,
    },
  };
}

/**
 * The summary with its groups cut to `rows`: the first `rows.domains` groups and the first
 * `rows.domains` with a live link, each its first `perDomain` links with its size. The counts
 * stay. A summary already cut (a head's) is cut again to fewer groups the same way.
 */
export function cutGroups(
  summary: BacklinkSummary,
  rows: { domains: number; perDomain: number },
): BacklinkSummary {
  const live = new Set(
    summary.groups
      .filter((g) => g.live > 0)
      .slice(0, rows.domains)
      .map((g) => g.domain),
  );
  const groups = summary.groups
    .filter((g, i) => i < rows.domains || live.has(g.domain))
    .map((g) => ({
      ...g,
      size: g.size ?? g.links.length,
      links: g.links.slice(0, rows.perDomain),
    }));
  return { ...summary, groups };
}

/** What a recorded write changed: the page written and the targets of its links. */
export interface WrittenLinks {
  source: string;
  /** Canonical targets of the links the write stored. */
  targets: readonly string[];
  /** Links the write marked lost (their targets are not known here). */
  lost: number;
}

/**
 * Whether a write may change what the entry shows: a link to one of its URLs added or changed,
 * the page itself (its header) or a linking page rewritten, or a link lost anywhere (its target
 * is not known without reading the page's old links).
 */
export function isTouchedBy(
  entry: Pick<FirstViewEntry, 'targets'>,
  written: WrittenLinks,
): boolean {
  if (written.lost > 0) return true;
  const targets = new Set(entry.targets);
  return targets.has(written.source) || written.targets.some((t) => targets.has(t));
}

/** The popup's first rows: its top referring domains, a few links of each (ui/popup/main.tsx). */
export const POPUP_ROWS = { domains: 30, perDomain: 5 } as const;

/**
 * Rows in the popup's first render: more than its 580 px hold under the page's heading (a row
 * is 60-80 px tall). The groups after them render in the next task (ui/popup/main.tsx).
 */
export const POPUP_FIRST_ROWS = 10;

/**
 * What an entry holds of the rows: all the popup shows, so the groups below the first viewport
 * render from it with those above, not after the popup's own read. s17 kept the
 * first viewport's only: the 30-group entry stored as an object answered its get after the
 * popup's modules had run (221-327 ms, load 30); as a string it costs little more than the
 * 4-group object did (encodeFirstView).
 */
export const FIRST_VIEW_ROWS = POPUP_ROWS;
