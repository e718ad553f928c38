/**
 * Source authority: PageRank over the local link graph, for pages and for registrable domains,
 * and the 0–100 scale it is shown on. Pure and synchronous, so it runs in the service worker,
 * in a Web Worker or in Node alike; the caller decides when to run it and where to keep the
 * result.
 *
 * Graphs are compact: keys interned to integer ids, out-links in CSR form (typed arrays), so a
 * graph of 100,000 pages and 1,000,000 links takes a few megabytes besides its URLs, and one
 * PageRank iteration is one pass over two Int32Arrays. The walk can run in slices (`continueRank`) and restart
 * from earlier scores (`carryScores`), because the service worker may be stopped at any time
 * and the graph changes a little with every visit.
 */
import { passesAuthority } from './occurrences';
import type { GraphRow } from './authority-rows';
import { splitKeys, type PackedIndex, type PackedRows } from './authority-packed';
import type { LinkRecord, PageRecord } from './types';

/** What the walk needs of a stored link. */
export type AuthorityLink = Pick<
  LinkRecord,
  'source' | 'target' | 'rel' | 'sourceDomain' | 'targetDomain' | 'lostAt'
>;

/** What the walk needs of a stored page: its domain, and whether it vouches for its links. */
export type AuthorityPage = Pick<PageRecord, 'url' | 'domain' | 'robotsNofollow'>;

/**
 * A directed graph with nodes numbered 0…n-1. The out-links of node i are
 * `targets[offsets[i]]` up to (not including) `targets[offsets[i + 1]]`, each target once.
 */
export interface LinkGraph {
  /** Node keys by id: URLs in the page graph, registrable domains in the domain graph. */
  readonly keys: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  /** n + 1 entries. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/** Keys to dense ids, in order of first appearance (so the same input gives the same ids). */
class Interner {
  readonly keys: string[];
  readonly ids: Map<string, number>;

  /** From earlier keys (copied, so theirs stay as they were): every key keeps its id. */
  constructor(keys: readonly string[] = []) {
    this.keys = [...keys];
    // A loop, not keys.map to pairs: 100,000 two-element arrays cost more than the Map itself.
    this.ids = new Map();
    for (let id = 0; id < keys.length; id++) this.ids.set(keys[id]!, id);
  }

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
    }
    return id;
  }
}

/** Edges as two growing Int32Arrays: a million edges without a million boxed numbers. */
class EdgeList {
  from: Int32Array;
  to: Int32Array;
  length = 0;

  /** `capacity`: the edges expected, when known, so that a million pushes never copy. */
  constructor(capacity = 1024) {
    this.from = new Int32Array(Math.max(capacity, 16));
    this.to = new Int32Array(Math.max(capacity, 16));
  }

  /** Room for `more` edges beyond those pushed, made in one step. */
  reserve(more: number): void {
    const need = this.length + more;
    if (need <= this.from.length) return;
    const grow = (a: Int32Array) => {
      const bigger = new Int32Array(Math.max(need, a.length * 2));
      bigger.set(a.subarray(0, this.length));
      return bigger;
    };
    this.from = grow(this.from);
    this.to = grow(this.to);
  }

  push(from: number, to: number): void {
    if (this.length === this.from.length) this.reserve(1);
    this.from[this.length] = from;
    this.to[this.length++] = to;
  }
}

/**
 * CSR from an edge list, leaving out edges from the nodes flagged in `skipFrom`: a counting
 * sort by source, then each row cut down to distinct targets. A stamp per target (the row
 * that last kept it) dedupes in one pass, without sorting.
 */
function compressEdges(interner: Interner, edges: EdgeList, skipFrom?: Uint8Array): LinkGraph {
  const n = interner.keys.length;
  const { from, to, length } = edges;
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < length; e++) if (!skipFrom?.[from[e]!]) offsets[from[e]! + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const targets = new Int32Array(offsets[n]!);
  const cursor = offsets.slice(0, n);
  for (let e = 0; e < length; e++) {
    if (!skipFrom?.[from[e]!]) targets[cursor[from[e]!]!++] = to[e]!;
  }

  const stamp = new Int32Array(n).fill(-1);
  let write = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = offsets[i + 1]!;
    offsets[i] = write;
    for (let e = start; e < end; e++) {
      const t = targets[e]!;
      if (stamp[t] !== i) {
        stamp[t] = i;
        targets[write++] = t;
      }
    }
    start = end;
  }
  offsets[n] = write;
  return { keys: interner.keys, ids: interner.ids, offsets, targets: targets.slice(0, write) };
}

