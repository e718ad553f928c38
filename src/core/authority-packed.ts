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

/**
 * Node URLs of a packed value by id, and URL → id, made once and shared by the steps that need
 * them. The map is made on first use only: a full computation with nothing changed since the
 * graph was packed never looks a URL up, and 100,000 entries cost more than the rest of it.
 */
export interface PackedIndex {
  readonly keys: string[];
  readonly ids: Map<string, number>;
}

export function indexKeys(keys: string[]): PackedIndex {
  let ids: Map<string, number> | null = null;
  return {
    keys,
    get ids() {
      if (!ids) {
        // A loop, not keys.map to pairs: 100,000 two-element arrays cost more than the Map.
        ids = new Map();
        for (let id = 0; id < keys.length; id++) ids.set(keys[id]!, id);
      }
      return ids;
    },
  };
}

export const indexPacked = (packed: Pick<PackedRows, 'urls'> | null): PackedIndex =>
  indexKeys(packed ? splitKeys(packed.urls) : []);

/** Lines in a string of keys joined by newlines, without splitting it. */
function countKeys(joined: string): number {
  if (joined === '') return 0;
  let n = 1;
  for (let at = joined.indexOf('\n'); at >= 0; at = joined.indexOf('\n', at + 1)) n++;
  return n;
}

/** Rows in a packed value. */
export const packedRowCount = (packed: PackedRows): number => packed.sources.length;

