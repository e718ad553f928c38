/**
 * Contribution to the user's remote index (issue 8), the pure part: the queue of recorded pages
 * waiting to be sent, how a batch is cut, and when to try again after a failure. The worker
 * (background/contribute.ts) keeps the state in storage.local and does the I/O.
 *
 * Only page URLs are queued, never links: a batch is read from the store when it is sent, so
 * a page forgotten or excluded meanwhile is dropped instead of sent (and links recorded since
 * go with it).
 */
import { asObject, asString } from './guards';
import { MAX_URL_LENGTH } from './limits';
import { EXPORT_FORMAT, type ExportFile } from './transfer';
import { lastSeenOf, type LinkRecord, type PageRecord } from './types';

export interface ContributionState {
  /** Canonical URLs of recorded pages not sent yet, oldest first, each once. */
  pending: string[];
  /** Failed attempts in a row; 0 after a success. */
  failures: number;
  /** No attempt before this time (ms): the backoff, or the index's Retry-After. */
  notBefore: number;
  /** Pages and links the index accepted since contribution was turned on. */
  sentPages: number;
  sentLinks: number;
  lastSentAt: number | null;
  /** The last failure in plain words, until the next success. */
  lastError: string | null;
}

export const CONTRIBUTION_KEY = 'contribution';
/** Pages waiting at most: a long time offline drops the oldest, never grows without bound. */
export const MAX_PENDING = 500;
/** Pages in one request. */
export const PAGES_PER_BATCH = 25;
/** Bytes of one request at most, well under a server's usual body limit (5 MiB by default). */
export const MAX_BATCH_BYTES = 1024 * 1024;
/** Recording settles this long before a batch goes: a browsing session sends a few requests. */
export const DEBOUNCE_MS = 60_000;
/** The first retry waits a minute, each next one twice as long, up to six hours. */
export const FIRST_BACKOFF_MS = 60_000;
export const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;

export const emptyContribution = (): ContributionState => ({
  pending: [],
  failures: 0,
  notBefore: 0,
  sentPages: 0,
  sentLinks: 0,
  lastSentAt: null,
  lastError: null,
});

const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
const time = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/** The stored state, parsed (storage is untrusted); empty when absent or not valid. */
export function parseContributionState(value: unknown): ContributionState {
  const v = asObject(value);
  if (!v) return emptyContribution();
  const pending = Array.isArray(v.pending)
    ? [
        ...new Set(
          v.pending.flatMap((u) => {
            const url = asString(u, MAX_URL_LENGTH);
            return url ? [url] : [];
          }),
        ),
      ].slice(-MAX_PENDING)
    : [];
  return {
    pending,
    failures: count(v.failures),
    notBefore: time(v.notBefore) ?? 0,
    sentPages: count(v.sentPages),
    sentLinks: count(v.sentLinks),
    lastSentAt: time(v.lastSentAt),
    lastError: asString(v.lastError, 1000) ?? null,
  };
}

/** The state with `url` queued at the end (moved there if it was queued), oldest dropped. */
export function enqueuePage(state: ContributionState, url: string): ContributionState {
  const pending = [...state.pending.filter((u) => u !== url), url].slice(-MAX_PENDING);
  return { ...state, pending };
}

/** The next pages to send, oldest first. */
export const nextBatch = (state: ContributionState, size = PAGES_PER_BATCH): string[] =>
  state.pending.slice(0, size);

/** The state after the index accepted `sent` (which left the queue, as did `dropped`). */
export function markSent(
  state: ContributionState,
  done: { sent: readonly string[]; dropped: readonly string[]; pages: number; links: number },
  now: number,
): ContributionState {
  const gone = new Set([...done.sent, ...done.dropped]);
  return {
    ...state,
    pending: state.pending.filter((u) => !gone.has(u)),
    failures: 0,
    notBefore: 0,
    sentPages: state.sentPages + done.pages,
    sentLinks: state.sentLinks + done.links,
    lastSentAt: done.sent.length > 0 ? now : state.lastSentAt,
    lastError: null,
  };
}

/** Pages that left the queue without being sent (forgotten, excluded since). */
export function dropPages(state: ContributionState, dropped: readonly string[]): ContributionState {
  const gone = new Set(dropped);
  return { ...state, pending: state.pending.filter((u) => !gone.has(u)) };
}

/**
 * How long to wait after the `failures`-th failure in a row: doubling from a minute, capped;
 * an index that said when (Retry-After, in seconds) is waited for at least that long.
 */
