/**
 * Benchmark: source authority in the extension's own service worker, in real Chromium, at the
 * size of issue 6's budget (100,000 pages, 1,000,000 links, under 10 s). The store is filled
 * inside the worker in chunks (untimed), then the job runs through the worker's test hook,
 * which reports its reading, walking and writing time. The baseline is the bare read of the
 * same records in the same batches (getAll, nothing built from them), in the same worker.
 * The first computation builds the graph store's rows from those records (once, as after the
 * upgrade) and packs them; then a full computation from the packed graph, against a bare read
 * of the packed record (and the bare read of every row, what a full computation read before);
 * then one page is visited (a real recording) and the job patches the last graphs with its row.
 *
 * BENCH_ONLY=authority-chromium; AUTHORITY_LINKS=100000 for a quick run at a tenth of the size;
 * AUTHORITY_PROFILE=<dir> keeps the filled browser profile there for the next run;
 * AUTHORITY_DIST=<dir> runs that build instead of building dist/;
 * AUTHORITY_FILL_ONLY=1 stops after filling (a kept profile, filled ahead of a run);
 * AUTHORITY_FILL=rows fills the graph store's rows instead of the link records (FILL_ROWS: the
 * store as it is once the first build is done; minutes instead of an hour at 1M on a loaded
 * machine), and times the first full computation, which reads every row and packs it, in place
 * of the first build from the records. A kept
 * profile's data belongs to the extension's id, which Chromium derives from the build's path for
 * an unpacked extension: run it again with a build at the same AUTHORITY_DIST (or dist/). To
 * compare two builds on one kept profile, copy each in turn into the same directory (another
 * path is another extension, with an empty database).
 *
 * With AUTHORITY_ONLY=first, AUTHORITY_SCORES=none|rewrite drops the last scores (or only the
 * kept graphs) before each build, so that it writes every score; the popup's authority read is
 * made from an extension page every 100 ms meanwhile, and its wait during the score write
 * printed against the same read idle. AUTHORITY_FLOORS=0 skips each build's bare reads.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { WorkerHooks } from '../../src/background/worker';
import type { AuthorityOutcome, AuthorityRequest } from '../../src/background/authority-job';
import { GRAPH_READ_BATCH } from '../../src/storage/graph';
import { CHROMIUM, launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { browse } from '../support/extension-pages';
import { ensureExtensionBuilt } from './built-extension';
import { check, collect, heading, info, median, printTable, step, type Timing } from './measure';

const LINKS = Number(process.env.AUTHORITY_LINKS ?? 1_000_000);
const PAGES = LINKS / 10;
const BUDGET_MS = 10_000;
/** Runs per row; AUTHORITY_REPS=1 makes a 1M-link run on a busy machine bearable. */
const REPEAT = { warmup: 0, reps: Number(process.env.AUTHORITY_REPS ?? 3) };
/** Runs of the bare reads of every row and every record (AUTHORITY_SLOW_REPS): minutes at 1M. */
const SLOW_REPEAT = { warmup: 0, reps: Number(process.env.AUTHORITY_SLOW_REPS ?? REPEAT.reps) };

/**
 * Runs in the worker (plain JavaScript text: tsx would wrap named functions in a helper the
 * worker does not have). The same shape as the Node benchmark's corpus: ten pages a site,
 * half of them visited with about 20 out-links each (30% to their own site, the rest
 * Zipf-like), 14% nofollow/sponsored/ugc, 5% lost, 2% robots nofollow. Records as the
 * recording path stores them, so a read costs what it costs for a user.
 */
const FILL = `async ({ pages, links, seed, from, to, skip }) => {
  const random = draws(seed + from);
  const visited = Math.floor(pages / 2);
  const zipf = () => (Math.floor(pages ** random()) * 7919) % pages;
  const db = await openDb();
  const put = (store, records) => putAll(db, store, records);
  const now = Date.now();
  let chunk = [];
  for (let id = from === 0 && skip === 0 ? 0 : pages; id < pages; id++) {
    chunk.push({
      url: urlOf(id), domain: domainOf(id), host: 'www.' + domainOf(id), title: 'Page ' + id,
      canonical: null, lang: 'en', robotsNoindex: false,
      robotsNofollow: id < visited && random() < 0.02,
      firstSeen: now, lastSeen: now, outboundCount: id < visited ? 20 : 0, truncated: false,
      visits: 1,
    });
    if (chunk.length === 5000) { await put('pages', chunk); chunk = []; }
  }
  if (chunk.length) await put('pages', chunk);
  const perSource = links / visited;
  chunk = [];
  let written = 0;
  // The first \`skip\` links of this part were stored by a run that stopped: the same random
  // draws are made (so the rest come out the same) but not written again.
  let drawn = 0;
  for (let source = from; source < Math.min(to, visited); source++) {
    for (let k = 0; k < perSource; k++) {
      const target = random() < 0.3 ? source - (source % 10) + Math.floor(random() * 10) : zipf();
      const r = random();
      const rel = r < 0.1 ? ['nofollow'] : r < 0.12 ? ['sponsored'] : r < 0.14 ? ['ugc'] : [];
      chunk.push({
        source: urlOf(source), target: urlOf(target), anchor: 'link ' + k + ' of ' + source,
        rel, region: 'main', regions: ['main'], rels: rel, occurrences: 1,
        sourceDomain: domainOf(source), targetDomain: domainOf(target),
        firstSeen: now, lastSeen: now, lostAt: random() < 0.05 ? now : null,
        context: 'words around the link, as the content script captures them ' + k,
      });
      if (drawn++ < skip) chunk.pop();
      if (chunk.length === 10000) { await put('links', chunk); written += chunk.length; chunk = []; }
    }
  }
  if (chunk.length) { await put('links', chunk); written += chunk.length; }
  db.close();
  return written;
}`;

