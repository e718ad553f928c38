import { signal } from '@preact/signals';
import type { StorageAlert } from '../core/retention';
import { loadStorageAlert } from '../platform/settings-store';

/** What the worker last had to do about a full disk (popup line, options panel), if anything. */
export const storageAlert = signal<StorageAlert | null>(null);

export async function loadAlert(): Promise<void> {
  storageAlert.value = await loadStorageAlert();
}
