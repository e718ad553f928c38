/**
 * An incremental update's graphs: the last computation's graphs (as `storeGraphs` keeps them)
 * with a few pages' out-links replaced by their rows. The result is the graphs
 * `AuthorityGraphBuilder` builds on `restoreGraphs(stored)` with those rows (the test oracle,
 * test/support/authority-oracle.ts), node for node and edge for edge, but without what made
 * that cost more than a full computation at a million links: interning every key into a Map
 * (twice), pushing every kept edge and sorting them again, and building the domain graph from
 * scratch (twice). Here only the URLs the rows name are looked up, in one pass over the keys;
 * kept rows are copied in runs; and only the domains of the replaced pages get their
 * domain-graph row worked out again. Pure.
 */
import {
  domainGraphOf,
  type AuthorityGraphs,
  type LinkGraph,
  type StoredGraphs,
} from './authority';
import { indexKeys, splitKeys, type PackedIndex } from './authority-packed';
import type { GraphRow } from './authority-rows';

/** Whether the stored arrays make one graph of `n` nodes over `domains` domains. */
function holdsTogether(
  offsets: Int32Array,
  targets: Int32Array,
  n: number,
  domainOf: Int32Array | null,
  domains: number,
): boolean {
  if (offsets.length !== n + 1 || offsets[0] !== 0 || offsets[n] !== targets.length) return false;
  if (domainOf && domainOf.length !== n) return false;
  for (let i = 0; i < n; i++) if (offsets[i]! > offsets[i + 1]!) return false;
  for (let e = 0; e < targets.length; e++) if (!(targets[e]! >= 0 && targets[e]! < n)) return false;
  if (domainOf) for (const d of domainOf) if (!(d >= 0 && d < domains)) return false;
  return true;
}

/** Ids of the `wanted` keys among `keys` (the first, were one listed twice), in one pass. */
function findKeys(keys: readonly string[], wanted: ReadonlySet<string>): Map<string, number> {
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  for (let id = 0; id < keys.length; id++) {
    const key = keys[id]!;
    if (wanted.has(key) && !found.has(key)) found.set(key, id);
  }
  return found;
}

/**
 * A CSR whose rows `changed` (row → its new out-links) are replaced and whose other rows are
 * those of `base`, with rows up to `n` (rows past the base's have no out-links unless changed).
 */
function replaceRows(
  base: Pick<LinkGraph, 'offsets' | 'targets'>,
  changed: ReadonlyMap<number, readonly number[]>,
  n: number,
): { offsets: Int32Array; targets: Int32Array } {
  const baseRows = base.offsets.length - 1;
  const lengthOf = (i: number) =>
    changed.get(i)?.length ?? (i < baseRows ? base.offsets[i + 1]! - base.offsets[i]! : 0);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + lengthOf(i);
  const targets = new Int32Array(offsets[n]!);
  // Kept rows sit side by side between the changed ones: copied a run at a time.
  const copyRun = (from: number, to: number) => {
    const end = Math.min(to, baseRows);
    if (from >= end) return;
    targets.set(base.targets.subarray(base.offsets[from]!, base.offsets[end]!), offsets[from]!);
  };
  let run = 0;
  for (const row of [...changed.keys()].sort((a, b) => a - b)) {
    copyRun(run, row);
    targets.set(changed.get(row)!, offsets[row]!);
    run = row + 1;
  }
  copyRun(run, n);
  return { offsets, targets };
}

/** Each entry's values once, in order of first appearance (a stamp array, no sorting). */
function distinct(lists: Map<number, number[]>, n: number): void {
  const stamp = new Int32Array(n).fill(-1);
  for (const [row, list] of lists) {
    let write = 0;
    for (const v of list) {
      if (stamp[v] === row) continue;
      stamp[v] = row;
      list[write++] = v;
    }
    list.length = write;
  }
}

/**
 * `stored` with the out-links of every page in `replaced` and of every row's page replaced by
 * the rows' (a page in `replaced` without a row keeps no out-links); pages and domains not in
 * `stored` are added after its own, in the order a builder would intern them. Null when
 * `stored` does not make one graph: the caller reads every row instead.
 */
export interface PatchedGraphs extends AuthorityGraphs {
  /** The stored graphs' keys (their ids are the same in the patched graphs). */
  base: { pages: PackedIndex; domains: PackedIndex };
  /** The patched page graph's keys joined, as storeGraphs keeps them. */
  pageKeys: string;
}