/** The page graph and the domain graph, built from one pass over the records. */
export interface AuthorityGraphs {
  pages: LinkGraph;
  domains: LinkGraph;
  /** The domain id of each page id. */
  domainOf: Int32Array;
}

/**
 * One edge per linking domain pair, internal links left out, as in Common Crawl's domain
 * graph (https://commoncrawl.org/web-graphs): a site with a thousand pages linking to
 * another counts once, and a site cannot vote for itself.
 */
function domainGraph(pages: LinkGraph, domainOf: ArrayLike<number>, domains: Interner): LinkGraph {
  const edges = new EdgeList(pages.targets.length);
  const { offsets, targets } = pages;
  for (let s = 0; s < domainOf.length; s++) {
    const ds = domainOf[s]!;
    for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
      const dt = domainOf[targets[e]!]!;
      if (dt !== ds) edges.push(ds, dt);
    }
  }
  return compressEdges(domains, edges);
}

/** The domain graph of `pages` over the domains `keys` (by id). */
export const domainGraphOf = (
  pages: LinkGraph,
  domainOf: ArrayLike<number>,
  keys: readonly string[],
): LinkGraph => domainGraph(pages, domainOf, new Interner(keys));

/**
 * Collects pages and links (in any order, in as many batches as the store is read in) and
 * builds both graphs. Every page and domain seen becomes a node, so it gets a score; only
 * links that pass authority become edges. Call `build` once, after the last add: the graphs
 * share the builder's key tables.
 */
export class AuthorityGraphBuilder {
  private readonly pages = new Interner();
  private readonly domains = new Interner();
  /** Domain id of each page id. */
  private readonly domainOf: number[] = [];
  private readonly nofollowPages: number[] = [];
  private readonly edges = new EdgeList();
  private lastSource = '';
  private lastSourceId = -1;

  private page(url: string, domain: string): number {
    const id = this.pages.id(url);
    if (id === this.domainOf.length) this.domainOf.push(this.domains.id(domain));
    return id;
  }

  addPage(page: AuthorityPage): this {
    const id = this.page(page.url, page.domain);
    // Robots nofollow is a property of the page, not of each link: its links are dropped at
    // build time, so it does not matter whether the page or its links are added first.
    if (page.robotsNofollow) this.nofollowPages.push(id);
    return this;
  }

  addLink(link: AuthorityLink): this {
    // The store returns links in key order, [source, target, anchor], so a page's links come
    // together: its URL is looked up once, not once per link.
    if (link.source !== this.lastSource || this.lastSourceId < 0) {
      this.lastSourceId = this.page(link.source, link.sourceDomain);
      this.lastSource = link.source;
    }
    const source = this.lastSourceId;
    const target = this.page(link.target, link.targetDomain);
    // A lost link no longer passes anything; a self-link says nothing about authority.
    if (link.lostAt !== null || source === target || !passesAuthority(link.rel)) return this;
    this.edges.push(source, target);
    return this;
  }

  /**
   * Rows of the graph store (core/authority-rows.ts), every row's page first: a page's own
   * domain is the one its node gets, whichever row names it first as a target.
   */
  addRows(rows: readonly GraphRow[]): this {
    for (const row of rows) {
      const id = this.page(row.url, row.domain);
      if (row.nofollow) this.nofollowPages.push(id);
    }
    for (const row of rows) {
      if (row.targets === '') continue;
      const source = this.pages.ids.get(row.url)!;
      const targets = row.targets.split('\n');
      const domains = row.domains.split('\n');
      for (let i = 0; i < targets.length; i++) {
        const target = this.page(targets[i]!, domains[i]!);
        if (row.passes[i] && target !== source) this.edges.push(source, target);
      }
    }
    return this;
  }

  build(): AuthorityGraphs {
    const nofollow = new Uint8Array(this.pages.keys.length);
    for (const id of this.nofollowPages) nofollow[id] = 1;
    const pages = compressEdges(this.pages, this.edges, nofollow);
    const domainOf = Int32Array.from(this.domainOf);
    return { pages, domains: domainGraph(pages, domainOf, this.domains), domainOf };
  }
}

