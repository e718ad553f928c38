/**
 * Page and domain authority over the indexed graph: the extension's own PageRank
 * (src/core/authority.ts) run as a batch job (`npm run index -- authority`), its 0-100 scores
 * stored on pages and domains and served with lookups. Nodes are keyed by database id, so the
 * graph holds numbers, not URLs; links are read one range of source ids at a time.
 */
import {
  AuthorityGraphBuilder,
  authorityScale,
  displayAuthority,
  rankGraph,
  type LinkGraph,
} from '../../src/core/authority';
import type { Db, Queryable } from './db';

const READ_CHUNK = 20_000;
const WRITE_CHUNK = 10_000;

export interface AuthorityResult {
  pages: number;
  domains: number;
  iterations: { pages: number; domains: number };
}

async function readGraph(db: Db) {
  const builder = new AuthorityGraphBuilder();
  const [bounds] = await db.query<{ max: number | null }>('SELECT max(id) AS max FROM pages');
  const maxId = Number(bounds?.max ?? 0);
  for (let from = 0; from <= maxId; from += READ_CHUNK) {
    const pages = await db.query<{ id: number; domain_id: number; nofollow: boolean }>(
      'SELECT id, domain_id, nofollow FROM pages WHERE id > $1 AND id <= $2 ORDER BY id',
      [from, from + READ_CHUNK],
    );
    for (const p of pages) {
      builder.addPage({
        url: String(p.id),
        domain: String(p.domain_id),
        robotsNofollow: p.nofollow,
      });
    }
    const links = await db.query<{
      source_id: number;
      target_id: number;
      source_domain_id: number;
      target_domain_id: number;
      rel: string[];
      lost_at: number | null;
    }>(
      `SELECT source_id, target_id, source_domain_id, target_domain_id, rel, lost_at FROM links
       WHERE source_id > $1 AND source_id <= $2 ORDER BY source_id`,
      [from, from + READ_CHUNK],
    );
    for (const l of links) {
      builder.addLink({
        source: String(l.source_id),
        target: String(l.target_id),
        sourceDomain: String(l.source_domain_id),
        targetDomain: String(l.target_domain_id),
        rel: l.rel,
        lostAt: l.lost_at,
      });
    }
  }
  return builder.build();
}

/** The display scores of a ranked graph, as (ids, scores) arrays for one UPDATE. */
function displayScores(
  graph: LinkGraph,
  scores: Float64Array,
): { ids: number[]; values: number[] } {
  const scale = authorityScale(scores);
  return {
    ids: graph.keys.map(Number),
    values: Array.from(scores, (s) => Math.round(displayAuthority(s, scale) * 100) / 100),
  };
}

async function writeScores(
  tx: Queryable,
  table: 'pages' | 'domains',
  scores: { ids: number[]; values: number[] },
) {
  for (let i = 0; i < scores.ids.length; i += WRITE_CHUNK) {
    await tx.query(
      `UPDATE ${table} AS t SET authority = u.a
       FROM unnest($1::bigint[], $2::real[]) AS u(id, a)
       WHERE t.id = u.id AND t.authority IS DISTINCT FROM u.a`,
      [scores.ids.slice(i, i + WRITE_CHUNK), scores.values.slice(i, i + WRITE_CHUNK)],
    );
  }
}

/** Reads the graph, ranks pages and domains, and stores both in one transaction. */
export async function computeAuthority(db: Db, now: number = Date.now()): Promise<AuthorityResult> {
  const graphs = await readGraph(db);
  const pages = rankGraph(graphs.pages);
  const domains = rankGraph(graphs.domains);
  await db.transaction(async (tx) => {
    await writeScores(tx, 'pages', displayScores(graphs.pages, pages.scores));
    await writeScores(tx, 'domains', displayScores(graphs.domains, domains.scores));
    await tx.query(
      `INSERT INTO index_meta (key, value) VALUES ('authority_at', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [new Date(now).toISOString()],
    );
  });
  return {
    pages: graphs.pages.keys.length,
    domains: graphs.domains.keys.length,
    iterations: { pages: pages.iterations, domains: domains.iterations },
  };
}