/**
 * AUTHORITY_FILL=rows: the same pages and the same random draws as FILL, but each visited
 * page's links stored as the graph store's row (core/authority-rows.ts: distinct targets in URL
 * order, one pass flag each) rather than as link records, and the rows marked built: the store
 * as the write paths leave it once the first build is done, without its million link records,
 * which take this loaded machine over an hour to write. No packed record: the first full
 * computation reads every row and packs them, as after the upgrade from the release before it.
 */
const FILL_ROWS = `async ({ pages, links, seed, from, to }) => {
  const visited = Math.floor(pages / 2);
  const db = await openDb();
  const put = (store, records) => putAll(db, store, records);
  // FILL's first part draws the robots flags first, then goes on to its links; every other
  // part starts its own draws at its first source.
  const first = draws(seed);
  const robots = Array.from({ length: visited }, () => first() < 0.02);
  const random = from === 0 ? first : draws(seed + from);
  const zipf = () => (Math.floor(pages ** random()) * 7919) % pages;
  const now = Date.now();
  const row = (id, targets, domains, passes) => ({
    url: urlOf(id), domain: domainOf(id), nofollow: id < visited && robots[id], canonical: null,
    targets, domains, passes,
  });
  if (from === 0) {
    let chunk = [];
    let empty = [];
    for (let id = 0; id < pages; id++) {
      chunk.push({
        url: urlOf(id), domain: domainOf(id), host: 'www.' + domainOf(id), title: 'Page ' + id,
        canonical: null, lang: 'en', robotsNoindex: false,
        robotsNofollow: id < visited && robots[id],
        firstSeen: now, lastSeen: now, outboundCount: id < visited ? 20 : 0, truncated: false,
        visits: 1,
      });
      // A page without links has its row too, with no targets.
      if (id >= visited) empty.push(row(id, '', '', new Uint8Array(0)));
      if (chunk.length === 5000) { await put('pages', chunk); await put('graph', empty); chunk = []; empty = []; }
    }
    if (chunk.length) { await put('pages', chunk); await put('graph', empty); }
  }
  const perSource = links / visited;
  let rows = [];
  let written = 0;
  for (let source = from; source < Math.min(to, visited); source++) {
    const out = new Map();
    for (let k = 0; k < perSource; k++) {
      const target = random() < 0.3 ? source - (source % 10) + Math.floor(random() * 10) : zipf();
      const r = random();
      // Followed, live and not a self-link: what passes authority.
      const pass = random() >= 0.05 && r >= 0.14 && target !== source ? 1 : 0;
      out.set(target, (out.get(target) ?? 0) | pass);
    }
    const targets = [...out.keys()].map((t) => [urlOf(t), t]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
    rows.push(row(
      source,
      targets.map((t) => t[0]).join('\\n'),
      targets.map((t) => domainOf(t[1])).join('\\n'),
      Uint8Array.from(targets, (t) => out.get(t[1])),
    ));
    written += perSource;
    if (rows.length === 1000) { await put('graph', rows); rows = []; }
  }
  if (rows.length) await put('graph', rows);
  db.close();
  return written;
}`;

/** Rows filled (AUTHORITY_FILL=rows): marked built, as the first build leaves them. */
const MARK_BUILT = `async () => {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  await request(tx.objectStore('meta').put({ id: 'graph-state', built: true }));
  db.close();
}`;

/** Names this run's changed pages: on a kept profile, pages of an earlier run are no change. */
const RUN = Date.now().toString(36);

/** AUTHORITY_FILL=rows: see FILL_ROWS. */
const ROWS = process.env.AUTHORITY_FILL === 'rows';

/** Fill with FILL_ROWS in parts (a part written again puts the same rows); returns rows. */
async function fillRows(ext: ExtensionBrowser, stored: number): Promise<number> {
  if (stored === PAGES) return stored;
  const visited = PAGES / 2;
  const part = Math.ceil(visited / 20);
  for (let from = 0; from < visited; from += part) {
    const arg = { pages: PAGES, links: LINKS, seed: 6, from, to: from + part };
    const links = await inWorker<number>(ext, FILL_ROWS, arg);
    info(`filled the rows of ${(from + part).toLocaleString('en')} pages (${links} links)`);
  }
  await inWorker(ext, MARK_BUILT);
  return inWorker<number>(ext, COUNT_ROWS);
}

/** Graph rows stored (AUTHORITY_FILL=rows), as links stored in the other mode. */
const COUNT_ROWS = `async () => {
  const db = await openDb();
  const count = await request(db.transaction('graph').objectStore('graph').count());
  db.close();
  return count;
}`;

/**
 * The baseline: every page and link read in the job's batches, nothing built. The next batch
 * starts after the last record's key, taken from the record where the store keys it by a field,
 * else read beside the records: the floor of a batched read.
 */
