/**
 * The graph store's rows (core/authority-rows.ts) packed into one value of a few typed arrays:
 * URLs interned to node ids once, each row's targets as ids with one flag byte each. A full
 * computation reads this one record (about 10 MB at a million links) instead of 100,000 rows,
 * each a JS object with twenty URL strings, whose cloning out of IndexedDB was all of its time.
 * The job keeps it (storage/graph-packed.ts): the write paths keep only the rows, marking what
 * they change, and the job merges those marked rows in. Pure.
 */
import type { GraphRow } from './authority-rows';

export interface PackedRows {
  /** Node URLs by id, joined by newlines (URLs hold none): every page with a row, every target. */
  urls: string;
  /** Registrable domains by domain id, joined the same way. */
  domains: string;
  /** Domain id of each node: a page's own row's domain, else that of a row naming it. */
  domainOf: Int32Array;
  /** The node of each row's page. */
  sources: Int32Array;
  /** Per row: robots nofollow, the page passes nothing. */
  nofollow: Uint8Array;
  /** Row r's targets are `targets[offsets[r]]` up to `targets[offsets[r + 1]]`: rows + 1 entries. */
  offsets: Int32Array;
  targets: Int32Array;
  /** Per target: 1 when a live link to it passes authority. */
  passes: Uint8Array;
}

export const splitKeys = (joined: string): string[] => (joined === '' ? [] : joined.split('\n'));

/** URL → node id of a packed value, made once and shared by the steps that need it. */
export interface PackedIndex {
  keys: string[];
  ids: Map<string, number>;
}

export function indexPacked(packed: Pick<PackedRows, 'urls'> | null): PackedIndex {
  const keys = packed ? splitKeys(packed.urls) : [];
  // A loop, not keys.map to pairs: 100,000 two-element arrays cost more than the Map itself.
  const ids = new Map<string, number>();
  for (let id = 0; id < keys.length; id++) ids.set(keys[id]!, id);
  return { keys, ids };
}

/** Rows in a packed value. */
export const packedRowCount = (packed: PackedRows): number => packed.sources.length;

/** How many rows of `packed` are those of `urls` (a URL listed twice counts once). */
export function rowsAmong(packed: PackedRows, index: PackedIndex, urls: Iterable<string>): number {
  const hasRow = new Uint8Array(index.keys.length);
  for (const s of packed.sources) hasRow[s] = 1;
  let n = 0;
  for (const url of new Set(urls)) {
    const id = index.ids.get(url);
    if (id !== undefined && hasRow[id]) n++;
  }
  return n;
}

/** The URLs of the rows of `packed`. */
export function packedRowUrls(packed: PackedRows, index: PackedIndex): string[] {
  return Array.from(packed.sources, (s) => index.keys[s]!);
}

/** A growing Int32Array: a million pushes without a million boxed numbers. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * `base` with the rows of `changed` in place of its rows of the same URLs, and without its
 * rows of `removed`: what packing every row the store now holds would give. Nodes keep their
 * order (new ones come after); a node no row names any more is dropped, and so is a domain no
 * node has, so the graphs built from it are those the rows give. `index`: of `base`, if made.
 */
export function mergePacked(
  base: PackedRows | null,
  changed: readonly GraphRow[],
  removed: Iterable<string> = [],
  index: PackedIndex = indexPacked(base),
): PackedRows {
  const keys = [...index.keys];
  const ids = new Map(index.ids);
  const domainNames = base ? splitKeys(base.domains) : [];
  const domainIds = new Map<string, number>();
  domainNames.forEach((d, i) => domainIds.set(d, i));
  const domainId = (d: string) => {
    let id = domainIds.get(d);
    if (id === undefined) domainIds.set(d, (id = domainNames.push(d) - 1));
    return id;
  };
  const nodeDomain = new IntList(keys.length + changed.length * 4);
  if (base) {
    nodeDomain.data.set(base.domainOf);
    nodeDomain.length = base.domainOf.length;
  }
  const node = (url: string, domain: string) => {
    let id = ids.get(url);
    if (id === undefined) {
      ids.set(url, (id = keys.push(url) - 1));
      nodeDomain.push(domainId(domain));
    }
    return id;
  };

  // Rows of base that stay: not replaced, not removed.
  const dropped = new Uint8Array(keys.length);
  for (const url of removed) {
    const id = ids.get(url);
    if (id !== undefined) dropped[id] = 1;
  }
  for (const row of changed) {
    const id = ids.get(row.url);
    if (id !== undefined) dropped[id] = 1;
  }

  const sources = new IntList((base?.sources.length ?? 0) + changed.length);
  const nofollow: number[] = [];
  const offsets = new IntList((base?.offsets.length ?? 1) + changed.length);
  const targets = new IntList((base?.targets.length ?? 0) + changed.length * 20);
  const passes: Uint8Array[] = [];
  offsets.push(0);
  if (base) {
    for (let r = 0; r < base.sources.length; r++) {
      const s = base.sources[r]!;
      if (dropped[s]) continue;
      const [start, end] = [base.offsets[r]!, base.offsets[r + 1]!];
      sources.push(s);
      nofollow.push(base.nofollow[r]!);
      for (let e = start; e < end; e++) targets.push(base.targets[e]!);
      passes.push(base.passes.subarray(start, end));
      offsets.push(targets.length);
    }
  }
  // A page's own domain is its node's, whichever row named it first.
  for (const row of changed) {
    const id = node(row.url, row.domain);
    nodeDomain.data[id] = domainId(row.domain);
  }
  for (const row of changed) {
    sources.push(ids.get(row.url)!);
    nofollow.push(row.nofollow ? 1 : 0);
    if (row.targets !== '') {
      const urls = row.targets.split('\n');
      const domains = row.domains.split('\n');
      for (let i = 0; i < urls.length; i++) targets.push(node(urls[i]!, domains[i]!));
      passes.push(row.passes);
    }
    offsets.push(targets.length);
  }

  return compactNodes({
    keys,
    domainNames,
    domainOf: nodeDomain.done(),
    sources: sources.done(),
    nofollow: Uint8Array.from(nofollow),
    offsets: offsets.done(),
    targets: targets.done(),
    passes: concatBytes(passes, targets.length),
  });
}

