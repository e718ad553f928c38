import browser from 'webextension-polyfill';
import { countLiveBacklinks } from '../storage/queries';
import { getDb } from '../platform/db-connection';
import { loadSettings } from '../platform/settings-store';
import { HOT_TARGET_LINKS } from '../core/target-stats';
import { canonicalizeUrl } from '../core/url';
import { ensureTargetStats } from '../storage/target-stats';

export function badgeText(count: number): string {
  if (count <= 0) return '';
  if (count < 1000) return String(count);
  return count < 100_000 ? `${Math.floor(count / 1000)}k` : '99k+';
}

/** Show the live backlink count of a tab's page on its toolbar icon. */
export async function refreshTabBadge(tabId: number, url: string | undefined): Promise<void> {
  const count = url
    ? await countLiveBacklinks(await getDb(), url, (await loadSettings()).folds)
    : 0;
  // A hot page's aggregate is built here, in the background, before its popup is opened.
  const target = url && count >= HOT_TARGET_LINKS ? canonicalizeUrl(url) : null;
  if (target) void buildQuietly(target);
  try {
    await browser.action.setBadgeText({ tabId, text: badgeText(count) });
  } catch {
    // The tab closed while we counted.
  }
}

/** Build a page's aggregate; a failure only leaves its next popup reading every link. */
async function buildQuietly(target: string): Promise<void> {
  try {
    await ensureTargetStats(await getDb(), [target]);
  } catch (error) {
    console.error('Backlink Lens could not build the aggregate of a page:', error);
  }
}

export async function refreshAllBadges(): Promise<void> {
  const tabs = await browser.tabs.query({});
  await Promise.all(tabs.map((t) => (t.id === undefined ? null : refreshTabBadge(t.id, t.url))));
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
