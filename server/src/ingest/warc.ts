/**
 * Gzipped WARC read as a stream, one record at a time, in constant memory: the compressed bytes
 * are split into gzip members (Common Crawl writes every record as its own member, so that a
 * record can be fetched alone by offset), each member is inflated on its own and split into its
 * WARC records (https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/).
 *
 * Not warcio.js: version 2.4.11 stops without an error at the first corrupt member (every record
 * after it is silently lost) and lets a Content-Length that is too long swallow the next record.
 * Here a damaged member is one skipped record: its CRC is checked, and reading goes on from the
 * next gzip header.
 */
import { constants, crc32, inflateRawSync } from 'node:zlib';

/** One WARC record: header fields (names lower-cased) and its content block. */
export interface WarcRecord {
  headers: Map<string, string>;
  block: Buffer;
}

export type WarcSkipReason =
  | 'corrupt gzip member'
  | 'truncated gzip member'
  | 'not gzip data'
  | 'record too large'
  | 'bad WARC record';

export interface WarcSkip {
  skipped: WarcSkipReason;
}

/**
 * A record inflates to at most this many bytes (Common Crawl cuts a response at 1 MiB; its WAT
 * JSON for such a page stays well under this). A larger one is skipped, not held in memory.
 */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** Length of the gzip member header at the start of `buf` (RFC 1952 §2.3), or null if cut. */
function gzipHeaderLength(buf: Buffer): number | null {
  if (buf.length < 10) return null;
  const flags = buf[3] ?? 0;
  let at = 10;
  if (flags & FEXTRA) {
    if (buf.length < at + 2) return null;
    at += 2 + buf.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const zero = buf.indexOf(0, at);
    if (zero === -1) return null;
    at = zero + 1;
  }
  if (flags & FHCRC) at += 2;
  return at <= buf.length ? at : null;
}

type Inflated = { data: Buffer; end: number } | 'need more' | WarcSkipReason;

/** Inflate the member at the start of `buf`: its data and where it ends, or why not. */
function inflateMember(buf: Buffer): Inflated {
  const header = gzipHeaderLength(buf);
  if (header === null) return 'need more';
  let data: Buffer;
  let consumed: number;
  try {
    const { buffer, engine } = inflateRawSync(buf.subarray(header), {
      info: true,
      maxOutputLength: MAX_RECORD_BYTES,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    data = buffer;
    consumed = engine.bytesWritten;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'Z_BUF_ERROR') return 'need more';
    if (code === 'ERR_BUFFER_TOO_LARGE') return 'record too large';
    return 'corrupt gzip member';
  }
  const end = header + consumed + 8;
  if (buf.length < end) return 'need more';
  // The trailer's CRC-32 and size catch damage that still inflates (a flipped bit in a literal).
  const crcOk = buf.readUInt32LE(end - 8) === crc32(data);
  const sizeOk = buf.readUInt32LE(end - 4) === data.length % 2 ** 32;
  return crcOk && sizeOk ? { data, end } : 'corrupt gzip member';
}

/**
 * The inflated gzip members of a byte stream, in order; a damaged stretch becomes one skip and
 * reading resumes at the next gzip header. Holds one member plus one read chunk at a time.
 */
export async function* gzipMembers(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<Buffer | WarcSkip> {
  const source = chunks[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  // After a reported skip, the bytes up to the next good member belong to the same damage.
  let resyncing = false;
  const more = async (atLeast: number): Promise<boolean> => {
    const start = buf.length;
    while (!ended && buf.length < atLeast) {
      const next = await source.next();
      if (next.done) ended = true;
      else buf = buf.length ? Buffer.concat([buf, next.value]) : next.value;
    }
    return buf.length > start;
  };
  const skip = (reason: WarcSkipReason): WarcSkip | null => {
    const report = resyncing ? null : { skipped: reason };
    resyncing = true;
    // Step past this header; the search for the next one starts at the following byte.
    buf = buf.subarray(1);
    return report;
  };

  for (;;) {
    if (buf.length < GZIP_MAGIC.length) await more(GZIP_MAGIC.length);
    if (buf.length < GZIP_MAGIC.length) {
      if (buf.length > 0 && !resyncing) yield { skipped: 'truncated gzip member' };
      return;
    }
    const magic = buf.indexOf(GZIP_MAGIC);
    if (magic !== 0) {
      if (!resyncing) yield { skipped: 'not gzip data' };
      resyncing = true;
      // Keep a possible start of a header split across chunks.
      buf = buf.subarray(magic === -1 ? Math.max(0, buf.length - 2) : magic);
      if (magic === -1 && !(await more(buf.length + 1))) return;
      continue;
    }
    const result = inflateMember(buf);
    if (result === 'need more') {
      // Read at least twice as much before trying again, so that a member spanning many chunks
      // is inflated a logarithmic number of times, not once per chunk.
      if (buf.length <= MAX_RECORD_BYTES && (await more(buf.length * 2))) continue;
      const report = skip(
        buf.length > MAX_RECORD_BYTES ? 'record too large' : 'truncated gzip member',
      );
      if (report) yield report;
      continue;
    }
    if (typeof result === 'string') {
      const report = skip(result);
      if (report) yield report;
      continue;
    }
    resyncing = false;
    buf = buf.subarray(result.end);
    yield result.data;
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * The WARC records in one inflated member (Common Crawl: exactly one). A record whose header
 * cannot be read or whose block is shorter than its Content-Length is skipped; since the member
 * bounds it, the next record is not affected.
 */
export function warcRecords(data: Buffer): Array<WarcRecord | WarcSkip> {
  const out: Array<WarcRecord | WarcSkip> = [];
  let at = 0;
  while (at < data.length) {
    // Records are separated by CRLF CRLF; tolerate any whitespace between them.
    while (at < data.length && (data[at] === 0x0d || data[at] === 0x0a)) at++;
    if (at >= data.length) break;
    const headerEnd = data.indexOf(CRLF2, at);
    if (headerEnd === -1 || !data.toString('latin1', at, at + 5).startsWith('WARC/')) {
      out.push({ skipped: 'bad WARC record' });
      break;
    }
    const headers = new Map<string, string>();
    for (const line of data.toString('utf8', at, headerEnd).split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get('content-length'));
    const blockStart = headerEnd + CRLF2.length;
    if (!Number.isSafeInteger(length) || length < 0 || blockStart + length > data.length) {
      out.push({ skipped: 'bad WARC record' });
      break;
    }
    out.push({ headers, block: data.subarray(blockStart, blockStart + length) });
    at = blockStart + length;
  }
  return out;
}

/** Every WARC record of a gzipped WARC byte stream, with a skip for each damaged stretch. */
export async function* readWarc(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<WarcRecord | WarcSkip> {
  for await (const member of gzipMembers(chunks)) {
    if ('skipped' in member) yield member;
    else yield* warcRecords(member);
  }
}

/** Whether these first bytes start a gzip stream. */
export function isGzip(head: Buffer): boolean {
  return head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC);
}

/** The first bytes a gzip stream inflates to, from its first bytes (for telling formats apart). */
export function peekGunzip(head: Buffer): Buffer {
  const header = gzipHeaderLength(head);
  if (header === null) return Buffer.alloc(0);
  try {
    return inflateRawSync(head.subarray(header), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}
