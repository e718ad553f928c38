import browser from 'webextension-polyfill';
import { render } from 'preact';
import { Report } from '../components/Report';
import {
  authorityState,
  qualityState,
  reportState,
  siteState,
  loadReport,
  notice,
  setFold,
} from '../state';
import { reportPageUrl } from '../../platform/report-url';
import '../styles.css';

/** ?url= lets the popup be opened for a given page (tests, debugging); else the active tab. */
async function targetUrl(): Promise<string | undefined> {
  const fromQuery = new URLSearchParams(location.search).get('url');
  if (fromQuery) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.url;
}

function Popup() {
  const state = reportState.value;
  return (
    <>
      <Report
        state={state}
        site={siteState.value}
        perDomainLimit={5}
        domainLimit={30}
        siteTopTargets={0}
        onFold={(choice) => void setFold(choice)}
        notice={notice.value}
        authority={authorityState.value}
        quality={qualityState.value}
      />
      {state.status === 'ready' && (
        <div class="actions">
          <button
            id="open-report"
            onClick={() => void browser.tabs.create({ url: reportPageUrl(state.url) })}
          >
            Full report
          </button>
          <button id="open-options" onClick={() => void browser.runtime.openOptionsPage()}>
            Settings
          </button>
        </div>
      )}
    </>
  );
}

render(<Popup />, document.getElementById('app')!);
void targetUrl().then((url) => loadReport(url ?? ''));
