import {
  addRow,
  checkHeader,
  emptyImport,
  EXPORT_LISTS,
  ImportError,
  importError,
  listsOf,
  MAX_ROW_CHARS,
  missingList,
  parseRow,
  relatedPagesOf,
  withoutExcludedSites,
  type ExportList,
  type ImportRows,
} from './transfer';
import { formatNumber, t, tn, type MessageKey } from './i18n';
import { MAX_RELATED_PAGES, type MarkedMerge } from './settings';
import {
  JsonShapeError,
  parseJson,
  TopLevelJsonReader,
  type JsonEvent,
  type JsonShapeProblem,
} from './json-stream';

/**
 * Gets each list element's raw text (null for one over MAX_ROW_CHARS, not kept) and where it
 * begins, in characters from the beginning of the file (for progress).
 */
type ElementSink = (list: ExportList, raw: string | null, start: number) => void;

/** How each way of not being one JSON object reads to the person importing. */
const SHAPE_ERRORS: Record<JsonShapeProblem, MessageKey> = {
  empty: 'import_empty',
  'not-an-object': 'import_not_export',
  syntax: 'import_not_json',
  'cut-short': 'import_cut_short',
};

/**
 * Reads an export (one JSON object whose lists hold the records) from pieces of text through
 * the one streaming JSON reader (core/json-stream.ts), handing out each element of the lists
 * as soon as it is complete, so a file of any size is read in the memory of one element. The
 * header fields (format, version) must come before the lists, as every export writes them;
 * lists this version does not have (referrals in a version 3 file) are not read.
 */
export class ExportScanner {
  /** The header's fields (format, version, relatedPages), as parsed. */
  readonly fields: Record<string, unknown> = {};
  /** The lists met so far. */
  readonly lists = new Set<ExportList>();
  version = 0;
  private relatedTaken = false;

  private readonly reader = new TopLevelJsonReader({
    arrays: new Set(EXPORT_LISTS),
    // The marked pages are a value, not a list: a few URLs, read whole (up to MAX_ROW_CHARS).
    values: new Set(['format', 'version', 'relatedPages']),
    maxValueChars: MAX_ROW_CHARS,
  });

  /** Read the next piece of text; `onElement` gets each complete list element's raw text. */
  push(text: string, onElement: ElementSink): void {
    for (const event of shaped(() => this.reader.push(text))) {
      if (event.type === 'value') {
        this.fields[event.key] = event.value;
        continue;
      }
      const list = event.key as ExportList;
      // The header comes first in every export: without it no row can be read safely.
      if (this.lists.size === 0)
        this.version = checkHeader(this.fields.format, this.fields.version);
      this.lists.add(list);
      if (event.type === 'end' || !listsOf(this.version).includes(list)) continue;
      onElement(list, event.type === 'element' ? event.text : null, event.start);
    }
  }

  /**
   * The file's marked related pages once the version is known and they were read, once: null
   * before and after. An export writes them in the header, so they come with the first batch.
   */
  takeRelatedPages(): string[] | null {
    if (this.relatedTaken || this.version === 0 || !('relatedPages' in this.fields)) return null;
    this.relatedTaken = true;
    const pages = relatedPagesOf(this.version, this.fields.relatedPages);
    delete this.fields.relatedPages; // up to MAX_ROW_CHARS of text: not kept for the whole read
    return pages;
  }

  /** The file ended: an ImportError when it ended inside the export or lacks a list. */
  end(): void {
    shaped(() => this.reader.end());
    if (this.lists.size === 0) checkHeader(this.fields.format, this.fields.version);
    for (const list of listsOf(this.version)) if (!this.lists.has(list)) throw missingList(list);
  }
}

/** The reader's events, or its JsonShapeError as an ImportError in the person's words. */
function shaped(read: () => JsonEvent[]): JsonEvent[] {
  try {
    return read();
  } catch (error) {
    if (error instanceof JsonShapeError) throw importError(SHAPE_ERRORS[error.problem]);
    throw error;
  }
}

