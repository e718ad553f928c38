import { countLabel } from '../../core/format';
import type { Arrival, ReferralTally, ReferralView, TrafficSender } from '../../core/referrals';
import { OFTEN_VISITED } from '../../core/referrals';
import { SafeLink } from './SafeLink';

const date = (t: number) => new Date(t).toLocaleDateString();
const time = (t: number) => new Date(t).toLocaleString();

/** When visits happened, in words: "on 1/2/2024" or "from 1/2/2024 to 3/4/2024". */
function when(t: ReferralTally): string {
  const first = date(t.firstVisit);
  const last = date(t.lastVisit);
  return first === last ? `on ${first}` : `from ${first} to ${last}`;
}

/** On a link's row: how many visits following it has sent the user, and when. */
export function ReferralCount({ tally }: { tally?: ReferralTally | null }) {
  if (!tally) return null;
  return (
    <span
      class="badge referrals"
      data-referrals={tally.count}
      title={`You followed this link to this page ${countLabel(tally.count, 'time', 'times')}, ${when(tally)}. Counted on this machine when a click on it led here.`}
    >
      sent you {countLabel(tally.count, 'visit', 'visits')}
    </span>
  );
}

/** The popup's line on the current visit: the link the user followed to this page. */
export function CameFrom({ arrival, url }: { arrival: Arrival | null; url: string }) {
  if (!arrival || arrival.target !== url) return null;
  return (
    <p
      class="came-from"
      data-came-from={arrival.source}
      title={`You opened this page by following a link at ${time(arrival.at)}.`}
    >
      You came here from <SafeLink href={arrival.source} />
      {arrival.anchor && <> by the link “{arrival.anchor}”</>}.
    </p>
  );
}

/** Every page whose links brought the user here, with how often and when. */
export function ReferralSources({ view }: { view: ReferralView | null }) {
  if (!view || view.sources.length === 0) return null;
  return (
    <section class="referral-sources" data-referral-sources={view.total}>
      <h2 title="Each time you followed a link to this page, counted on this machine only.">
        You came here by following links {countLabel(view.total, 'time', 'times')}
      </h2>
      <ul>
        {view.sources.map((s) => (
          <li key={`${s.source}\n${s.target}`} data-referral-source={s.source} data-count={s.count}>
            <SafeLink href={s.source} /> {countLabel(s.count, 'visit', 'visits')} {when(s)}
            {s.anchor && <span class="also"> last by “{s.anchor}”</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Editorial links on pages the user visits often: the links readers are likely to follow. */
export function TrafficSenders({ senders }: { senders: readonly TrafficSender[] }) {
  return (
    <section class="traffic-senders" data-traffic-senders={senders.length}>
      <h2
        title={`Links from other sites in the main content of pages you opened at least ${OFTEN_VISITED} times (visits half an hour apart): where readers are likely to see and follow them.`}
      >
        Likely traffic senders
      </h2>
      {senders.length === 0 ? (
        <p class="empty">
          None yet: no page you visit often ({OFTEN_VISITED} times or more) links here from its main
          content.
        </p>
      ) : (
        <ul>
          {senders.map((s) => (
            <li key={`${s.link.source}\n${s.link.anchor}`} data-sender={s.link.source}>
              <SafeLink href={s.link.source} /> <span class="anchor">“{s.link.anchor}”</span>{' '}
              <span class="count" data-visits={s.visits}>
                you visited it {countLabel(s.visits, 'time', 'times')}
              </span>{' '}
              <ReferralCount tally={s.referrals} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
