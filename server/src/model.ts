/**
 * What the index server stores, as the ingest readers hand it over: one crawled or recorded
 * page with its outbound links, URLs not yet canonical (the store canonicalizes them with the
 * extension's own canonical form, src/core/url.ts, so both ends key pages alike).
 *
 * The readers (server/src/ingest/: Common Crawl WAT files, the extension's exports) yield
 * these; server/src/store.ts writes a batch of them in one transaction, idempotently.
 */
import type { LinkRegion } from '../../src/core/types';

export interface IndexedLink {
  url: string;
  anchor: string;
  /** rel tokens as written on the link, lower-cased (nofollow, sponsored, ugc, ...). */
  rel: string[];
  /** Where on its page the link sits, when the source knows it (WAT records do not). */
  region?: LinkRegion;
  /** When the link was first seen, when the source knows an earlier time than the page's seenAt (exports). */
  firstSeen?: number;
}

export interface IndexedPage {
  url: string;
  /** When the page was crawled or recorded (ms since the epoch). */
  seenAt: number;
  links: IndexedLink[];
  /** The page carries a robots nofollow (meta or X-Robots-Tag): its links pass no authority. */
  nofollow?: boolean;
  /**
   * The links are not the page's whole list (an export of a capped page, a contribution of
   * links only): a link missing from it is not taken as removed.
   */
  truncated?: boolean;
  /** Where it came from (a WAT file name, "export"), for ingest reports. */
  origin?: string;
}

/** A record a reader could not use: skipped and counted, never aborting the file. */
export interface SkippedRecord {
  skipped: string;
}

export type IngestItem = IndexedPage | SkippedRecord;

export const isSkipped = (item: IngestItem): item is SkippedRecord => 'skipped' in item;
