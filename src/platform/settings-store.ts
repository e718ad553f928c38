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
