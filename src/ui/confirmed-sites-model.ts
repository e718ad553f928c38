import { signal } from '@preact/signals';
import type { ConfirmedSite } from '../core/engine-exports';
import { getDb } from '../platform/db-connection';
import { loadConfirmedSites } from '../storage/engine-links';

/** The top linking sites Google counted for the site shown, from the user's latest import. */
export const confirmedSites = signal<{ domain: string; sites: readonly ConfirmedSite[] } | null>(
  null,
);

/**
 * Read them for `domain`. A failed read shows no figures: they are an extra beside the links,
 * which stand without them.
 */
export async function loadConfirmedSitesFor(domain: string): Promise<void> {
  if (confirmedSites.value?.domain !== domain) confirmedSites.value = null;
  const sites = await loadConfirmedSites(await getDb(), 'google', domain).catch(() => []);
  confirmedSites.value = { domain, sites };
}
