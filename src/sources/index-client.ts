/**
 * The HTTP side of the remote index protocol (docs/index-protocol.md): fetch /v1/info and look
 * a page or site up by hash prefix, holding every answer to the protocol's caps and
 * validators before anything is used. No browser API beyond fetch: the worker and the options
 * page call it, and unit tests run it against servers on 127.0.0.1.
 */
import {
  choosePrefixLength,
  decoyPrefixes,
  hashKey,
  lookupPath,
  MAX_RESPONSE_BYTES,
  parseErrorBody,
  parseInfo,
  parseLookup,
  pickEntry,
  ProtocolError,
  type IndexEntry,
  type IndexInfo,
  type LookupKind,
} from '../core/index-protocol';
import { registrableDomain } from '../core/domain';
import { asObject } from '../core/guards';
import { t, tn } from '../core/i18n';
import type { LinkRecord } from '../core/types';
import { canonicalizeUrl, hostOf } from '../core/url';
import type { SourceAnswer } from './types';
import { readCapped } from './read-capped';

/** Where an index answers, and the bearer token it wants ('' for none). */
export interface IndexEndpoint {
  url: string;
  token: string;
}

/**
 * A request to the index failed; the message says why in plain words, for the UI.
 * `retryAfterSeconds`: the index asked to wait that long (a 429 or 503 with Retry-After).
 */
