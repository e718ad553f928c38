import { engineSources } from './engines';
import { localSource } from './local';
import { providerSources } from './provider-source';
import { remoteIndexSource } from './remote-index';
import type { BacklinkSource } from './types';

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

/** The sources merged in after the local list is shown. */
export const remoteSources = (): BacklinkSource[] => SOURCES.filter((s) => !s.local);
