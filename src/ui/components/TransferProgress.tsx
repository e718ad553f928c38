import type { Transfer } from '../options/transfer-model';

const number = (n: number) => n.toLocaleString('en-US');

/** How far an export or import is, as a bar and in words; an import can be cancelled. */
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
        Exporting: {number(transfer.rows)} of {number(transfer.total)} records written.
      </div>
    );
  }
  const p = transfer.progress;
  const links =
    p.aboutLinks !== null && p.aboutLinks > p.links
      ? `${number(p.links)} of about ${number(p.aboutLinks)} links`
      : `${number(p.links)} links`;
  return (
    <div
      id="transfer"
      data-kind="import"
      data-links={p.links}
      data-bytes={p.bytesRead}
      role="status"
    >
      <progress id="transfer-progress" max={p.totalBytes || 1} value={p.bytesRead} /> Importing:{' '}
      {number(p.pages)} pages and {links} stored
      {p.skipped ? `, ${number(p.skipped)} invalid rows skipped` : ''}.{' '}
      <button id="cancel-import" onClick={onCancel}>
        Cancel import
      </button>
    </div>
  );
}