/**
 * Both graphs from packed rows (core/authority-packed.ts), straight into CSR: a packed value
 * already has one id per node, one domain per node and one row per page with distinct
 * targets, so nothing is interned or deduplicated again; node ids are the packed value's, and
 * `index` (its keys) serves as the page graph's keys.
 */
export function graphsFromPacked(packed: PackedRows, index: PackedIndex): AuthorityGraphs {
  const n = index.keys.length;
  const { sources, offsets: rows, targets: rowTargets, passes } = packed;
  const offsets = new Int32Array(n + 1);
  const passing = (r: number, e: number) =>
    passes[e] === 1 && rowTargets[e] !== sources[r] && !packed.nofollow[r];
  for (let r = 0; r < sources.length; r++) {
    let count = 0;
    for (let e = rows[r]!; e < rows[r + 1]!; e++) if (passing(r, e)) count++;
    offsets[sources[r]! + 1] = count;
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const targets = new Int32Array(offsets[n]!);
  for (let r = 0; r < sources.length; r++) {
    let at = offsets[sources[r]!]!;
    for (let e = rows[r]!; e < rows[r + 1]!; e++) if (passing(r, e)) targets[at++] = rowTargets[e]!;
  }
  const pages: LinkGraph = {
    keys: index.keys,
    get ids() {
      return index.ids;
    },
    offsets,
    targets,
  };
  const domains = new Interner(splitKeys(packed.domains));
  return {
    pages,
    domains: domainGraph(pages, packed.domainOf, domains),
    domainOf: packed.domainOf,
  };
}

/** Both graphs from stored links, with the pages whose robots nofollow must be honoured. */
export function buildAuthorityGraphs(
  links: Iterable<AuthorityLink>,
  pages: Iterable<AuthorityPage> = [],
): AuthorityGraphs {
  const builder = new AuthorityGraphBuilder();
  for (const page of pages) builder.addPage(page);
  for (const link of links) builder.addLink(link);
  return builder.build();
}

/**
 * Both graphs as a few flat values, to keep between computations: the page graph's rows,
 * each page's domain, and the keys as one string each (URLs and domains hold no newline).
 * One string and three typed arrays clone into IndexedDB far faster than 100,000 strings.
 * The domain graph is left out: it follows from the rest.
 */
export interface StoredGraphs {
  pageKeys: string;
  domainKeys: string;
  domainOf: Int32Array;
  offsets: Int32Array;
  targets: Int32Array;
  /**
   * The domain graph's rows, so that an update patches them rather than building it again
   * (core/authority-patch.ts); absent in what an earlier version kept, then built.
   */
  domainOffsets?: Int32Array;
  domainTargets?: Int32Array;
}

/** `joined`: the page keys already joined (the packed graph's, the last stored): not joined again. */
export function storeGraphs(
  { pages, domains, domainOf }: AuthorityGraphs,
  joined?: string,
): StoredGraphs {
  return {
    pageKeys: joined ?? pages.keys.join('\n'),
    domainKeys: domains.keys.join('\n'),
    domainOf,
    offsets: pages.offsets,
    targets: pages.targets,
    domainOffsets: domains.offsets,
    domainTargets: domains.targets,
  };
}

// ---------------------------------------------------------------------------------------------
// PageRank

export interface RankOptions {
  /** Chance of following a link rather than jumping to a random node: 0.85, as in the paper. */
  damping: number;
  /** Converged when one iteration moves the scores by less than this in all (L1). */
  tolerance: number;
  /** Stop for good after this many iterations in all, converged or not. */
  maxIterations: number;
}

/**
 * The L1 error left after convergence is at most tolerance × damping / (1 − damping), under
 * 1e-7 here: far below what the 0–100 scale can show. The error shrinks at least by the
 * damping factor per iteration, so the cap is only reached by pathological graphs; the
 * benchmark graph (100,000 pages) converges from uniform in about 15.
 */
export const DEFAULT_RANK_OPTIONS: RankOptions = {
  damping: 0.85,
  tolerance: 1e-8,
  maxIterations: 200,
};

/**
 * Where a walk stands: plain data (a Float64Array and numbers), so it can be stored in
 * IndexedDB as is and continued later on the same graph.
 */
export interface RankState {
  /** One score per node id, summing to 1. */
  scores: Float64Array;
  /** Iterations run so far. */
  iterations: number;
  /** L1 change made by the last iteration (Infinity before the first). */
  delta: number;
  converged: boolean;
}

/** A bound on one call of `continueRank`; the walk stops at whichever comes first. */
export interface RankSlice {
  /** Iterations this call may run. */
  iterations?: number;
  /** Milliseconds this call may run, checked between iterations (one may overrun it). */
  timeMs?: number;
  /** Clock for `timeMs`, in milliseconds. */
  now?: () => number;
}

/**
 * A walk not yet started: from `initial` (see `carryScores`) or from the uniform 1/n.
 * An empty graph has nothing to rank and is converged from the start.
 */
export function startRank(graph: LinkGraph, initial?: Float64Array): RankState {
  const n = graph.keys.length;
  if (initial && initial.length !== n) {
    throw new RangeError(`startRank: ${initial.length} initial scores for ${n} nodes`);
  }
  const scores = initial ? initial.slice() : new Float64Array(n).fill(1 / n);
  return { scores, iterations: 0, delta: n === 0 ? 0 : Infinity, converged: n === 0 };
}

/**
 * One power iteration, `rank` → `next`; returns the L1 change.
 * next = (1 − d)/n + d × (links in, each source's score split over its out-links) + d × (the
 * dangling nodes' score)/n. A node without out-links spreads its score over every node, as
 * if it linked to all (Page et al. 1999; Langville & Meyer, "Deeper inside PageRank"), so
 * the scores keep summing to 1 and nothing leaks away.
 */
function iterate(graph: LinkGraph, rank: Float64Array, next: Float64Array, damping: number) {
  const { offsets, targets } = graph;
  const n = rank.length;
  next.fill(0);
  let dangling = 0;
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (start === end) {
      dangling += rank[i]!;
      continue;
    }
    const share = rank[i]! / (end - start);
    for (let e = start; e < end; e++) next[targets[e]!]! += share;
  }
  const base = (1 - damping + damping * dangling) / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    next[i] = base + damping * next[i]!;
    sum += next[i]!;
  }
  // Renormalizing keeps rounding from drifting the total away from 1 over many iterations.
  let delta = 0;
  for (let i = 0; i < n; i++) {
    const v = next[i]! / sum;
    next[i] = v;
    delta += Math.abs(v - rank[i]!);
  }
  return delta;
}

