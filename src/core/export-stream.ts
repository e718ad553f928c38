import type { LinkRecord } from './types';
import {
  csvHeader,
  EXPORT_FORMAT,
  EXPORT_LISTS,
  EXPORT_VERSION,
  linkCsvRows,
  type ExportFile,
  type ExportList,
} from './transfer';
import { toCsv } from './csv';

/** Records of one list, batch after batch (storage/batches.ts reads them from the store). */
export type Batches<T> = () => AsyncIterable<readonly T[]>;
export type ExportSources = { [L in ExportList]: Batches<ExportFile[L][number]> };

/** A piece of an export file and how many records it holds. */
export interface ExportPiece {
  text: string;
  rows: number;
}

/**
 * The JSON export in pieces, one per batch: the same text as JSON.stringify of the whole
 * ExportFile (the same format and version, so any version of the extension reads it back),
 * without ever holding more than a batch.
 */
export async function* exportJsonPieces(
  sources: ExportSources,
  exportedAt: string,
): AsyncGenerator<ExportPiece> {
  const head = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt };
  let text = JSON.stringify(head).slice(0, -1);
  for (const list of EXPORT_LISTS) {
    text += `,${JSON.stringify(list)}:[`;
    let first = true;
    for await (const batch of sources[list]()) {
      if (batch.length === 0) continue;
      const rows = batch.map((record) => JSON.stringify(record)).join(',');
      yield { text: `${text}${first ? '' : ','}${rows}`, rows: batch.length };
      text = '';
      first = false;
    }
    text += ']';
  }
  yield { text: `${text}}`, rows: 0 };
}

/** The CSV export of the links in pieces: the header, then the rows of each batch. */
export async function* exportCsvPieces(links: Batches<LinkRecord>): AsyncGenerator<ExportPiece> {
  yield { text: csvHeader(), rows: 0 };
  for await (const batch of links()) {
    const [first, ...rest] = linkCsvRows(batch);
    // toCsv writes its first argument as a line like the others: here a row, not the header.
    if (first) yield { text: toCsv(first, rest), rows: batch.length };
  }
}

/** Strings gathered before they are handed to a Blob part: the JS heap holds at most this. */
const PART_CHARS = 4 * 1024 * 1024;

/**
 * Gather pieces into a Blob. Pieces are moved into Blob parts every few megabytes, which the
 * browser keeps outside the JS heap (and on disk when large), so the page's memory stays
 * bounded whatever the file's size. `onRows` gets the records written so far.
 */
export async function piecesToBlob(
  pieces: AsyncIterable<ExportPiece>,
  type: string,
  onRows: (rows: number) => void = () => {},
): Promise<Blob> {
  const parts: Blob[] = [];
  let pending: string[] = [];
  let chars = 0;
  let rows = 0;
  for await (const piece of pieces) {
    pending.push(piece.text);
    chars += piece.text.length;
    rows += piece.rows;
    if (chars >= PART_CHARS) {
      parts.push(new Blob(pending));
      pending = [];
      chars = 0;
    }
    onRows(rows);
  }
  parts.push(new Blob(pending));
  return new Blob(parts, { type });
}
