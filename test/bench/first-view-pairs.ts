/**
 * The popup with and without the worker's first view of its tab (background/first-view.ts), of
 * the SAME build, in the same browser and store, timed in pairs whose order alternates turn by
 * turn (with first, then without first, …): the rows of a table run in a fixed order, so a row
 * "with" after a row "without" mixes what the entry changes with where the row stands (s15:
 * 260 ms with against 382 without, and a build with no entry at all 251 ms in the first row's
 * place). boot-hot.ts and storage-scale.ts time their pairs here.
 *
 * Without: the same popup for the same tab (?tab=) with the tab's entry taken out of
 * storage.session just before it opens and put back once it has shown its rows; the popup then
 * asks storage.session as it always does, finds nothing and reads IndexedDB. Each opening is
 * checked: "with" must have shown the entry (its `bl:first-view` mark), "without" must not.
 */
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from '../support/browser';
import { POPUP } from '../support/extension-pages';
import { formatMs, info, median, printColumns, reasonOf } from './measure';
import { timeToReport, type PagePhases } from './popup';

/** A tab showing a page, whose popup (?tab=) the worker prepared a first view for. */
export interface EntryTab {
  page: Page;
  id: number;
}

/**
 * Entries older than this are made again before an opening with one: the popup ignores an entry
 * older than 15 minutes (core/first-view.ts, FIRST_VIEW_MAX_AGE_MS), and a 1M run is longer.
 */
const FRESH_MS = 8 * 60_000;
/** How long the worker is given to prepare an entry (a loaded 2-core machine, 1M links). */
const PREPARE_WAIT_MS = 90_000;

const keyOf = (tab: EntryTab) => `firstView:${tab.id}`;

/** The entry's age in ms, or null when the tab has none. */
function entryAge(ext: ExtensionBrowser, tab: EntryTab): Promise<number | null> {
  return ext.worker.evaluate(async (key) => {
    const stored: unknown = (await chrome.storage.session.get(key))[key];
    // One JSON string (core/first-view.ts#encodeFirstView); an object from a build before it.
    const entry = (typeof stored === 'string' ? JSON.parse(stored) : stored) as
      { builtAt?: number } | undefined;
    return entry ? Date.now() - (entry.builtAt ?? 0) : null;
  }, keyOf(tab));
}

/**
 * Untimed: the tab has an entry young enough to be shown. One missing or old is made again:
 * the tab made active (a popup opened as a tab took its place) and, for an old one, reloaded
 * (the worker prepares a tab's entry when it is activated or has loaded).
 */
