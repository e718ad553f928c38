import { render } from 'preact';
import { Report } from '../components/Report';
import { displayUrl } from '../../core/idn';
import {
  authorityState,
  qualityState,
  reportState,
  siteState,
  loadReport,
  notice,
  setFold,
} from '../state';
import '../styles.css';

// The full report: same components as the popup, with room for every link.
const url = new URLSearchParams(location.search).get('url') ?? '';
document.title = `Links to ${displayUrl(url)} · Backlink Lens`;

function ReportPage() {
  return (
    <Report
      state={reportState.value}
      site={siteState.value}
      perDomainLimit={Infinity}
      domainLimit={Infinity}
      siteTopTargets={10}
      onFold={(choice) => void setFold(choice)}
      notice={notice.value}
      authority={authorityState.value}
      quality={qualityState.value}
    />
  );
}

render(<ReportPage />, document.getElementById('app')!);
void loadReport(url);
