import { countLabel, plural } from '../../core/format';
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
const ANCHOR_LABELS: Record<AnchorGroup, string> = {
  branded: 'branded',
  exact: 'exact match',
  partial: 'partial match',
  'naked-url': 'naked URL',
  generic: 'generic',
  image: 'image',
  empty: 'empty',
  other: 'other words',
};

const TYPE_LABELS: Record<LinkType, string> = {
  editorial: 'editorial',
  navigation: 'nav, header, footer',
  aside: 'sidebar',
  comments: 'comments',
  other: 'elsewhere',
};

/** How many TLDs are named before the rest is summed up. */
const TLDS_SHOWN = 5;

function percent(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`;
}

function partsOf<K extends string>(counts: Record<K, number>, labels: Record<K, string>) {
  return (Object.keys(labels) as K[]).map((key) => ({
    key,
    label: labels[key],
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

function Tlds({ tlds }: { tlds: PageProfile['tlds'] }) {
  if (tlds.length === 0) return null;
  const rest = tlds.slice(TLDS_SHOWN).reduce((sum, t) => sum + t.domains, 0);
  return (
    <p data-profile="tlds" title="Top-level domains of the referring domains (other sites).">
      TLDs:{' '}
      {tlds.slice(0, TLDS_SHOWN).map((t, i) => (
        <span key={t.tld} data-tld={t.tld} data-count={t.domains}>
          {i > 0 && ', '}.{t.tld} {countLabel(t.domains, 'domain', 'domains')}
        </span>
      ))}
      {rest > 0 && `, others ${countLabel(rest, 'domain', 'domains')}`}
    </p>
  );
}

/** The backlink profile of a page: figures, diversity, TLDs, link types, anchors, new/lost. */
export function Profile({ profile }: { profile: PageProfile }) {
  const { diversity } = profile;
  return (
    <section class="profile" aria-label="Backlink profile">
      <ul class="figures">
        <Figure
          name="referring-pages"
          value={String(profile.referringPages)}
          label={plural(profile.referringPages, 'page on other sites', 'pages on other sites')}
          explain="Pages on other sites with at least one live link to this page."
        />
        <Figure
          name="followed-share"
          value={percent(profile.followedShare)}
          label="of links followed"
          explain="Share of live links that pass authority (no nofollow, sponsored or ugc, linking page not robots nofollow)."
        />
        <Figure
          name="editorial-share"
          value={percent(profile.editorialShare)}
          label="of links editorial"
          explain="Share of live links placed in the main content of their page."
        />
        <Figure
          name="new-recent"
          value={String(profile.newRecent)}
          label={`new in ${RECENT_DAYS} days`}
          explain={`Links first seen in the last ${RECENT_DAYS} days (some may be lost since).`}
        />
        <Figure
          name="lost-recent"
          value={String(profile.lostRecent)}
          label={`lost in ${RECENT_DAYS} days`}
          explain={`Links found gone in the last ${RECENT_DAYS} days.`}
        />
      </ul>
      <p
        data-profile="diversity"
        data-reading={diversity.reading}
        data-index={diversity.index.toFixed(2)}
        title="1 minus the Herfindahl index of live links from other sites per referring domain: 0 when one domain gives every link, near 1 when many give a few each."
      >
        {diversity.reading !== 'none' && (
          <span class="value">Diversity {diversity.index.toFixed(2)}: </span>
        )}
        <span data-diversity-line>{describeDiversity(diversity)}</span>
      </p>
      <Tlds tlds={profile.tlds} />
      {profile.live > 0 && (
        <>
          <h2>Where live links sit</h2>
          <div data-profile="link-types">
            <StackedBar
              hook="link-type"
              parts={partsOf(profile.linkTypes, TYPE_LABELS)}
              unit={['link', 'links']}
            />
          </div>
          <h2>Anchor text</h2>
          <div data-profile="anchors">
            <StackedBar
              hook="anchor-class"
              parts={partsOf(profile.anchors, ANCHOR_LABELS)}
              unit={['anchor', 'anchors']}
            />
          </div>
        </>
      )}
      <h2>New and lost by week (last {TIMELINE_WEEKS} weeks)</h2>
      <div data-profile="timeline">
        <WeekChart weeks={profile.timeline} />
      </div>
    </section>
  );
}
