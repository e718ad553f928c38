import type { RetentionMonths } from '../../core/types';
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
      <legend>Storage</legend>
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
        <p class="status">Counting…</p>
      )}
      <label>
        Delete pages not visited again in{' '}
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
              {m === 'forever' ? 'never (keep every page)' : describeRetention(m)}
            </option>
          ))}
        </select>
      </label>{' '}
      <button id="prune-now" disabled={retention === 'forever'} onClick={onPrune}>
        Delete expired pages now
      </button>
      <p class="status">
        Expired pages are deleted once a day, with the links on them; links from other pages to them
        stay. Each page keeps at most {MAX_LINKS_PER_SOURCE.toLocaleString('en-US')} links, the
        longest lost deleted first. When the disk is full, the pages not visited for longest make
        room.
      </p>
    </fieldset>
  );
}
