import browser from 'webextension-polyfill';
import { coerceSettings, withMarkedPages, type MarkedMerge } from '../core/settings';
import type { Settings } from '../core/types';
import { parseStorageAlert, type StorageAlert } from '../core/retention';
import { takeEarly } from './early-start';

const KEY = 'settings';

/** Settings live in storage.local (small, shared by worker and pages, survives restarts). */
export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(KEY);
  return coerceSettings(stored[KEY]);
}

/**
 * The settings as the page's early script read them (platform/early-boot.ts), or read now where
 * it did not: for a screen's first load only, as a later read must see later changes.
 */
export function loadSettingsEarly(): Promise<Settings> {
  const early = takeEarly('settings');
  return early ? early.then(coerceSettings) : loadSettings();
}

export async function saveSettings(settings: Settings): Promise<Settings> {
  const clean = coerceSettings(settings);
  await browser.storage.local.set({ [KEY]: clean });
  return clean;
}

/**
 * Change settings from their stored value, not from a copy a page loaded earlier: the popup
 * folds variants while the options page may be open with older settings.
 */
export async function updateSettings(change: (current: Settings) => Settings): Promise<Settings> {
  return saveSettings(change(await loadSettings()));
}

/**
 * Add an import's marked related pages to the stored ones (core/settings#withMarkedPages); the
 * rest of the settings (pause, exclusions) is left as it is.
 */
export async function markRelatedPages(pages: readonly string[]): Promise<MarkedMerge> {
  let merge: MarkedMerge = { pages: [], added: 0, leftOut: 0 };
  await updateSettings((current) => {
    merge = withMarkedPages(current.relatedPages, pages);
    return { ...current, relatedPages: merge.pages };
  });
  return merge;
}

const ALERT_KEY = 'storage-alert';
const PRUNED_KEY = 'retention-pruned-at';

/** What the worker last had to do about a full disk (core/retention#StorageAlert), if anything. */
export async function loadStorageAlert(): Promise<StorageAlert | null> {
  const stored = await browser.storage.local.get(ALERT_KEY);
  return parseStorageAlert(stored[ALERT_KEY]);
}

export async function saveStorageAlert(alert: StorageAlert | null): Promise<void> {
  if (alert) await browser.storage.local.set({ [ALERT_KEY]: alert });
  else await browser.storage.local.remove(ALERT_KEY);
}

/** When the retention rule last ran (0: never), kept across worker restarts. */
export async function loadPrunedAt(): Promise<number> {
  const stored = await browser.storage.local.get(PRUNED_KEY);
  const at = stored[PRUNED_KEY];
  return typeof at === 'number' && Number.isFinite(at) ? at : 0;
}

export async function savePrunedAt(at: number): Promise<void> {
  await browser.storage.local.set({ [PRUNED_KEY]: at });
}
