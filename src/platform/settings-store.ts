import browser from 'webextension-polyfill';
import { coerceSettings } from '../core/settings';
import type { Settings } from '../core/types';

const KEY = 'settings';

/** Settings live in storage.local (small, shared by worker and pages, survives restarts). */
export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(KEY);
  return coerceSettings(stored[KEY]);
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
