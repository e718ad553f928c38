/**
 * The extension's JSON exports (src/core/transfer.ts, every version parseExport reads), as
 * pages with their live links. Rows are validated by the extension's own import rules
 * (parsePage, parseLinkRecord: URLs canonicalized, secrets stripped, times bounded).
 *
 * Read as a stream when the file is in the order the extension writes it (format and version,
 * then pages, then links, links grouped by source page as IndexedDB's key order leaves them):
 * memory is then the pages' URLs and times plus one page's links, whatever the file's size.
 * A file in another order (a tool that sorts keys) is read whole instead, up to
 * MAX_WHOLE_EXPORT_CHARS; over that it is refused with a message saying why.
 */
import {
  ImportError,
  MAX_ROW_CHARS,
  parseExport,
  parseLinkRecord,
  parsePage,
} from '../../../src/core/transfer';
import type { LinkRecord, PageRecord } from '../../../src/core/types';
import type { IndexedLink, IndexedPage, SkippedRecord } from '../model';
import { JsonShapeError, parseJson, TopLevelJsonReader } from '../../../src/core/json-stream';
import { MAX_LINKS_PER_PAGE } from './wat';

export type ExportSkipReason =
  | 'malformed row'
  | 'row too large'
  | 'invalid page row'
  | 'invalid link row'
  | 'invalid row'
  | 'lost link'
  | 'link out of order'
  | 'over the links-per-page cap';

export interface ExportSkip extends SkippedRecord {
  skipped: ExportSkipReason;
}

type ExportItem = IndexedPage | ExportSkip;

/** An export in an unexpected order is read whole; up to this many characters (256 Mi). */
export const MAX_WHOLE_EXPORT_CHARS = 256 * 1024 * 1024;

export interface ExportReadOptions {
  now?: number;
  origin?: string;
}

interface PageMeta {
  seenAt: number;
  nofollow: boolean;
  truncated: boolean;
}

interface Current {
  url: string;
  links: IndexedLink[];
  seenAt: number;
  capped: boolean;
}

/**
 * Pages and their links, put together from rows: a page is handed out when the links of the
 * next source start (rows arrive grouped by source), and pages without links at the end.
 */
class PageAssembler {
  private readonly pages = new Map<string, PageMeta>();
  private readonly done = new Set<string>();
  private current: Current | null = null;

  constructor(private readonly origin: string | undefined) {}

  addPage(row: PageRecord): void {
    const known = this.pages.get(row.url);
    if (known && known.seenAt >= row.lastSeen) return;
    this.pages.set(row.url, {
      seenAt: row.lastSeen,
      nofollow: row.robotsNofollow,
      truncated: row.truncated,
    });
  }

  addLink(row: LinkRecord): ExportItem[] {
    // A lost link is not on its page any more: handing it over would say it is.
    if (row.lostAt !== null) return [{ skipped: 'lost link' }];
    const out: ExportItem[] = [];
    if (this.current?.url !== row.source) {
      if (this.current) out.push(this.flush(this.current));
      // Its page went out already; a second, partial copy of it could read as links removed.
      if (this.done.has(row.source)) return [...out, { skipped: 'link out of order' }];
      this.current = { url: row.source, links: [], seenAt: row.lastSeen, capped: false };
    }
    const page = this.current!;
    if (page.links.length >= MAX_LINKS_PER_PAGE) {
      page.capped = true;
      return [...out, { skipped: 'over the links-per-page cap' }];
    }
    page.links.push({
      url: row.target,
      anchor: row.anchor,
      rel: row.rel,
      region: row.region,
      firstSeen: row.firstSeen,
    });
    page.seenAt = Math.max(page.seenAt, row.lastSeen);
    return out;
  }

  private flush(current: Current): IndexedPage {
    this.current = null;
    this.done.add(current.url);
    const known = this.pages.get(current.url);
    this.pages.delete(current.url);
    // Links without their page's row: whether they are all of its links is unknown.
    const meta = known ?? { seenAt: current.seenAt, nofollow: false, truncated: true };
    return this.page(current.url, meta, current.links, current.capped);
  }

  private page(url: string, meta: PageMeta, links: IndexedLink[], capped = false): IndexedPage {
    return {
      url,
      seenAt: meta.seenAt,
      links,
      ...(meta.nofollow ? { nofollow: true } : {}),
      // A capped list is not the page's whole list: what is missing from it is not removed.
      ...(meta.truncated || capped ? { truncated: true } : {}),
      ...(this.origin ? { origin: this.origin } : {}),
    };
  }

