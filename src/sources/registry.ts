import { engineSources } from './engines';
import { localSource } from './local';
import { providerSources } from './provider-source';
import { remoteIndexSource } from './remote-index';
import { loadSourcesOn } from './sources-on';
import type { BacklinkSource, SourcesOn } from './types';

/**
 * Every source of backlinks, the local cache first: the popup shows it at once and merges the
 * others as they answer. A new source is one file in this folder and one line here.
 */
export const SOURCES: readonly BacklinkSource[] = [
  localSource,
  remoteIndexSource,
  ...engineSources,
  ...providerSources,
];

/** The sources merged in after the local list, those that are off left out (null: all). */
export function sourcesToAsk(on: SourcesOn | null): BacklinkSource[] {
  return SOURCES.filter((s) => !s.local && (!on || !s.isOn || s.isOn(on)));
}

/** The sources to ask now: what is on is read once, here. */
export async function remoteSources(): Promise<BacklinkSource[]> {
  return sourcesToAsk(await loadSourcesOn());
}