const RAW_READ = `async ({ batch, stores }) => {
  const db = await openDb();
  const started = performance.now();
  let count = 0;
  // The links store's keys are numbers the store made, not in the record: read beside them.
  const keyOf = { pages: (p) => p.url, graph: (r) => r.url };
  for (const store of stores) {
    let range = null;
    for (;;) {
      const os = db.transaction(store).objectStore(store);
      const [records, keys] = await Promise.all([
        request(os.getAll(range, batch)),
        keyOf[store] ? [] : request(os.getAllKeys(range, batch)),
      ]);
      count += records.length;
      if (records.length < batch) break;
      const last = keyOf[store] ? keyOf[store](records[records.length - 1]) : keys[keys.length - 1];
      range = IDBKeyRange.lowerBound(last, true);
    }
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, count };
}`;

/**
 * The first build's read alone: the link records in chunks of the build's size by source
 * (getAll of the by_source index, from the last source whole), then the pages up to that
 * source, in one read-only transaction a chunk, as the build reads them; nothing built, nothing
 * stored. Against RAW_READ, what reading by source (a lookup per record) costs over reading in
 * key order.
 */
const RAW_SOURCE_READ = `async ({ size }) => {
  const db = await openDb();
  const started = performance.now();
  let count = 0;
  let after = null;
  for (;;) {
    const tx = db.transaction(['pages', 'links']);
    const from = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const links = await request(tx.objectStore('links').index('by_source').getAll(from, size));
    const full = links.length === size;
    const cut = full ? links[links.length - 1].source : null;
    const upTo = cut === null ? from : after === null ? IDBKeyRange.upperBound(cut) : IDBKeyRange.bound(after, cut, true);
    const pages = await request(tx.objectStore('pages').getAll(upTo, size));
    count += links.length + pages.length;
    if (!full) break;
    // The next chunk starts after the last source read whole, as the build's does.
    let end = after;
    for (const l of links) if (l.source < cut && (end === null || l.source > end)) end = l.source;
    if (end === after) throw new Error('a source of more links than a chunk: use a larger size');
    after = end;
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, count };
}`;

/**
 * The first build's writes alone: the graph store's rows (read first, untimed) put again over
 * themselves, `size` a read-write transaction, as the build adds a chunk's. Putting the same
 * rows changes nothing, so a kept profile stays as the build left it, even if stopped.
 */
const RAW_ROW_PUT = `async ({ size }) => {
  const db = await openDb();
  const rows = await request(db.transaction('graph').objectStore('graph').getAll());
  const started = performance.now();
  for (let i = 0; i < rows.length; i += size) {
    const tx = db.transaction('graph', 'readwrite');
    const store = tx.objectStore('graph');
    for (const row of rows.slice(i, i + size)) store.put(row);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, count: rows.length };
}`;

/**
 * The baseline of a full computation: what it reads, read bare in one transaction (the packed
 * record, the rows marked since it was packed, the count of rows), nothing built from it.
 */
const RAW_PACKED_READ = `async () => {
  const db = await openDb();
  const started = performance.now();
  const tx = db.transaction(['meta', 'graph']);
  const [packed, marked, count] = await Promise.all([
    request(tx.objectStore('meta').get('graph-packed')),
    request(tx.objectStore('graph').index('by_fresh').getAll()),
    request(tx.objectStore('graph').count()),
  ]);
  const ms = performance.now() - started;
  db.close();
  return { ms, count: packed.targets.length + marked.length + count };
}`;

/** The database's version, 0 before the worker first opened it. */
const DB_VERSION = `async () =>
  (await indexedDB.databases()).find((d) => d.name === 'backlink-lens')?.version ?? 0`;

/** Links stored: a kept profile filled before is not filled again. */
const COUNT_LINKS = `async () => {
  const db = await openDb();
  const count = await request(db.transaction('links').objectStore('links').count());
  db.close();
  return count;
}`;

/** Every stored score, by kind and key: to compare two computations. */
const READ_SCORES = `async () => {
  const db = await openDb();
  // The generation the meta record names; a build without generations: the one store.
  const generations = db.objectStoreNames.contains('authority-scores');
  const tx = db.transaction(generations ? ['authority', 'authority-scores', 'meta'] : ['authority']);
  const meta = generations ? await request(tx.objectStore('meta').get('authority')) : undefined;
  const gen = meta && meta.gen;
  const all = await request(gen === undefined
    ? tx.objectStore('authority').getAll()
    : tx.objectStore('authority-scores').getAll(IDBKeyRange.bound([gen], [gen + 1], false, true)));
  db.close();
  return all.map((r) => [r.kind + ' ' + r.key, r.score]);
}`;

/**
 * What the scripts above use: the extension's database, a request as a promise, puts in one
 * transaction, and the fills' draws and page names.
 */
const IDB_HELPERS = `
  const openDb = () => new Promise((resolve, reject) => {
    const open = indexedDB.open('backlink-lens');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const putAll = (db, store, records) => new Promise((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    for (const r of records) tx.objectStore(store).put(r);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  // The fills' draws (test/bench/random.ts's generator, as text for the worker) and names.
  const draws = (start) => {
    let a = start >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  const domainOf = (id) => 'site' + Math.floor(id / 10) + '.com';
  const urlOf = (id) => 'https://www.' + domainOf(id) + '/page/' + id;`;

const inWorker = <T>(ext: ExtensionBrowser, fn: string, arg: unknown = {}): Promise<T> =>
  ext.worker.evaluate(
    `(() => { ${IDB_HELPERS}\n return (${fn})(${JSON.stringify(arg)}); })()`,
  ) as Promise<T>;

function computeInWorker(
  ext: ExtensionBrowser,
  mode?: AuthorityRequest,
): Promise<AuthorityOutcome> {
  return ext.worker.evaluate(
    (m) =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(m),
    mode,
  );
}

