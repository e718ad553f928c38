/**
 * Writing pages and their links into the index: one batch, one transaction, idempotent (the
 * same batch twice changes nothing: every write is an insert-if-missing or an update guarded
 * by "the values differ"). URLs are put in the extension's canonical form and hashed as the
 * protocol's hashKey does (SHA-256 of the UTF-8 key, hex), so the server keys a page exactly as
 * the client will ask for it: the test vectors are run through both (test/server/http.test.ts).
 */
import { createHash } from 'node:crypto';
import { registrableDomain } from '../../src/core/domain';
import {
  isPlausibleTime,
  MAX_ANCHOR_LENGTH,
  MAX_REL_TOKEN_LENGTH,
  MAX_REL_TOKENS,
} from '../../src/core/limits';
import { byPlacement, passesAuthority } from '../../src/core/occurrences';
import { LINK_REGIONS, type LinkRegion } from '../../src/core/types';
import { canonicalizeUrl, hostOf } from '../../src/core/url';
import type { Db, Queryable } from './db';
import type { IndexedLink, IndexedPage } from './model';

export interface IngestResult {
  /** Pages and links of the batch that were valid and are now in the index. */
  pages: number;
  links: number;
  /** Pages and links left out as invalid (not http(s), a secret path, an impossible time). */
  skipped: number;
}

interface Key {
  key: string;
  hash: string;
}

interface PreparedLink {
  target: Key;
  targetDomain: Key;
  anchor: string;
  rel: string[];
  region: LinkRegion | null;
  firstSeen: number;
}

interface PreparedPage {
  page: Key;
  domain: Key;
  seenAt: number;
  nofollow: boolean;
  truncated: boolean;
  links: PreparedLink[];
}

/**
 * Hashes of one batch, each computed once (a popular target is linked from many pages).
 * node:crypto rather than the protocol's WebCrypto hashKey: the same SHA-256, but synchronous;
 * a round trip to the thread pool per key made ingest several times slower.
 */
class Hasher {
  private readonly cache = new Map<string, string>();
  key(key: string): Key {
    let hash = this.cache.get(key);
    if (hash === undefined) {
      hash = createHash('sha256').update(key, 'utf8').digest('hex');
      this.cache.set(key, hash);
    }
    return { key, hash };
  }
}

function cleanRel(rel: readonly string[]): string[] {
  const tokens = rel
    .filter((t): t is string => typeof t === 'string')
    .flatMap((t) => t.toLowerCase().split(/\s+/))
    .filter(Boolean)
    .map((t) => t.slice(0, MAX_REL_TOKEN_LENGTH));
  return [...new Set(tokens)].slice(0, MAX_REL_TOKENS).sort();
}

/** Two sightings of one (target, anchor) on a page: a followed one counts, then the better placed. */
function mergeLink(a: PreparedLink, b: PreparedLink): PreparedLink {
  const aPasses = passesAuthority(a.rel);
  if (aPasses !== passesAuthority(b.rel)) return aPasses ? a : b;
  if (a.region === null || b.region === null) return a.region === null ? b : a;
  return byPlacement(b.region, a.region) < 0 ? b : a;
}

function prepareLink(link: IndexedLink, seenAt: number, hasher: Hasher, now: number) {
  const target = typeof link.url === 'string' ? canonicalizeUrl(link.url) : null;
  if (!target) return null;
  const firstSeen =
    typeof link.firstSeen === 'number' && isPlausibleTime(link.firstSeen, now)
      ? Math.min(link.firstSeen, seenAt)
      : seenAt;
  return {
    target: hasher.key(target),
    targetDomain: hasher.key(registrableDomain(hostOf(target))),
    anchor: typeof link.anchor === 'string' ? link.anchor.trim().slice(0, MAX_ANCHOR_LENGTH) : '',
    rel: Array.isArray(link.rel) ? cleanRel(link.rel) : [],
    region: LINK_REGIONS.includes(link.region as LinkRegion) ? (link.region as LinkRegion) : null,
    firstSeen,
  };
}

