import { useSignal } from '@preact/signals';
import type { BacklinkSummary, DomainGroup, SiteSummary } from '../../core/summary';
import type { PageRecord } from '../../core/types';
import { LinkRow } from './LinkRow';
import { SafeLink } from './SafeLink';
import { RedirectNote } from './RedirectNote';
import { Variants } from './Variants';
import type { FoldChoice } from '../../core/variants';
import type { Notice, ReportState } from '../state';

function Stat({ label, value, name }: { label: string; value: number; name: string }) {
  return (
    <div class="stat" data-stat={name}>
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}

function Summary({ summary }: { summary: BacklinkSummary }) {
  return (
    <div class="stats">
      <Stat name="backlinks" label="backlinks" value={summary.live} />
      <Stat name="domains" label="referring domains" value={summary.referringDomains} />
      <Stat name="followed" label="followed" value={summary.followed} />
      <Stat name="lost" label="lost" value={summary.lost} />
      {summary.viaRedirect > 0 && (
        <Stat name="via-redirect" label="via redirect" value={summary.viaRedirect} />
      )}
    </div>
  );
}

function Group({ group, limit }: { group: DomainGroup; limit: number }) {
  const shown = group.links.slice(0, limit);
  return (
    <section class="group" data-domain={group.domain}>
      <h3>
        {group.domain}
        {group.internal && <span class="badge">internal</span>}
        <span class="count">{group.live} live</span>
      </h3>
      <ul>
        {shown.map((l) => (
          <LinkRow link={l} key={`${l.source}|${l.anchor}|${l.target}`} />
        ))}
      </ul>
      {group.links.length > shown.length && (
        <p class="more">
          +{group.links.length - shown.length} more from {group.domain}
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
      <p>
        Across <strong>{site.domain}</strong>:{site.complete ? ' ' : ' at least '}
        <span data-site-stat="backlinks">{site.live}</span> links from other sites,{' '}
        <span data-site-stat="domains">{site.referringDomains}</span> referring domains.
      </p>
      {top.length > 0 && (
        <ol class="top-targets">
          {top.map((t) => (
            <li key={t.url} data-target={t.url}>
              <SafeLink href={t.url} /> <span class="count">{t.live}</span>
            </li>
          ))}
        </ol>
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
}

function Heading({ url, page }: { url: string; page: PageRecord | null }) {
  return (
    <header class="target">
      <div class="title">{page?.title || 'This page'}</div>
      <SafeLink href={url} />
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
    <div class="report" data-url={state.url}>
      <Heading url={state.url} page={state.page} />
      {state.redirect && <RedirectNote url={state.url} chain={state.redirect} />}
      <Summary summary={summary} />
      <Variants
        variants={state.variants}
        choices={state.choices}
        notice={props.notice}
        onChoose={props.onFold}
      />
      {site && <Site site={site} topTargets={siteTopTargets} />}
      {summary.live + summary.lost === 0 ? (
        <Empty />
      ) : (
        <>
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
              <Group group={g} limit={perDomainLimit} key={g.domain} />
            ))}
          </div>
          {groups.length > domainLimit && (
            <p class="more">+{groups.length - domainLimit} more referring domains</p>
          )}
        </>
      )}
    </div>
  );
}