/** How many rows of `packed` are those of `urls` (a URL listed twice counts once). */
export function rowsAmong(packed: PackedRows, index: PackedIndex, urls: readonly string[]): number {
  if (urls.length === 0) return 0;
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
  pushAll(values: Int32Array): void {
    if (this.length + values.length > this.data.length) {
      const bigger = new Int32Array(Math.max(this.data.length * 2, this.length + values.length));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(values, this.length);
    this.length += values.length;
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
 * With nothing changed, `base` itself.
 */
export function mergePacked(
  base: PackedRows | null,
  changed: readonly GraphRow[],
  removed: readonly string[] = [],
  index: PackedIndex = indexPacked(base),
): PackedRows {
  if (base && changed.length === 0 && removed.length === 0) return base;
  const baseNodes = index.keys.length;
  // New nodes go in a map of their own: copying the base's 100,000 entries would cost more.
  const added: string[] = [];
  const addedIds = new Map<string, number>();
  const idOf = (url: string) =>
    (baseNodes > 0 ? index.ids.get(url) : undefined) ?? addedIds.get(url);
  const domainNames = base ? splitKeys(base.domains) : [];
  const domainIds = new Map<string, number>();
  domainNames.forEach((d, i) => domainIds.set(d, i));
  const domainId = (d: string) => {
    let id = domainIds.get(d);
    if (id === undefined) domainIds.set(d, (id = domainNames.push(d) - 1));
    return id;
  };
  const nodeDomain = new IntList(baseNodes + changed.length * 4);
  if (base) {
    nodeDomain.data.set(base.domainOf);
    nodeDomain.length = base.domainOf.length;
  }
  const node = (url: string, domain: string) => {
    let id = idOf(url);
    if (id === undefined) {
      id = baseNodes + added.push(url) - 1;
      addedIds.set(url, id);
      nodeDomain.push(domainId(domain));
    }
    return id;
  };

  // Rows of base that stay: not replaced, not removed. A URL changed twice keeps its last row.
  const dropped = new Uint8Array(baseNodes);
  const last = new Map<string, GraphRow>();
  for (const row of changed) last.set(row.url, row);
  for (const url of [...removed, ...last.keys()]) {
    const id = baseNodes > 0 ? index.ids.get(url) : undefined;
    if (id !== undefined) dropped[id] = 1;
  }
  const rows = [...last.values()];

  const sources = new IntList((base?.sources.length ?? 0) + rows.length);
  const nofollow: number[] = [];
  const offsets = new IntList((base?.offsets.length ?? 1) + rows.length);
  const targets = new IntList((base?.targets.length ?? 0) + rows.length * 20);
  const passes: Uint8Array[] = [];
  offsets.push(0);
  if (base) {
    // Kept rows copied a run at a time: most rows stay, and sit side by side.
    const copyRun = (from: number, to: number) => {
      if (from === to) return;
      const [start, end] = [base.offsets[from]!, base.offsets[to]!];
      for (let r = from; r < to; r++) {
        sources.push(base.sources[r]!);
        nofollow.push(base.nofollow[r]!);
        offsets.push(targets.length + base.offsets[r + 1]! - start);
      }
      targets.pushAll(base.targets.subarray(start, end));
      passes.push(base.passes.subarray(start, end));
    };
    let run = 0;
    for (let r = 0; r < base.sources.length; r++) {
      if (!dropped[base.sources[r]!]) continue;
      copyRun(run, r);
      run = r + 1;
    }
    copyRun(run, base.sources.length);
  }
  // A page's own domain is its node's, whichever row named it first.
  for (const row of rows) {
    const id = node(row.url, row.domain);
    nodeDomain.data[id] = domainId(row.domain);
  }
  for (const row of rows) {
    sources.push(idOf(row.url)!);
    nofollow.push(row.nofollow ? 1 : 0);
    if (row.targets !== '') {
      const urls = row.targets.split('\n');
      const domains = row.domains.split('\n');
      for (let i = 0; i < urls.length; i++) targets.push(node(urls[i]!, domains[i]!));
      passes.push(row.passes);
    }
    offsets.push(targets.length);
  }

  return compactNodes(base, index.keys, added, {
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

/**
 * The merged value without nodes no row names and domains no node has, in the same order.
 * The joined URLs of `base` are reused when no node went (most merges), not joined again.
 */
function compactNodes(
  base: PackedRows | null,
  baseKeys: readonly string[],
  added: readonly string[],
  p: Omit<PackedRows, 'urls' | 'domains'> & { domainNames: string[] },
): PackedRows {
  const n = baseKeys.length + added.length;
  const used = new Uint8Array(n);
  for (const s of p.sources) used[s] = 1;
  for (const t of p.targets) used[t] = 1;
  const remap = new Int32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) remap[i] = used[i] ? kept++ : -1;
  let urls: string;
  if (kept < n) {
    urls = [...baseKeys, ...added].filter((_, i) => used[i]).join('\n');
  } else if (base && base.urls !== '') {
    urls = added.length > 0 ? `${base.urls}\n${added.join('\n')}` : base.urls;
  } else {
    urls = added.join('\n');
  }
  const nodeDomains = kept === n ? p.domainOf : p.domainOf.filter((_, i) => used[i]);

  const domainUsed = new Uint8Array(p.domainNames.length);
  for (const d of nodeDomains) domainUsed[d] = 1;
  const domainRemap = new Int32Array(p.domainNames.length);
  let domains = 0;
  for (let d = 0; d < domainUsed.length; d++) domainRemap[d] = domainUsed[d] ? domains++ : -1;

  const renumber = (a: Int32Array) => (kept === n ? a : a.map((i) => remap[i]!));
  return {
    urls,
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
  const domains = countKeys(p.domains);
  const rows = p.sources.length;
  if (
    countKeys(p.urls) !== nodes ||
    p.nofollow.length !== rows ||
    p.offsets.length !== rows + 1 ||
    p.offsets[0] !== 0 ||
    p.offsets[rows] !== p.targets.length ||
    p.passes.length !== p.targets.length
  ) {
    return false;
  }
  for (let r = 0; r < rows; r++) if (p.offsets[r]! > p.offsets[r + 1]!) return false;
  const inRange = (a: Int32Array, n: number) => {
    for (const i of a) if (!(i >= 0 && i < n)) return false;
    return true;
  };
  return inRange(p.sources, nodes) && inRange(p.targets, nodes) && inRange(p.domainOf, domains);
}
