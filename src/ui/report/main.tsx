import { render } from 'preact';
import { startFirstReads } from '../boot';
import { computed, signal } from '@preact/signals';
import { Report } from '../components/Report';
import { LinkTable, TABLE_PAGE_SIZE } from '../components/LinkTable';
import { displayUrl } from '../../core/idn';
import { linkKey } from '../../core/types';
import { tableRowsOf, type TableView } from '../../core/table';
import { parseReportView, reportViewQuery, type ReportView } from '../../core/report-view';
import { ScopeSwitch } from '../components/ScopeSwitch';
import {
  authorityState,
  flagsState,
  qualityState,
  scopeState,
  shownReport,
  showScope,
  siteState,
  loadReport,
  notice,
  shownProvenance,
  remoteState,
  siteRemoteState,
  setFold,
  showTableRows,
  type Scope,
} from '../state';
import { ReferralSources, TrafficSenders } from '../components/Referrals';
import { lazyComponent } from '../components/Lazy';
import {
  markRelated,
  outreachNotice,
  outreachState,
  referralState,
  wantOutreach,
} from '../referral-model';
import { t } from '../../core/i18n';
import '../styles.css';

// IndexedDB opens and the settings are read while the page's modules load (started by its early
// script, platform/early-boot.ts) and its loading line renders (issue 7: first rows in 200 ms).
const settings = startFirstReads();

// Outreach hints come last (after the site's links): their code loads after the first rows.
const Outreach = lazyComponent(
  () => import('../components/Outreach').then((m) => m.Outreach),
  'outreach_site_heading',
);

// The full report: same components as the popup, with room for every link, and the links as a
// table whose filters and order are kept in this page's URL (a view can be bookmarked).
const view = parseReportView(new URLSearchParams(location.search));
// The page as it is stored, without a session id or token its tab's address may carry (a
// bookmark, an older link): that form is this page's title and, replaced below, its address.
const url = view.url;
document.title = t('report_title', { url: displayUrl(url) });

type ListMode = ReportView['list'];
const listMode = signal<ListMode>(view.list);
const tableView = signal<TableView>(view.table);
scopeState.value = view.scope;

/** The address says the view shown, and nothing else. */
function writeUrl(): void {
  const search = reportViewQuery({
    url,
    scope: scopeState.value,
    list: listMode.value,
    table: tableView.value,
  });
  if (search !== location.search) history.replaceState(null, '', search);
}

const rows = computed(() => {
  const state = shownReport.value;
  if (state.status !== 'ready') return [];
  const sources = authorityState.value?.sources ?? {};
  // Flags are found for the page (its neighbourhood, its anchors, its bursts): in the whole
  // site's table they would mark only the links that also point to the page, and filter by it.
  const flags =
    scopeState.value === 'page' && flagsState.value?.status === 'ready'
      ? flagsState.value.view.byLink
      : null;
  const quality = qualityState.value;
  const provenance = shownProvenance.value;
  return tableRowsOf(
    state.summary.groups.flatMap((g) => g.links),
    {
      score: (l) => quality?.of(l)?.score,
      authority: (l) => sources[l.source],
      flags: (l) => flags?.get(linkKey(l)),
      provenance: (l) => provenance?.get(linkKey(l)),
    },
  );
});

function ListSwitch() {
  const choose = (mode: ListMode) => {
    listMode.value = mode;
    writeUrl();
  };
  return (
    <div class="list-switch" role="group" aria-label={t('list_switch_label')}>
      {(['table', 'domains'] as const).map((mode) => (
        <button
          type="button"
          key={mode}
          data-list={mode}
          aria-pressed={listMode.value === mode}
          onClick={() => choose(mode)}
        >
          {mode === 'table' ? t('list_table') : t('list_domains')}
        </button>
      ))}
    </div>
  );
}

/** While a hot page's first rows are shown (its head): how many links there are in all. */
const tableHead = computed(() => {
  const state = shownReport.value;
  return state.status === 'ready' && state.head
    ? { total: state.summary.live + state.summary.lost }
    : null;
});

function ReportPage() {
  const table = listMode.value === 'table' && (
    <LinkTable
      url={url}
      scope={scopeState.value}
      rows={rows.value}
      view={tableView.value}
      onView={(view) => {
        tableView.value = view;
        writeUrl();
      }}
      flagKinds={[...new Set(rows.value.flatMap((r) => r.flags))].sort()}
      now={Date.now()}
      head={tableHead.value}
    />
  );
  const site = siteState.value;
  const chooseScope = (scope: Scope) => {
    void showScope(scope);
    writeUrl();
  };
  return (
    <Report
      state={shownReport.value}
      scopeSwitch={
        site && <ScopeSwitch scope={scopeState.value} domain={site.domain} onScope={chooseScope} />
      }
      site={siteState.value}
      perDomainLimit={Infinity}
      domainLimit={Infinity}
      siteTopTargets={10}
      onFold={(choice) => void setFold(choice)}
      notice={notice.value}
      authority={authorityState.value}
      linkList={table || undefined}
      listHeader={<ListSwitch />}
      flags={scopeState.value === 'page' ? flagsState.value : undefined}
      flagDetails
      quality={qualityState.value}
      referrals={scopeState.value === 'page' ? referralState.value : null}
      provenance={shownProvenance.value}
      remote={scopeState.value === 'page' ? remoteState.value : siteRemoteState.value}
    >
      {scopeState.value === 'page' && <ReferralSources view={referralState.value} />}
      {scopeState.value === 'page' && outreachState.value && (
        <>
          <TrafficSenders senders={outreachState.value.senders} />
          <Outreach.Component
            view={outreachState.value}
            notice={outreachNotice.value}
            onMark={(u, on) => markRelated(u, on)}
          />
        </>
      )}
    </Report>
  );
}

// What the address asked for and the page cannot show (an unknown parameter, an invalid value,
// a secret in the page's URL) leaves it as the page loads, not at the first change of view.
writeUrl();
wantOutreach();
// A hot page's first table rows come from its aggregates, before every link is read.
showTableRows(TABLE_PAGE_SIZE);
void loadReport(url, settings);
// After the first read is asked for, in a task of its own, as the popup's (popup/main.tsx).
setTimeout(() => render(<ReportPage />, document.getElementById('app')!));
