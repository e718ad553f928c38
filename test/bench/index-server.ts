/**
 * Benchmark: the reference index server on PGlite (its default, on disk) at 100,000 links, or
 * 1,000,000 with BENCH_SCALE=1m.
 * - Ingest rate: ingestPages (canonical form, hashing, key ids, idempotent upserts, lost-link
 *   check) against raw INSERTs of the very same link rows into the same table, values
 *   computed beforehand: the floor of writing those rows.
 * - Prefix lookup latency: GET /v1/lookup over HTTP (with the client's validation) and
 *   lookupBucket (the server's queries alone) against the raw SQL range scan of the bucket,
 *   at the prefix length a client with k = 50 picks for this index.
 * - Disk bytes per link.
 * Batches are small and every step is awaited, so a loaded machine only makes it slower.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_K,
  choosePrefixLength,
  expectedBucketSize,
  lookupPath,
  parseInfo,
  parseLookup,
} from '../../src/core/index-protocol';
import { canonicalizeUrl } from '../../src/core/url';
import { computeAuthority } from '../../server/src/authority';
import { DEFAULT_LIMITS } from '../../server/src/config';
import { openPglite, type Db } from '../../server/src/db';
import { createIndexServer } from '../../server/src/http';
import { lookupBucket, prefixRange } from '../../server/src/lookup';
import type { IndexedPage } from '../../server/src/model';
import { migrate } from '../../server/src/schema';
import { ingestPages } from '../../server/src/store';
import {
  check,
  collectInterleaved,
  heading,
  info,
  pick,
  printTable,
  seededRandom,
  type Timing,
} from './measure';

const LINKS = process.env.BENCH_SCALE === '1m' ? 1_000_000 : 100_000;
const LINKS_PER_PAGE = 20;
const PAGES_PER_BATCH = 250;
const LOOKUPS_PER_SAMPLE = 40;
const T0 = Date.UTC(2026, 9, 1);
const ANCHORS = [
  'coffee',
  'espresso guide',
  'read more',
  'this review',
  'brewing',
  'the best grinders',
];

/** The synthetic web, batch by batch: sources on many sites, targets skewed to a few popular ones. */
function* batches(): Generator<IndexedPage[]> {
  const random = seededRandom(8);
  const pages = LINKS / LINKS_PER_PAGE;
  const sites = Math.max(50, Math.floor(LINKS / 200));
  const targetsPerSite = 40;
  for (let first = 0; first < pages; first += PAGES_PER_BATCH) {
    const batch: IndexedPage[] = [];
    for (let p = first; p < Math.min(pages, first + PAGES_PER_BATCH); p++) {
      const links = Array.from({ length: LINKS_PER_PAGE }, (_, i) => {
        // Squaring skews targets to the first sites, as links skew to popular pages.
        const site = Math.floor(random() ** 2 * sites);
        return {
          url: `https://www.site${site}.example/articles/${Math.floor(random() * targetsPerSite)}?utm_source=feed`,
          anchor: `${pick(random, ANCHORS)} ${i}`,
          rel: random() < 0.1 ? ['nofollow'] : [],
        };
      });
      batch.push({ url: `https://blog${p % sites}.example/posts/${p}`, seenAt: T0, links });
    }
    yield batch;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The link rows ingestPages writes, as plain arrays for one unnest INSERT per batch. */
function rawRows(batch: IndexedPage[], ids: Map<string, number>) {
  const id = (url: string) => {
    let n = ids.get(url);
    if (n === undefined) ids.set(url, (n = ids.size + 1));
    return n;
  };
  const rows = {
    hash: [] as string[],
    source: [] as number[],
    anchor: [] as string[],
    target: [] as number[],
  };
  for (const page of batch) {
    const seen = new Set<string>();
    for (const link of page.links) {
      const target = canonicalizeUrl(link.url)!;
      const key = `${target} ${link.anchor}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.hash.push(sha256(target));
      rows.source.push(id(page.url));
      rows.anchor.push(link.anchor);
      rows.target.push(id(target));
    }
  }
  return rows;
}

async function insertRaw(db: Db, rows: ReturnType<typeof rawRows>) {
  await db.query(
    `INSERT INTO links (target_hash, source_id, anchor, target_id, source_domain_id, target_domain_id,
                        rel, first_seen, last_seen)
     SELECT decode(h, 'hex'), s, a, t, 1, 1, '{}', $5, $5
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS x(h, s, a, t)`,
    [rows.hash, rows.source, rows.anchor, rows.target, T0],
  );
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

/**
 * GET a JSON body on a new connection each time (agent: false). The server runs in this
 * process, and PGlite runs every query on this thread, so the raw and lookupBucket samples
 * block the event loop for their whole length; the first two 1M runs (pooled fetch sockets)
 * died with ECONNRESET on the first HTTP lookup after such a block: a keep-alive socket whose
 * idle timeout fell due during the block is closed by the server just as the client reuses it
 * (nodejs/node#54293). At 1M a sample of lookupBucket scanned every links partition per lookup
 * (fixed in server/src/lookup.ts), which made those blocks long. A fresh connection to
 * 127.0.0.1 adds well under a millisecond.
 */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function measureIngest(db: Db, raw: Db) {
  let serverMs = 0;
  let rawMs = 0;
  let links = 0;
  const ids = new Map<string, number>();
  let n = 0;
  for (const batch of batches()) {
    // Alternating batch by batch, so load on the machine falls on both alike.
    const rows = rawRows(batch, ids);
    let t = performance.now();
    await insertRaw(raw, rows);
    rawMs += performance.now() - t;
    t = performance.now();
    const result = await ingestPages(db, batch, T0 + 1000);
    serverMs += performance.now() - t;
    links += result.links;
    // A line per 100,000 links, with the rates so far: a run cut short still tells them.
    if (++n % 20 === 0) {
      const perSecond = (ms: number) => Math.round(links / (ms / 1000)).toLocaleString('en');
      info(
        `${links.toLocaleString('en')} links: ingestPages ${perSecond(serverMs)}/s, raw INSERTs ${perSecond(rawMs)}/s`,
      );
    }
  }
  const rate = (ms: number) => `${Math.round(links / (ms / 1000)).toLocaleString('en')} links/s`;
  const rows: Timing[] = [
    {
      name: `raw INSERTs (${links.toLocaleString('en')} links)`,
      samples: [rawMs],
      median: rawMs,
      extra: rate(rawMs),
    },
    { name: 'ingestPages', samples: [serverMs], median: serverMs, extra: rate(serverMs) },
  ];
  printTable(rows, rows[0]!, { extraHeader: 'rate' });
  return links;
}

export async function runIndexServer(): Promise<void> {
  heading(
    `index server on PGlite, ${LINKS.toLocaleString('en')} links`,
    'Ingest: ingestPages vs raw INSERTs of the same link rows (one run each, batch by batch).\n' +
      'Lookup: a bucket at the prefix a k = 50 client picks: HTTP and lookupBucket vs the raw SQL range scan.',
  );
  const dir = mkdtempSync(join(tmpdir(), 'index-bench-'));
  const db = await openPglite(join(dir, 'index'));
  const raw = await openPglite(join(dir, 'raw'));
  try {
    await migrate(db);
    await migrate(raw);
    const links = await measureIngest(db, raw);
    await db.query('CHECKPOINT');
    const [sizes] = await db.query<{ tables: number; database: number }>(
      `SELECT (pg_total_relation_size('pages') + pg_total_relation_size('domains') +
               (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
                 WHERE inhparent = 'links'::regclass))::float8 AS tables,
              pg_database_size(current_database())::float8 AS database`,
    );
    info(
      `disk: ${mb(sizes!.tables)} in tables and indexes = ${Math.round(sizes!.tables / links)} bytes per link; ` +
        `${mb(folderBytes(join(dir, 'index')))} data folder in all (PGlite's catalog and WAL included)`,
    );

    const started = performance.now();
    const authority = await computeAuthority(db);
    info(
      `authority job: ${authority.pages.toLocaleString('en')} pages, ${authority.domains} domains in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    await lookups(db);
  } finally {
    await Promise.allSettled([db.close(), raw.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lookups(db: Db) {
  const server = createIndexServer({
    db,
    name: 'bench',
    minPrefixLength: 2,
    maxPrefixLength: 16,
    tokens: [],
    limits: { ...DEFAULT_LIMITS, ratePerMinute: 10_000_000 },
    log: () => {},
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const indexInfo = parseInfo(await getJson(`${base}/v1/info`));
    const length = choosePrefixLength(indexInfo, DEFAULT_K);
    info(
      `${indexInfo.keys.urls.toLocaleString('en')} pages with backlinks; prefix ${length} hex characters, ` +
        `${expectedBucketSize(indexInfo, length).toFixed(0)} pages per bucket in expectation (k = ${DEFAULT_K})`,
    );
    const keys = await db.query<{ hash: string }>(
      `SELECT encode(target_hash, 'hex') AS hash FROM links WHERE random() < 0.01 LIMIT 400`,
    );
    // The same prefixes for every row of a turn, other prefixes each turn.
    const prefixes = (rep: number) => {
      const random = seededRandom(100 + rep);
      return Array.from({ length: LOOKUPS_PER_SAMPLE }, () =>
        pick(random, keys).hash.slice(0, length),
      );
    };
    let rawRows = 0;
    let httpEntries = 0;
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const rows = await collectInterleaved(
      [
        {
          name: `raw SQL range scan (${LOOKUPS_PER_SAMPLE} lookups)`,
          sample: async (rep) => {
            const asked = prefixes(rep);
            const t = performance.now();
            for (const prefix of asked) {
              const { from, to } = prefixRange(prefix);
              const found = await db.query(
                `SELECT l.target_hash, s.url, l.anchor, l.rel, l.region, l.first_seen, l.last_seen, l.lost_at
                 FROM links l JOIN pages s ON s.id = l.source_id
                 WHERE l.target_hash >= decode($1, 'hex') AND ($2::text IS NULL OR l.target_hash < decode($2, 'hex'))`,
                [from, to],
              );
              rawRows += found.length;
            }
            return performance.now() - t;
          },
        },
        {
          name: 'lookupBucket (server queries)',
          sample: async (rep) => {
            const asked = prefixes(rep);
            const t = performance.now();
            for (const prefix of asked)
              await lookupBucket(db, 'url', prefix, undefined, DEFAULT_LIMITS);
            return performance.now() - t;
          },
        },
        {
          name: 'GET /v1/lookup + parseLookup',
          sample: async (rep) => {
            const asked = prefixes(rep);
            const t = performance.now();
            for (const prefix of asked) {
              const body = await getJson(base + lookupPath('url', prefix));
              httpEntries += parseLookup(body, prefix, 'url').entries.length;
            }
            return performance.now() - t;
          },
        },
      ],
      { warmup: 1, reps: 5 },
    );
    loop.disable();
    for (const row of rows)
      row.extra = `${(row.median / LOOKUPS_PER_SAMPLE).toFixed(2)} ms per lookup`;
    printTable(rows, rows[0]!, { extraHeader: 'latency' });
    // The longest stretch the server's own timers had to wait (see getJson).
    info(`event loop blocked at most ${(loop.max / 1e6).toFixed(0)} ms at a time during lookups`);
    check(
      'lookups found the sampled keys',
      rawRows > 0 && httpEntries > 0,
      `${httpEntries} entries over HTTP`,
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
