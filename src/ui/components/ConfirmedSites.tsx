import { useEffect } from 'preact/hooks';
import { ENGINE_NAMES, type Engine } from '../../core/engines';
import type { ConfirmedSite } from '../../core/engine-exports';
import { t, tn } from '../../core/i18n';
import { confirmedSites, loadConfirmedSitesFor } from '../confirmed-sites-model';

/** How many of the engine's top linking sites the site view names. */
const SHOWN = 10;

/**
 * "Confirmed by Google Search Console: 1,204 links from example.com": a count the engine gave
 * for a whole linking site. The export has no addresses for these, so none are made up.
 */
export function ConfirmedSiteLine({ engine, site }: { engine: Engine; site: ConfirmedSite }) {
  const slots = { engine: ENGINE_NAMES[engine], domain: site.domain };
  return (
    <li data-confirmed-site={site.domain}>
      {site.linkingPages === null
        ? t('engine_confirmed_site', slots)
        : tn('engine_confirmed_site_links', site.linkingPages, slots)}
    </li>
  );
}

/** The site view's list of the sites Google counted as linking to it, when the user imported it. */
export function ConfirmedSites({ domain }: { domain: string }) {
  useEffect(() => void loadConfirmedSitesFor(domain), [domain]);
  const found = confirmedSites.value;
  if (!found || found.domain !== domain || found.sites.length === 0) return null;
  return (
    <section class="confirmed-sites" data-confirmed-sites={domain}>
      <p>{t('engine_confirmed_sites_heading', { engine: ENGINE_NAMES.google })}</p>
      <ul>
        {found.sites.slice(0, SHOWN).map((site) => (
          <ConfirmedSiteLine key={site.domain} engine="google" site={site} />
        ))}
      </ul>
    </section>
  );
}
