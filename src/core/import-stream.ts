import {
  addRow,
  checkHeader,
  emptyImport,
  EXPORT_LISTS,
  ImportError,
  importError,
  listsOf,
  missingList,
  parseRow,
  withoutExcludedSites,
  type ExportList,
  type ParsedImport,
} from './transfer';
import { formatNumber, t, tn } from './i18n';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COLON = 58;
const COMMA = 44;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
/**
 * Gets each list element's raw text, and where it ends in the text pushed last (in characters:
 * how far into the file it is, for progress).
 */
type ElementSink = (list: ExportList, raw: string, end: number) => void;

const isList = (key: string): key is ExportList =>
  (EXPORT_LISTS as readonly string[]).includes(key);

/**
 * Reads an export (one JSON object whose lists hold the records) from pieces of text, handing
 * out each element of the lists as soon as it is complete, so a file of any size is read in the
 * memory of one element. It finds where elements begin and end (strings, escapes and nesting);
 * each element is then JSON.parse'd on its own, and an element that does not parse is a bad row.
 * The header fields (format, version) must come before the lists, as every export writes them.
 */
export class ExportScanner {
  /** Top-level fields that are not lists (format, version, exportedAt), as parsed. */
  readonly fields: Record<string, unknown> = {};
  /** The lists met so far. */
  readonly lists = new Set<ExportList>();
  version = 0;

  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Where the text being kept starts in buf (a key, a field's value, an element), or -1. */
  private start = -1;
  private kind: 'key' | 'value' | 'element' | null = null;
  /** The kept text is a number or literal: it ends at a delimiter, not at a bracket or quote. */
  private bare = false;
  private key = '';
  private afterColon = false;
  private list: ExportList | null = null;
  /** Elements of a list this version does not have (referrals in a version 3 file): not read. */
  private ignored = false;
  private done = false;
  /** Where the text pushed last begins in buf. */
  private offset = 0;

  /** Read the next piece of text; `onElement` gets each complete list element's raw text. */
  push(text: string, onElement: ElementSink): void {
    const buf = this.start >= 0 ? this.buf.slice(this.start) + text : text;
    let i = this.start >= 0 ? this.buf.length - this.start : 0;
    if (this.start >= 0) this.start = 0;
    this.buf = buf;
    this.offset = buf.length - text.length;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          // A string inside an element is part of it; an element, key or field ends here.
          if (this.kind !== null && (this.kind !== 'element' || this.depth === 2)) {
            this.finish(i + 1, onElement);
          }
        }
        continue;
      }
      if (this.bare && (isSpace(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY)) {
        this.finish(i, onElement);
      }
      if (isSpace(c) || c === COMMA) continue;
      if (this.done) throw importError('import_not_json');
      if (c === COLON) {
        if (this.depth === 1) this.afterColon = true;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.open(c, i);
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.close(i, onElement);
      } else if (!this.bare) {
        this.begin(i, c === QUOTE);
        if (c === QUOTE) this.inString = true;
      }
    }
    // Keep only what is still being read: the rest of the buffer is done with.
    this.buf = this.start >= 0 ? buf : '';
  }

  /** The file ended: an ImportError when it ended inside the export or lacks a list. */
  end(): void {
    if (this.done && this.lists.size === 0) checkHeader(this.fields.format, this.fields.version);
    if (!this.done) {
      throw importError(this.depth === 0 ? 'import_empty' : 'import_cut_short');
    }
    for (const list of listsOf(this.version)) if (!this.lists.has(list)) throw missingList(list);
  }

  /** A string or a number/literal begins at i: a key, a field's value, or an element. */
  private begin(i: number, quoted: boolean): void {
    if (this.depth === 0) throw importError('import_not_json');
    const kind =
      this.depth === 1
        ? this.afterColon
          ? 'value'
          : 'key'
        : this.depth === 2 && this.list && !this.ignored
          ? 'element'
          : null;
    if (this.depth === 1) this.afterColon = false;
    if (!kind) return;
    this.start = i;
    this.kind = kind;
    this.bare = !quoted;
  }

  private open(c: number, i: number): void {
    if (this.depth === 0) {
      if (c !== OPEN_OBJECT) throw importError('import_not_export');
    } else if (this.depth === 1 && this.afterColon) {
      this.afterColon = false;
      if (c === OPEN_ARRAY && isList(this.key)) this.openList(this.key);
    } else if (this.depth === 2 && this.list && !this.ignored && this.kind === null) {
      this.start = i;
      this.kind = 'element';
    }
    this.depth++;
  }

  private openList(list: ExportList): void {
    if (this.lists.size === 0) {
      // The header comes first in every export: without it no row can be read safely.
      this.version = checkHeader(this.fields.format, this.fields.version);
    }
    this.list = list;
    this.lists.add(list);
    this.ignored = !listsOf(this.version).includes(list);
  }

  private close(i: number, onElement: ElementSink): void {
    this.depth--;
    if (this.depth < 0) throw importError('import_not_json');
    if (this.depth === 2 && this.kind === 'element') this.finish(i + 1, onElement);
    else if (this.depth === 1) this.list = null;
    else if (this.depth === 0) this.done = true;
  }

  /** The kept text ends before `end`: hand it out. */
  private finish(end: number, onElement: ElementSink): void {
    const raw = this.buf.slice(this.start, end);
    if (this.kind === 'key') {
      const key = parseOrUndefined(raw);
      if (typeof key !== 'string') throw importError('import_not_json');
      this.key = key;
    } else if (this.kind === 'value') this.fields[this.key] = parseOrUndefined(raw);
    else if (this.kind === 'element' && this.list) onElement(this.list, raw, end - this.offset);
    this.start = -1;
    this.kind = null;
    this.bare = false;
  }
}

function parseOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
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
  write: (batch: ParsedImport) => Promise<unknown>;
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
  const { totalBytes, write, excludedSites, signal, onProgress } = options;
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
    batch = emptyImport();
    rows = 0;
    await writing; // one batch in flight at most: memory stays bounded
    writing = write(data).then(() => {
      for (const list of EXPORT_LISTS) progress[list] += data[list].length;
      progress.skipped += data.skipped;
      progress.excluded += excluded;
    });
  };
  let pieceStart = 0;
  const onElement = (list: ExportList, raw: string, end: number) => {
    // Characters stand for bytes here: exact for the URLs and numbers an export is made of.
    if (list === 'links' && linksFrom < 0) linksFrom = pieceStart + Math.max(0, end - raw.length);
    if (list === 'links') linksRead++;
    addRow(batch, parseElement(list, raw, now));
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
        scanner.push(text.slice(at, at + SLICE_CHARS), onElement);
        if (rows >= batchSize) await flush();
        progress.aboutLinks = estimateLinks(progress, linksFrom, linksRead);
        onProgress?.({ ...progress });
      }
    }
    if (signal?.aborted) {
      await writing;
      return { ...progress, status: 'cancelled' };
    }
    scanner.push(decoder.decode(), onElement);
    scanner.end();
    await flush();
    await writing;
  } catch (error) {
    await writing.catch(() => undefined);
    const stored = EXPORT_LISTS.some((list) => progress[list] > 0);
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

function parseElement(list: ExportList, raw: string, now: number) {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  return parseRow(list, value, now);
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
  return tn('import_done', outcome.pages, {
    links: tn('count_links', outcome.links),
    rest: visits + skipped + left,
  });
}