export function patchGraphs(
  stored: StoredGraphs,
  rows: readonly GraphRow[],
  replaced: Iterable<string> = [],
): PatchedGraphs | null {
  const keys = splitKeys(stored.pageKeys);
  const domainKeys = splitKeys(stored.domainKeys);
  const n = keys.length;
  const { domainOf: baseDomainOf } = stored;
  if (!holdsTogether(stored.offsets, stored.targets, n, baseDomainOf, domainKeys.length)) {
    return null;
  }
  const split = rows.map((row) => ({
    row,
    targets: row.targets === '' ? [] : row.targets.split('\n'),
    domains: row.domains === '' ? [] : row.domains.split('\n'),
  }));
  const wanted = new Set<string>(replaced);
  const wantedDomains = new Set<string>();
  for (const { row, targets, domains } of split) {
    wanted.add(row.url);
    wantedDomains.add(row.domain);
    for (const t of targets) wanted.add(t);
    for (const d of domains) wantedDomains.add(d);
  }
  const found = findKeys(keys, wanted);
  const foundDomains = findKeys(domainKeys, wantedDomains);

  const added: string[] = [];
  const addedDomains: string[] = [];
  const addedDomainOf: number[] = [];
  const domainId = (domain: string) => {
    let id = foundDomains.get(domain);
    if (id === undefined) {
      id = domainKeys.length + addedDomains.push(domain) - 1;
      foundDomains.set(domain, id);
    }
    return id;
  };
  const node = (url: string, domain: string) => {
    let id = found.get(url);
    if (id === undefined) {
      id = n + added.push(url) - 1;
      found.set(url, id);
      addedDomainOf.push(domainId(domain));
    }
    return id;
  };

  // As the builder: every row's page first, then their targets; robots nofollow by page.
  const changed = new Map<number, number[]>();
  const nofollow = new Set<number>();
  for (const url of replaced) {
    const id = found.get(url);
    if (id !== undefined) changed.set(id, []);
  }
  for (const { row } of split) {
    const id = node(row.url, row.domain);
    if (!changed.has(id)) changed.set(id, []);
    if (row.nofollow) nofollow.add(id);
  }
  for (const { row, targets, domains } of split) {
    const source = found.get(row.url)!;
    const out = changed.get(source)!;
    for (let i = 0; i < targets.length; i++) {
      const target = node(targets[i]!, domains[i]!);
      if (row.passes[i] && target !== source && !nofollow.has(source)) out.push(target);
    }
  }
  for (const id of nofollow) changed.set(id, []);
  const total = n + added.length;
  distinct(changed, total);

  const domainOf = new Int32Array(total);
  domainOf.set(baseDomainOf);
  domainOf.set(addedDomainOf, n);
  const pageKeys = added.length > 0 ? [...keys, ...added] : keys;
  const pages = graphOf(pageKeys, replaceRows(stored, changed, total));
  const allDomains = addedDomains.length > 0 ? [...domainKeys, ...addedDomains] : domainKeys;
  const domains = patchDomains(stored, pages, domainOf, allDomains, changed.keys());
  return {
    pages,
    domains,
    domainOf,
    base: { pages: indexKeys(keys), domains: indexKeys(domainKeys) },
    pageKeys:
      added.length > 0 && n > 0 ? [stored.pageKeys, ...added].join('\n') : pageKeys.join('\n'),
  };
}

/** A graph whose key → id Map is made on first use only (an update rarely needs it). */
function graphOf(keys: string[], csr: Pick<LinkGraph, 'offsets' | 'targets'>): LinkGraph {
  const index = indexKeys(keys);
  return {
    keys,
    get ids() {
      return index.ids;
    },
    offsets: csr.offsets,
    targets: csr.targets,
  };
}

/**
 * The domain graph of `pages`: the stored one with the rows of the domains of `changedPages`
 * worked out again (each is the distinct other domains its pages link to, in the order
 * `domainGraph` finds them), else, when none was stored, built whole.
 */
function patchDomains(
  stored: StoredGraphs,
  pages: LinkGraph,
  domainOf: Int32Array,
  keys: string[],
  changedPages: Iterable<number>,
): LinkGraph {
  const count = keys.length;
  const base =
    stored.domainOffsets &&
    stored.domainTargets &&
    stored.domainOffsets.length <= count + 1 &&
    holdsTogether(
      stored.domainOffsets,
      stored.domainTargets,
      stored.domainOffsets.length - 1,
      null,
      0,
    )
      ? { offsets: stored.domainOffsets, targets: stored.domainTargets }
      : null;
  if (!base) return domainGraphOf(pages, domainOf, keys);
  const affected = new Uint8Array(count);
  for (const page of changedPages) affected[domainOf[page]!] = 1;
  // Domains added since have no stored row: worked out too.
  for (let d = base.offsets.length - 1; d < count; d++) affected[d] = 1;
  const members = new Map<number, number[]>();
  for (let page = 0; page < domainOf.length; page++) {
    const d = domainOf[page]!;
    if (!affected[d]) continue;
    let list = members.get(d);
    if (!list) members.set(d, (list = []));
    list.push(page);
  }
  const rows = new Map<number, number[]>();
  for (let d = 0; d < count; d++) {
    if (!affected[d]) continue;
    const out: number[] = [];
    for (const page of members.get(d) ?? []) {
      for (let e = pages.offsets[page]!; e < pages.offsets[page + 1]!; e++) {
        const dt = domainOf[pages.targets[e]!]!;
        if (dt !== d) out.push(dt);
      }
    }
    rows.set(d, out);
  }
  distinct(rows, count);
  return graphOf(keys, replaceRows(base, rows, count));
}

/**
 * The keys of the last computation's graphs, when they were the kept graphs (`kept`) with
 * `added` after them: what its scores are by. Only an added key is ever looked up by id: a
 * patch leaves every kept key at its id (carryScores finds those by position), so the map
 * holds the added keys alone and no map of every URL is made.
 */
export function priorIndex(kept: PackedIndex, added: readonly string[]): PackedIndex {
  if (added.length === 0) return kept;
  const n = kept.keys.length;
  const ids = new Map(added.map((key, i) => [key, n + i]));
  return { keys: [...kept.keys, ...added], ids };
}