/** Every row, packed: the first value of a store, or one read in full. */
export const packRows = (rows: readonly GraphRow[]): PackedRows => mergePacked(null, rows);

function concatBytes(parts: readonly Uint8Array[], length: number): Uint8Array {
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) all.set(part, (at += part.length) - part.length);
  return all;
}

/** The packed value without nodes no row names and domains no node has, in the same order. */
function compactNodes(p: {
  keys: string[];
  domainNames: string[];
  domainOf: Int32Array;
  sources: Int32Array;
  nofollow: Uint8Array;
  offsets: Int32Array;
  targets: Int32Array;
  passes: Uint8Array;
}): PackedRows {
  const n = p.keys.length;
  const used = new Uint8Array(n);
  for (const s of p.sources) used[s] = 1;
  for (const t of p.targets) used[t] = 1;
  const remap = new Int32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) remap[i] = used[i] ? kept++ : -1;
  const keys = kept === n ? p.keys : p.keys.filter((_, i) => used[i]);
  const nodeDomains = kept === n ? p.domainOf : p.domainOf.filter((_, i) => used[i]);

  const domainUsed = new Uint8Array(p.domainNames.length);
  for (const d of nodeDomains) domainUsed[d] = 1;
  const domainRemap = new Int32Array(p.domainNames.length);
  let domains = 0;
  for (let d = 0; d < domainUsed.length; d++) domainRemap[d] = domainUsed[d] ? domains++ : -1;

  const renumber = (a: Int32Array) => (kept === n ? a : a.map((i) => remap[i]!));
  return {
    urls: keys.join('\n'),
    domains: p.domainNames.filter((_, d) => domainUsed[d]).join('\n'),
    domainOf:
      domains === p.domainNames.length ? nodeDomains : nodeDomains.map((d) => domainRemap[d]!),
    sources: renumber(p.sources),
    nofollow: p.nofollow,
    offsets: p.offsets,
    targets: renumber(p.targets),
    passes: p.passes,
  };
}

/**
 * The rows back, as the graph store holds them (without the canonical URL, which the packed
 * value does not keep): for tests, and to check a packed value against the rows.
 */
export function unpackRows(packed: PackedRows): Omit<GraphRow, 'canonical'>[] {
  const keys = splitKeys(packed.urls);
  const domains = splitKeys(packed.domains);
  return Array.from(packed.sources, (s, r) => {
    const [start, end] = [packed.offsets[r]!, packed.offsets[r + 1]!];
    const targets = Array.from(packed.targets.subarray(start, end));
    return {
      url: keys[s]!,
      domain: domains[packed.domainOf[s]!]!,
      nofollow: packed.nofollow[r] === 1,
      targets: targets.map((t) => keys[t]).join('\n'),
      domains: targets.map((t) => domains[packed.domainOf[t]!]).join('\n'),
      passes: packed.passes.slice(start, end),
    };
  });
}

/**
 * Whether a stored value is a packed graph that holds together (ids in range, offsets in
 * order): one that does not is read as absent, and the job packs the rows again.
 */
export function isPackedRows(v: unknown): v is PackedRows {
  const p = v as Partial<PackedRows> | null;
  if (
    !p ||
    typeof p.urls !== 'string' ||
    typeof p.domains !== 'string' ||
    !(p.domainOf instanceof Int32Array) ||
    !(p.sources instanceof Int32Array) ||
    !(p.nofollow instanceof Uint8Array) ||
    !(p.offsets instanceof Int32Array) ||
    !(p.targets instanceof Int32Array) ||
    !(p.passes instanceof Uint8Array)
  ) {
    return false;
  }
  const nodes = p.domainOf.length;
  const domains = p.domains === '' ? 0 : p.domains.split('\n').length;
  const rows = p.sources.length;
  if (
    (p.urls === '' ? 0 : p.urls.split('\n').length) !== nodes ||
    p.nofollow.length !== rows ||
    p.offsets.length !== rows + 1 ||
    p.offsets[0] !== 0 ||
    p.offsets[rows] !== p.targets.length ||
    p.passes.length !== p.targets.length
  ) {
    return false;
  }
  for (let r = 0; r < rows; r++) if (p.offsets[r]! > p.offsets[r + 1]!) return false;
  const inRange = (a: Int32Array, n: number) => a.every((i) => i >= 0 && i < n);
  return inRange(p.sources, nodes) && inRange(p.targets, nodes) && inRange(p.domainOf, domains);
}
