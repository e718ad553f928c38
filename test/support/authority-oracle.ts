/**
 * Test oracles for the incremental update (core/authority-patch.ts), kept out of the extension:
 * the kept graphs restored from their stored form, and a build on them that replaces some pages'
 * out-links, made with the builder's public methods only. The update once ran on these; it
 * patches in place now, and these say what it must give, node for node and edge for edge.
 */
import {
  AuthorityGraphBuilder,
  domainGraphOf,
  type AuthorityGraphs,
  type AuthorityLink,
  type AuthorityPage,
  type LinkGraph,
  type StoredGraphs,
} from '../../src/core/authority';
import { splitKeys } from '../../src/core/authority-packed';
import type { GraphRow } from '../../src/core/authority-rows';

const idsOf = (keys: readonly string[]) => new Map(keys.map((key, id) => [key, id]));

/**
 * The graphs back from `storeGraphs`, or null when the stored values do not make one graph
 * (a key twice, a row or a domain out of range).
 */
export function restoreGraphs(stored: StoredGraphs): AuthorityGraphs | null {
  const keys = splitKeys(stored.pageKeys);
  const domainKeys = splitKeys(stored.domainKeys);
  const { offsets, targets, domainOf } = stored;
  const n = keys.length;
  const ids = idsOf(keys);
  if (
    ids.size !== n ||
    idsOf(domainKeys).size !== domainKeys.length ||
    offsets.length !== n + 1 ||
    domainOf.length !== n ||
    offsets[0] !== 0 ||
    offsets[n] !== targets.length
  ) {
    return null;
  }
  for (let i = 0; i < n; i++) if (offsets[i]! > offsets[i + 1]!) return null;
  if (targets.some((t) => !(t >= 0 && t < n))) return null;
  if (domainOf.some((d) => !(d >= 0 && d < domainKeys.length))) return null;
  const pages: LinkGraph = { keys, ids, offsets, targets };
  return { pages, domains: domainGraphOf(pages, domainOf, domainKeys), domainOf };
}

/**
 * A build on `base`: every node keeps its id (new ones come after), and each page named with
 * `replaceLinksOf` gets the out-links added here in place of its old ones; every other page
 * keeps its base out-links, after any added here. Throws if the base's ids could not be kept
 * (its domains not in the order its pages first name them): the oracle would not hold.
 */
export class PatchingBuilder {
  private readonly builder = new AuthorityGraphBuilder();
  private readonly replaced = new Set<string>();

  constructor(private readonly base: AuthorityGraphs) {
    const { pages, domains, domainOf } = base;
    pages.keys.forEach((url, id) =>
      this.builder.addPage({ url, domain: domains.keys[domainOf[id]!]!, robotsNofollow: false }),
    );
  }

  replaceLinksOf(url: string): this {
    this.replaced.add(url);
    return this;
  }

  addPage(page: AuthorityPage): this {
    this.builder.addPage(page);
    return this;
  }

  addLink(link: AuthorityLink): this {
    this.builder.addLink(link);
    return this;
  }

  addRows(rows: readonly GraphRow[]): this {
    this.builder.addRows(rows);
    return this;
  }

  build(): AuthorityGraphs {
    const { pages, domains, domainOf } = this.base;
    const { keys, offsets, targets } = pages;
    const domain = (id: number) => domains.keys[domainOf[id]!]!;
    for (let s = 0; s < keys.length; s++) {
      if (this.replaced.has(keys[s]!)) continue;
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        const t = targets[e]!;
        this.builder.addLink({
          source: keys[s]!,
          target: keys[t]!,
          rel: [],
          sourceDomain: domain(s),
          targetDomain: domain(t),
          lostAt: null,
        });
      }
    }
    const built = this.builder.build();
    const kept = (a: readonly string[], b: readonly string[]) => b.every((k, i) => a[i] === k);
    if (!kept(built.pages.keys, keys) || !kept(built.domains.keys, domains.keys)) {
      throw new Error('PatchingBuilder: the base graphs did not keep their ids');
    }
    return built;
  }
}
