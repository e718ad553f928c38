import type { Settings } from '../core/types';
import { getDb } from '../platform/db-connection';
import { loadSettingsEarly } from '../platform/settings-store';
import { markPageLanguage } from './page-language';

/**
 * A screen's first reads, started as its entry runs (issue 7): the connection and the
 * settings, taken over from the page's early script where it started them
 * (platform/early-boot.ts). Marks where the boot stands, for test/bench/boot.ts: the modules
 * ran, the connection and the settings were there. A failure is shown by loadReport, which
 * awaits both again.
 */
export function startFirstReads(): Promise<Settings> {
  performance.mark('bl:entry');
  // Here as every screen but the options page starts here (that one calls it itself).
  markPageLanguage();
  void getDb().then(
    () => performance.mark('bl:db-open'),
    () => undefined,
  );
  const settings = loadSettingsEarly();
  void settings.then(
    () => performance.mark('bl:settings'),
    () => undefined,
  );
  return settings;
}
