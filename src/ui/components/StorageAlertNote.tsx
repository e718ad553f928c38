import { alertText, isCurrentAlert, type StorageAlert } from '../../core/retention';

/** One line saying the disk was full and what was done about it; nothing when that is old news. */
export function StorageAlertNote({ alert, now }: { alert: StorageAlert | null; now: number }) {
  if (!isCurrentAlert(alert, now)) return null;
  return (
    <p class="error storage-alert" data-alert={alert.kind} role="status">
      {alertText(alert)}
    </p>
  );
}