/**
 * Run the walk on from `state` until it converges, reaches `maxIterations` or uses up the
 * slice. Returns a new state; `state` is left as it was. Running in slices gives the same
 * scores, bit for bit, as running in one go.
 */
export function continueRank(
  graph: LinkGraph,
  state: RankState,
  slice: RankSlice = {},
  options: Partial<RankOptions> = {},
): RankState {
  const { damping, tolerance, maxIterations } = { ...DEFAULT_RANK_OPTIONS, ...options };
  const n = graph.keys.length;
  if (state.scores.length !== n) {
    throw new RangeError(`continueRank: a state of ${state.scores.length} scores for ${n} nodes`);
  }
  const now = slice.now ?? (() => performance.now());
  const deadline = slice.timeMs === undefined ? Infinity : now() + slice.timeMs;
  const limit = Math.min(maxIterations, state.iterations + (slice.iterations ?? Infinity));
  let { scores, iterations, delta, converged } = state;
  let spare: Float64Array | null = null;
  while (
    !converged &&
    iterations < limit &&
    (iterations === state.iterations || now() < deadline)
  ) {
    const next: Float64Array = spare ?? new Float64Array(n);
    delta = iterate(graph, scores, next, damping);
    // The first iteration reads the caller's array, so only later ones may recycle a buffer.
    spare = iterations === state.iterations ? null : scores;
    scores = next;
    iterations++;
    converged = delta < tolerance;
  }
  return { scores, iterations, delta, converged };
}

/** PageRank in one go: uniform start (or `initial`), iterated until converged or capped. */
export function rankGraph(
  graph: LinkGraph,
  options: Partial<RankOptions> & { initial?: Float64Array } = {},
): RankState {
  const { initial, ...rest } = options;
  return continueRank(graph, startRank(graph, initial), {}, rest);
}

