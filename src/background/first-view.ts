import browser from 'webextension-polyfill';
import {
  cutGroups,
  cutSummary,
  decodeFirstView,
  encodeFirstView,
  firstViewKey,
  FIRST_VIEW_ROWS,
  fitsFirstView,
  foldsKeyOf,
  FIRST_VIEW_VERSION,
  isTouchedBy,
  pageForFirstView,
  POPUP_ROWS,
  type FirstViewEntry,
  type FirstViewState,
  type WrittenLinks,
} from '../core/first-view';
import { isExcludedUrl } from '../core/settings';
import { summarizeBacklinks } from '../core/summary';
import { canonicalizeUrl } from '../core/url';
import { loadFirstRead } from '../storage/head';
import type { BacklinkReport } from '../storage/queries';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';

/**
 * The popup's first view of each window's active tab, prepared here and kept in
 * storage.session (core/first-view.ts): the popup shows it before its own read, which waits for
 * IndexedDB to open. Memory only (cleared when the browser closes), readable by the extension's
 * pages and not by content scripts (storage.session's default access level, left as it is).
 * Never for an incognito tab or an excluded site.
 */

/** Coalesces a tab's events (activated, loaded, recorded) into one read. */
const PREPARE_DELAY_MS = 100;

/**
 * Entries kept at most: a tab that is no longer active keeps its entry (a popup opened for it
 * by ?tab=, a tab activated again), the oldest going first, so memory stays bounded.
 */
const MAX_ENTRIES = 8;

/** What is known of a stored entry without reading it. */
type Indexed = Pick<FirstViewEntry, 'targets' | 'builtAt'>;

/** The stored entries by tab: read from storage.session once per worker. */
let index: Promise<Map<number, Indexed>> | null = null;

const KEY_PREFIX = firstViewKey(0).slice(0, -1);

function entriesIndex(): Promise<Map<number, Indexed>> {
  index ??= browser.storage.session.get(null).then(
    (all) =>
      new Map(
        Object.entries(all)
          .filter(([key]) => key.startsWith(KEY_PREFIX))
          .map(([key, value]) => {
            const entry = (decodeFirstView(value) ?? {}) as Partial<FirstViewEntry>;
            const known = { targets: entry.targets ?? [], builtAt: entry.builtAt ?? 0 };
            return [Number(key.slice(KEY_PREFIX.length)), known];
          }),
      ),
    // Nothing known: an entry left by the worker before stays until its tab's next event.
    () => new Map(),
  );
  return index;
}

/**
 * Writes (or drops of every entry: null) acknowledged while a read was in flight: a read that
 * began before one of them may hold what it changed, and is not stored (read again instead).
 */
let inFlight = 0;
let writesSince: Array<WrittenLinks | null> = [];

const timers = new Map<number, ReturnType<typeof setTimeout>>();

/** Prepare the first view of `tab` soon, when it is its window's active tab. */
export function scheduleFirstView(tab: { id?: number; active?: boolean }): void {
  const tabId = tab.id;
  if (tabId === undefined || !tab.active) return;
  clearTimeout(timers.get(tabId));
  timers.set(
    tabId,
    setTimeout(() => {
      timers.delete(tabId);
      void prepareFirstView(tabId).catch((error: unknown) =>
        console.error('Backlink Lens could not prepare the first view of a tab:', error),
      );
    }, PREPARE_DELAY_MS),
  );
}

/** The first view of the page in tab `tabId`, stored; or its entry removed when none may be. */
async function prepareFirstView(tabId: number): Promise<void> {
  const tab = await browser.tabs.get(tabId).catch(() => null);
  const url = tab?.url ? canonicalizeUrl(tab.url) : null;
  // A tab no longer active keeps what it has: its entry was right when stored.
  if (tab && !tab.active) return;
  if (!tab || tab.incognito || !url) return removeFirstView(tabId);
  const [db, settings] = await Promise.all([getDb(), loadSettings()]);
  if (isExcludedUrl(url, settings.excludedSites)) return removeFirstView(tabId);
  const known = await entriesIndex();
  const seen = writesSince.length;
  inFlight++;
  let entry: FirstViewEntry | null = null;
  let stale = false;
  try {
    // The popup's own first read (storage/head.ts), with the popup's rows.
    const first = await loadFirstRead(db, url, settings.folds, POPUP_ROWS);
    const built: FirstViewEntry = {
      v: FIRST_VIEW_VERSION,
      url,
      folds: foldsKeyOf(url, settings.folds),
      targets: targetsOf(first.kind === 'head' ? first.head : first.report),
      builtAt: Date.now(),
      state: firstViewStateOf(first, url),
    };
    // From the check to the index, no await: a write acknowledged after it finds it indexed.
    stale = writesSince.slice(seen).some((w) => !w || isTouchedBy(built, w));
    if (stale) {
      // Read again, after the write: the write itself dropped what it touched.
      scheduleFirstView(tab);
    } else if (fitsFirstView(built)) {
      entry = built;
      known.set(tabId, { targets: built.targets, builtAt: built.builtAt });
    }
  } finally {
    if (--inFlight === 0) writesSince = [];
  }
  if (stale) return;
  if (!entry) return removeFirstView(tabId);
  await browser.storage.session.set({ [firstViewKey(tabId)]: encodeFirstView(entry) });
  const oldest = [...known].sort(([, a], [, b]) => b.builtAt - a.builtAt).slice(MAX_ENTRIES);
  if (oldest.length > 0)
    await dropFirstViews(
      oldest.map(([id]) => id),
      false,
    );
}

