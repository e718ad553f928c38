import { formatDate, formatDateTime, t, tn } from '../../core/i18n';
import { richText } from '../rich-text';
import type { Arrival, ReferralTally, ReferralView, TrafficSender } from '../../core/referrals';
import { OFTEN_VISITED } from '../../core/referrals';
import { SafeLink } from './SafeLink';

/** When visits happened, in words: "on 1/2/2024" or "from 1/2/2024 to 3/4/2024". */
function when(tally: ReferralTally): string {
  const first = formatDate(tally.firstVisit);
  const last = formatDate(tally.lastVisit);
  return first === last
    ? t('referral_on', { date: first })
    : t('referral_between', { first, last });
}

/** On a link's row: how many visits following it has sent the user, and when. */
export function ReferralCount({ tally }: { tally?: ReferralTally | null }) {
  if (!tally) return null;
  return (
    <span
      class="badge referrals"
      data-referrals={tally.count}
      title={tn('referral_count_title', tally.count, { when: when(tally) })}
    >
      {tn('referral_count', tally.count)}
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
      title={t('came_from_title', { time: formatDateTime(arrival.at) })}
    >
      {richText(arrival.anchor ? 'came_from_anchor' : 'came_from', {
        source: <SafeLink href={arrival.source} />,
        anchor: arrival.anchor,
      })}
    </p>
  );
}

/** Every page whose links brought the user here, with how often and when. */
export function ReferralSources({ view }: { view: ReferralView | null }) {
  if (!view || view.sources.length === 0) return null;
  return (
    <section class="referral-sources" data-referral-sources={view.total}>
      <h2 title={t('referral_sources_title')}>{tn('referral_sources', view.total)}</h2>
      <ul>
        {view.sources.map((s) => (
          <li key={`${s.source}\n${s.target}`} data-referral-source={s.source} data-count={s.count}>
            <SafeLink href={s.source} /> {tn('referral_visits', s.count)} {when(s)}
            {s.anchor && (
              <span class="also"> {t('referral_last_anchor', { anchor: s.anchor })}</span>
            )}
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
      <h2 title={t('senders_title', { times: OFTEN_VISITED })}>{t('senders_heading')}</h2>
      {senders.length === 0 ? (
        <p class="empty">{t('senders_none', { times: OFTEN_VISITED })}</p>
      ) : (
        <ul>
          {senders.map((s) => (
            <li key={`${s.link.source}\n${s.link.anchor}`} data-sender={s.link.source}>
              <SafeLink href={s.link.source} /> <span class="anchor">“{s.link.anchor}”</span>{' '}
              <span class="count" data-visits={s.visits}>
                {tn('senders_visited', s.visits)}
              </span>{' '}
              <ReferralCount tally={s.referrals} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
