import { render } from 'preact';
import { Report } from '../components/Report';
import { displayUrl } from '../../core/idn';
import { authorityState, reportState, siteState, loadReport, notice, setFold } from '../state';
import { ReferralSources, TrafficSenders } from '../components/Referrals';
import { Outreach } from '../components/Outreach';
import {
  markRelated,
  outreachNotice,
  outreachState,
  referralState,
  wantOutreach,
} from '../referral-model';
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
      referrals={referralState.value}
    >
      <ReferralSources view={referralState.value} />
      {outreachState.value && (
        <>
          <TrafficSenders senders={outreachState.value.senders} />
          <Outreach
            view={outreachState.value}
            notice={outreachNotice.value}
            onMark={(u, on) => void markRelated(u, on)}
          />
        </>
      )}
    </Report>
  );
}

render(<ReportPage />, document.getElementById('app')!);
wantOutreach();
void loadReport(url);