/** How far an import got: bytes of the file read, rows stored, skipped and left out. */
export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  pages: number;
  links: number;
  redirects: number;
  referrals: number;
  /** Rows that were not valid records. */
  skipped: number;
  /** Rows of excluded sites left out. */
  excluded: number;
  /** Marked related pages the file added, and those it had that the full list left out. */
  marked: number;
  markedLeftOut: number;
  /** The links the whole file holds, estimated from the bytes its links took so far. */
  aboutLinks: number | null;
}

export type ImportOutcome = ImportProgress & { status: 'done' | 'cancelled' };

/** An import that stopped part-way: what was stored stays, and the message says how far. */
export class ImportStoppedError extends ImportError {
  constructor(
    readonly progress: ImportProgress,
    reason: string,
  ) {
    super(t('import_stopped', { imported: importedSoFar(progress), reason }));
  }
}

export interface StreamImportOptions {
  /** The file's bytes, piece by piece (File.stream() in the browser). */
  bytes: AsyncIterable<Uint8Array>;
  totalBytes: number;
  /** Store one batch (storage/records#importAll); batches arrive one at a time, in file order. */
  write: (batch: ImportRows) => Promise<unknown>;
  /**
   * Add the file's marked related pages to the settings' (platform/settings-store#
   * markRelatedPages), once, after the first batch is written; never called for none.
   */
  markRelated: (pages: readonly string[]) => Promise<MarkedMerge>;
  excludedSites: readonly string[];
  now?: number;
  /** Rows per batch: one transaction each, so a popup's read never waits long behind it. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Import an export file in bounded memory: read in pieces, parsed element by element, written
 * in batches of `batchSize` rows, one batch written while the next is parsed. Merging never
 * drops a stored record, so a cancelled or failed import leaves what was stored before and
 * the batches written so far; the outcome (or ImportStoppedError) says how far it got.
 */
/** Characters of the file read between two chances to write a batch or cancel. */
const SLICE_CHARS = 64 * 1024;

export async function importStream(options: StreamImportOptions): Promise<ImportOutcome> {
  const { totalBytes, write, markRelated, excludedSites, signal, onProgress } = options;
  const now = options.now ?? Date.now();
  const batchSize = options.batchSize ?? 2000;
  const progress: ImportProgress = {
    bytesRead: 0,
    totalBytes,
    pages: 0,
    links: 0,
    redirects: 0,
    referrals: 0,
    skipped: 0,
    excluded: 0,
    marked: 0,
    markedLeftOut: 0,
    aboutLinks: null,
  };
  const scanner = new ExportScanner();
  const decoder = new TextDecoder();
  let batch = emptyImport();
  let rows = 0;
  let linksFrom = -1; // where in the file the links began, and how many read: the estimate
  let linksRead = 0;
  let writing: Promise<void> = Promise.resolve();

  const flush = async () => {
    const { data, excluded } = withoutExcludedSites(batch, excludedSites);
    // Not filtered by the exclusions, which keep a site from being recorded: a marked page is
    // one the person chose to compare with, wherever it is (marking one does not ask either).
    const related = scanner.takeRelatedPages();
    batch = emptyImport();
    rows = 0;
    await writing; // one batch in flight at most: memory stays bounded
    writing = write(data).then(async () => {
      for (const list of EXPORT_LISTS) progress[list] += data[list].length;
      progress.skipped += data.skipped;
      progress.excluded += excluded;
      if (!related?.length) return;
      const merge = await markRelated(related);
      progress.marked += merge.added;
      progress.markedLeftOut += merge.leftOut;
    });
  };
  let pieceStart = 0; // in bytes of the file, and in characters read
  let sliceChars = 0;
  let charsRead = 0;
  const onElement = (list: ExportList, raw: string | null, start: number) => {
    // Characters stand for bytes here: exact for the URLs and numbers an export is made of.
    if (list === 'links' && linksFrom < 0) linksFrom = Math.max(0, pieceStart + start - sliceChars);
    if (list === 'links') linksRead++;
    // An element over the cap is a row too long to be a record: skipped, like a bad one.
    addRow(batch, raw === null ? null : parseRow(list, parseJson(raw), now));
    rows++;
  };

  try {
    reading: for await (const piece of options.bytes) {
      const text = decoder.decode(piece, { stream: true });
      const before = progress.bytesRead;
      // A browser may hand out megabytes at once: read them a slice at a time, so that a
      // batch never grows past batchSize and a slice's rows, and progress moves smoothly.
      for (let at = 0; at < text.length || at === 0; at += SLICE_CHARS) {
        if (signal?.aborted) break reading;
        const share = (n: number) => Math.round(piece.byteLength * Math.min(1, n / text.length));
        pieceStart = before + share(at);
        progress.bytesRead = before + (text.length ? share(at + SLICE_CHARS) : piece.byteLength);
        const slice = text.slice(at, at + SLICE_CHARS);
        sliceChars = charsRead;
        charsRead += slice.length;
        scanner.push(slice, onElement);
        if (rows >= batchSize) await flush();
        progress.aboutLinks = estimateLinks(progress, linksFrom, linksRead);
        onProgress?.({ ...progress });
      }
    }
    if (signal?.aborted) {
      await writing;
      return { ...progress, status: 'cancelled' };
    }
    sliceChars = charsRead;
    scanner.push(decoder.decode(), onElement);
    scanner.end();
    await flush();
    await writing;
  } catch (error) {
    await writing.catch(() => undefined);
    const stored = EXPORT_LISTS.some((list) => progress[list] > 0) || progress.marked > 0;
    // Nothing stored yet (a wrong file): the error says it all.
    if (!stored && error instanceof ImportError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportStoppedError({ ...progress }, reason);
  }
  progress.aboutLinks = progress.links;
  onProgress?.({ ...progress });
  return { ...progress, status: 'done' };
}

/**
 * The chunks of a byte stream (File.stream()), through a reader: async iteration of a
 * ReadableStream came to Chrome only in 124, after the version this extension supports.
 */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopped early (cancelled, failed): the rest of the file is not read.
    await reader.cancel().catch(() => undefined);
  }
}