/** The job's own split of one run, as rows: total, and read, build, walk, write. */
function outcomeRows(label: string, outcomes: AuthorityOutcome[]): Timing[] {
  const row = (part: string, of: (o: AuthorityOutcome) => number): Timing => {
    const samples = outcomes.map(of);
    const sorted = [...samples].sort((a, b) => a - b);
    return { name: `${label}${part}`, samples, median: sorted[sorted.length >> 1]! };
  };
  return [
    {
      ...row(': total', (o) => o.totalMs),
      extra: `${outcomes[0]!.iterations.pages} + ${outcomes[0]!.iterations.domains}`,
    },
    row('  read', (o) => o.readMs),
    // A build from the records stores the rows it built as it reads: counted in its read.
    ...(outcomes.some((o) => o.putMs > 0) ? [row('    of it, storing rows', (o) => o.putMs)] : []),
    row('  build', (o) => o.buildMs),
    row('  walk', (o) => o.rankMs),
    row('  write', (o) => o.writeMs),
  ];
}

function largestDifference(a: [string, number][], b: [string, number][]): number {
  const byKey = new Map(a);
  let worst = b.length === a.length ? 0 : Infinity;
  for (const [key, score] of b)
    worst = Math.max(worst, Math.abs((byKey.get(key) ?? Infinity) - score));
  return worst;
}

/** Resolves after `ms`. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long the worker takes to answer while `during` runs: an evaluation in the worker every
 * 100 ms, which waits for whatever task the worker is in (a long synchronous step is a stall
 * for a message from the popup too). Round trips in ms.
 */
async function pingsDuring(ext: ExtensionBrowser, during: Promise<unknown>): Promise<number[]> {
  let done = false;
  void during.finally(() => (done = true)).catch(() => {});
  const pings: number[] = [];
  while (!done) {
    const started = performance.now();
    await ext.worker.evaluate('0').catch(() => {});
    pings.push(performance.now() - started);
    await sleep(100);
  }
  return pings;
}

