import browser from 'webextension-polyfill';
import { render } from 'preact';
import { takeEarly } from '../../platform/early-start';
import { startFirstReads } from '../boot';
import { showFirstView } from '../first-view';
import { POPUP_FIRST_ROWS, POPUP_ROWS } from '../../core/first-view';
import { Report } from '../components/Report';
import { ScopeSwitch } from '../components/ScopeSwitch';
import {
  authorityState,
  flagsState,
  qualityState,
  reportState,
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
  showRows,
  type ShownRows,
} from '../state';
import { reportPageUrl } from '../../platform/report-url';
import { CameFrom } from '../components/Referrals';
import { arrivalState, loadArrivalOf, referralState } from '../referral-model';
import { t } from '../../core/i18n';
import { StorageAlertNote } from '../components/StorageAlertNote';
import { loadAlert, storageAlert } from '../storage-alert';
import '../styles.css';

// IndexedDB opens, the settings are read and the active tab is asked for side by side, started
// by the page's early script while these modules loaded (platform/early-boot.ts), else now
// (issue 7): the first read waits for the slowest of the three, not their sum.
const settings = startFirstReads();

/** ?url= and ?tab= let the popup be opened for a given page and tab (tests, debugging). */
const query = new URLSearchParams(location.search);
/** The active tab, asked once for both the page to show and the arrival to show. */
const earlyTab = takeEarly('tab');
const activeTab =
  query.get('url') && query.get('tab') !== null
    ? Promise.resolve(undefined)
    : (earlyTab ?? browser.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab));

async function targetUrl(): Promise<string | undefined> {
  return query.get('url') || (await activeTab)?.url;
}

async function arrivalTab(): Promise<number | undefined> {
  const fromQuery = query.get('tab');
  return fromQuery !== null ? Number(fromQuery) : (await activeTab)?.id;
}

/** The popup's list: the top referring domains, a few links of each. */
const ROWS: ShownRows = POPUP_ROWS;
showRows(ROWS);

function Popup() {
  const state = reportState.value;
  const site = siteState.value;
  return (
    <>
      <StorageAlertNote alert={storageAlert.value} now={Date.now()} />
      {state.status === 'ready' && arrivalState.value !== undefined && (
        <div class="arrival" data-arrival-read>
          <CameFrom arrival={arrivalState.value} url={state.url} />
        </div>
      )}
      <Report
        state={shownReport.value}
        scopeSwitch={
          site && (
            <ScopeSwitch
              scope={scopeState.value}
              domain={site.domain}
              onScope={(scope) => void showScope(scope)}
            />
          )
        }
        site={siteState.value}
        perDomainLimit={ROWS.perDomain}
        domainLimit={ROWS.domains}
        // Its first viewport's groups first, the others in the next task: a hot page's 28 other
        // groups were two thirds of the render's thread time from the tab's entry to its 30
        // groups (11.5 of 17.3 ms, toolbar, 10k, load 10; test/bench/toolbar-popup-trace.ts).
        firstRows={POPUP_FIRST_ROWS}
        siteTopTargets={0}
        onFold={(choice) => void setFold(choice)}
        notice={notice.value}
        authority={authorityState.value}
        flags={scopeState.value === 'page' ? flagsState.value : undefined}
        quality={qualityState.value}
        referrals={scopeState.value === 'page' ? referralState.value : null}
        provenance={shownProvenance.value}
        remote={scopeState.value === 'page' ? remoteState.value : siteRemoteState.value}
      />
      {/* Settings on every page once read: on a browser page (a new tab) the popup says only
          why it shows no links, and pausing or exporting is still what one may come for. */}
      {state.status !== 'loading' && (
        <div class="actions">
          {state.status === 'ready' && (
            <button
              id="open-report"
              onClick={() => void browser.tabs.create({ url: reportPageUrl(state.url) })}
            >
              {t('popup_full_report')}
            </button>
          )}
          <button id="open-options" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('popup_settings')}
          </button>
        </div>
      )}
    </>
  );
}

// The worker's first view of the page, shown before the read below ends when it still holds
// (ui/first-view.ts): its rows need no IndexedDB.
void showFirstView(
  takeEarly('firstView'),
  targetUrl(),
  settings,
  document.getElementById('app'),
).catch(() => false);
void targetUrl().then(
  (url) => loadReport(url ?? '', settings),
  // No active tab to ask about: said in the popup, not left loading.
  (error: unknown) => (reportState.value = { status: 'error', message: String(error) }),
);
// Rendered in a task of its own: the first read's requests (asked for on microtasks, the early
// script's promises being in) go to IndexedDB first, and the loading line renders while they
// are served, not before they are asked for.
setTimeout(() => render(<Popup />, document.getElementById('app')!));
void loadAlert().catch(() => undefined); // no line is the right fallback for an unreadable alert
void arrivalTab()
  .catch(() => undefined)
  .then(loadArrivalOf);