export async function freshEntry(ext: ExtensionBrowser, tab: EntryTab): Promise<void> {
  const age = await entryAge(ext, tab);
  if (age !== null && age < FRESH_MS) return;
  await tab.page.bringToFront();
  if (age !== null) {
    await ext.worker.evaluate((key) => chrome.storage.session.remove(key), keyOf(tab));
    await tab.page.reload({ waitUntil: 'load' });
  }
  for (let waited = 0; waited < PREPARE_WAIT_MS; waited += 250) {
    const now = await entryAge(ext, tab);
    if (now !== null && now < FRESH_MS) return;
    if (waited % 5_000 === 1_000) await tab.page.bringToFront();
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the worker prepared no first view of tab ${tab.id} in ${PREPARE_WAIT_MS} ms`);
}

/** Where the popup stood at its boot marks (platform/early-boot.ts, ui/*), ms; NaN if unset. */
export interface EntryMarks {
  /** The early script began (it asks storage.session at once for a ?tab= popup). */
  early: number;
  /** The early script's session.get of the entry answered. */
  earlyFirstView: number;
  earlyDb: number;
  /** The popup's entry module began to run (ui/boot.ts): its modules were loaded. */
  entry: number;
  /** The entry set as the popup's state (ui/first-view.ts). */
  firstView: number;
  /** The popup's own first read ended (ui/state.ts). */
  headRead: number;
}

/** Plain JavaScript text: tsx would wrap a named helper in a call the page does not have. */
const MARKS = `(() => {
  const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
  return {
    early: at('bl:early'),
    earlyFirstView: at('bl:early-first-view'),
    earlyDb: at('bl:early-db'),
    entry: at('bl:entry'),
    firstView: at('bl:first-view'),
    headRead: at('bl:head-read') >= 0 ? at('bl:head-read') : at('bl:head-none'),
  };
})()`;

export interface EntrySample {
  ms: number;
  /** The first viewport's rows in the DOM (popup.ts#timeToReport), before `ms`'s condition. */
  firstRows: number;
  phases: PagePhases;
  marks: EntryMarks;
}

export interface EntryPair {
  with: EntrySample;
  without: EntrySample;
}

async function open(
  ext: ExtensionBrowser,
  tab: EntryTab,
  url: string,
  done: string,
  timeout: number,
): Promise<EntrySample> {
  const timing = await timeToReport(ext, POPUP, url, done, {
    timeout,
    tab: tab.id,
    then: (page) => page.evaluate(MARKS) as Promise<EntryMarks>,
  });
  return {
    ms: timing.ms,
    firstRows: timing.firstRows,
    phases: timing.phases,
    marks: timing.after,
  };
}

/**
 * Untimed, before every opening with or without the entry alike: the previous popup's tab
 * closed, the browser activates another and the worker may prepare that tab's entry (a read of
 * the store); an opening right after it would share the machine with that read. Taking the entry
 * out waits this long for it to stay out, so the opening with it waits as long.
 */
const SETTLE_MS = 1_000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function withEntry(
  ext: ExtensionBrowser,
  tab: EntryTab,
  url: string,
  done: string,
  timeout: number,
) {
  await freshEntry(ext, tab);
  await settle();
  const sample = await open(ext, tab, url, done, timeout);
  if (!Number.isFinite(sample.marks.firstView)) {
    throw new Error(`the popup for tab ${tab.id} did not show its entry (no bl:first-view mark)`);
  }
  return sample;
}

async function withoutEntry(
  ext: ExtensionBrowser,
  tab: EntryTab,
  url: string,
  done: string,
  timeout: number,
) {
  await freshEntry(ext, tab);
  const key = keyOf(tab);
  const take = () =>
    ext.worker.evaluate(async (k) => {
      const entry: unknown = (await chrome.storage.session.get(k))[k];
      await chrome.storage.session.remove(k);
      return entry;
    }, key);
  let kept: unknown = await take();
  // A tab just opened or reloaded may have its entry prepared again (its recording drops and
  // schedules it): taken out until it stays out for a second.
  for (let tries = 0; tries < 10; tries++) {
    await settle();
    const again: unknown = await take();
    if (again === undefined) break;
    kept = again;
  }
  try {
    const sample = await open(ext, tab, url, done, timeout);
    if (Number.isFinite(sample.marks.firstView)) {
      throw new Error(`the popup for tab ${tab.id} showed an entry that was taken out`);
    }
    return sample;
  } finally {
    // Back as it was, unless the worker stored a newer one meanwhile.
    await ext.worker.evaluate(
      async ([k, entry]) => {
        if ((await chrome.storage.session.get(k))[k] === undefined) {
          await chrome.storage.session.set({ [k]: entry });
        }
      },
      [key, kept] as const,
    );
  }
}

/**
 * One turn: the popup for `tab` (showing `url`) with its entry and without it; `withFirst` says
 * which opens first (callers alternate it turn by turn).
 */
export async function entryPair(
  ext: ExtensionBrowser,
  tab: EntryTab,
  url: string,
  done: string,
  withFirst: boolean,
  timeout: number,
): Promise<EntryPair> {
  if (withFirst) {
    const a = await withEntry(ext, tab, url, done, timeout);
    return { with: a, without: await withoutEntry(ext, tab, url, done, timeout) };
  }
  const b = await withoutEntry(ext, tab, url, done, timeout);
  return { with: await withEntry(ext, tab, url, done, timeout), without: b };
}

/** The median of the pairs' with/without ratios: each pair shares its moment's load. */
export const pairRatio = (pairs: readonly EntryPair[]): number =>
  median(pairs.map((p) => p.with.ms / p.without.ms));

/**
 * Where a popup with its entry spent its time, medians in ms from navigation start: the HTML
 * parsed, the entry's session.get answered (early script), the modules ran, the entry became
 * the state, the rows were in the DOM; then the popup's own read's end (after the rows).
 */
export function entryBreakdown(samples: readonly EntrySample[]): string {
  return breakdown(samples, [
    ['commit', (s) => s.phases.commit],
    ['parsed', (s) => s.phases.parsed],
    ['entry got', (s) => s.marks.earlyFirstView],
    ['its get took', (s) => s.marks.earlyFirstView - s.marks.early],
    ['modules in', (s) => s.marks.entry],
    ['ran', (s) => s.phases.scripts],
    ['entry shown', (s) => s.marks.firstView],
    ['first viewport', (s) => s.firstRows],
    ['rows', (s) => s.ms],
    ['own read', (s) => s.marks.headRead],
  ]);
}

/** The same for a popup without its entry (its own read is what shows its rows). */
export function ownReadBreakdown(samples: readonly EntrySample[]): string {
  return breakdown(samples, [
    ['commit', (s) => s.phases.commit],
    ['parsed', (s) => s.phases.parsed],
    ['session.get', (s) => s.marks.earlyFirstView],
    ['db open', (s) => s.marks.earlyDb],
    ['modules in', (s) => s.marks.entry],
    ['ran', (s) => s.phases.scripts],
    ['own read', (s) => s.marks.headRead],
    ['first viewport', (s) => s.firstRows],
    ['rows', (s) => s.ms],
  ]);
}

/** "name median, …" over the samples. */
const breakdown = (
  samples: readonly EntrySample[],
  points: ReadonlyArray<[string, (s: EntrySample) => number]>,
) => points.map(([name, of]) => `${name} ${median(samples.map(of)).toFixed(0)}`).join(', ');

/**
 * A blank tab opened after the entry tabs, left open: the browser activates the tab beside a
 * closed popup's tab, and when that is an entry tab the worker prepares its entry again, which
 * can land after the entry was taken out (s16: under load 50, more than a second later) and
 * while the next popup opens. Next to this one, it activates a tab that has no entry.
 */
export async function openParkingTab(ext: ExtensionBrowser): Promise<void> {
  const page = await ext.context.newPage();
  await page.goto('about:blank');
}

/** A page whose popup is timed with and without its tab's entry. */
export interface EntryPage {
  name: string;
  tab: EntryTab;
  url: string;
  done: string;
}

export interface EntryPairs {
  page: EntryPage;
  pairs: EntryPair[];
  /** Why the page's pairs stopped, when they did (opened twice in a turn and failed twice). */
  failed?: string;
  /** The tab's entry as stored after the pairs: UTF-8 bytes of its JSON, and groups held. */
  entry?: { bytes: number; groups: number; links: number };
}

/** The size of the tab's entry now (what the popup's session.get carries); null without one. */
function entrySize(ext: ExtensionBrowser, tab: EntryTab): Promise<EntryPairs['entry'] | null> {
  return ext.worker.evaluate(async (key) => {
    const stored: unknown = (await chrome.storage.session.get(key))[key];
    if (stored === undefined) return null;
    // One JSON string (core/first-view.ts#encodeFirstView); an object from a build before it.
    const json = typeof stored === 'string' ? stored : JSON.stringify(stored);
    const entry = JSON.parse(json) as {
      state?: { summary?: { groups?: Array<{ links: unknown[] }> } };
    };
    const groups = entry.state?.summary?.groups ?? [];
    return {
      bytes: new TextEncoder().encode(json).length,
      groups: groups.length,
      links: groups.reduce((n, g) => n + g.links.length, 0),
    };
  }, keyOf(tab));
}

/**
 * `pairs` turns (after `warmup` untimed ones) over every page: in each turn, each page's pair,
 * with its entry first in even turns and without it first in odd ones. A pair that fails is
 * taken once more; failing again, its page is left out of the turns that follow, said why.
 */
export async function runEntryPairs(
  ext: ExtensionBrowser,
  pages: readonly EntryPage[],
  { pairs, warmup, timeout }: { pairs: number; warmup: number; timeout: number },
): Promise<EntryPairs[]> {
  const out: EntryPairs[] = pages.map((page) => ({ page, pairs: [] }));
  await openParkingTab(ext);
  for (let turn = -warmup; turn < pairs; turn++) {
    for (const row of out) {
      if (row.failed) continue;
      const { tab, url, done } = row.page;
      const once = () => entryPair(ext, tab, url, done, (turn + warmup) % 2 === 0, timeout);
      try {
        const pair = await once().catch(() => once());
        if (turn >= 0) row.pairs.push(pair);
      } catch (error) {
        row.failed = reasonOf(error, 300);
      }
    }
  }
  for (const row of out) {
    const size = await entrySize(ext, row.page.tab).catch(() => null);
    if (size) row.entry = size;
  }
  return out;
}

/** One line per page: both medians, their ratio, the pairs' median ratio and where time went. */
export function printEntryPairs(rows: readonly EntryPairs[]): void {
  printColumns(
    [
      'popup (same build)',
      'pairs',
      'with entry ms',
      'min–max',
      'without ms',
      'min–max',
      'with / without',
      'pair ratio (median)',
    ],
    rows.map(({ page, pairs }) => {
      const w = pairs.map((p) => p.with.ms);
      const o = pairs.map((p) => p.without.ms);
      const range = (xs: number[]) => `${formatMs(Math.min(...xs))}–${formatMs(Math.max(...xs))}`;
      return [
        page.name,
        String(pairs.length),
        formatMs(median(w)),
        range(w),
        formatMs(median(o)),
        range(o),
        `${(median(w) / median(o)).toFixed(2)}x`,
        `${pairRatio(pairs).toFixed(2)}x`,
      ];
    }),
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
  for (const { page, pairs, failed, entry } of rows) {
    if (failed) info(`${page.name}: failed: ${failed}`);
    if (entry) {
      info(
        `${page.name}: its entry ${(entry.bytes / 1024).toFixed(1)} kB ` +
          `(${entry.groups} groups, ${entry.links} links)`,
      );
    }
    if (pairs.length === 0) continue;
    info(`${page.name}, with entry (ms, medians): ${entryBreakdown(pairs.map((p) => p.with))}`);
    info(`${page.name}, without: ${ownReadBreakdown(pairs.map((p) => p.without))}`);
  }
}