function describePings(pings: number[]): string {
  const sorted = [...pings].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${pings.length} pings: median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${at(1).toFixed(0)} ms`;
}

/**
 * AUTHORITY_SCORES: what each first build finds of the last computation. 'keep' (the default):
 * its scores and kept graphs, so the build writes the few scores that moved; 'none': nothing,
 * as on a store never computed, so it writes every score (stop 29: 110,000 puts at 1M, 20.8 s);
 * 'rewrite': the scores without the kept graphs (as after a site was forgotten), so it replaces
 * every score.
 */
const SCORES = process.env.AUTHORITY_SCORES ?? 'keep';
/** AUTHORITY_FLOORS=0: the first builds without their bare reads in the same turn. */
const FLOORS = process.env.AUTHORITY_FLOORS !== '0';

/** Drops the kept graphs and a run's progress, and with `scores: 'none'` every score. */
const DROP_SCORES = `async ({ scores }) => {
  const db = await openDb();
  const names = ['authority', 'authority-scores', 'meta'].filter((n) => db.objectStoreNames.contains(n));
  const tx = db.transaction(names, 'readwrite');
  const meta = tx.objectStore('meta');
  for (const id of ['authority-graph', 'authority-graph-patch', 'authority-run']) meta.delete(id);
  if (scores === 'none') {
    meta.delete('authority');
    for (const name of names) if (name !== 'meta') tx.objectStore(name).clear();
  }
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}`;

/**
 * The popup's authority read, as each build's loadAuthority (storage/queries.ts) makes it, from
 * an extension page every `every` ms until window.stopReads is set: one read-only transaction of
 * the meta record and the scores of a page, its domain, 30 linking pages and their domains.
 * A build without generations reads them all at once; one with them reads the meta record, then
 * the scores of the generation it names. Each read: when it started, how long it took, how many
 * of the keys had a score.
 */
const POPUP_READS = `async ({ every, pages }) => {
  const db = await openDb();
  const ids = Array.from({ length: 31 }, (_, i) => (i * 3331) % pages);
  const keys = [
    ...ids.map((id) => ['page', urlOf(id)]),
    ...ids.map((id) => ['domain', domainOf(id)]),
  ];
  const generations = db.objectStoreNames.contains('authority-scores');
  const scope = generations ? ['authority', 'authority-scores', 'meta'] : ['authority', 'meta'];
  const reads = [];
  globalThis.stopReads = false;
  while (!globalThis.stopReads) {
    const at = Date.now();
    const started = performance.now();
    const tx = db.transaction(scope);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
    const get = (gen, [kind, key]) =>
      request(gen === undefined ? tx.objectStore('authority').get([kind, key]) : tx.objectStore('authority-scores').get([gen, kind, key]));
    let found;
    if (generations) {
      const meta = await request(tx.objectStore('meta').get('authority'));
      found = await Promise.all(keys.map((k) => get(meta && meta.gen, k)));
    } else {
      [, ...found] = await Promise.all([request(tx.objectStore('meta').get('authority')), ...keys.map((k) => get(undefined, k))]);
    }
    await done;
    reads.push({ at, ms: performance.now() - started, scored: found.filter(Boolean).length, of: keys.length });
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  db.close();
  return reads;
}`;

interface PopupRead {
  /** Wall-clock start (ms), duration, and how many of the `of` keys had a score. */
  at: number;
  ms: number;
  scored: number;
  of: number;
}

/** The popup's authority reads (POPUP_READS) from an extension page while `during` runs. */
async function popupReadsDuring(
  ext: ExtensionBrowser,
  during: Promise<unknown>,
): Promise<PopupRead[]> {
  const page = await ext.context.newPage();
  try {
    await page.goto(ext.extensionUrl('manifest.json'));
    const arg = JSON.stringify({ every: 100, pages: PAGES });
    const reads = page.evaluate(
      `(() => { ${IDB_HELPERS}\n return (${POPUP_READS})(${arg}); })()`,
    ) as Promise<PopupRead[]>;
    await during.catch(() => {});
    await page.evaluate('globalThis.stopReads = true');
    return await reads;
  } finally {
    await page.close();
  }
}

/** Reads that overlapped [from, to] (wall clock), or else those that did not. */
function readsIn(reads: PopupRead[], from: number, to: number, inside = true): PopupRead[] {
  return reads.filter((r) => (r.at <= to && r.at + r.ms >= from) === inside);
}

function describeReads(reads: PopupRead[]): string {
  if (reads.length === 0) return 'no read';
  const sorted = reads.map((r) => r.ms).sort((a, b) => a - b);
  return `${reads.length} reads: median ${median(sorted).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
}

/**
 * AUTHORITY_ONLY=first: the first build of the rows from the records, against the bare read of
 * the same records and against its floor, the read by source and the puts of its rows done
 * bare (each in the build's turn), with how long the worker takes to answer meanwhile (against
 * idle); then,
 * with AUTHORITY_STOP=1, a build stopped part-way and resumed by the watchdog alarm in a new
 * worker, checked against the one-go build's scores (see stopAndResume).
 */
async function runFirstBuild(ext: ExtensionBrowser, stored: number): Promise<void> {
  const idle = await pingsDuring(ext, sleep(3_000));
  info(`worker idle: ${describePings(idle)}`);
  const idleReads = await popupReadsDuring(ext, sleep(3_000));
  info(`popup's authority read, idle: ${describeReads(idleReads)}`);
  // A place left by a run that was stopped would make the next build a resumed one.
  const left = await inWorker<{ after: string | null } | undefined>(ext, READ_BUILD_PLACE);
  if (left) {
    info(`a stopped build's place was stored (${left.after}): dropped, for a build in one go`);
    await inWorker(ext, DROP_BUILD_PLACE);
  }
  const builds: AuthorityOutcome[] = [];
  const pings: number[][] = [];
  /** Per build: the popup's reads that overlapped the score write, and the others. */
  const reads: { write: PopupRead[]; rest: PopupRead[] }[] = [];
  // Each build's baselines in the same turn, right after it (the load moves by the minute): the
  // bare read in key order, and the build's two floors at the size of chunk it reached on
  // average, its read by source and the puts of its rows (one request each, whatever a row
  // holds). Not a build's own parts: its read and its puts overlap.
  const floors = { raw: [] as number[], bySource: [] as number[], puts: [] as number[] };
  const size = { links: 0, rows: 0 };
  await collect(
    'first build',
    async () => {
      await inWorker(ext, EMPTY_GRAPH);
      if (SCORES !== 'keep') await inWorker(ext, DROP_SCORES, { scores: SCORES });
      const run = computeInWorker(ext, 'rebuild');
      const popup = popupReadsDuring(ext, run);
      pings.push(await pingsDuring(ext, run));
      const o = await run;
      builds.push(o);
      // The write starts at computedAt (taken just before it) and ends writeMs later.
      const all = await popup;
      const [from, to] = [o.computedAt, o.computedAt + o.writeMs];
      reads.push({ write: readsIn(all, from, to), rest: readsIn(all, from, to, false) });
      const w = o.written;
      info(
        `  the score write: ${w ? `${w.scores} put, ${w.gone} deleted in place` : 'not reported'}` +
          (w?.generation
            ? `, a new generation (from ${w.generation.from}; ${w.generation.swept} of others deleted after, ${w.generation.sweepMs?.toFixed(0)} ms)`
            : '') +
          `; popup's authority read during it: ${describeReads(reads.at(-1)!.write)}; ` +
          `during the rest of the build: ${describeReads(reads.at(-1)!.rest)}`,
      );
      info(
        `first build: total ${o.totalMs.toFixed(0)} ms (read ${o.readMs.toFixed(0)} of which storing rows ${o.putMs.toFixed(0)}, build ` +
          `${o.buildMs.toFixed(0)}, walk ${o.rankMs.toFixed(0)}, write ${o.writeMs.toFixed(0)}); resumed ${o.resumedBuild}; ` +
          `${o.built.chunks} chunks, ${o.built.entries} records read (${o.links} links)`,
      );
      size.links = Math.ceil(o.links / o.built.chunks);
      size.rows = Math.ceil(PAGES / o.built.chunks);
      const bare = async (script: string, arg: unknown) =>
        (await inWorker<{ ms: number }>(ext, script, arg)).ms;
      if (!FLOORS) return 0;
      floors.raw.push(
        await bare(RAW_READ, { batch: GRAPH_READ_BATCH, stores: ['pages', 'links'] }),
      );
      floors.bySource.push(await bare(RAW_SOURCE_READ, { size: size.links }));
      floors.puts.push(await bare(RAW_ROW_PUT, { size: size.rows }));
      return 0;
    },
    REPEAT,
  );
  check(
    'the first computation built the rows from the records',
    builds.every((o) => o.source === 'records' && o.links === stored),
    builds.map((o) => `${o.source}, ${o.links} links`).join('; '),
  );
  pings.forEach((p, i) => info(`worker during build ${i + 1}: ${describePings(p)}`));
  const during = reads.flatMap((r) => r.write);
  check(
    "the popup's authority reads during the writes found every score or none (never a mix)",
    during.every((r) => r.scored === 0 || r.scored === r.of),
    `${during.length} reads, ${during.filter((r) => r.scored === r.of).length} with every score`,
  );
  const oneGo = await inWorker<[string, number][]>(ext, READ_SCORES);
  // AUTHORITY_STOP=1: also a build stopped over CDP and resumed by the alarm in a new worker
  // (opt-in: a build and up to a minute's wait more; test/e2e/authority-resume.test.ts checks it).
  let resumed: AuthorityOutcome | null = null;
  let stopMs = 0;
  if (process.env.AUTHORITY_STOP)
    ({ resumed, stopMs } = await stopAndResume(ext, builds[0]!, oneGo));
  const timing = (name: string, samples: number[]): Timing => ({
    name,
    samples,
    median: median(samples),
  });
  // The popup's read while the scores are written, against the same read with nothing running.
  const perBuild = (of: (ms: number[]) => number) =>
    reads.map((r) => (r.write.length ? of(r.write.map((x) => x.ms)) : NaN));
  const readRows = [
    timing(
      "popup's authority read, idle (each read)",
      idleReads.map((r) => r.ms),
    ),
    timing('the same during the score write: median, per build', perBuild(median)),
    timing(
      'the same during the score write: max, per build',
      perBuild((ms) => Math.max(...ms)),
    ),
    timing(
      'the score write (job)',
      builds.map((o) => o.writeMs),
    ),
  ];
  info(
    `load average (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}`,
  );
  printTable(readRows, readRows[0]!);
  const jobRows = [
    ...outcomeRows('job, first build of the rows from the records', builds),
    ...(resumed
      ? outcomeRows(`job, the same resumed after a stop at ${(stopMs / 1000).toFixed(0)} s`, [
          resumed,
        ])
      : []),
  ];
  // AUTHORITY_FLOORS=0: no bare reads (minutes at 1M), the job's rows alone.
  if (!FLOORS) {
    printTable(jobRows, jobRows[0]!, { extraHeader: 'iterations (pages + domains)' });
    return;
  }
  const raw = timing(
    `bare read: getAll pages + links, batches of ${GRAPH_READ_BATCH.toLocaleString('en')}`,
    floors.raw,
  );
  const bySource = timing(
    `bare read by source: by_source getAll, chunks of ${size.links.toLocaleString('en')}, + pages`,
    floors.bySource,
  );
  const puts = timing(
    `bare put: every row put again, ${size.rows.toLocaleString('en')} a transaction`,
    floors.puts,
  );
  const floor = builds.map((o, i) => o.readMs / (floors.bySource[i]! + floors.puts[i]!));
  info(
    `the build's read against its floor (read by source + puts, the same turn): ` +
      floor.map((r) => `${r.toFixed(2)}x`).join(', ') +
      `; the floor against the bare read: ` +
      floors.raw
        .map((r, i) => `${((floors.bySource[i]! + floors.puts[i]!) / r).toFixed(2)}x`)
        .join(', '),
  );
  printTable([raw, bySource, puts, ...jobRows], raw, {
    extraHeader: 'iterations (pages + domains)',
  });
}

/**
 * A build stopped part-way (the worker stopped over CDP after AUTHORITY_STOP_MS, by default a
 * third of the one-go build's read), resumed by the watchdog alarm in a new worker (left to fire
 * when it is due, up to a minute later); its scores checked against the one-go build's. Returns
 * the resumed computation. Playwright keeps the same Worker object across the worker's stop and
 * restart (its DevTools target stays; the execution context is made again), so the new worker
 * is reached through `ext.worker`: at s11, a search for a Worker other than the first found none.
 */
async function stopAndResume(
  ext: ExtensionBrowser,
  oneGoBuild: AuthorityOutcome,
  oneGo: [string, number][],
): Promise<{ resumed: AuthorityOutcome; stopMs: number }> {
  // Stopped a third of the way through reading the records, once some chunks are stored.
  const stopMs = Number(process.env.AUTHORITY_STOP_MS ?? oneGoBuild.readMs / 3);
  const control = await ext.context.newPage();
  const cdp = await ext.context.newCDPSession(control);
  const status: { at: number; running: string }[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${ext.extensionId}/`))
        status.push({ at: performance.now(), running: v.runningStatus });
    }
  });
  await cdp.send('ServiceWorker.enable');
  await inWorker(ext, EMPTY_GRAPH);
  const started = performance.now();
  const stopped = computeInWorker(ext, 'rebuild').catch(() => null);
  let place: { after: string | null } | undefined;
  do {
    await sleep(500);
    place = await inWorker<{ after: string | null } | undefined>(ext, READ_BUILD_PLACE);
  } while (performance.now() - started < stopMs || !place?.after);
  const stoppedAt = performance.now();
  const stoppedAtWall = Date.now();
  await cdp.send('ServiceWorker.stopAllWorkers');
  const early = await stopped;
  info(
    `worker stopped after ${((stoppedAt - started) / 1000).toFixed(1)} s, the build's place then: ${place.after}` +
      (early ? ' (the computation had ended: not a stop mid-build)' : ''),
  );
  // Until the worker is seen stopped, `ext.worker` may still answer from the old one.
  while (!status.some((s) => s.at >= stoppedAt && s.running === 'stopped')) {
    if (performance.now() - stoppedAt > 60_000) throw new Error('the worker did not stop');
    await sleep(200);
  }
  // The watchdog alarm (set a minute ahead while the job runs) starts a new worker, which goes
  // on; an evaluation waits for its execution context.
  let resumed: AuthorityOutcome | null = null;
  while (!resumed) {
    await sleep(1_000);
    if (performance.now() - stoppedAt > 300_000) throw new Error('no resumed build in 5 minutes');
    const last = await ext.worker
      .evaluate(
        () =>
          (globalThis as unknown as { backlinkLens?: WorkerHooks }).backlinkLens?.authority.last ??
          null,
      )
      .catch(() => null);
    if (last && last.computedAt > stoppedAtWall) resumed = last;
  }
  await control.close();
  const woke = status.find((s) => s.at > stoppedAt && s.running === 'running')?.at ?? NaN;
  const after = await inWorker<[string, number][]>(ext, READ_SCORES);
  const diff = largestDifference(oneGo, after);
  check(
    'a build stopped part-way went on in a new worker, to the one-go scores',
    resumed.resumedBuild && resumed.links < LINKS && diff < 1e-6,
    `resumed build: ${resumed.resumedBuild}, read ${resumed.links} links; largest score difference ` +
      `${diff.toExponential(1)} over ${after.length.toLocaleString('en')} scores; new worker ` +
      `${((woke - stoppedAt) / 1000).toFixed(1)} s after the stop`,
  );
  return { resumed, stopMs: stoppedAt - started };
}

/**
 * The graph store as the upgrade finds it (a release before it): no row, nothing packed, not
 * built, no build under way. Untimed, before each first build: one that finds the last run's
 * rows clears them first, 3.1-4.9 s of 100,000 rows at 1M (s20), which the upgrade never does.
 */
const EMPTY_GRAPH = `async () => {
  const db = await openDb();
  const tx = db.transaction(['graph', 'meta'], 'readwrite');
  tx.objectStore('graph').clear();
  for (const id of ['graph-state', 'graph-packed', 'graph-build']) tx.objectStore('meta').delete(id);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}`;

/** Drop a stopped build's place (meta 'graph-build'). */
const DROP_BUILD_PLACE = `async () => {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  await request(tx.objectStore('meta').delete('graph-build'));
  db.close();
}`;

/** Where a build of the rows stands (meta 'graph-build'), if one is under way. */
const READ_BUILD_PLACE = `async () => {
  const db = await openDb();
  const place = await request(db.transaction('meta').objectStore('meta').get('graph-build'));
  db.close();
  return place;
}`;

export async function runAuthorityChromium(): Promise<void> {
  heading(
    'authority in the worker (Chromium)',
    `The authority job in the extension's service worker for ${PAGES.toLocaleString('en')} pages and ` +
      `${LINKS.toLocaleString('en')} links,\nsplit as the job reports it, against a bare batched ` +
      'getAll of the same stores in the same worker.',
  );
  if (!existsSync(CHROMIUM)) {
    info(`skipped: no Chromium at ${CHROMIUM}`);
    return;
  }
  const distDir = process.env.AUTHORITY_DIST;
  if (!distDir) await ensureExtensionBuilt();
  const server = await startSiteServer();
  const profile = process.env.AUTHORITY_PROFILE;
  const ext = await step('launch Chromium with the extension (untimed)', () =>
    launchWithExtension({
      sitePort: server.port,
      ...(profile ? { userDataDir: profile } : {}),
      ...(distDir ? { distDir } : {}),
    }),
  );
  try {
    // The worker opens (and creates) its database on first use: an empty run does that. A kept
    // profile has it already (and a computation there would build the rows of a million links).
    if ((await inWorker<number>(ext, DB_VERSION)) === 0) await computeInWorker(ext, 'full');
    const stored = await inWorker<number>(ext, ROWS ? COUNT_ROWS : COUNT_LINKS);
    // In parts: Chrome stops a worker whose one task runs over five minutes. A kept profile
    // holds the links already, or some parts of them: the store is filled in order, so a
    // stopped fill goes on from the link it stopped at.
    const written = await step('fill the store in the worker (untimed)', async () => {
      // A profile known to be filled (AUTHORITY_SKIP_FILL): counted, never written to.
      if (process.env.AUTHORITY_SKIP_FILL) return stored;
      if (ROWS) return fillRows(ext, stored);
      const visited = PAGES / 2;
      const part = Math.ceil(visited / 20);
      const perPart = part * (LINKS / visited);
      let links = 0;
      for (let from = 0; from < visited; from += part) {
        const skip = Math.min(Math.max(stored - links, 0), perPart);
        const arg = { pages: PAGES, links: LINKS, seed: 6, from, to: from + part, skip };
        if (skip < perPart) await inWorker<number>(ext, FILL, arg);
        links += perPart;
        info(`filled ${Math.min(links, LINKS).toLocaleString('en')} links`);
      }
      return inWorker<number>(ext, COUNT_LINKS);
    });
    // A kept profile also holds the pages an earlier run's incremental part visited, 20 links
    // (and a row) each: the builds below read what is stored.
    const extra = written - (ROWS ? PAGES : LINKS);
    check(
      'store filled',
      extra >= 0 && extra % (ROWS ? 1 : 20) === 0,
      (ROWS ? `${written} graph rows` : `${written} links`) +
        (extra > 0 ? ` (${extra} of them on pages an earlier run visited)` : ''),
    );
    if (process.env.AUTHORITY_FILL_ONLY) return;
    if (process.env.AUTHORITY_ONLY === 'first') return await runFirstBuild(ext, written);
    const batch = GRAPH_READ_BATCH;
    const bareRead = (stores: string[]) => async () =>
      (await inWorker<{ ms: number }>(ext, RAW_READ, { batch, stores })).ms;
    // Once: what the first computation after the upgrade does (rows filled: the first after
    // the upgrade from the release before the packed graph, which reads every row and packs).
    // AUTHORITY_BUILT=1: a kept profile whose rows were built already; a full computation
    // stands in (a first build of a million links takes a quarter of an hour, loaded).
    const skipBuild = !!process.env.AUTHORITY_BUILT;
    const built = [await computeInWorker(ext, ROWS || skipBuild ? 'full' : 'rebuild')];
    if (!skipBuild)
      check(
        ROWS
          ? 'the first computation read every row and packed them'
          : 'the first computation built the rows from the records',
        ROWS
          ? built[0]!.source === 'rows'
          : built[0]!.source === 'records' && built[0]!.links === written,
        `${built[0]!.source}, ${built[0]!.links} ${ROWS ? 'targets' : 'links'}`,
      );
    const rawPacked = await collect(
      'bare read: the packed graph record, the marked rows, the row count',
      async () => (await inWorker<{ ms: number }>(ext, RAW_PACKED_READ)).ms,
      REPEAT,
    );
    // What a full computation read before the rows were packed (its floor).
    const rawRows = await collect(
      `bare read: getAll graph rows, batches of ${batch.toLocaleString('en')}`,
      bareRead(['graph']),
      SLOW_REPEAT,
    );
    const full: AuthorityOutcome[] = [];
    await collect('full', async () => (full.push(await computeInWorker(ext, 'full')), 0), REPEAT);
    check(
      'full computations read the packed graph',
      full.every((o) => o.source === 'packed'),
      full.map((o) => `${o.source} ${o.links} targets`).join(', '),
    );

    // One page visited for real (recorded, noted), linking to 20 pages of the graph; then
    // the job, which patches the last graphs with it.
    const incremental: AuthorityOutcome[] = [];
    const tab = await ext.context.newPage();
    await collect(
      'incremental',
      async (rep) => {
        const host = `changed-${RUN}-${rep}.test`;
        const targets = Array.from(
          { length: 20 },
          (_, i) => `https://www.site${i * 7}.com/page/${i * 70}`,
        );
        server.setPage(
          host,
          '/',
          `<!doctype html><title>Changed</title><main>${targets.map((t) => `<p><a href="${t}">a page</a></p>`).join('')}</main>`,
        );
        await browse(ext, tab, [`http://${host}/`]);
        incremental.push(await computeInWorker(ext));
        return 0;
      },
      REPEAT,
    );
    const patched = await inWorker<[string, number][]>(ext, READ_SCORES);
    // The reference: every row built again from the records (AUTHORITY_REFERENCE=rows: every
    // row read, which spares a 1M run its second build).
    const reference = process.env.AUTHORITY_REFERENCE === 'rows' || ROWS ? 'full' : 'rebuild';
    const check1 = await computeInWorker(ext, reference);
    const cold = await inWorker<[string, number][]>(ext, READ_SCORES);
    const diff = largestDifference(cold, patched);
    check(
      `incremental updates patched the graphs and match a computation from the ${check1.source}`,
      incremental.every((o) => o.mode === 'incremental') && diff < 1e-6,
      `modes ${incremental.map((o) => o.mode).join(', ')}; largest score difference ${diff.toExponential(1)} ` +
        `over ${cold.length.toLocaleString('en')} scores`,
    );

    info(
      `load average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}`,
    );
    const rows = [
      rawPacked,
      rawRows,
      ...outcomeRows('job, full (packed graph)', full),
      ...outcomeRows('job, incremental (one page)', incremental),
    ];
    printTable(rows, rawPacked, { extraHeader: 'iterations (pages + domains)' });
    const total = full.map((o) => o.totalMs).sort((a, b) => a - b)[full.length >> 1]!;
    info(
      `budget: a full computation ${(total / 1000).toFixed(2)} s in the worker, ` +
        `${total < BUDGET_MS ? 'within' : 'OVER'} the ${BUDGET_MS / 1000} s budget; ` +
        `links read by the incremental update: ${incremental.map((o) => o.links).join(', ')}`,
    );
    // Counts, whatever the load: what each update stored besides the scores that moved.
    for (const [label, outcomes] of [
      ['full', full],
      ['incremental', incremental],
    ] as const) {
      info(
        `${label}: ` +
          outcomes
            .map((o) =>
              // A build of an earlier version (AUTHORITY_DIST) does not report it.
              o.written
                ? `${o.written.scores} scores put, ${o.written.gone} deleted, ${o.written.kept} kept`
                : 'not reported',
            )
            .join('; '),
      );
    }
    if (skipBuild) return;
    if (ROWS) {
      const firstPack = outcomeRows('job, first full computation (reads every row, packs)', built);
      printTable([rawRows, ...firstPack], rawRows, { extraHeader: 'iterations (pages + domains)' });
      return;
    }
    // Last, being the longest: the first build against the read it cannot do without.
    const raw = await collect(
      `bare read: getAll pages + links, batches of ${batch.toLocaleString('en')}`,
      bareRead(['pages', 'links']),
      SLOW_REPEAT,
    );
    const firstBuild = outcomeRows('job, first build of the rows from the records', built);
    printTable([raw, ...firstBuild], raw, { extraHeader: 'iterations (pages + domains)' });
  } finally {
    await ext.close();
    await server.close();
  }
}
