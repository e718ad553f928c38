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
 * without ever holding more than a batch. The marked related pages, a short list kept in the
 * settings, go whole in the header's piece.
 */
export async function* exportJsonPieces(
  sources: ExportSources,
  exportedAt: string,
  relatedPages: readonly string[],
): AsyncGenerator<ExportPiece> {
  const head = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt, relatedPages };
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

/** Strings gathered before they are written: the JS heap holds at most this much export text. */
const PART_CHARS = 4 * 1024 * 1024;

/** Where an export's text goes, a part at a time: a file on disk, or Blob parts. */
export interface TextSink {
  write(text: string): Promise<void>;
}

export interface WriteOptions {
  /** Records written so far, after each piece. */
  onRows?: (rows: number) => void;
  /** Stops the export between pieces with the signal's reason (an AbortError). */
  signal?: AbortSignal;
}

/**
 * Write pieces to `sink` in parts of a few megabytes. Each write is awaited before the next
 * part is gathered, so the page holds one part however big the file grows. Returns the
 * records written.
 */
export async function writePieces(
  pieces: AsyncIterable<ExportPiece>,
  sink: TextSink,
  { onRows = () => {}, signal }: WriteOptions = {},
): Promise<number> {
  let pending: string[] = [];
  let chars = 0;
  let rows = 0;
  for await (const piece of pieces) {
    signal?.throwIfAborted();
    pending.push(piece.text);
    chars += piece.text.length;
    rows += piece.rows;
    if (chars >= PART_CHARS) {
      await sink.write(pending.join(''));
      pending = [];
      chars = 0;
    }
    onRows(rows);
  }
  signal?.throwIfAborted();
  if (chars > 0) await sink.write(pending.join(''));
  return rows;
}

/**
 * Gather pieces into a Blob, where no file can be written (see ui/export-file.ts). The
 * browser keeps Blob parts outside the JS heap, but the page's process may hold them all
 * until the download has read them: memory grows with the file.
 */
export async function piecesToBlob(
  pieces: AsyncIterable<ExportPiece>,
  type: string,
  options: WriteOptions = {},
): Promise<Blob> {
  const parts: Blob[] = [];
  await writePieces(
    pieces,
    {
      write: async (text) => {
        parts.push(new Blob([text]));
      },
    },
    options,
  );
  return new Blob(parts, { type });
}

/**
 * How long a finished export's file on disk is kept after its download began: the download
 * reads from it, and the page cannot see when it is done (that needs the "downloads"
 * permission). Two minutes, plus a second per megabyte for a slow disk or a Save As dialog
 * left open; a file left behind by a closed page is removed at the next start.
 */
export function keepExportFileMs(bytes: number): number {
  return 120_000 + Math.ceil(bytes / 2 ** 20) * 1000;
}
