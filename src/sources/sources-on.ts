import { getDb } from '../platform/db-connection';
import { loadActiveProviderIds } from '../platform/provider-store';
import { loadRemoteIndex } from '../platform/remote-index-store';
import { countEngineImports } from '../storage/engine-links';
import type { SourcesOn } from './types';

/**
 * What is on, read once before the other sources are asked: the providers with a key that
 * are on, the remote index's switch, and whether any engine export is imported. A failed read
 * turns nothing off: every source is then asked, and each answers for itself.
 */
export async function loadSourcesOn(): Promise<SourcesOn | null> {
  try {
    const [providers, index, engineImports] = await Promise.all([
      loadActiveProviderIds(),
      loadRemoteIndex(),
      getDb().then(countEngineImports),
    ]);
    return {
      providers: new Set(providers),
      remoteIndex: index?.enabled === true,
      engineImports: engineImports > 0,
    };
  } catch {
    return null;
  }
}
