/**
 * Benchmark: source authority (PageRank) for 100,000 pages and 1,000,000 links, the budget of
 * issue 6 (under 10 s on this machine). The CSR implementation in core/authority against the
 * obvious one, a Map<string, string[]> adjacency walked with Map<string, number> scores; then
 * what a worker pays after a change, cold and warm-started from the previous scores.
 *
 * Direct entry: `npx tsx test/bench/authority.ts`.
 */
import { pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import {
  authorityScale,
  buildAuthorityGraphs,
  storeGraphs,
  displayAuthority,
  carryScores,
  DEFAULT_RANK_OPTIONS,
  rankGraph,
  type AuthorityGraphs,
  type AuthorityLink,
  type AuthorityPage,
  type RankState,
} from '../../src/core/authority';
import { passesAuthority } from '../../src/core/occurrences';
import { patchGraphs } from '../../src/core/authority-patch';
import { graphRowOf } from '../../src/core/authority-rows';
import {
  check,
  heading,
  info,
  measure,
  printTable,
  seededRandom,
  step,
  type Timing,
} from './measure';

const PAGES = 100_000;
const LINKS = 1_000_000;
const PAGES_PER_DOMAIN = 10;
/** Pages the user visited (with out-links); the rest are only known as link targets. */
const VISITED = 0.5;
const BUDGET_MS = 10_000;

interface Corpus {
  pages: AuthorityPage[];
  links: AuthorityLink[];
}

/**
 * Half the pages visited, each with about 20 out-links: 30% to a page of its own site, the
 * rest to a page drawn with a Zipf-like law (rank k with probability ∝ 1/k), so in-degree is
 * heavy-tailed as on the web. 14% of links nofollow/sponsored/ugc, 5% lost, 2% of pages
 * robots nofollow; repeats happen, as on real pages.
 */
const domainOf = (id: number) => `site${Math.floor(id / PAGES_PER_DOMAIN)}.com`;
const urls = Array.from({ length: PAGES }, (_, id) => `https://www.${domainOf(id)}/page/${id}`);

function generateCorpus(seed: number): Corpus {
  const random = seededRandom(seed);
  const visited = Math.floor(PAGES * VISITED);
  // Popularity rank → page id: a fixed permutation (7919 is prime to 100,000), so popular
  // pages are spread over sites rather than the first few.
  const zipf = () => (Math.floor(PAGES ** random()) * 7919) % PAGES;
  const pages = urls.map((url, id) => ({
    url,
    domain: domainOf(id),
    robotsNofollow: id < visited && random() < 0.02,
  }));
  // Grouped by source, as the store returns them (its key is [source, target, anchor]).
  const sources = new Int32Array(LINKS).map(() => Math.floor(random() * visited)).sort();
  const links: AuthorityLink[] = [];
  for (const source of sources) {
    const target =
      random() < 0.3
        ? source - (source % PAGES_PER_DOMAIN) + Math.floor(random() * PAGES_PER_DOMAIN)
        : zipf();
    links.push(linkOf(source, target, random));
  }
  return { pages, links };
}

function linkOf(source: number, target: number, random: () => number): AuthorityLink {
  const r = random();
  return {
    source: urls[source]!,
    target: urls[target]!,
    rel: r < 0.1 ? ['nofollow'] : r < 0.12 ? ['sponsored'] : r < 0.14 ? ['ugc'] : [],
    sourceDomain: domainOf(source),
    targetDomain: domainOf(target),
    lostAt: random() < 0.05 ? 1 : null,
  };
}

/** The same corpus with `share` of the links pointed elsewhere (a new random target). */
function moveLinks(corpus: Corpus, share: number, seed: number): Corpus {
  const random = seededRandom(seed);
  const links = corpus.links.map((l) => {
    if (random() >= share) return l;
    const other = corpus.links[Math.floor(random() * corpus.links.length)]!;
    return { ...l, target: other.target, targetDomain: other.targetDomain };
  });
  return { pages: corpus.pages, links };
}

/** The same corpus after one revisit: one page's links lost and a new one found. */
function changeOnePage(corpus: Corpus): Corpus {
  const page = corpus.links[0]!.source;
  const links = corpus.links.map((l) => (l.source === page ? { ...l, lostAt: 2 } : l));
  const { target, targetDomain } = corpus.links[1]!;
  links.push({ ...corpus.links[0]!, target, targetDomain, lostAt: null });
  return { pages: corpus.pages, links };
}

/**
 * The obvious implementation: an adjacency Map of URL → distinct target URLs, scores in
 * Map<string, number>, the same rules (damping, dangling nodes, L1 tolerance).
 */
function naivePageRank(corpus: Corpus): { scores: Map<string, number>; iterations: number } {
  const { damping, tolerance, maxIterations } = DEFAULT_RANK_OPTIONS;
  const nofollow = new Set(corpus.pages.filter((p) => p.robotsNofollow).map((p) => p.url));
  const out = new Map<string, string[]>();
  const node = (url: string) => {
    let list = out.get(url);
    if (!list) out.set(url, (list = []));
    return list;
  };
  for (const page of corpus.pages) node(page.url);
  for (const l of corpus.links) {
    const list = node(l.source);
    node(l.target);
    const passes = l.lostAt === null && passesAuthority(l.rel) && !nofollow.has(l.source);
    if (passes && l.source !== l.target && !list.includes(l.target)) list.push(l.target);
  }
  const n = out.size;
  let rank = new Map<string, number>();
  for (const url of out.keys()) rank.set(url, 1 / n);
  let iterations = 0;
  while (iterations < maxIterations) {
    const next = new Map<string, number>();
    for (const url of out.keys()) next.set(url, 0);
    let dangling = 0;
    for (const [url, targets] of out) {
      const r = rank.get(url)!;
      if (targets.length === 0) dangling += r;
      for (const t of targets) next.set(t, next.get(t)! + r / targets.length);
    }
    const base = (1 - damping + damping * dangling) / n;
    let delta = 0;
    for (const [url, v] of next) {
      next.set(url, base + damping * v);
      delta += Math.abs(base + damping * v - rank.get(url)!);
    }
    rank = next;
    iterations++;
    if (delta < tolerance) break;
  }
  return { scores: rank, iterations };
}

interface Authority {
  graphs: AuthorityGraphs;
  pages: RankState;
  domains: RankState;
}

/** Both rankings, warm-started from `previous` when given. */
function rankAuthority(graphs: AuthorityGraphs, previous?: Authority): Authority {
  const warm = (level: 'pages' | 'domains') =>
    previous
      ? carryScores(graphs[level], previous.graphs[level], previous[level].scores)
      : undefined;
  return {
    graphs,
    pages: rankGraph(graphs.pages, { initial: warm('pages') }),
    domains: rankGraph(graphs.domains, { initial: warm('domains') }),
  };
}

/** What the worker does: both graphs from the records, both rankings. */
function computeAuthority(corpus: Corpus, previous?: Authority): Authority {
  return rankAuthority(buildAuthorityGraphs(corpus.links, corpus.pages), previous);
}

function largestDifference(a: Authority, b: Authority): number {
  let worst = 0;
  for (const level of ['pages', 'domains'] as const) {
    a[level].scores.forEach((s, i) => {
      worst = Math.max(worst, Math.abs(s - b[level].scores[i]!));
    });
  }
  return worst;
}

const iterationsOf = (a: Authority) => `${a.pages.iterations} + ${a.domains.iterations}`;

export async function runAuthority(): Promise<void> {
  heading(
    'authority',
    `PageRank (d = ${DEFAULT_RANK_OPTIONS.damping}, L1 tolerance ${DEFAULT_RANK_OPTIONS.tolerance}) for ` +
      `${PAGES.toLocaleString('en')} pages and ${LINKS.toLocaleString('en')} links (Zipf-like in-degree),\n` +
      'CSR graphs (core/authority) vs a naive Map<string, string[]> walk; then updates after a change.',
  );
  const corpus = await step('generate the corpus (untimed)', () => generateCorpus(6));
  const cold = computeAuthority(corpus);
  const { pages, domains } = cold.graphs;
  info(
    `page graph: ${pages.keys.length.toLocaleString('en')} nodes, ${pages.targets.length.toLocaleString('en')} ` +
      `edges that pass authority; domain graph: ${domains.keys.length.toLocaleString('en')} nodes, ` +
      `${domains.targets.length.toLocaleString('en')} edges`,
  );

  const naive = naivePageRank(corpus);
  let worst = 0;
  pages.keys.forEach((url, id) => {
    worst = Math.max(worst, Math.abs(naive.scores.get(url)! - cold.pages.scores[id]!));
  });
  check(
    'naive and CSR page scores agree',
    naive.scores.size === pages.keys.length && worst < 1e-12,
    `largest difference ${worst.toExponential(1)}, ${naive.iterations} vs ${cold.pages.iterations} iterations`,
  );

  const moved = moveLinks(corpus, 0.01, 7);
  const movedCold = computeAuthority(moved);
  const movedWarm = computeAuthority(moved, cold);
  const revisit = changeOnePage(corpus);
  const revisitCold = computeAuthority(revisit);
  const revisitWarm = computeAuthority(revisit, cold);
  for (const [label, a, b] of [
    ['1% of links moved', movedCold, movedWarm],
    ['one page changed', revisitCold, revisitWarm],
  ] as const) {
    const diff = largestDifference(a, b);
    check(
      `warm start converges to the cold answer (${label})`,
      a.pages.converged && b.pages.converged && diff < 1e-9,
      `largest difference ${diff.toExponential(1)}; iterations ${iterationsOf(a)} cold, ${iterationsOf(b)} warm`,
    );
  }

  const SLOW = { warmup: 0, reps: 3 };
  const REPEAT = { warmup: 1, reps: 5 };
  const withIterations = (timing: Timing, a: { iterations: number } | Authority): Timing => ({
    ...timing,
    extra: 'graphs' in a ? iterationsOf(a) : String(a.iterations),
  });
  const rows = [
    withIterations(
      await measure('naive Map walk, pages: build + rank', () => naivePageRank(corpus), SLOW),
      naive,
    ),
    withIterations(
      await measure(
        'CSR, pages: build + rank',
        () => rankGraph(buildAuthorityGraphs(corpus.links, corpus.pages).pages),
        REPEAT,
      ),
      cold.pages,
    ),
    await measure(
      'CSR build only (page + domain graphs)',
      () => buildAuthorityGraphs(corpus.links, corpus.pages),
      REPEAT,
    ),
    withIterations(
      await measure('CSR rank only, pages', () => rankGraph(pages), REPEAT),
      cold.pages,
    ),
    withIterations(
      await measure('CSR rank only, domains', () => rankGraph(domains), REPEAT),
      cold.domains,
    ),
    withIterations(
      await measure(
        'authority: build + rank pages + domains',
        () => computeAuthority(corpus),
        REPEAT,
      ),
      cold,
    ),
  ];
  printTable(rows, rows[0]!, { extraHeader: 'iterations (pages + domains)' });
  const full = rows[5]!.median;
  info(
    `budget: authority for ${PAGES.toLocaleString('en')} pages / ${LINKS.toLocaleString('en')} links ` +
      `under ${BUDGET_MS / 1000} s: ${(full / 1000).toFixed(2)} s, ` +
      `${full < BUDGET_MS ? 'within' : 'OVER'} budget (${(BUDGET_MS / full).toFixed(1)}x headroom)`,
  );

  for (const level of ['pages', 'domains'] as const) {
    const scale = authorityScale(cold[level].scores);
    const shown = Array.from(cold[level].scores, (s) => displayAuthority(s, scale)).sort(
      (a, b) => a - b,
    );
    const at = (q: number) => shown[Math.min(shown.length - 1, Math.floor(q * shown.length))]!;
    info(
      `0–100 scale, ${level}: ` +
        [0, 0.5, 0.9, 0.99, 0.999, 1].map((q) => `p${q * 100} ${at(q).toFixed(0)}`).join(', '),
    );
  }

  heading(
    'authority: after a change',
    'Ranking both graphs again after 1% of the links moved, or one page was revisited (its links lost,\n' +
      'one new), from uniform (cold) or from the previous scores (warm, carryScores).',
  );
  const FAST = { warmup: 3, reps: 11 };
  const changes = [
    withIterations(
      await measure('1% moved: rank, cold', () => rankAuthority(movedCold.graphs), FAST),
      movedCold,
    ),
    withIterations(
      await measure('1% moved: rank, warm', () => rankAuthority(movedCold.graphs, cold), FAST),
      movedWarm,
    ),
    await measure(
      '  of which carrying the scores over',
      () => {
        carryScores(movedCold.graphs.pages, pages, cold.pages.scores);
        carryScores(movedCold.graphs.domains, domains, cold.domains.scores);
      },
      FAST,
    ),
    withIterations(
      await measure('one page: rank, cold', () => rankAuthority(revisitCold.graphs), FAST),
      revisitCold,
    ),
    withIterations(
      await measure('one page: rank, warm', () => rankAuthority(revisitCold.graphs, cold), FAST),
      revisitWarm,
    ),
    withIterations(
      await measure(
        '1% moved: whole update (build + warm rank)',
        () => computeAuthority(moved, cold),
        REPEAT,
      ),
      movedWarm,
    ),
  ];
  printTable(changes, changes[0]!, { extraHeader: 'iterations (pages + domains)' });

  heading(
    'authority: patching the kept graphs',
    'What an incremental update computes in memory after one page was revisited, at this size:\n' +
      "the kept graphs patched with the page's row (core/authority-patch.ts, the worker's path), and\n" +
      'stored again; against building both graphs from every record (reading them aside; see\n' +
      'authority-chromium).',
  );
  const stored = storeGraphs(cold.graphs);
  const page = corpus.links[0]!.source;
  const record = corpus.pages.find((p) => p.url === page);
  const pageLinks = revisit.links.filter((l) => l.source === page);
  const row = graphRowOf(page, record && { ...record, canonical: null }, pageLinks)!;
  const patch = () => patchGraphs(stored, [row], [page])!;
  const patched = patch();
  const cold1 = revisitCold.graphs;
  check(
    'the patched graphs have the edges of a build from every record',
    patched.pages.targets.length === cold1.pages.targets.length &&
      patched.domains.targets.length === cold1.domains.targets.length,
    `${patched.pages.targets.length.toLocaleString('en')} page edges`,
  );
  const patching = [
    await measure(
      'build both graphs from every record',
      () => buildAuthorityGraphs(revisit.links, revisit.pages),
      REPEAT,
    ),
    await measure('patch one page into the kept graphs', patch, REPEAT),
    await measure('store the patched graphs', () => storeGraphs(patched, patched.pageKeys), REPEAT),
  ];
  printTable(patching, patching[0]!);

  // What the update stores for the next one besides the scores that moved, in structured-clone
  // bytes (v8.serialize, the format IndexedDB stores in Chromium): the whole kept graphs as
  // before, or the patch it stores beside them now (storage/authority.ts, writeAuthorityUpdate).
  const scoresKept = {
    pageScores: revisitWarm.pages.scores,
    domainScores: revisitWarm.domains.scores,
    pageStored: { scores: revisitWarm.pages.scores, displays: revisitWarm.pages.scores },
    domainStored: { scores: revisitWarm.domains.scores, displays: revisitWarm.domains.scores },
  };
  const whole = serialize({ ...storeGraphs(patched, patched.pageKeys), ...scoresKept }).length;
  const patchRecord = serialize({
    base: 0,
    rows: [row],
    replaced: [page],
    added: {
      pages: patched.pages.keys.slice(pages.keys.length),
      domains: patched.domains.keys.slice(domains.keys.length),
    },
    ...scoresKept,
  }).length;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  info(
    `stored after a one-page update besides the scores: the kept graphs whole ${mb(whole)}, ` +
      `the patch ${mb(patchRecord)} (${(whole / patchRecord).toFixed(1)}x less; ` +
      `of it ${mb(serialize(scoresKept).length)} the scores by node)`,
  );
}

// Direct entry: `npx tsx test/bench/authority.ts`; run.ts imports it without running it twice.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await runAuthority();
