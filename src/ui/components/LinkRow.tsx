import { displayUrl } from '../../core/idn';
import type { BacklinkView } from '../../core/summary';
import type { LinkRegion } from '../../core/types';
import { safeLink } from './SafeLink';
import { ViaBadge } from './ViaBadge';
import { SourceAuthority } from './Authority';
import {
  QualityBadge,
  QualityFactors,
  useQualityDisclosure,
  type QualityDisclosure,
} from './Quality';
import type { LinkQuality } from '../../core/quality';
import { ReferralCount } from './Referrals';
import type { ReferralTally } from '../../core/referrals';
import { flagLabel, type FlagKind } from '../../core/flag-counts';
import { formatDate, t, tn } from '../../core/i18n';
import { ProvenanceBadge } from './Provenance';

/** A link's region in words: the short name the badge and the table show. */
export const regionLabel = (region: LinkRegion): string => t(`region_${region}`);

/** What the linking page's robots meta says, one badge per directive that can keep the link from counting. */
const PAGE_ROBOTS = [
  {
    directive: 'nofollow',
    applies: (l: BacklinkView) => l.pageNofollow,
    title: 'row_robots_nofollow_title',
  },
  {
    directive: 'noindex',
    applies: (l: BacklinkView) => l.pageNoindex,
    title: 'row_robots_noindex_title',
  },
] as const;

interface LinkRowProps {
  link: BacklinkView;
  /** The linking page's authority, when scores are loaded and it has one. */
  authority?: number;
  /** The link's quality, once scored (after the list is shown). */
  quality?: LinkQuality;
  /** Visits following this link sent the user, when it sent any. */
  referrals?: ReferralTally;
  /** The risk flags this link is evidence for, once the flags are read (page report only). */
  flags?: readonly FlagKind[];
  /** Who knows the link ("this browser", a remote index), once another source answered. */
  provenance?: readonly string[];
}

/** One inbound link on its own: a row with its own factor list's disclosure. */
/**
 * The flags a link is evidence for: its risks counted, a declared sponsored link only noted, as
 * the risk line has it ("Also noted: …"); counted as a risk, it read "2 risks" beside a burst.
 * A function, not a component, as linkRow is.
 */
function flagBadge(flags: readonly FlagKind[]) {
  const risks = flags.filter((kind) => kind !== 'paid-declared');
  const noted = flags.filter((kind) => kind === 'paid-declared');
  const list = (kinds: readonly FlagKind[]) => kinds.map(flagLabel).join('; ');
  return (
    <span
      class={`badge flag-badge${risks.length === 0 ? ' flag-noted' : ''}`}
      data-flags={flags.join(' ')}
      title={
        risks.length === 0
          ? t('row_noted_title', { list: list(noted) })
          : noted.length === 0
            ? t('row_flags_title', { list: list(risks) })
            : t('row_flags_title_noted', { list: list(risks), noted: list(noted) })
      }
    >
      {risks.length === 0 ? t('row_noted') : tn('row_risks', risks.length)}
    </span>
  );
}

export function LinkRow(props: LinkRowProps) {
  return linkRow(props, useQualityDisclosure());
}

/**
 * One inbound link: where from, with what words, how it is qualified and what it is worth. A
 * plain call, its factor list's disclosure kept by its list (useQualityDisclosures): the
 * popup's 150 rows were a component each, with two hooks, before any was scored.
 */
export function linkRow(
  { link, authority, quality, referrals, flags, provenance }: LinkRowProps,
  factors: QualityDisclosure,
  key?: string,
) {
  const lost = link.lostAt !== null;
  // Repeats on the source page: the row shows the best placement and the followed rel, these
  // say where else the link stands and which other rels it carries there.
  const alsoIn = link.regions.filter((r) => r !== link.region);
  const alsoRel = link.rels.filter((r) => !link.rel.includes(r));
  const robots = PAGE_ROBOTS.filter((r) => r.applies(link));
  return (
    <li
      class={`link${lost ? ' lost' : ''}`}
      data-source={link.source}
      data-target={link.target}
      key={key}
    >
      <div class="source">{safeLink(link.source, link.sourceTitle || undefined)}</div>
      {link.sourceTitle && (
        <div class="source-url" title={link.source}>
          {displayUrl(link.source)}
        </div>
      )}
      <div class="anchor" data-anchor={link.anchor}>
        {link.anchor ? (
          t('row_anchor_quoted', { anchor: link.anchor })
        ) : (
          <em>{t('no_anchor_text')}</em>
        )}
      </div>
      <div class="badges">
        {provenance && <ProvenanceBadge names={provenance} />}
        {quality && (
          <QualityBadge
            quality={quality}
            open={factors.open}
            onToggle={factors.toggle}
            controls={factors.id}
          />
        )}
        {authority !== undefined && <SourceAuthority value={authority} />}
        {referrals && <ReferralCount tally={referrals} />}
        {flags && flags.length > 0 && flagBadge(flags)}
        {lost && (
          <span class="badge badge-lost">{t('lost_on', { date: formatDate(link.lostAt!) })}</span>
        )}
        {link.via && <ViaBadge via={link.via} target={link.target} />}
        {link.rel.length > 0 &&
          link.rel.map((r) => (
            <span class={`badge rel rel-${r}`} data-rel={r} key={r}>
              {r}
            </span>
          ))}
        {robots.length > 0 &&
          robots.map((r) => (
            <span
              class="badge rel"
              data-page-robots={r.directive}
              title={t(r.title)}
              key={r.directive}
            >
              {t('row_page_robots', { directive: r.directive })}
            </span>
          ))}
        {!link.unfollowed && <span class="badge followed">{t('row_followed')}</span>}
        <span class="badge region" data-region={link.region}>
          {regionLabel(link.region)}
        </span>
        {alsoIn.length > 0 && (
          <span class="also" data-also-in={alsoIn.join(' ')}>
            {t('row_also_in', { list: alsoIn.map(regionLabel).join(', ') })}
          </span>
        )}
        {alsoRel.length > 0 && (
          <span class="also" data-also-rel={alsoRel.join(' ')}>
            {t('row_also_rel', { list: alsoRel.join(', ') })}
          </span>
        )}
        {link.occurrences > 1 && (
          <span class="also" data-occurrences={link.occurrences}>
            {tn('row_occurrences', link.occurrences)}
          </span>
        )}
        <span class="seen">
          {t('row_seen', { first: formatDate(link.firstSeen), last: formatDate(link.lastSeen) })}
        </span>
      </div>
      {quality && factors.open && <QualityFactors quality={quality} id={factors.id} />}
    </li>
  );
}
