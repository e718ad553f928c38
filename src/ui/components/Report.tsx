import type { ComponentChildren } from 'preact';
import { useSignal } from '@preact/signals';
import { countLabel, plural } from '../../core/format';
import type { BacklinkSummary, DomainGroup, SiteSummary } from '../../core/summary';
import type { PageRecord } from '../../core/types';
import { HostName } from './HostName';
import { LinkRow } from './LinkRow';
import { SafeLink } from './SafeLink';
import { RedirectNote } from './RedirectNote';
import { Profile } from './Profile';
import { Variants } from './Variants';
import { Authority } from './Authority';
import { ProviderMetrics } from './ProviderMetrics';
import type { AuthorityView } from '../../core/authority-view';
import type { QualityScores } from '../../core/quality';
import { linkKey } from '../../core/types';
import type { ReferralView } from '../../core/referrals';
import type { FlagKind } from '../../core/flags';
import type { FoldChoice } from '../../core/variants';
import type { FlagsState, Notice, RemoteStatus, ReportState } from '../state';
import { Flags } from './Flags';
import { ConfirmedSites } from './ConfirmedSites';
import { RemoteSources } from './Provenance';

interface StatProps {
  name: string;
  value: number;
  /** The words after the number, singular and plural. */
  label: [one: string, other: string];
  /** What exactly is counted, on hover. */
  explain: string;
  note?: string;
}

function Stat({ name, value, label, explain, note }: StatProps) {
  return (
    <div class="stat" data-stat={name} title={explain}>
      <span class="value">{value}</span>
      <span class="label">{plural(value, ...label)}</span>
      {note && <span class="note">{note}</span>}
    </div>
  );
}

function Summary({ summary }: { summary: BacklinkSummary }) {
  const external = summary.live - summary.internal;
  return (
    <div class="stats">
      <Stat
        name="backlinks"
        value={summary.live}
        label={['link to this page', 'links to this page']}
        explain="Live links to this page from every page you visited, this site's own pages included."
        note={countLabel(external, 'from another site', 'from other sites')}
      />
      <Stat
        name="domains"
        value={summary.referringDomains}
        label={['referring domain', 'referring domains']}
        explain="Other sites (registrable domains) with at least one live link to this page."
      />
      <Stat
        name="followed"
        value={summary.followed}
        label={['followed', 'followed']}
        explain="Live links that pass authority: no nofollow, sponsored or ugc, and the linking page is not robots nofollow."
      />
      <Stat
        name="lost"
        value={summary.lost}
        label={['lost', 'lost']}
        explain="Links that were gone when their page was visited again."
      />
      {summary.viaRedirect > 0 && (
        <Stat
          name="via-redirect"
          value={summary.viaRedirect}
          label={['via a redirect', 'via redirects']}
          explain="Live links to an address that redirects here (counted in the links above too)."
        />
      )}
    </div>
  );
}

interface GroupProps {
  group: DomainGroup;
  limit: number;
  /** Authority of the linking pages, by URL (none until the scores are loaded). */
  sourceAuthority: Record<string, number>;
  /** Quality of the links (none until they are scored). */
  quality: QualityScores | null;
  /** Visits each link sent the user (core/types#linkKey), none until loaded. */
  referrals: ReferralView['byLink'];
  /** Risk flags each link is evidence for (core/types#linkKey), none until read. */
  flags: ReadonlyMap<string, readonly FlagKind[]> | null;
  /** Who knows each link (core/types#linkKey), once a remote source answered. */
  provenance: ReadonlyMap<string, readonly string[]> | null;
}

function Group(props: GroupProps) {
  const { group, limit, sourceAuthority, quality, referrals, flags, provenance } = props;
  const shown = group.links.slice(0, limit);
  return (
    <section class="group" data-domain={group.domain}>
      <h2>
        <HostName host={group.domain} />
        {group.internal && <span class="badge">internal</span>}
        <span class="count">{countLabel(group.live, 'live link', 'live links')}</span>
      </h2>
      <ul>
        {shown.map((l) => (
          <LinkRow
            link={l}
            authority={sourceAuthority[l.source]}
            quality={quality?.of(l)}
            referrals={referrals[linkKey(l)]}
            flags={flags?.get(linkKey(l))}
            provenance={provenance?.get(linkKey(l))}
            key={`${l.source}|${l.anchor}|${l.target}`}
          />
        ))}
      </ul>
      {group.links.length > shown.length && (
        <p class="more">
          +{countLabel(group.links.length - shown.length, 'more link', 'more links')} from{' '}
          <HostName host={group.domain} />
        </p>
      )}
    </section>
  );
}

function Empty() {
  return (
    <div class="empty">
      <p>
        <strong>No links to this page yet.</strong>
      </p>
      <p>
        Backlink Lens learns from the pages you visit: each page you open is read for its links, on
        this machine only. As you browse, pages that link here show up in this list.
      </p>
    </div>
  );
}

