/**
 * Answers to /v1/lookup and the figures of /v1/info, read from the store. A bucket is every
 * key whose hash starts with the prefix: a range [prefix00…, prefix+1) of the hash index, read
 * in hash order, so a cursor (the last hash sent) resumes it.
 */
import {
  CANONICAL_VERSION,
  MAX_RESPONSE_BYTES,
  PROTOCOL_VERSION,
  type IndexEntry,
  type IndexInfo,
  type IndexLimits,
  type IndexLink,
  type LookupKind,
  type LookupResponse,
} from '../../src/core/index-protocol';
import type { LinkRegion } from '../../src/core/types';
import type { Queryable } from './db';

/** Bytes of one answer the server aims under (the protocol's ceiling is MAX_RESPONSE_BYTES). */
export const RESPONSE_BUDGET_BYTES = Math.min(1024 * 1024, MAX_RESPONSE_BYTES);

/**
 * The hash range of a prefix, as hex of whole bytes: from the prefix padded with 0 up to (not
 * including) the next prefix; no upper bound after a prefix of all f.
 */
export function prefixRange(prefix: string): { from: string; to: string | null } {
  const pad = (hex: string) => (hex.length % 2 ? `${hex}0` : hex);
  const digits = prefix.split('');
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 'f') digits[i--] = '0';
  if (i < 0) return { from: pad(prefix), to: null };
  digits[i] = (parseInt(digits[i]!, 16) + 1).toString(16);
  return { from: pad(prefix), to: pad(digits.join('')) };
}

interface SummaryRow {
  hash: string;
  id: number;
  key: string;
  backlinks: number;
  domains: number;
  pages: number;
  authority: number | null;
}

interface LinkRow {
  owner: number;
  source: string;
  target: string;
  anchor: string;
  rel: string[];
  region: string | null;
  first_seen: number;
  last_seen: number;
  lost: boolean;
}

const RANGE = `hash_col >= decode($1, 'hex') AND ($2::text IS NULL OR hash_col < decode($2, 'hex'))
  AND ($3::text IS NULL OR hash_col > decode($3, 'hex'))`;
const range = (column: string) => RANGE.replaceAll('hash_col', column);

/** The entries of a page bucket with their figures: one range scan of the links' primary key. */
const URL_ENTRIES = `
  SELECT encode(l.target_hash, 'hex') AS hash, l.target_id AS id, t.url AS key,
         count(*) FILTER (WHERE l.lost_at IS NULL)::integer AS backlinks,
         count(DISTINCT l.source_domain_id) FILTER (WHERE l.lost_at IS NULL)::integer AS domains,
         count(DISTINCT l.source_id) FILTER (WHERE l.lost_at IS NULL)::integer AS pages,
         t.authority
  FROM links l JOIN pages t ON t.id = l.target_id
  WHERE ${range('l.target_hash')}
  GROUP BY l.target_hash, l.target_id, t.url, t.authority
  ORDER BY l.target_hash
  LIMIT $4`;

/** A site's inbound links are other sites' links to any of its pages. */
const DOMAIN_ENTRIES = `
  SELECT encode(d.hash, 'hex') AS hash, d.id, d.name AS key,
         count(*) FILTER (WHERE l.lost_at IS NULL)::integer AS backlinks,
         count(DISTINCT l.source_domain_id) FILTER (WHERE l.lost_at IS NULL)::integer AS domains,
         count(DISTINCT l.source_id) FILTER (WHERE l.lost_at IS NULL)::integer AS pages,
         d.authority
  FROM domains d JOIN links l ON l.target_domain_id = d.id AND l.source_domain_id <> d.id
  WHERE ${range('d.hash')}
  GROUP BY d.hash, d.id, d.name, d.authority
  ORDER BY d.hash
  LIMIT $4`;

/** Up to $2 links per owner, live ones first, the most recently seen first. */
const linksOf = (owner: string, where: string) => `
  SELECT x.owner, s.url AS source, t.url AS target, x.anchor, x.rel, x.region,
         x.first_seen, x.last_seen, x.lost_at IS NOT NULL AS lost
  FROM (
    SELECT ${owner} AS owner, l.*, row_number() OVER (
      PARTITION BY ${owner} ORDER BY l.lost_at IS NOT NULL, l.last_seen DESC, l.source_id, l.anchor
    ) AS n
    FROM links l WHERE ${where}
  ) x
  JOIN pages s ON s.id = x.source_id JOIN pages t ON t.id = x.target_id
  WHERE x.n <= $2
  ORDER BY x.owner, x.n`;

/**
 * Bounded by the page's first and last hash as well: links have no index on target_id, and
 * without the range this scanned every partition (about 1 s per lookup at 1,000,000 links on
 * PGlite) where the primary key's range scan reads one partition's slice.
 */