function preparePage(
  page: IndexedPage,
  hasher: Hasher,
  now: number,
): { page: PreparedPage | null; skipped: number } {
  const url = typeof page.url === 'string' ? canonicalizeUrl(page.url) : null;
  const links = Array.isArray(page.links) ? page.links : [];
  if (!url || typeof page.seenAt !== 'number' || !isPlausibleTime(page.seenAt, now)) {
    return { page: null, skipped: 1 + links.length };
  }
  const byKey = new Map<string, PreparedLink>();
  let skipped = 0;
  for (const raw of links) {
    const link = prepareLink(raw, page.seenAt, hasher, now);
    if (!link) {
      skipped++;
      continue;
    }
    // The primary key is (target, source, anchor): one row per pair on a page.
    const key = `${link.target.hash} ${link.anchor}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeLink(seen, link) : link);
  }
  return {
    page: {
      page: hasher.key(url),
      domain: hasher.key(registrableDomain(hostOf(url))),
      seenAt: page.seenAt,
      nofollow: page.nofollow === true,
      truncated: page.truncated === true,
      links: [...byKey.values()],
    },
    skipped,
  };
}

/**
 * Consecutive groups in which no page appears twice: one statement may not write a row twice,
 * so a page crawled twice in a batch is written in the next round, after its first crawl.
 */
function rounds(pages: PreparedPage[]): PreparedPage[][] {
  const out: PreparedPage[][] = [];
  let current: PreparedPage[] = [];
  let seen = new Set<string>();
  for (const page of pages) {
    if (seen.has(page.page.hash)) {
      out.push(current);
      current = [];
      seen = new Set();
    }
    seen.add(page.page.hash);
    current.push(page);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Inserts the keys not yet there (nothing else), and returns the id of every key. */
async function ensureKeys(
  tx: Queryable,
  table: 'domains' | 'pages',
  rows: { key: Key; domainId?: number }[],
): Promise<Map<string, number>> {
  const hashes = rows.map((r) => r.key.hash);
  if (table === 'domains') {
    await tx.query(
      `INSERT INTO domains (hash, name)
       SELECT decode(h, 'hex'), n FROM unnest($1::text[], $2::text[]) AS u(h, n)
       ON CONFLICT (hash) DO NOTHING`,
      [hashes, rows.map((r) => r.key.key)],
    );
  } else {
    await tx.query(
      `INSERT INTO pages (hash, url, domain_id)
       SELECT decode(h, 'hex'), u, d FROM unnest($1::text[], $2::text[], $3::integer[]) AS x(h, u, d)
       ON CONFLICT (hash) DO NOTHING`,
      [hashes, rows.map((r) => r.key.key), rows.map((r) => r.domainId)],
    );
  }
  const found = await tx.query<{ id: number; hash: string }>(
    `SELECT id, encode(hash, 'hex') AS hash FROM ${table}
     WHERE hash = ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest($1::text[]) AS u(h)))`,
    [hashes],
  );
  return new Map(found.map((r) => [r.hash, Number(r.id)]));
}

const unique = <T>(items: T[], keyOf: (item: T) => string) => [
  ...new Map(items.map((i) => [keyOf(i), i])).values(),
];

/** Writes one round; returns how many rows it changed (0 when it was all there already). */
async function writeRound(tx: Queryable, pages: PreparedPage[]): Promise<number> {
  const links = pages.flatMap((p) => p.links.map((l) => ({ page: p, link: l })));
  const domainKeys = unique(
    [...pages.map((p) => p.domain), ...links.map(({ link }) => link.targetDomain)],
    (k) => k.hash,
  );
  const domainIds = await ensureKeys(
    tx,
    'domains',
    domainKeys.map((key) => ({ key })),
  );
  const pageRows = unique(
    [
      ...pages.map((p) => ({ key: p.page, domain: p.domain })),
      ...links.map(({ link }) => ({ key: link.target, domain: link.targetDomain })),
    ],
    (r) => r.key.hash,
  );
  const pageIds = await ensureKeys(
    tx,
    'pages',
    pageRows.map((r) => ({ key: r.key, domainId: domainIds.get(r.domain.hash)! })),
  );
  const idOf = (k: Key) => pageIds.get(k.hash)!;

  // A later sighting sets rel and region; a sighting after the loss brings the link back.
  const upserted = await tx.query(
    `INSERT INTO links AS l (target_hash, source_id, anchor, target_id, source_domain_id,
                             target_domain_id, rel, region, first_seen, last_seen)
     SELECT decode(th, 'hex'), s, a, t, sd, td,
            CASE WHEN r = '' THEN '{}'::text[] ELSE string_to_array(r, ' ') END,
            NULLIF(rg, ''), fs, ls
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::integer[],
                 $6::integer[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
          AS x(th, s, a, t, sd, td, r, rg, fs, ls)
     ON CONFLICT (target_hash, source_id, anchor) DO UPDATE SET
       first_seen = LEAST(l.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(l.last_seen, EXCLUDED.last_seen),
       rel = CASE WHEN EXCLUDED.last_seen >= l.last_seen THEN EXCLUDED.rel ELSE l.rel END,
       region = CASE WHEN EXCLUDED.last_seen >= l.last_seen
                     THEN COALESCE(EXCLUDED.region, l.region) ELSE l.region END,
       lost_at = CASE WHEN EXCLUDED.last_seen > l.lost_at THEN NULL ELSE l.lost_at END
     WHERE EXCLUDED.first_seen < l.first_seen
        OR EXCLUDED.last_seen > l.last_seen
        OR EXCLUDED.last_seen > l.lost_at
        OR (EXCLUDED.last_seen = l.last_seen
            AND (EXCLUDED.rel IS DISTINCT FROM l.rel
                 OR COALESCE(EXCLUDED.region, l.region) IS DISTINCT FROM l.region))
     RETURNING 1`,
    [
      links.map(({ link }) => link.target.hash),
      links.map(({ page }) => idOf(page.page)),
      links.map(({ link }) => link.anchor),
      links.map(({ link }) => idOf(link.target)),
      links.map(({ page }) => domainIds.get(page.domain.hash)!),
      links.map(({ link }) => domainIds.get(link.targetDomain.hash)!),
      links.map(({ link }) => link.rel.join(' ')),
      links.map(({ link }) => link.region ?? ''),
      links.map(({ link }) => link.firstSeen),
      links.map(({ page }) => page.seenAt),
    ],
  );

  // A link the page no longer has is lost as of this crawl, when this crawl is the page's
  // latest and its list complete; an older crawl read late says nothing about today.
  const complete = pages.filter((p) => !p.truncated);
  const lost = await tx.query(
    `UPDATE links AS l SET lost_at = b.seen
     FROM unnest($1::bigint[], $2::bigint[]) AS b(id, seen)
     JOIN pages p ON p.id = b.id
     WHERE l.source_id = b.id AND l.last_seen < b.seen AND l.lost_at IS NULL
       AND b.seen >= COALESCE(p.last_seen, 0)
       -- Said again as an array test, so the planner reads the batch's pages by index rather
       -- than hashing the whole pages table (a scan per batch, quadratic over an ingest).
       AND p.id = ANY($1::bigint[])
     RETURNING 1`,
    [complete.map((p) => idOf(p.page)), complete.map((p) => p.seenAt)],
  );

  const crawled = await tx.query(
    `UPDATE pages AS p SET
       first_seen = LEAST(COALESCE(p.first_seen, b.seen), b.seen),
       last_seen = GREATEST(COALESCE(p.last_seen, b.seen), b.seen),
       nofollow = CASE WHEN b.seen >= COALESCE(p.last_seen, 0) THEN b.nf ELSE p.nofollow END
     FROM unnest($1::bigint[], $2::bigint[], $3::boolean[]) AS b(id, seen, nf)
     WHERE p.id = b.id AND p.id = ANY($1::bigint[])
       AND (p.first_seen IS NULL OR b.seen < p.first_seen OR b.seen > p.last_seen
            OR (b.seen = p.last_seen AND b.nf <> p.nofollow))
     RETURNING 1`,
    [pages.map((p) => idOf(p.page)), pages.map((p) => p.seenAt), pages.map((p) => p.nofollow)],
  );
  return upserted.length + lost.length + crawled.length;
}

/** Records when the index last changed, for /v1/info. */
export async function touchIndex(tx: Queryable, now: number): Promise<void> {
  await tx.query(
    `INSERT INTO index_meta (key, value) VALUES ('updated_at', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [new Date(now).toISOString()],
  );
}

/**
 * Writes a batch of pages with their outbound links in one transaction: all of it or none.
 * Invalid pages and links are left out and counted; the same batch twice changes nothing.
 */
export async function ingestPages(
  store: Db,
  pages: IndexedPage[],
  now: number = Date.now(),
): Promise<IngestResult> {
  const hasher = new Hasher();
  const prepared: PreparedPage[] = [];
  let skipped = 0;
  for (const page of pages) {
    const result = preparePage(page, hasher, now);
    skipped += result.skipped;
    if (result.page) prepared.push(result.page);
  }
  if (prepared.length > 0) {
    await store.transaction(async (tx) => {
      let changed = 0;
      for (const round of rounds(prepared)) changed += await writeRound(tx, round);
      if (changed > 0) await touchIndex(tx, now);
    });
  }
  return {
    pages: prepared.length,
    links: prepared.reduce((n, p) => n + p.links.length, 0),
    skipped,
  };
}
