/**
 * `npm run index -- ingest FILE [FILE...]`: Common Crawl WAT files and the extension's JSON
 * exports (told apart by their first bytes, gzipped or not) into the index, in batches of pages,
 * each batch one transaction of the store (so ingesting a file twice changes nothing). A record
 * that cannot be used is skipped and counted by reason; a file that cannot be read at all is
 * reported and the next file is read.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ImportError } from '../../../src/core/transfer';
import { ConfigError, readConfig } from '../config';
import { openDb } from '../db';
import { isSkipped, type IndexedPage, type IngestItem } from '../model';
import { migrate } from '../schema';
import { ingestPages } from '../store';
import { readExport } from './export';
import { progressReporter, type ProgressOutput, type ProgressSink } from './progress';
import { isGzip, peekGunzip } from './warc';
import { readWat } from './wat';

export type InputKind = 'wat' | 'export';

/** What one batch of pages did in the store. */
export interface WriteResult {
  pages: number;
  links: number;
  /** Pages and links the store refused (not http(s), a secret path, an impossible time). */
  skipped: number;
}

export type PageWriter = (pages: IndexedPage[]) => Promise<WriteResult>;

export interface IngestSummary {
  files: number;
  /** Records read: pages handed to the store plus records skipped. */
  records: number;
  pages: number;
  links: number;
  /** Skipped records by reason, the store's refusals under "refused by the store". */
  skipped: Record<string, number>;
  /** Files that could not be read through, with the reason in plain words. */
  failed: Array<{ file: string; message: string }>;
  seconds: number;
}

export interface IngestOptions {
  /** Pages per store transaction. */
  batchSize?: number;
  progress?: ProgressSink;
  now?: number;
}

export const DEFAULT_BATCH_SIZE = 500;
const READ_CHUNK_BYTES = 1024 * 1024;

/** Which reader a file needs, from its first bytes; an error in plain words if none. */
export async function detectInput(path: string): Promise<{ kind: InputKind; gzip: boolean }> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  const gzip = isGzip(head);
  const text = (gzip ? peekGunzip(head) : head)
    .toString('utf8', 0, 64)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (gzip && text.startsWith('WARC/')) return { kind: 'wat', gzip };
  if (text.startsWith('{')) return { kind: 'export', gzip };
  if (text.startsWith('WARC/')) {
    throw new ImportError(
      'This is an uncompressed WARC file; WAT files are read gzipped, one record per gzip member, as Common Crawl publishes them.',
    );
  }
  throw new ImportError('This is neither a WAT file (gzipped WARC) nor a Backlink Lens export.');
}

/** The file's bytes in chunks, counting what has been read (compressed bytes: the file's own). */
async function* fileBytes(path: string, onRead: (bytes: number) => void): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
    read += (chunk as Buffer).length;
    onRead(read);
    yield chunk as Buffer;
  }
}

async function* textOf(bytes: AsyncIterable<Buffer>, gzip: boolean): AsyncGenerator<string> {
  const source = gzip ? bytesThrough(bytes, createGunzip()) : bytes;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* bytesThrough(
  bytes: AsyncIterable<Buffer>,
  gunzip: ReturnType<typeof createGunzip>,
): AsyncGenerator<Buffer> {
  const feed = (async () => {
    for await (const chunk of bytes) {
      if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
    }
    gunzip.end();
  })();
  // A feed failure surfaces through the gunzip stream's own error.
  feed.catch((error: unknown) => gunzip.destroy(error as Error));
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feed;
}

/** The items of one file, by its kind. */
export function readInput(
  path: string,
  kind: InputKind,
  gzip: boolean,
  onRead: (bytes: number) => void,
): AsyncIterable<IngestItem> {
  const origin = basename(path);
  if (kind === 'wat') return readWat(fileBytes(path, onRead), origin);
  return readExport(() => textOf(fileBytes(path, onRead), gzip), { origin });
}

function messageOf(error: unknown): string {
  if (error instanceof ImportError) return error.message;
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'The file does not exist.';
  if (code === 'EACCES') return 'The file cannot be read (permission denied).';
  if (code === 'EISDIR') return 'This is a folder, not a file.';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return 'The gzip data is damaged or cut short.';
  }
  return error instanceof Error ? error.message : String(error);
}

const silent: ProgressSink = { update() {}, done() {} };

/** The store refused a batch (its database is down, a constraint failed): later files would fail too. */
class StoreFailure extends Error {}

/**
 * Reads every file and writes its pages through `write`, `batchSize` pages at a time. Files are
 * independent: one that fails is reported in `failed`, with what was written before the failure
 * kept (every batch is whole on its own).
 */
