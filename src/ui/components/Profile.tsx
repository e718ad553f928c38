import {
  formatDecimal,
  formatNumber,
  formatPercent,
  t,
  tn,
  type MessageKey,
} from '../../core/i18n';
import {
  describeDiversity,
  RECENT_DAYS,
  TIMELINE_WEEKS,
  type AnchorGroup,
  type LinkType,
  type PageProfile,
} from '../../core/profile';
import { StackedBar } from './StackedBar';
import { WeekChart } from './WeekChart';

/** Labels in the order shown; the definitions are in core/profile.ts. */
const ANCHOR_LABELS: Record<AnchorGroup, MessageKey> = {
  branded: 'anchor_branded',
  exact: 'anchor_exact',
  partial: 'anchor_partial',
  'naked-url': 'anchor_naked_url',
  generic: 'anchor_generic',
  image: 'anchor_image',
  empty: 'anchor_empty',
  other: 'anchor_other',
};

const TYPE_LABELS: Record<LinkType, MessageKey> = {
  editorial: 'type_editorial',
  navigation: 'type_navigation',
  aside: 'type_aside',
  comments: 'type_comments',
  other: 'type_other',
};

/** How many TLDs are named before the rest is summed up. */
const TLDS_SHOWN = 5;

function percent(share: number | null): string {
  return share === null ? '–' : formatPercent(share);
}

function partsOf<K extends string>(counts: Record<K, number>, labels: Record<K, MessageKey>) {
  return (Object.keys(labels) as K[]).map((key) => ({
    key,
    label: t(labels[key]),
    count: counts[key],
  }));
}

interface FigureProps {
  name: string;
  value: string;
  label: string;
  /** What exactly is counted, on hover. */
  explain: string;
}

function Figure({ name, value, label, explain }: FigureProps) {
  return (
    <li data-profile={name} title={explain}>
      <span class="value">{value}</span> {label}
    </li>
  );
}

function Tlds({ tlds, countryCodes }: { tlds: PageProfile['tlds']; countryCodes: number }) {
  if (tlds.length === 0) return null;
  const rest = tlds.slice(TLDS_SHOWN).reduce((sum, t) => sum + t.domains, 0);
  const domains = tlds.reduce((sum, t) => sum + t.domains, 0);
  return (
    <>
      <p data-profile="tlds" title={t('profile_tlds_title')}>
        {t('profile_tlds')}{' '}
        {tlds.slice(0, TLDS_SHOWN).map((t, i) => (
          <span key={t.tld} data-tld={t.tld} data-count={t.domains}>
            {i > 0 && ', '}.{t.tld} {tn('profile_tld_domains', t.domains)}
          </span>
        ))}
        {rest > 0 && `, ${tn('profile_tld_others', rest)}`}
      </p>
      <p data-profile="country-codes" data-count={countryCodes} title={t('profile_cctlds_title')}>
        {tn('profile_cctlds', domains, {
          part: formatNumber(countryCodes),
          share: formatPercent(countryCodes / domains),
        })}
      </p>
    </>
  );
}

/** The backlink profile of a page: figures, diversity, TLDs, link types, anchors, new/lost. */
export function Profile({ profile }: { profile: PageProfile }) {
  const { diversity } = profile;
  return (
    <section class="profile" aria-label={t('profile_label')}>
      <ul class="figures">
        <Figure
          name="referring-pages"
          value={formatNumber(profile.referringPages)}
          label={tn('profile_referring_pages', profile.referringPages)}
          explain={t('profile_referring_pages_title')}
        />
        <Figure
          name="followed-share"
          value={percent(profile.followedShare)}
          label={t('profile_followed')}
          explain={t('profile_followed_title')}
        />
        <Figure
          name="editorial-share"
          value={percent(profile.editorialShare)}
          label={t('profile_editorial')}
          explain={t('profile_editorial_title')}
        />
        <Figure
          name="new-recent"
          value={formatNumber(profile.newRecent)}
          label={t('profile_new_recent', { days: RECENT_DAYS })}
          explain={t('profile_new_recent_title', { days: RECENT_DAYS })}
        />
        <Figure
          name="lost-recent"
          value={formatNumber(profile.lostRecent)}
          label={t('profile_lost_recent', { days: RECENT_DAYS })}
          explain={t('profile_lost_recent_title', { days: RECENT_DAYS })}
        />
      </ul>
      <p
        data-profile="diversity"
        data-reading={diversity.reading}
        data-index={diversity.index.toFixed(2)}
        title={t('profile_diversity_title')}
      >
        {diversity.reading !== 'none' && (
          <span class="value">
            {t('profile_diversity', { index: formatDecimal(diversity.index, 2) })}{' '}
          </span>
        )}
        <span data-diversity-line>{describeDiversity(diversity)}</span>
      </p>
      <Tlds tlds={profile.tlds} countryCodes={profile.countryCodeDomains} />
      {profile.live > 0 && (
        <>
          <h2>{t('profile_where')}</h2>
          <div data-profile="link-types">
            <StackedBar
              hook="link-type"
              parts={partsOf(profile.linkTypes, TYPE_LABELS)}
              unit="unit_links"
            />
          </div>
          <h2>{t('profile_anchor_text')}</h2>
          <div data-profile="anchors">
            <StackedBar
              hook="anchor-class"
              parts={partsOf(profile.anchors, ANCHOR_LABELS)}
              unit="unit_anchors"
            />
          </div>
        </>
      )}
      <h2>{t('profile_timeline', { weeks: TIMELINE_WEEKS })}</h2>
      <div data-profile="timeline">
        <WeekChart weeks={profile.timeline} />
      </div>
    </section>
  );
}
