/**
 * The authority graph as it is kept between computations: one row per stored page (or link
 * source), holding the distinct targets of every link stored from it, with one flag each for
 * whether a link to it passes authority. A computation reads 100,000 such rows instead of a
 * million link records; the write paths keep them (storage/graph.ts). Pure: rows from records,
 * and nothing else.
 */
import { passesAuthority } from './occurrences';
import type { AuthorityLink } from './authority';
import type { PageRecord } from './types';

/** What a row needs of the page stored at its URL. */
export type RowPage = Pick<PageRecord, 'url' | 'domain' | 'robotsNofollow' | 'canonical'>;

export interface GraphRow {
  url: string;
  /** The page's registrable domain (a link source without a page record: the link's). */
  domain: string;
  /** Robots nofollow: the page passes nothing. */
  nofollow: boolean;
  /** The canonical URL the page declares, whose row (an alias) recording writes too. */
  canonical: string | null;
  /**
   * Every distinct target of the page's stored links, lost and nofollow ones too (each is a
   * node, as in a build from the link records), joined by newlines (URLs hold none): one
   * string clones out of IndexedDB far faster than twenty.
   */
  targets: string;
  /** Each target's registrable domain, joined the same way. */
  domains: string;
  /** Per target, 1 when a live link to it passes authority (followed, not a self-link). */
  passes: Uint8Array;
  /**
   * Set by every write of the row, taken away when the job packs it (core/authority-packed.ts):
   * a row without it is in the packed graph as it is here.
   */
  fresh?: 1;
}

/**
 * A row a write could not work out in its own transaction (a delta, an import, a forgotten
 * page): the job reads that page's records and writes the row, or deletes it if none is left.
 */
export interface DirtyRow {
  url: string;
  dirty: 1;
}

export type GraphEntry = GraphRow | DirtyRow;

export const isDirtyRow = (entry: GraphEntry): entry is DirtyRow => 'dirty' in entry;

/** Whether two rows hold the same (the marks aside). */
export function sameRow(a: GraphRow, b: GraphRow): boolean {
  return (
    a.url === b.url &&
    a.domain === b.domain &&
    a.nofollow === b.nofollow &&
    a.canonical === b.canonical &&
    a.targets === b.targets &&
    a.domains === b.domains &&
    a.passes.length === b.passes.length &&
    a.passes.every((p, i) => p === b.passes[i])
  );
}

/** The out-links of one source, gathered target by target. */
class RowTargets {
  readonly targets: string[] = [];
  readonly domains: string[] = [];
  readonly passes: number[] = [];
  /** Index of each target, made only for a page with many (a linear search is quicker below). */
  private index: Map<string, number> | null = null;

  constructor(readonly sourceDomain: string) {}

  add(url: string, link: AuthorityLink): void {
    const pass = Number(link.lostAt === null && link.target !== url && passesAuthority(link.rel));
    if (!this.index && this.targets.length >= 32) {
      this.index = new Map(this.targets.map((t, i) => [t, i]));
    }
    const at = this.index ? (this.index.get(link.target) ?? -1) : this.targets.indexOf(link.target);
    if (at >= 0) {
      this.passes[at] = this.passes[at]! | pass;
      return;
    }
    this.index?.set(link.target, this.targets.length);
    this.targets.push(link.target);
    this.domains.push(link.targetDomain);
    this.passes.push(pass);
  }

  /** Targets in URL order: the same links give the same row, whichever order they came in. */
  row(url: string, page: RowPage | undefined): GraphRow {
    const order = this.targets.map((_, i) => i);
    order.sort((a, b) => (this.targets[a]! < this.targets[b]! ? -1 : 1));
    return {
      url,
      domain: page?.domain ?? this.sourceDomain,
      nofollow: !!page?.robotsNofollow,
      canonical: page?.canonical ?? null,
      targets: order.map((i) => this.targets[i]).join('\n'),
      domains: order.map((i) => this.domains[i]).join('\n'),
      passes: Uint8Array.from(order, (i) => this.passes[i]!),
    };
  }
}

/**
 * The row of `url` from its page record and every link stored from it; null when neither is
 * stored (the row goes).
 */
export function graphRowOf(
  url: string,
  page: RowPage | undefined,
  links: Iterable<AuthorityLink>,
): GraphRow | null {
  let out: RowTargets | null = null;
  for (const link of links) (out ??= new RowTargets(link.sourceDomain)).add(url, link);
  if (!page && !out) return null;
  return (out ?? new RowTargets(page!.domain)).row(url, page);
}

/**
 * Rows from every page and link record, in any order and in as many batches as the stores are
 * read in: what the graph store holds when the write paths have kept it. Each target is kept
 * as three array entries, not a record, so a million links fit in a few tens of megabytes.
 */
export class GraphRowCollector {
  private readonly pages = new Map<string, RowPage>();
  private readonly out = new Map<string, RowTargets>();

  addPage(page: RowPage): this {
    this.pages.set(page.url, {
      url: page.url,
      domain: page.domain,
      robotsNofollow: page.robotsNofollow,
      canonical: page.canonical,
    });
    return this;
  }

  addLink(link: AuthorityLink): this {
    let out = this.out.get(link.source);
    if (!out) this.out.set(link.source, (out = new RowTargets(link.sourceDomain)));
    out.add(link.source, link);
    return this;
  }

  /** Every row, in URL order (IndexedDB's order of string keys). */
  rows(): GraphRow[] {
    const urls = [...new Set([...this.pages.keys(), ...this.out.keys()])].sort();
    return urls.map((url) => {
      const page = this.pages.get(url);
      return (this.out.get(url) ?? new RowTargets(page!.domain)).row(url, page);
    });
  }
}