export async function ingestFiles(
  paths: readonly string[],
  write: PageWriter,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const progress = options.progress ?? silent;
  const started = performance.now();
  const summary: IngestSummary = {
    files: paths.length,
    records: 0,
    pages: 0,
    links: 0,
    skipped: {},
    failed: [],
    seconds: 0,
  };
  const skip = (reason: string, n = 1) => {
    if (n > 0) summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
  };
  const skippedCount = () => Object.values(summary.skipped).reduce((a, b) => a + b, 0);

  for (const path of paths) {
    const state = {
      file: basename(path),
      bytes: 0,
      totalBytes: 0,
      records: 0,
      pages: summary.pages,
      links: summary.links,
      skipped: skippedCount(),
    };
    let batch: IndexedPage[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      let result: WriteResult;
      try {
        result = await write(batch);
      } catch (error) {
        throw new StoreFailure(`The index database refused a batch: ${messageOf(error)}`);
      }
      batch = [];
      summary.pages += result.pages;
      summary.links += result.links;
      skip('refused by the store', result.skipped);
      Object.assign(state, { pages: summary.pages, links: summary.links, skipped: skippedCount() });
    };
    try {
      state.totalBytes = (await stat(path)).size;
      const { kind, gzip } = await detectInput(path);
      const items = readInput(path, kind, gzip, (bytes) => (state.bytes = bytes));
      for await (const item of items) {
        summary.records++;
        state.records++;
        if (isSkipped(item)) {
          skip(item.skipped);
          state.skipped++;
        } else {
          batch.push(item);
          if (batch.length >= batchSize) await flush();
        }
        progress.update(state);
      }
      await flush();
    } catch (error) {
      progress.done(state);
      summary.failed.push({ file: path, message: messageOf(error) });
      if (error instanceof StoreFailure) break;
      // The pages read before the failure are whole: they go in, then the next file is read.
      try {
        await flush();
      } catch (failure) {
        summary.failed.push({ file: path, message: messageOf(failure) });
        break;
      }
      continue;
    }
    progress.done(state);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** The final report, a few lines a person reads at a glance. */
export function summaryText(summary: IngestSummary): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const perSecond = summary.seconds > 0 ? Math.round(summary.records / summary.seconds) : 0;
  const lines = [
    `Ingested ${n(summary.pages)} pages with ${n(summary.links)} links from ` +
      `${n(summary.files - summary.failed.length)} of ${n(summary.files)} files ` +
      `(${n(summary.records)} records in ${summary.seconds.toFixed(1)} s, ${n(perSecond)} records/s).`,
  ];
  const reasons = Object.entries(summary.skipped).sort((a, b) => b[1] - a[1]);
  const skipped = reasons.reduce((total, [, count]) => total + count, 0);
  if (skipped > 0) {
    lines.push(`Skipped ${n(skipped)}:`);
    const width = Math.max(...reasons.map(([reason]) => reason.length));
    for (const [reason, count] of reasons) lines.push(`  ${reason.padEnd(width)}  ${n(count)}`);
  }
  for (const { file, message } of summary.failed) lines.push(`Failed: ${file}: ${message}`);
  return lines.join('\n');
}

/** Reads `--batch N` and the file names of the command line. */
export function parseIngestArgs(args: readonly string[]): { files: string[]; batchSize: number } {
  const files: string[] = [];
  let batchSize = DEFAULT_BATCH_SIZE;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--batch') {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1 || value > 100_000) {
        throw new ConfigError('--batch takes a whole number of pages from 1 to 100000.');
      }
      batchSize = value;
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) {
    throw new ConfigError('Usage: npm run index -- ingest [--batch N] FILE [FILE...]');
  }
  return { files, batchSize };
}

/** Ingest into a store through `write`, reporting progress and the summary on `out`. */
export async function runIngest(
  args: readonly string[],
  write: PageWriter,
  out: ProgressOutput = process.stderr,
): Promise<IngestSummary> {
  const { files, batchSize } = parseIngestArgs(args);
  const summary = await ingestFiles(files, write, { batchSize, progress: progressReporter(out) });
  out.write(`${summaryText(summary)}\n`);
  return summary;
}

/**
 * The `ingest` command: into the database the server uses (INDEX_DATA_DIR or DATABASE_URL),
 * migrated first. Exits non-zero when a file could not be read through.
 */
export async function ingestCommand(args: string[]): Promise<void> {
  parseIngestArgs(args);
  const db = await openDb(readConfig());
  try {
    await migrate(db);
    const summary = await runIngest(args, (pages) => ingestPages(db, pages));
    if (summary.failed.length > 0) process.exitCode = 1;
  } finally {
    await db.close();
  }
}