/** Links in the whole file, from the bytes per link so far; null before the links begin. */
function estimateLinks(p: ImportProgress, linksFrom: number, seen: number): number | null {
  const span = p.bytesRead - linksFrom;
  if (linksFrom < 0 || seen === 0 || span <= 0) return null;
  return Math.max(seen, Math.round((seen * (p.totalBytes - linksFrom)) / span));
}

/** "Imported 120,000 of about 400,000 links" (or of the pages, before any link). */
export function importedSoFar(p: ImportProgress): string {
  if (p.links === 0) {
    const percent = Math.floor((100 * p.bytesRead) / (p.totalBytes || 1));
    return tn('import_so_far_pages', p.pages, { percent });
  }
  return p.aboutLinks !== null && p.aboutLinks > p.links
    ? tn('import_so_far_about', p.aboutLinks, { links: formatNumber(p.links) })
    : tn('import_so_far_links', p.links);
}

/** The notice at the end of an import: what was stored, what was left out and why. */
export function importSummary(outcome: ImportOutcome): string {
  if (outcome.status === 'cancelled') {
    return t('import_cancelled', { imported: importedSoFar(outcome) });
  }
  // Rows are refused whole, never cut or guessed at: say how many and why they can be.
  const skipped = outcome.skipped ? tn('import_skipped', outcome.skipped) : '';
  const left = outcome.excluded ? tn('import_excluded', outcome.excluded) : '';
  const visits = outcome.referrals ? tn('import_visits', outcome.referrals) : '';
  const marked = outcome.marked ? tn('import_marked', outcome.marked) : '';
  const full = outcome.markedLeftOut
    ? tn('import_marked_full', outcome.markedLeftOut, { max: MAX_RELATED_PAGES })
    : '';
  return tn('import_done', outcome.pages, {
    links: tn('count_links', outcome.links),
    rest: visits + marked + full + skipped + left,
  });
}
