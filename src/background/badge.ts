import browser, { type Runtime } from 'webextension-polyfill';
import type { Message } from '../core/messages';
import { asStringArray } from '../core/guards';
import { MAX_URL_LENGTH } from '../core/limits';
import { fromExtensionPage } from './remote-index';
import { countLiveBacklinks } from '../storage/queries';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { HOT_TARGET_LINKS } from '../core/target-stats';
import { canonicalizeUrl } from '../core/url';
import { shouldRecord } from '../core/settings';
import { ensureTargetStats } from '../storage/target-stats';
import { buildSiteStatsQuietly } from './site-stats';
import { noteHotTargets } from './hot-targets';
import { dropFirstViewsOf } from './first-view';
import { noteHotPage } from './risk-job';

export function badgeText(count: number): string {
  if (count <= 0) return '';
  if (count < 1000) return String(count);
  return count < 100_000 ? `${Math.floor(count / 1000)}k` : '99k+';
}

/**
 * Show the live backlink count of a tab's page on its toolbar icon. A hot page's aggregate and
 * risk line are built here, in the background, before its popup is opened.
 */
export async function refreshTabBadge(
  tabId: number,
  url: string | undefined,
  incognito: boolean,
): Promise<void> {
  // The connection and the settings asked together: each may be a round trip of its own.
  const [db, settings] = url ? await Promise.all([getDb(), loadSettings()]) : [];
  const count = url && db && settings ? await countLiveBacklinks(db, url, settings.folds) : 0;
  const target = url && count >= HOT_TARGET_LINKS ? canonicalizeUrl(url) : null;
  if (target) void buildQuietly([target]);
  // Its risk line as the gate allows its recording: a paused, excluded or private tab's page
  // gets no background build (its popup still computes the line, and may ask for it).
  if (target && settings && shouldRecord(target, settings, { incognito }).record) {
    void noteHotPage(target, settings.folds).catch((error: unknown) =>
      console.error('Backlink Lens could not queue a risk line:', error),
    );
  }
  if (url) void buildSiteStatsQuietly(url); // its site line's aggregate (site-stats.ts)
  try {
    await browser.action.setBadgeText({ tabId, text: badgeText(count) });
  } catch {
    // The tab closed while we counted.
  }
}

/**
 * Build aggregates of pages; a failure only leaves their next popup reading every link.
 * Resolves to how many were built (0 on failure).
 */
async function buildQuietly(targets: readonly string[]): Promise<number> {
  let built: string[];
  try {
    built = await ensureTargetStats(await getDb(), targets);
  } catch (error) {
    console.error('Backlink Lens could not build the aggregate of a page:', error);
    return 0;
  }
  noteHotTargets(targets, built.length); // their next screen knows they are hot
  // A tab's first view read before the aggregate was there ranks groups of equal counts by
  // name; the popup's own read now ranks them by the scores the aggregate keeps.
  if (built.length > 0) {
    await dropFirstViewsOf(built).catch((error: unknown) =>
      console.error('Backlink Lens could not drop the first view of a page:', error),
    );
  }
  return built.length;
}

/** Targets a popup asks aggregates for at most at once (a page and its aliases, redirects). */
const MAX_BUILD_TARGETS = 50;

/** 'stats/build' from the popup: canonical URLs only, from the extension's own pages. */
export async function onBuildStats(
  message: Message<'stats/build'>,
  sender: Runtime.MessageSender,
): Promise<{ built: number }> {
  if (!fromExtensionPage(sender)) return { built: 0 };
  const targets = asStringArray(message.targets, MAX_BUILD_TARGETS, MAX_URL_LENGTH).filter(
    (t) => canonicalizeUrl(t) === t,
  );
  // The site line's aggregate too, for a screen that had to read the site's links.
  if (targets[0]) void buildSiteStatsQuietly(targets[0]);
  return { built: targets.length > 0 ? await buildQuietly(targets) : 0 };
}

export async function refreshAllBadges(): Promise<void> {
  const tabs = await browser.tabs.query({});
  await Promise.all(
    tabs.map((t) => (t.id === undefined ? null : refreshTabBadge(t.id, t.url, t.incognito))),
  );
}

let pending: ReturnType<typeof setTimeout> | null = null;

/** Coalesce bursts (several tabs loading at once) into one pass over the tabs. */
export function scheduleBadgeRefresh(delayMs = 150): void {
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = null;
    void refreshAllBadges();
  }, delayMs);
}
