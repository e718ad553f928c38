import type { Transfer } from '../options/transfer-model';
import { formatNumber, t, tn } from '../../core/i18n';

/** How far an export or import is, as a bar and in words, with a button to cancel it. */
export function TransferProgress({
  transfer,
  onCancel,
}: {
  transfer: Transfer;
  onCancel: () => void;
}) {
  if (transfer.kind === 'export') {
    return (
      <div id="transfer" data-kind="export" data-rows={transfer.rows} role="status">
        <progress id="transfer-progress" max={transfer.total || 1} value={transfer.rows} />{' '}
        {t('transfer_exporting', {
          rows: formatNumber(transfer.rows),
          total: formatNumber(transfer.total),
        })}{' '}
        <button id="cancel-export" onClick={onCancel}>
          {t('transfer_cancel_export')}
        </button>
      </div>
    );
  }
  const p = transfer.progress;
  const links =
    p.aboutLinks !== null && p.aboutLinks > p.links
      ? tn('transfer_links_of_about', p.aboutLinks, { links: formatNumber(p.links) })
      : tn('count_links', p.links);
  const skipped = p.skipped ? tn('transfer_skipped', p.skipped) : '';
  return (
    <div
      id="transfer"
      data-kind="import"
      data-links={p.links}
      data-bytes={p.bytesRead}
      role="status"
    >
      <progress id="transfer-progress" max={p.totalBytes || 1} value={p.bytesRead} />{' '}
      {tn('transfer_importing', p.pages, { links, skipped })}{' '}
      <button id="cancel-import" onClick={onCancel}>
        {t('transfer_cancel')}
      </button>
    </div>
  );
}
