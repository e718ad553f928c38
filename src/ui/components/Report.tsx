import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { formatNumber, t, tn, type PluralKey, type MessageKey } from '../../core/i18n';
import type { BacklinkSummary, DomainGroup, SiteSummary } from '../../core/summary';
import type { PageRecord } from '../../core/types';
import { HostName } from './HostName';
import { linkRow } from './LinkRow';
import { SafeLink } from './SafeLink';
import { RedirectNote } from './RedirectNote';
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
import { RemoteSources } from './Provenance';
import { lazyComponent } from './Lazy';
import { isSecretAddress } from '../../core/url';
import { useNextTask } from '../after-paint';
import { memo } from '../memo';
import { useQualityDisclosures } from './Quality';

// The profile's figures and charts are not needed for the first rows: their code loads after
// the first paint (a hot page's profile comes with the full read, later still).
const Profile = lazyComponent(() => import('./Profile').then((m) => m.Profile), 'profile_label');
// Only in a site's report, and most often empty (no engine export imported): loaded when shown.
const ConfirmedSites = lazyComponent(
  () => import('./ConfirmedSites').then((m) => m.ConfirmedSites),
  'engine_confirmed_sites_part',
  { quiet: true },
);

interface StatProps {
  name: string;
  value: number;
  /** The words after the number: a plural family whose forms leave the number out. */
  unit: PluralKey;
  /** What exactly is counted, on hover. */
  explain: MessageKey;
  note?: string;
}

function Stat({ name, value, unit, explain, note }: StatProps) {
  return (
    <div class="stat" data-stat={name} title={t(explain)}>
      <span class="value" data-value={value}>
        {formatNumber(value)}
      </span>
      <span class="label">{tn(unit, value)}</span>
      {note && <span class="note">{note}</span>}
    </div>
  );
}