const URL_LINKS = linksOf(
  'l.target_id',
  `l.target_hash BETWEEN decode($3, 'hex') AND decode($4, 'hex') AND l.target_id = ANY($1::bigint[])`,
);
const DOMAIN_LINKS = linksOf(
  'l.target_domain_id',
  'l.target_domain_id = ANY($1::bigint[]) AND l.source_domain_id <> l.target_domain_id',
);

function toLink(row: LinkRow): IndexLink {
  return {
    source: row.source,
    target: row.target,
    anchor: row.anchor,
    rel: row.rel,
    ...(row.region ? { region: row.region as LinkRegion } : {}),
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    lost: row.lost,
  };
}

function toEntry(row: SummaryRow, links: IndexLink[]): IndexEntry {
  return {
    hash: row.hash,
    key: row.key,
    summary: {
      backlinks: row.backlinks,
      referringDomains: row.domains,
      referringPages: row.pages,
      ...(row.authority !== null ? { authority: Math.round(row.authority * 10) / 10 } : {}),
    },
    links,
  };
}

/**
 * One page of the bucket `prefix` of a kind, after `cursor` (a hash) when given: at most
 * `limits.maxEntries` entries of at most `limits.maxLinksPerEntry` links, and about
 * RESPONSE_BUDGET_BYTES at most (never less than one entry); `next` when more remain.
 */
export async function lookupBucket(
  db: Queryable,
  kind: LookupKind,
  prefix: string,
  cursor: string | undefined,
  limits: Pick<IndexLimits, 'maxEntries' | 'maxLinksPerEntry'>,
): Promise<LookupResponse> {
  const { from, to } = prefixRange(prefix);
  const rows = await db.query<SummaryRow>(kind === 'url' ? URL_ENTRIES : DOMAIN_ENTRIES, [
    from,
    to,
    cursor ?? null,
    limits.maxEntries + 1,
  ]);
  const page = rows.slice(0, limits.maxEntries);
  const linkRows = page.length
    ? await db.query<LinkRow>(
        kind === 'url' ? URL_LINKS : DOMAIN_LINKS,
        kind === 'url'
          ? [page.map((r) => r.id), limits.maxLinksPerEntry, page[0]!.hash, page.at(-1)!.hash]
          : [page.map((r) => r.id), limits.maxLinksPerEntry],
      )
    : [];
  const linksByOwner = new Map<number, IndexLink[]>();
  for (const row of linkRows) {
    const owner = Number(row.owner);
    const list = linksByOwner.get(owner) ?? [];
    list.push(toLink(row));
    linksByOwner.set(owner, list);
  }
  const entries: IndexEntry[] = [];
  let bytes = 100;
  for (const row of page) {
    const entry = toEntry(row, linksByOwner.get(Number(row.id)) ?? []);
    bytes += Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (entries.length > 0 && bytes > RESPONSE_BUDGET_BYTES) break;
    entries.push(entry);
  }
  const more = entries.length < rows.length;
  return { kind, prefix, entries, ...(more ? { next: entries.at(-1)!.hash } : {}) };
}

/** What /v1/info says besides the server's own settings. */
export interface IndexFigures {
  keys: { urls: number; domains: number };
  links: number;
  updatedAt: string | null;
}

/**
 * The index's size, counted as the keys a lookup can return: pages with an inbound link,
 * sites with an inbound link from another site. Anonymity is computed from these (a bucket of
 * N / 16^L of them), so they are never rounded up.
 */
export async function readFigures(db: Queryable): Promise<IndexFigures> {
  const [counts] = await db.query<{ urls: number; domains: number; links: number }>(`
    SELECT (SELECT count(DISTINCT target_id) FROM links)::integer AS urls,
           (SELECT count(DISTINCT target_domain_id) FROM links
             WHERE source_domain_id <> target_domain_id)::integer AS domains,
           (SELECT count(*) FROM links)::integer AS links`);
  const [updated] = await db.query<{ value: string }>(
    `SELECT value FROM index_meta WHERE key = 'updated_at'`,
  );
  return {
    keys: { urls: counts?.urls ?? 0, domains: counts?.domains ?? 0 },
    links: counts?.links ?? 0,
    updatedAt: updated?.value ?? null,
  };
}

export function describeIndex(
  figures: IndexFigures,
  settings: {
    name: string;
    minPrefixLength: number;
    maxPrefixLength: number;
    contributions: boolean;
    limits: IndexLimits;
  },
): IndexInfo {
  return {
    name: settings.name,
    protocolVersion: PROTOCOL_VERSION,
    canonicalVersion: CANONICAL_VERSION,
    ...figures,
    minPrefixLength: settings.minPrefixLength,
    maxPrefixLength: settings.maxPrefixLength,
    contributions: settings.contributions,
    limits: settings.limits,
  };
}
