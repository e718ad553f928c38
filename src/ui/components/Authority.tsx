import {
  authorityExplanation,
  authorityLabel,
  freshnessLabel,
  type AuthorityView,
} from '../../core/authority-view';
import { t } from '../../core/i18n';

/** One authority figure; an unscored page (not in the last computation) reads "–". */
function Figure({ kind, value }: { kind: 'page' | 'domain'; value: number | null }) {
  return (
    <span class="authority-figure" data-authority={kind} data-value={value ?? ''}>
      {t(kind === 'page' ? 'authority_page' : 'authority_domain')}{' '}
      <strong>{value === null ? '–' : authorityLabel(value)}</strong>
    </span>
  );
}

/** The page's and its domain's authority, and how fresh the scores are. */
export function Authority({ view, now }: { view: AuthorityView; now: number }) {
  return (
    <div class="authority" title={authorityExplanation()}>
      <span class="authority-name">{t('authority_name')}</span>
      <Figure kind="page" value={view.page} />
      <Figure kind="domain" value={view.domain} />
      <span class="authority-freshness" data-authority-freshness={view.computedAt ?? ''}>
        {freshnessLabel(view.computedAt, now)}
      </span>
    </div>
  );
}

/** A linking page's authority, on its row. */
export function SourceAuthority({ value }: { value: number | undefined }) {
  if (value === undefined) return null;
  return (
    <span
      class="badge authority-badge"
      data-source-authority={value}
      title={authorityExplanation()}
    >
      {t('authority_badge', { value: authorityLabel(value) })}
    </span>
  );
}
