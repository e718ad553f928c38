import { signal } from '@preact/signals';
import {
  exportCsvPieces,
  exportJsonPieces,
  keepExportFileMs,
  piecesToBlob,
  writePieces,
  type ExportPiece,
  type WriteOptions,
} from '../../core/export-stream';
import {
  chunksOf,
  importStream,
  importSummary,
  type ImportProgress,
} from '../../core/import-stream';
import { exportFileOf } from '../../core/transfer';
import { t, tn } from '../../core/i18n';
import { linkBatches, storeBatches } from '../../storage/batches';
import { importAll } from '../../storage/records';
import { getDb } from '../../platform/db-connection';
import { whileImporting } from '../../platform/import-lock';
import { loadSettings, markRelatedPages } from '../../platform/settings-store';
import { createScratchFile } from '../../platform/scratch-files';
import { downloadBlob } from '../download';
import { countAllLinks } from '../../storage/link-keys';

/** An export or import under way, for the progress bar; null when none is. */
export type Transfer =
  { kind: 'export'; rows: number; total: number } | { kind: 'import'; progress: ImportProgress };

export const transfer = signal<Transfer | null>(null);

let cancelling: AbortController | null = null;

/**
 * Stop the transfer under way: an export between two batches (nothing is saved), an import
 * after the batch being written (it then says how far it got).
 */
export function cancelTransfer(): void {
  cancelling?.abort();
}

/**
 * Export the whole store as JSON (or its links as CSV), batch by batch, with progress and a
 * cancel button. The file is written to disk (the origin-private file system) and downloaded
 * from there, so memory stays flat whatever its size; where that is not possible it is
 * gathered in a Blob as before.
 */
export async function exportFile(kind: 'json' | 'csv'): Promise<string> {
  const db = await getDb();
  const [pages, links, redirects, referrals, { relatedPages }] = await Promise.all([
    db.count('pages'),
    countAllLinks(db),
    db.count('redirects'),
    db.count('referrals'),
    loadSettings(),
  ]);
  const exportedAt = new Date().toISOString();
  const file = exportFileOf(kind, exportedAt);
  const total = kind === 'json' ? pages + links + redirects + referrals : links;
  transfer.value = { kind: 'export', rows: 0, total };
  const stop = new AbortController();
  cancelling = stop;
  const options: WriteOptions = {
    signal: stop.signal,
    onRows: (rows) => (transfer.value = { kind: 'export', rows, total }),
  };
  const pieces: AsyncIterable<ExportPiece> =
    kind === 'json'
      ? exportJsonPieces(
          {
            pages: storeBatches(db, 'pages'),
            links: linkBatches(db),
            redirects: storeBatches(db, 'redirects'),
            referrals: storeBatches(db, 'referrals'),
          },
          exportedAt,
          relatedPages,
        )
      : exportCsvPieces(linkBatches(db));
  const scratch = await createScratchFile();
  try {
    if (scratch) {
      await writePieces(pieces, scratch, options);
      const onDisk = await scratch.close();
      const keepMs = keepExportFileMs(onDisk.size);
      // Removed once the download has surely read it; remove() never rejects.
      void downloadBlob(file.name, onDisk.slice(0, onDisk.size, file.type), keepMs).then(
        scratch.remove,
      );
    } else {
      // Resolves only once the URL is let go; the Blob is the garbage collector's then.
      void downloadBlob(file.name, await piecesToBlob(pieces, file.type, options));
    }
  } catch (error) {
    await scratch?.remove();
    if (stop.signal.aborted) return t('export_cancelled');
    throw error;
  } finally {
    cancelling = null;
    transfer.value = null;
  }
  const saved = { links: tn('count_links', links), file: file.name };
  return kind === 'json' ? tn('export_saved_json', pages, saved) : t('export_saved_csv', saved);
}

/**
 * Import an export file in pieces and batches (core/import-stream.ts), with progress and a
 * cancel button. What was stored before is never dropped; a cancelled or failed import keeps
 * the batches it wrote and says how far it got.
 */
export async function importFile(file: File): Promise<string> {
  const db = await getDb();
  const { excludedSites } = await loadSettings();
  cancelling = new AbortController();
  try {
    const signal = cancelling.signal;
    // The worker's authority job waits while the import writes (platform/import-lock.ts).
    const outcome = await whileImporting(() =>
      importStream({
        bytes: chunksOf(file.stream()),
        totalBytes: file.size,
        write: (batch) => importAll(db, batch),
        markRelated: markRelatedPages,
        excludedSites,
        signal,
        onProgress: (progress) => (transfer.value = { kind: 'import', progress }),
      }),
    );
    return importSummary(outcome);
  } finally {
    cancelling = null;
    transfer.value = null;
  }
}