type FirstRead = Awaited<ReturnType<typeof loadFirstRead>>;

/** Every URL whose links count for the page (storage/queries.ts#findTargets). */
function targetsOf(read: Pick<BacklinkReport, 'url' | 'aliases' | 'via'> | null): string[] {
  return read ? [...new Set([read.url, ...read.aliases, ...Object.keys(read.via)])] : [];
}

/**
 * What the popup renders first, as ui/head-state.ts#loadFirstState builds it from the same
 * read, its groups cut to the popup's (FIRST_VIEW_ROWS).
 */
export function firstViewStateOf(first: FirstRead, url: string): FirstViewState {
  if (first.kind === 'head') {
    const { head } = first;
    return {
      url: head.url,
      page: pageForFirstView(head.page),
      summary: cutGroups(head.summary, FIRST_VIEW_ROWS),
      redirect: head.redirect,
      variants: head.variants,
      folded: head.folded,
      head: { groups: head.groups, liveGroups: head.liveGroups },
    };
  }
  const report = first.report;
  if (!report) {
    // Not a web page: canonicalizeUrl said it is, so this is not reached; an empty view then.
    throw new Error(`no first view of ${url}`);
  }
  const whole = summarizeBacklinks(
    report.links,
    report.sources,
    { via: report.via, domain: report.page?.domain ?? null },
    report.domainAuthority,
  );
  return {
    url: report.url,
    page: pageForFirstView(report.page),
    redirect: report.redirect,
    variants: report.variants,
    folded: report.folded,
    ...cutSummary(whole, FIRST_VIEW_ROWS),
  };
}

/** Forget the entry of a tab (closed, navigating, or not to be kept). */
export async function removeFirstView(tabId: number): Promise<void> {
  clearTimeout(timers.get(tabId));
  (await entriesIndex()).delete(tabId);
  await browser.storage.session.remove(firstViewKey(tabId));
}

/**
 * After a write is stored and before it is acknowledged: the entries it may make stale are
 * removed (then prepared again), so a popup opened after it never shows the counts before it.
 */
export async function dropTouchedFirstViews(
  source: string,
  links: ReadonlyArray<{ href: string }>,
  lost: number,
): Promise<void> {
  // Canonical as storage/records.ts stores them; only when some entry may be touched.
  const writtenLinks = (): WrittenLinks => ({
    source,
    targets: links.map((l) => canonicalizeUrl(l.href)).filter((t): t is string => !!t),
    lost,
  });
  // Before any await: a read in flight now must not store what this write changed.
  let written = inFlight > 0 ? writtenLinks() : null;
  if (written) writesSince.push(written);
  const known = await entriesIndex();
  if (known.size === 0) return;
  written ??= writtenLinks();
  const touched = [...known]
    .filter(([, entry]) => isTouchedBy(entry, written))
    .map(([tabId]) => tabId);
  await dropFirstViews(touched);
}

/**
 * After the aggregates of `targets` took new scores (background/authority-job.ts): their groups
 * of equal counts may come in another order, so the entries that show them go as after a write
 * of links to them (no linking page rewritten: no source).
 */
export function dropFirstViewsOf(targets: readonly string[]): Promise<void> {
  return dropTouchedFirstViews(
    '',
    targets.map((href) => ({ href })),
    0,
  );
}

/**
 * Every entry removed and the active tabs' prepared again: settings changed (folds, excluded
 * sites) or links were cleared, imported or forgotten.
 */
export async function dropAllFirstViews(): Promise<void> {
  if (inFlight > 0) writesSince.push(null);
  await dropFirstViews([...(await entriesIndex()).keys()]);
  const active = await browser.tabs.query({ active: true }).catch(() => []);
  for (const tab of active) scheduleFirstView(tab);
}

/** Remove the entries of `tabIds`; `again`: prepare those of the tabs still active again. */
async function dropFirstViews(tabIds: readonly number[], again = true): Promise<void> {
  if (tabIds.length === 0) return;
  const known = await entriesIndex();
  for (const tabId of tabIds) known.delete(tabId);
  await browser.storage.session.remove(tabIds.map(firstViewKey));
  // Whether each is still active is asked when its read begins (prepareFirstView).
  if (again) for (const tabId of tabIds) scheduleFirstView({ id: tabId, active: true });
}