export function backoffMs(failures: number, retryAfterSeconds: number | null = null): number {
  const doubling = FIRST_BACKOFF_MS * 2 ** Math.min(20, Math.max(0, failures - 1));
  const asked = retryAfterSeconds !== null && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
  return Math.min(MAX_BACKOFF_MS, Math.max(doubling, asked));
}

/** The state after a failed attempt: the queue kept, the next try pushed back, why kept. */
export function markFailed(
  state: ContributionState,
  failure: { message: string; retryAfterSeconds?: number | null },
  now: number,
): ContributionState {
  const failures = state.failures + 1;
  return {
    ...state,
    failures,
    notBefore: now + backoffMs(failures, failure.retryAfterSeconds ?? null),
    lastError: failure.message,
  };
}

/** When the next batch may go: after the debounce, and not before the backoff ends. */
export function nextAttemptAt(state: ContributionState, now: number): number | null {
  if (state.pending.length === 0) return null;
  return Math.max(now + DEBOUNCE_MS, state.notBefore);
}

/** One recorded page as it is read for sending: its record and its links. */
export interface OutboundPage {
  page: PageRecord;
  links: LinkRecord[];
}

/**
 * What of a page goes to the index: where it is and what its links are, nothing about the
 * user's visits (count, visit ids) or the page's words (title, terms, signals), which the index
 * does not use.
 */
export function sharedPage(page: PageRecord): PageRecord {
  return {
    url: page.url,
    host: page.host,
    domain: page.domain,
    title: '',
    canonical: page.canonical,
    lang: '',
    robotsNoindex: page.robotsNoindex,
    robotsNofollow: page.robotsNofollow,
    firstSeen: page.firstSeen,
    lastSeen: page.lastSeen,
    outboundCount: page.outboundCount,
    truncated: page.truncated,
  };
}

/**
 * A link without the words around it (context), which the index does not use, and with its
 * last sighting, its page's last visit if later (core/types#lastSeenOf): the index reads the
 * export format, where each link says it.
 */
export function sharedLink(link: LinkRecord, page: Pick<PageRecord, 'lastSeen'>): LinkRecord {
  const { context: _context, ...shared } = link;
  return { ...shared, lastSeen: lastSeenOf(link, page.lastSeen) };
}

/**
 * The export version an upload declares. It has nothing version 5 added (the marked pages stay
 * here), so it says 4, and an index whose server reads versions up to 4 still takes it.
 */
export const UPLOAD_VERSION = 4;

/**
 * The request body for some pages: the extension's export format (core/transfer.ts), which
 * the index reads with the import's own rules. Only live links go (the index takes a link
 * missing from a complete page as removed), and pages are left for a later batch once the
 * body would pass `maxBytes` (a single page always goes: the index refuses it if too big).
 */
export function contributionBody(
  pages: readonly OutboundPage[],
  exportedAt: string,
  maxBytes = MAX_BATCH_BYTES,
): { body: string; included: OutboundPage[] } {
  // Without the marked related pages: a person's settings are not the index's to know.
  const head: Omit<ExportFile, 'pages' | 'links' | 'relatedPages'> = {
    format: EXPORT_FORMAT,
    version: UPLOAD_VERSION,
    exportedAt,
    redirects: [],
    referrals: [],
  };
  const included: OutboundPage[] = [];
  let bytes = 0;
  for (const p of pages) {
    const page = sharedPage(p.page);
    const live = p.links.filter((l) => l.lostAt === null).map((l) => sharedLink(l, p.page));
    // Pages alone and links alone, measured once each: the JSON of the whole is their sum.
    const size = byteLength(JSON.stringify(page)) + byteLength(JSON.stringify(live)) + 2;
    if (included.length > 0 && bytes + size > maxBytes) break;
    included.push({ page, links: live });
    bytes += size;
  }
  const body = JSON.stringify({
    ...head,
    pages: included.map((p) => p.page),
    links: included.flatMap((p) => p.links),
  });
  return { body, included };
}

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** The options page's line about what was sent, or why the last try failed. */
export type ContributionStatus =
  | { kind: 'idle'; pending: number }
  | { kind: 'sent'; pages: number; links: number; at: number; pending: number }
  | { kind: 'failed'; message: string; retryAt: number; pending: number };

export function describeContribution(state: ContributionState): ContributionStatus {
  const pending = state.pending.length;
  if (state.lastError !== null) {
    return { kind: 'failed', message: state.lastError, retryAt: state.notBefore, pending };
  }
  if (state.lastSentAt !== null) {
    return {
      kind: 'sent',
      pages: state.sentPages,
      links: state.sentLinks,
      at: state.lastSentAt,
      pending,
    };
  }
  return { kind: 'idle', pending };
}