  /** The last page with links, then every page that had none. */
  finish(): IndexedPage[] {
    const out = this.current ? [this.flush(this.current)] : [];
    for (const [url, meta] of this.pages) out.push(this.page(url, meta, []));
    this.pages.clear();
    return out;
  }
}

/** The file's format and version, judged by parseExport itself so the messages are the extension's. */
function checkHeader(format: unknown, version: unknown, now: number): void {
  const empty = { format, version, pages: [], links: [], redirects: [], referrals: [] };
  parseExport(JSON.stringify(empty), now);
}

/** Thrown inside the streaming pass when the file's order needs the whole-file reading. */
class OutOfOrder extends Error {}

async function* streamExport(
  chunks: AsyncIterable<string>,
  now: number,
  origin: string | undefined,
): AsyncGenerator<ExportItem> {
  const reader = new TopLevelJsonReader({
    arrays: new Set(['pages', 'links']),
    values: new Set(['format', 'version']),
    maxValueChars: MAX_ROW_CHARS,
  });
  const header: Record<string, unknown> = {};
  let headerChecked = false;
  const ended = new Set<string>();
  const assembler = new PageAssembler(origin);

  function* handle(events: ReturnType<TopLevelJsonReader['push']>): Generator<ExportItem> {
    for (const event of events) {
      if (event.type === 'value') {
        header[event.key] = event.value;
        continue;
      }
      if (!headerChecked) {
        if (!('format' in header) || !('version' in header)) throw new OutOfOrder();
        checkHeader(header.format, header.version, now);
        headerChecked = true;
      }
      if (event.key === 'links' && !ended.has('pages')) throw new OutOfOrder();
      if (event.type === 'end') {
        ended.add(event.key);
        continue;
      }
      if (event.type === 'oversized') {
        yield { skipped: 'row too large' };
        continue;
      }
      const row = parseJson(event.text);
      if (row === undefined) {
        yield { skipped: 'malformed row' };
      } else if (event.key === 'pages') {
        const page = parsePage(row, now);
        if (page) assembler.addPage(page);
        else yield { skipped: 'invalid page row' };
      } else {
        const link = parseLinkRecord(row, now);
        if (link) yield* assembler.addLink(link);
        else yield { skipped: 'invalid link row' };
      }
    }
  }

  try {
    for await (const chunk of chunks) yield* handle(reader.push(chunk));
    yield* handle(reader.end());
  } catch (error) {
    if (error instanceof JsonShapeError)
      throw new ImportError(`The file is not valid JSON: ${error.message}.`);
    throw error;
  }
  if (!headerChecked) checkHeader(header.format, header.version, now);
  if (!ended.has('pages') || !ended.has('links')) {
    throw new ImportError('The export has no pages or links list.');
  }
  yield* assembler.finish();
}

/** The whole file at once, for an order the stream cannot follow (bounded by MAX_WHOLE_EXPORT_CHARS). */
async function* wholeExport(
  chunks: AsyncIterable<string>,
  now: number,
  origin: string | undefined,
): AsyncGenerator<ExportItem> {
  const parts: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > MAX_WHOLE_EXPORT_CHARS) {
      throw new ImportError(
        `This export is not in the order Backlink Lens writes (format and version, then pages, then links) and is over ${MAX_WHOLE_EXPORT_CHARS / 1024 / 1024} MB, too large to read whole. Export it again from the extension.`,
      );
    }
    parts.push(chunk);
  }
  const data = parseExport(parts.join(''), now);
  for (let i = 0; i < data.skipped; i++) yield { skipped: 'invalid row' };
  const assembler = new PageAssembler(origin);
  for (const page of data.pages) assembler.addPage(page);
  // Grouped by source, each group in file order (sort is stable).
  const links = [...data.links].sort((a, b) =>
    a.source < b.source ? -1 : a.source > b.source ? 1 : 0,
  );
  for (const link of links) yield* assembler.addLink(link);
  yield* assembler.finish();
}

/**
 * The pages of an export file with their live links, and a skip for each row left out.
 * `open` gives the file's text in chunks; it is called a second time only for a file in an
 * unexpected order. A file that is not an export (or of an unknown version) is an ImportError.
 */
export async function* readExport(
  open: () => AsyncIterable<string>,
  options: ExportReadOptions = {},
): AsyncGenerator<ExportItem> {
  const now = options.now ?? Date.now();
  try {
    yield* streamExport(open(), now, options.origin);
  } catch (error) {
    // Raised before any row is handed out: the header and pages come before the first yield.
    if (!(error instanceof OutOfOrder)) throw error;
    yield* wholeExport(open(), now, options.origin);
  }
}