/** Scores by key, for storing per page or per domain. */
export function scoresByKey(graph: LinkGraph, scores: Float64Array): Map<string, number> {
  const byKey = new Map<string, number>();
  graph.keys.forEach((key, id) => byKey.set(key, scores[id]!));
  return byKey;
}

/**
 * A warm start for a changed graph from the `scores` of an earlier one: each node starts from
 * its earlier score, a new node from the uniform 1/n, the whole renormalized to sum 1. After a
 * small change the walk starts close to its answer, so it converges in fewer iterations, to
 * the same scores. Ids follow the order the records are read in, so most nodes keep theirs;
 * a key is looked up only where the ids differ.
 */
export function carryScores(
  graph: LinkGraph,
  previous: Pick<LinkGraph, 'keys' | 'ids'>,
  scores: Float64Array,
): Float64Array {
  const n = graph.keys.length;
  const carried = new Float64Array(n);
  const oldId = earlierIds(graph, previous);
  let sum = 0;
  for (let id = 0; id < n; id++) {
    const old = oldId(id);
    const s = old === undefined ? undefined : scores[old];
    carried[id] = s !== undefined && s > 0 && Number.isFinite(s) ? s : 1 / n;
    sum += carried[id]!;
  }
  for (let i = 0; i < n; i++) carried[i]! /= sum;
  return carried;
}

/**
 * The id each node of `graph` had in `previous`, asked for ids in ascending order. Where ids
 * differ, a key is looked up; but when `previous`'s keys are the first of `graph`'s in the same
 * order (an update only adds nodes), a later key is new (keys are distinct) and nothing is
 * looked up: the key → id Map of 100,000 URLs is never made.
 */
export function earlierIds(
  graph: Pick<LinkGraph, 'keys'>,
  previous: Pick<LinkGraph, 'keys' | 'ids'>,
): (id: number) => number | undefined {
  let prefix = true;
  return (id) => {
    const key = graph.keys[id]!;
    if (previous.keys[id] === key) return id;
    if (id < previous.keys.length) prefix = false;
    else if (prefix) return undefined;
    return previous.ids.get(key);
  };
}

// ---------------------------------------------------------------------------------------------
// Display scale

/** What the 0–100 scale needs to know of a ranking; two numbers, stored beside the scores. */
export interface AuthorityScale {
  /** Nodes in the graph (the uniform score is 1/nodes). */
  nodes: number;
  /** The highest score in the graph. */
  top: number;
}

/**
 * The top of the graph reads 100 only when it holds at least this many times the uniform
 * score; a smaller or flatter graph keeps this as its span, so in a graph of three pages the
 * one the other two link to reads about 20, not 100.
 */
export const SCALE_MIN_SPAN = 100;

export function authorityScale(scores: Float64Array): AuthorityScale {
  let top = 0;
  for (const s of scores) if (s > top) top = s;
  return { nodes: scores.length, top };
}

/**
 * A raw score on the 0–100 scale shown to people, log-scaled as Ahrefs' DR/UR and Moz's DA/PA
 * are, but computed from the local graph alone:
 *
 *     r = score × nodes                                (1 = the uniform score 1/n, an average node)
 *     display = 100 × ln(1 + r) / ln(1 + max(top × nodes, SCALE_MIN_SPAN))
 *
 * - Logarithmic, because authority is heavy-tailed: each step up takes a multiple of the
 *   score, not an addition, and the top of a big graph holds thousands of times the average.
 * - ln(1 + r) rather than ln(r): 0 stays 0 and nothing goes negative; the many pages nothing
 *   links to (r a little under 1, the median of a large graph) read in the single digits.
 * - The top of the graph reads 100; `SCALE_MIN_SPAN` keeps a tiny or flat graph from
 *   calling its best page a 100.
 * Monotonic in the score for a given scale, and bounded to 0–100 (a score above a stale
 * scale's top reads 100). Unrounded: round where it is shown.
 */
export function displayAuthority(score: number, scale: AuthorityScale): number {
  if (!(score > 0) || scale.nodes === 0) return 0;
  const span = Math.log1p(Math.max(scale.top * scale.nodes, SCALE_MIN_SPAN));
  return Math.min(100, (100 * Math.log1p(score * scale.nodes)) / span);
}
