import type { RetentionMonths } from '../../core/types';
import { formatNumber, t } from '../../core/i18n';
import { StorageAlertNote } from './StorageAlertNote';
import {
  describeRetention,
  MAX_LINKS_PER_SOURCE,
  RETENTION_CHOICES,
  type StorageAlert,
} from '../../core/retention';
import { countsText, usageText, type StorageStats } from '../../core/storage-view';

export interface StoragePanelProps {
  stats: StorageStats | null;
  retention: RetentionMonths;
  alert: StorageAlert | null;
  now: number;
  onRetention: (months: RetentionMonths) => void;
  onPrune: () => void;
}

/** The options page's storage section: what is stored, the space it takes, and how long. */
export function StoragePanel({
  stats,
  retention,
  alert,
  now,
  onRetention,
  onPrune,
}: StoragePanelProps) {
  return (
    <fieldset id="storage" data-region="storage">
      <legend>{t('storage_legend')}</legend>
      <StorageAlertNote alert={alert} now={now} />
      {stats ? (
        <>
          <p id="storage-counts" data-pages={stats.pages} data-links={stats.links}>
            {countsText(stats)}
          </p>
          <p id="storage-usage" data-usage={stats.usage ?? ''} data-quota={stats.quota ?? ''}>
            {usageText(stats)}
          </p>
        </>
      ) : (
        <p class="status">{t('storage_counting')}</p>
      )}
      <label>
        {t('storage_retention_label')}{' '}
        <select
          id="retention"
          value={String(retention)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            onRetention(v === 'forever' ? 'forever' : (Number(v) as RetentionMonths));
          }}
        >
          {RETENTION_CHOICES.map((m) => (
            <option key={m} value={String(m)}>
              {m === 'forever' ? t('storage_retention_never') : describeRetention(m)}
            </option>
          ))}
        </select>
      </label>{' '}
      <button id="prune-now" disabled={retention === 'forever'} onClick={onPrune}>
        {t('storage_prune_now')}
      </button>
      <p class="status">{t('storage_rules', { max: formatNumber(MAX_LINKS_PER_SOURCE) })}</p>
    </fieldset>
  );
}