/** The counts; `site`: of the whole site's report, whose links go into any of its pages. */
function Summary({ summary, site }: { summary: BacklinkSummary; site: boolean }) {
  const external = summary.live - summary.internal;
  return (
    <div class="stats">
      <Stat
        name="backlinks"
        value={summary.live}
        unit={site ? 'stat_site_backlinks' : 'stat_backlinks'}
        explain={site ? 'stat_site_backlinks_explain' : 'stat_backlinks_explain'}
        note={tn('stat_backlinks_external', external)}
      />
      <Stat
        name="domains"
        value={summary.referringDomains}
        unit="stat_domains"
        explain="stat_domains_explain"
      />
      <Stat
        name="followed"
        value={summary.followed}
        unit="stat_followed"
        explain="stat_followed_explain"
      />
      <Stat name="lost" value={summary.lost} unit="stat_lost" explain="stat_lost_explain" />
      {summary.viaRedirect > 0 && (
        <Stat
          name="via-redirect"
          value={summary.viaRedirect}
          unit="stat_via_redirect"
          explain="stat_via_redirect_explain"
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

/**
 * One referring domain's rows. Rendered again only when its props change (memo): the popup
 * renders again on each signal it reads, and a re-render of every row cost as much as the rows
 * below the fold did.
 */
const Group = memo(function Group(props: GroupProps) {
  const { group, limit, sourceAuthority, quality, referrals, flags, provenance } = props;
  const disclosure = useQualityDisclosures();
  const shown = group.links.slice(0, limit);
  // A first render's group holds its first links only, and says how many it has.
  const total = group.size ?? group.links.length;
  return (
    <section class="group" data-domain={group.domain}>
      <h2>
        <HostName host={group.domain} />
        {group.internal && <span class="badge">{t('group_internal')}</span>}
        <span class="count">{tn('group_live', group.live)}</span>
      </h2>
      <ul>
        {shown.map((l, i) => {
          const key = linkKey(l);
          return linkRow(
            {
              link: l,
              authority: sourceAuthority[l.source],
              quality: quality?.of(l),
              referrals: referrals[key],
              flags: flags?.get(key),
              provenance: provenance?.get(key),
            },
            disclosure(key, i),
            key,
          );
        })}
      </ul>
      {total > shown.length && (
        <p class="more">
          {tn('group_more', total - shown.length)} <HostName host={group.domain} />
        </p>
      )}
    </section>
  );
});

/** Props of a group that has nothing of its kind yet: the same object each render (memo). */
const NO_SCORES: Record<string, number> = {};
const NO_REFERRALS: ReferralView['byLink'] = {};

/** The summary's groups with a link to show: with lost links or without. */
function groupsOf(summary: BacklinkSummary, showLost: boolean): DomainGroup[] {
  if (showLost) return summary.groups.filter((g) => g.links.length > 0);
  return summary.groups
    .map((g) => ({
      ...g,
      links: g.links.filter((l) => l.lostAt === null),
      size: g.size === undefined ? undefined : g.live,
    }))
    .filter((g) => g.links.length > 0);
}

/**
 * How many of `groups` hold their first `rows` rows, `perDomain` shown of each: at least one
 * group, at most all of them.
 */
export function groupsForRows(
  groups: readonly DomainGroup[],
  perDomain: number,
  rows: number,
): number {
  let count = 0;
  for (let shown = 0; count < groups.length && (count === 0 || shown < rows); count++) {
    shown += Math.min(perDomain, groups[count]!.links.length);
  }
  return count;
}

/**
 * What `render` returns, in a task of its own after the report's first commit (useNextTask);
 * until then a hidden `data-rows-pending` mark, which tests wait to be gone. `then` runs after
 * the browser painted them.
 */
function NextTask({ render, then }: { render: () => ComponentChildren; then: () => void }) {
  const ran = useNextTask();
  useEffect(() => {
    if (ran) then();
  }, [ran, then]);
  return ran ? <>{render()}</> : <div hidden data-rows-pending />;
}

function Empty({ site }: { site: boolean }) {
  return (
    <div class="empty">
      <p>
        <strong>{t(site ? 'empty_site_title' : 'empty_title')}</strong>
      </p>
      <p>{t('empty_explain')}</p>
    </div>
  );
}

function Site({ site, topTargets }: { site: SiteSummary; topTargets: number }) {
  const top = site.topTargets.slice(0, topTargets);
  return (
    <section class="site" data-site={site.domain}>
      <p title={t('site_line_explain')}>
        {site.complete ? t('site_line_whole') : t('site_line_at_least')}{' '}
        <span data-site-stat="backlinks">{formatNumber(site.live)}</span>{' '}
        {tn('site_line_links', site.live)} <HostName host={site.domain} /> {t('site_line_from')}{' '}
        <span data-site-stat="domains">{formatNumber(site.referringDomains)}</span>{' '}
        {tn('site_line_domains', site.referringDomains)}
      </p>
      {top.length > 0 && (
        <>
          <p>{t('site_top_targets')}</p>
          <ol class="top-targets">
            {top.map((target) => (
              <li key={target.url} data-target={target.url}>
                <SafeLink href={target.url} />{' '}
                <span class="count">{formatNumber(target.live)}</span>{' '}
                {tn('site_top_target_links', target.live)}
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
  /**
   * Rows of the first render (the popup's first viewport): the groups holding them come first,
   * the others in a task of their own right after it. Unset: every group in the first render.
   */
  firstRows?: number;
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
          {t('site_line_whole')} <HostName host={site.domain} />
        </h1>
        <p class="note">
          {site.complete ? t('site_heading_note') : t('site_heading_note_partial')}
        </p>
      </header>
    );
  }
  return (
    <header class="target">
      <h1 class="title">{page?.title || t('this_page')}</h1>
      <SafeLink href={url} />
      {authority && <Authority view={authority} now={Date.now()} />}
    </header>
  );
}

export function Report(props: ReportProps) {
  const { state, site, perDomainLimit, domainLimit, siteTopTargets } = props;
  const showLost = useSignal(true);
  const groups = state.status === 'ready' ? groupsOf(state.summary, showLost.value) : [];
  const listed = groups.slice(0, domainLimit);
  const first =
    props.firstRows === undefined
      ? listed.length
      : groupsForRows(listed, perDomainLimit, props.firstRows);
  const ready = state.status === 'ready';
  const allFirst = first >= listed.length;
  // Effects run after the browser painted: the profile's code loads behind the rows, behind
  // those of the next task too when there are some (NextTask's `then`).
  useEffect(() => {
    if (ready && allFirst) Profile.preload();
  }, [ready, allFirst]);
  switch (state.status) {
    case 'loading':
      return <p class="status loading">{t('loading')}</p>;
    case 'error':
      return <p class="status error">{t('report_error', { message: state.message })}</p>;
    case 'unsupported': {
      // A web address is refused for its secret path (core/secrets.ts): "http and https only"
      // would not be why.
      const why = isSecretAddress(state.url) ? 'report_secret_address' : 'report_unsupported';
      return <p class="status">{t(why)}</p>;
    }
  }
  const { summary } = state;
  // A stored risk line has counts but no flags per link: its rows are as before it came.
  const byLink = props.flags?.status === 'ready' ? props.flags.view.byLink : null;
  const rowFlags = byLink && byLink.size > 0 ? byLink : null;
  const group = (g: DomainGroup) => (
    <Group
      group={g}
      limit={perDomainLimit}
      sourceAuthority={props.authority?.sources ?? NO_SCORES}
      quality={props.quality ?? null}
      referrals={props.referrals?.byLink ?? NO_REFERRALS}
      flags={rowFlags}
      provenance={props.provenance ?? null}
      key={g.domain}
    />
  );
  // A first render holds the shown groups only (ui/head-state.ts), and counts the others; the
  // report page shows every group, so those not read yet are named as more.
  const shownGroups = listed.length;
  const allGroups = state.head
    ? showLost.value
      ? state.head.groups
      : state.head.liveGroups
    : groups.length;
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
      <Summary summary={summary} site={!!state.site} />
      {state.site && <ConfirmedSites.Component domain={state.site.domain} />}
      {props.remote && <RemoteSources statuses={props.remote} site={!!state.site} />}
      {props.flags !== undefined && summary.live + summary.lost > 0 && (
        <Flags state={props.flags} detailed={props.flagDetails ?? false} />
      )}
      {summary.live + summary.lost > 0 && state.profile && (
        <Profile.Component profile={state.profile} />
      )}
      <Variants
        variants={state.variants}
        choices={state.choices}
        notice={props.notice}
        onChoose={props.onFold}
      />
      {site && !state.site && <Site site={site} topTargets={siteTopTargets} />}
      {props.children}
      {summary.live + summary.lost === 0 ? (
        <Empty site={!!state.site} />
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
              {t('show_lost_links')}
            </label>
          )}
          <div class="groups">
            {listed.slice(0, first).map(group)}
            {!allFirst && (
              <NextTask render={() => listed.slice(first).map(group)} then={Profile.preload} />
            )}
          </div>
          {allGroups > shownGroups && (
            <p class="more">{tn('more_domains', allGroups - shownGroups)}</p>
          )}
        </>
      )}
    </div>
  );
}