export class IndexError extends Error {
  override name = 'IndexError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** A lookup that takes longer is given up: the popup has shown local links meanwhile. */
export const LOOKUP_TIMEOUT_MS = 5_000;
/**
 * Pages of one bucket read at most: a bucket holds k to 16·k keys (800 at the default k), a
 * few pages of the server's maxEntries; one far bigger is an index that ignores k.
 */
export const MAX_LOOKUP_PAGES = 10;

export interface RequestOptions {
  timeoutMs?: number;
  /** For tests: the clock that bounds link times. */
  now?: number;
}

const tooLarge = (maxBytes: number) =>
  new IndexError(t('index_error_too_large', { mb: Math.round(maxBytes / 1024 / 1024) }));

/** Why a request that got an HTTP error status failed, in words, with the server's own message. */
function statusError(response: Response, body: unknown): IndexError {
  const said = parseErrorBody(body)?.message;
  // The server's message is a sentence of its own: its full stop would double ours.
  const detail = said ? `: ${said.replace(/\.+$/, '')}` : '';
  // Retry-After in seconds (an HTTP date is not used by the reference server).
  const seconds = Number(response.headers.get('retry-after'));
  const wait = seconds > 0 && Number.isFinite(seconds) ? Math.ceil(seconds) : null;
  switch (response.status) {
    case 401:
    case 403:
      return new IndexError(t('index_error_refused_access', { status: response.status, detail }));
    case 429:
      return new IndexError(
        wait !== null ? tn('index_error_busy_wait', wait) : t('index_error_busy'),
        wait,
      );
    default:
      return new IndexError(t('index_error_status', { status: response.status, detail }), wait);
  }
}

/** GET (or POST `body` to) a path of the index as JSON, within the timeout and the size cap. */
async function getJson(
  endpoint: IndexEndpoint,
  path: string,
  signal: AbortSignal,
  body?: string,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, `${endpoint.url}/`), {
      signal,
      ...(body !== undefined ? { method: 'POST', body } : {}),
      headers: {
        ...(endpoint.token ? { Authorization: `Bearer ${endpoint.token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      // Nothing of the browser's identity goes with a lookup: no cookies, no referrer, and no
      // redirect to an origin the user did not grant.
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
      cache: 'no-store',
    });
  } catch (error) {
    throw describeFailure(error);
  }
  let text: string;
  try {
    text = await readCapped(response, MAX_RESPONSE_BYTES, () => tooLarge(MAX_RESPONSE_BYTES));
  } catch (error) {
    throw describeFailure(error);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    if (!response.ok) throw statusError(response, null);
    throw new IndexError(t('index_error_not_json'));
  }
  if (!response.ok) throw statusError(response, answer);
  return answer;
}

/** Any failure of a request, as an IndexError whose message a person can act on. */
export function describeFailure(error: unknown): IndexError {
  if (error instanceof IndexError) return error;
  if (error instanceof ProtocolError) {
    return new IndexError(t('index_error_refused_answer', { reason: error.message }));
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new IndexError(t('index_error_timeout'));
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new IndexError(t('index_error_unreachable', { detail }));
}

const timeoutOf = (options: RequestOptions) =>
  AbortSignal.timeout(options.timeoutMs ?? LOOKUP_TIMEOUT_MS);

/** The index's description of itself, validated. */
export async function fetchInfo(
  endpoint: IndexEndpoint,
  options: RequestOptions = {},
): Promise<IndexInfo> {
  const body = await getJson(endpoint, '/v1/info', timeoutOf(options));
  try {
    return parseInfo(body);
  } catch (error) {
    throw describeFailure(error);
  }
}

/** What the index took of a contribution. */
export interface ContributionReceipt {
  pages: number;
  links: number;
  skipped: number;
}

/** Sending a batch may take longer than a lookup: the index writes it in one transaction. */
export const CONTRIBUTE_TIMEOUT_MS = 30_000;

/**
 * POST a contribution (an export-format body, core/contribution#contributionBody) with the
 * endpoint's bearer token. Throws an IndexError in words, with the index's Retry-After.
 */
export async function sendContribution(
  endpoint: IndexEndpoint,
  body: string,
  options: RequestOptions = {},
): Promise<ContributionReceipt> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? CONTRIBUTE_TIMEOUT_MS);
  const answer = asObject(await getJson(endpoint, '/v1/contribute', signal, body));
  const accepted = asObject(answer?.accepted);
  const n = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
  const pages = n(accepted?.pages);
  const links = n(accepted?.links);
  if (pages === null || links === null) {
    throw new IndexError(t('index_error_contribution_answer'));
  }
  return { pages, links, skipped: n(answer?.skipped) ?? 0 };
}

export interface LookupPlan {
  info: IndexInfo;
  /** Privacy: the bucket asked for holds at least this many indexed keys in expectation. */
  k: number;
  /** Decoy buckets asked for as well, so the server cannot tell which one was wanted. */
  decoys: number;
  /** The device's secret the decoys are derived from (core/index-protocol#decoyPrefixes). */
  decoySecret: Uint8Array;
}

/**
 * Look `key` (a canonical URL, or a registrable domain) up by the prefix of its hash, reading
 * every page of the bucket. Only the entry whose full hash and key match is kept; the rest of
 * the bucket is dropped unread. Null when the index does not have it.
 */
export async function lookupEntry(
  endpoint: IndexEndpoint,
  plan: LookupPlan,
  kind: LookupKind,
  key: string,
  options: RequestOptions = {},
): Promise<IndexEntry | null> {
  const signal = timeoutOf(options);
  const hash = await hashKey(key);
  const length = choosePrefixLength(plan.info, plan.k, kind);
  const prefix = hash.slice(0, length);
  // Decoys are asked alongside, their answers never read: only their timing and
  // number are seen by the server, the same as the real one's.
  const decoys = await decoyPrefixes(plan.decoySecret, hash, length, plan.decoys);
  for (const decoy of decoys) {
    void getJson(endpoint, lookupPath(kind, decoy), signal).catch(() => undefined);
  }
  // Every page of the bucket is read, even after the entry turned up: stopping early would
  // tell the server where in the bucket the key is (docs/index-protocol.md, paging).
  let found: IndexEntry | null = null;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
    const body = await getJson(endpoint, lookupPath(kind, prefix, cursor), signal);
    let response;
    try {
      response = parseLookup(body, prefix, kind, options.now);
    } catch (error) {
      throw describeFailure(error);
    }
    found ??= pickEntry(response, hash, key) ?? null;
    if (response.next === undefined) return found;
    cursor = response.next;
  }
  throw new IndexError(t('index_error_bucket_too_large', { pages: MAX_LOOKUP_PAGES }));
}

/**
 * The entry's links as link records, canonical as the local cache stores them, so that the
 * merge finds a link known to both. A link whose source has no canonical form (a one-time
 * secret, say) is dropped, as recording would have dropped it; lost links keep their last
 * sighting as the time they were found gone.
 */
export function linksOfEntry(entry: IndexEntry): LinkRecord[] {
  const links: LinkRecord[] = [];
  for (const l of entry.links) {
    const source = canonicalizeUrl(l.source);
    const target = canonicalizeUrl(l.target);
    if (!source || !target || source === target) continue;
    const region = l.region ?? 'other';
    links.push({
      source,
      target,
      anchor: l.anchor,
      rel: l.rel,
      region,
      regions: [region],
      rels: l.rel,
      occurrences: 1,
      sourceDomain: registrableDomain(hostOf(source)),
      targetDomain: registrableDomain(hostOf(target)),
      firstSeen: l.firstSeen,
      lastSeen: l.lastSeen,
      lostAt: l.lost ? l.lastSeen : null,
    });
  }
  return links;
}

/** What the index knows of the key, as a source's answer under the index's name. */
export function answerOf(name: string, entry: IndexEntry | null): SourceAnswer {
  if (!entry) return { name, links: [], totals: emptyTotals };
  return { name, links: linksOfEntry(entry), totals: entry.summary };
}

const emptyTotals = { backlinks: 0, referringDomains: 0, referringPages: 0 };