function Site({ site, topTargets }: { site: SiteSummary; topTargets: number }) {
  const top = site.topTargets.slice(0, topTargets);
  return (
    <section class="site" data-site={site.domain}>
      <p title="Counted over every page of the site, not only this one; links between its own pages are left out.">
        Whole site: {site.complete ? '' : 'at least '}
        <span data-site-stat="backlinks">{site.live}</span> {plural(site.live, 'link', 'links')}{' '}
        into <HostName host={site.domain} /> from{' '}
        <span data-site-stat="domains">{site.referringDomains}</span>{' '}
        {plural(site.referringDomains, 'other site', 'other sites')} (referring domains).
      </p>
      {top.length > 0 && (
        <>
          <p>Its pages with the most links from other sites:</p>
          <ol class="top-targets">
            {top.map((t) => (
              <li key={t.url} data-target={t.url}>
                <SafeLink href={t.url} /> <span class="count">{t.live}</span>{' '}
                {plural(t.live, 'link from another site', 'links from other sites')}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

export interface ReportProps {
  state: ReportState;
  site: SiteSummary | null;
  /** Links shown per referring domain (the popup is small; the report page shows all). */
  perDomainLimit: number;
  /** Domains shown at most. */
  domainLimit: number;
  /** The site's most linked pages listed (0: just the site-wide counts). */
  siteTopTargets: number;
  /** Fold or unfold a group of the page's URL variants. */
  onFold: (choice: FoldChoice) => void;
  notice: Notice | null;
  /** Stored authority scores, loaded after the report: null until then. */
  authority?: AuthorityView | null;
  /** Shown in place of the links grouped by domain (the report page's table). */
  linkList?: ComponentChildren;
  /** Shown above the links when there are some (the report page's choice of list). */
  listHeader?: ComponentChildren;
  /** Shown under the heading: the choice between this page and its whole site. */
  scopeSwitch?: ComponentChildren;
  /** Risk flags, loaded last: null until then; left out, no risk line is shown. */
  flags?: FlagsState | null;
  /** List each flag with its evidence (the report page), not only the one-line summary. */
  flagDetails?: boolean;
  /** Quality of the links, scored after the first render: null or absent until then. */
  quality?: QualityScores | null;
  /** Visits the links sent the user (loaded after the report): null until then. */
  referrals?: ReferralView | null;
  /** Who knows each link, once a remote source answered: null or absent until then. */
  provenance?: ReadonlyMap<string, readonly string[]> | null;
  /** The remote sources the user turned on and where they stand (asking, answered, failed). */
  remote?: readonly RemoteStatus[];
  /** Sections a page adds after the summaries, before the list (the report's referral hints). */
  children?: ComponentChildren;
}

interface HeadingProps {
  url: string;
  page: PageRecord | null;
  authority: AuthorityView | null;
  site?: { domain: string; complete: boolean } | undefined;
}

function Heading({ url, page, authority, site }: HeadingProps) {
  if (site) {
    return (
      <header class="target" data-site-report={site.domain}>
        <h1 class="title">
          Whole site: <HostName host={site.domain} />
        </h1>
        <p class="note">
          Links from other sites into any of its pages
          {site.complete ? '.' : ': the most linked part of it, read up to a limit.'}
        </p>
      </header>
    );
  }
  return (
    <header class="target">
      <h1 class="title">{page?.title || 'This page'}</h1>
      <SafeLink href={url} />
      {authority && <Authority view={authority} now={Date.now()} />}
    </header>
  );
}

export function Report(props: ReportProps) {
  const { state, site, perDomainLimit, domainLimit, siteTopTargets } = props;
  const showLost = useSignal(true);
  switch (state.status) {
    case 'loading':
      return <p class="status loading">Loading…</p>;
    case 'error':
      return <p class="status error">Could not read stored links: {state.message}</p>;
    case 'unsupported':
      return <p class="status">Backlinks are kept for web pages (http and https) only.</p>;
  }
  const { summary } = state;
  const groups = summary.groups
    .map((g) => (showLost.value ? g : { ...g, links: g.links.filter((l) => l.lostAt === null) }))
    .filter((g) => g.links.length > 0);
  return (
    <div class="report" data-url={state.url} data-referrals-read={props.referrals ? '' : undefined}>
      <Heading
        url={state.url}
        page={state.page}
        authority={state.site ? null : (props.authority ?? null)}
        site={state.site}
      />
      {!state.site && props.remote && <ProviderMetrics statuses={props.remote} />}
      {props.scopeSwitch}
      {state.redirect && <RedirectNote url={state.url} chain={state.redirect} />}
      <Summary summary={summary} />
      {state.site && <ConfirmedSites domain={state.site.domain} />}
      {!state.site && props.remote && <RemoteSources statuses={props.remote} />}
      {props.flags !== undefined && summary.live + summary.lost > 0 && (
        <Flags state={props.flags} detailed={props.flagDetails ?? false} />
      )}
      {summary.live + summary.lost > 0 && <Profile profile={state.profile} />}
      <Variants
        variants={state.variants}
        choices={state.choices}
        notice={props.notice}
        onChoose={props.onFold}
      />
      {site && !state.site && <Site site={site} topTargets={siteTopTargets} />}
      {props.children}
      {summary.live + summary.lost === 0 ? (
        <Empty />
      ) : props.linkList ? (
        <>
          {props.listHeader}
          {props.linkList}
        </>
      ) : (
        <>
          {props.listHeader}
          {summary.lost > 0 && (
            <label class="toggle">
              <input
                type="checkbox"
                checked={showLost.value}
                onChange={(e) => (showLost.value = e.currentTarget.checked)}
              />
              show lost links
            </label>
          )}
          <div class="groups">
            {groups.slice(0, domainLimit).map((g) => (
              <Group
                group={g}
                limit={perDomainLimit}
                sourceAuthority={props.authority?.sources ?? {}}
                quality={props.quality ?? null}
                referrals={props.referrals?.byLink ?? {}}
                flags={props.flags?.status === 'ready' ? props.flags.view.byLink : null}
                provenance={props.provenance ?? null}
                key={g.domain}
              />
            ))}
          </div>
          {groups.length > domainLimit && (
            <p class="more">
              +
              {countLabel(
                groups.length - domainLimit,
                'more referring domain',
                'more referring domains',
              )}
            </p>
          )}
        </>
      )}
    </div>
  );
}
