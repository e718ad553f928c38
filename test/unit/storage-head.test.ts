import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unwrap } from 'idb';
import { moveOldLinks } from '../../src/storage/link-move';
import type { BacklinkDb } from '../../src/storage/db';
import {
  clearAll,
  forgetSite,
  importAll,
  recordDelta,
  recordPage,
  recordRedirect,
} from '../../src/storage/records';
import { capSourceLinks, removePages } from '../../src/storage/retention';
import { loadBacklinks, loadVariants, type Folds } from '../../src/storage/queries';
import { DB_VERSION, openBacklinkDb } from '../../src/storage/db';
import { firstInOrder, loadFirstRead, loadHead, type HeadRows } from '../../src/storage/head';
import { ensureTargetStats, refreshStatsAuthority } from '../../src/storage/target-stats';
import { writeAuthority } from '../../src/storage/authority';
import {
  keptDomains,
  markRefill,
  ROWS_NEEDED,
  statsOf,
  type HeadRow,
} from '../../src/core/target-stats';
import { compareLinks, isUnfollowed, summarizeBacklinks } from '../../src/core/summary';
import { factsOf } from '../../src/storage/target-stats';
import { withFold } from '../../src/core/variants';
import { registrableDomain } from '../../src/core/domain';
import { hostOf } from '../../src/core/url';
import { lastSeenOf, type RawLink } from '../../src/core/types';
import { seededRandom } from '../bench/random';
import { recordPages } from '../../src/storage/bulk';
import { HOT_TARGET_LINKS } from '../../src/core/target-stats';
import { countRequests, countRequestsOf } from '../support/idb-requests';
import { getDb } from '../../src/platform/db-connection';
import { oldStoreDrained } from '../../src/storage/link-keys';
import {
  at,
  closeTestDbs,
  makeLink,
  makePage,
  makeSnapshot,
  openLegacyDb,
  openTestDb,
  rawLink,
} from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

// A page with every way of counting links: a visited alias declaring it (AMP), a URL that
// redirects to it (OLD), a slash variant (folded or not), internal links, and a second target.
const HOT = 'https://hot.com/page';
const AMP = 'https://hot.com/page/amp';
const OLD = 'https://old.net/page';
const SLASH = 'https://hot.com/page/';
const OTHER = 'https://other.org/x';
const TARGETS = [HOT, AMP, OLD, SLASH, OTHER];
const HREFS = [...TARGETS, 'https://elsewhere.io/'];
const EXTERNAL = [0, 1, 2, 3, 4].flatMap((d) => [0, 1].map((i) => `https://www.s${d}.com/p${i}`));
// HOT and AMP link out too: their links to each other are self-links of the page.
const SOURCES = [...EXTERNAL, 'https://hot.com/about', 'https://hot.com/blog', HOT, AMP];
const FOLDED: Folds = withFold({}, HOT, 'address', true);
/** Groups shown: few, so that most runs cut the list. */
const ROWS: HeadRows = { domains: 2 };
/** The report page's table: the groups that hold its first rows (few, for the same reason). */
const TABLE_ROWS: HeadRows = { domains: 0, rows: 3 };
/** The popup's: its groups' first links only, from the rows kept with the aggregates. */
const POPUP_ROWS: HeadRows = { domains: 2, perDomain: ROWS_NEEDED + 1 };

function randomLinks(random: () => number, count: number): RawLink[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, () =>
    // HOT most often, so that its groups grow past the rows kept (core/target-stats#ROWS_KEPT).
    rawLink(pick([...HREFS, HOT, HOT, HOT]), {
      anchor: pick(['', 'read more', 'the guide', 'a', 'b', 'c', 'd']),
      rel: pick([[], [], ['nofollow'], ['sponsored', 'ugc']]),
      region: pick(['main', 'nav', 'footer'] as const),
    }),
  );
}

/**
 * Every stored aggregate equals one recomputed from the links, and its kept rows are each an
 * exact prefix of their group (in display order, with their pages' facts as stored): long
 * enough for the popup or whole, for kept domains only, the record marked while one lacks
 * rows. Returns how many aggregates and kept rows there are.
 */
async function expectStatsExact(): Promise<{ aggregates: number; rows: number }> {
  const [stats, links, pages] = await Promise.all([
    db.getAll('target-stats'),
    db.getAll('links'),
    db.getAll('pages'),
  ]);
  const pageOf = new Map(pages.map((p) => [p.url, p]));
  let rowCount = 0;
  for (const kept of stats) {
    const { rows, refill, ...stored } = kept;
    // The counts without the scores kept beside them (refreshStatsAuthority).
    const counts = { ...stored, domains: mapValues(stored.domains, (t) => t.slice(0, 3)) };
    const mine = links.filter((l) => l.target === kept.target);
    const counted = mine.map((link) => ({
      link,
      pageNofollow: Boolean(pageOf.get(link.source)?.robotsNofollow),
    }));
    expect(counts).toEqual(statsOf(kept.target, counted));
    expect(rows).toBeDefined();
    const domains = keptDomains(kept);
    for (const [domain, got] of Object.entries(rows!)) {
      expect(domains.has(domain)).toBe(true);
      const group = mine.filter((l) => l.sourceDomain === domain && l.source !== l.target);
      const size = group.length;
      expect(got.length >= Math.min(ROWS_NEEDED, size) || got.length === size).toBe(true);
      const wanted = group
        .map((link): HeadRow => ({ link, page: factsOf(pageOf.get(link.source)) }))
        .sort(rowOrder)
        .slice(0, got.length);
      expect(got).toEqual(wanted);
      rowCount += got.length;
    }
    expect(refill).toBe([...domains].some((d) => !rows![d]) ? kept.target : undefined);
  }
  return { aggregates: stats.length, rows: rowCount };
}

/** The rounds of requests (each waiting for an answer) a read took, and its result. */
async function roundsOf<T>(read: () => Promise<T>): Promise<{ rounds: number; result: T }> {
  const counting = countRequests();
  let rounds = 0;
  const result = await read().finally(() => (rounds = counting.stop().rounds));
  return { rounds, result };
}

const mapValues = <T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));

/** Display order: a live link's last sighting is its page's last visit (lastSeenOf). */
const rowOrder = (a: HeadRow, b: HeadRow) =>
  compareLinks(
    {
      ...a.link,
      lastSeen: lastSeenOf(a.link, a.page?.lastSeen),
      unfollowed: isUnfollowed(a.link, a.page),
    },
    {
      ...b.link,
      lastSeen: lastSeenOf(b.link, b.page?.lastSeen),
      unfollowed: isUnfollowed(b.link, b.page),
    },
  );

/**
 * The head, when there is one, shows what the full read shows first: the same counts, every
 * group counted, the shown groups whole and in the same order. Returns whether there was one.
 */
async function expectHeadExact(url: string, folds: Folds, rows = ROWS): Promise<boolean> {
  const head = await loadHead(db, url, folds, rows);
  if (!head) return false;
  const full = (await loadBacklinks(db, url, folds))!;
  // As the popup summarizes its full read (ui/state.ts#summarizeReport).
  const { groups, ...counts } = summarizeBacklinks(
    full.links,
    full.sources,
    { via: full.via, domain: full.page?.domain ?? null },
    full.domainAuthority,
  );
  const { groups: shown, ...headCounts } = head.summary;
  expect(headCounts).toEqual(counts);
  expect(head.groups).toBe(groups.length);
  expect(head.liveGroups).toBe(groups.filter((g) => g.live > 0).length);
  const live = groups.filter((g) => g.live > 0);
  const wanted = rows.rows ?? 0;
  const forRows = groups.filter(
    (_g, i) => groups.slice(0, i).flatMap((g) => g.links).length < wanted,
  );
  const first = new Set(
    [...groups.slice(0, rows.domains), ...live.slice(0, rows.domains), ...forRows].map(
      (g) => g.domain,
    ),
  );
  const perDomain = rows.perDomain;
  // The popup's groups: their first links, their size, counts and order as the full groups'.
  const cut = (gs: typeof groups) =>
    perDomain === undefined
      ? gs
      : gs.map((g) => ({ ...g, size: g.links.length, links: g.links.slice(0, perDomain) }));
  expect(shown).toEqual(cut(groups.filter((g) => first.has(g.domain))));
  // A table's first rows are the full table's first rows, in its order.
  const firstRows = (gs: typeof groups) => gs.flatMap((g) => g.links).slice(0, wanted);
  expect(firstRows(shown)).toEqual(firstRows(groups));
  const { links: _links, sources: _sources, domainAuthority: _authority, ...found } = full;
  const { summary: _summary, groups: _g, liveGroups: _l, ...headFound } = head;
  // Variants come with the head when some are folded (they count then), else after it.
  const listed = head.folded.length > 0;
  expect(headFound).toEqual({ ...found, variants: listed ? found.variants : [] });
  expect(await loadVariants(db, head)).toEqual(found.variants);
  return true;
}

/** One random change to the store, through the same paths the extension writes by. */
async function randomStep(random: () => number, step: number): Promise<void> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const r = random();
  const source = pick(SOURCES);
  if (r < 0.45) {
    await recordPage(
      db,
      makeSnapshot(source, randomLinks(random, 1 + Math.floor(random() * 16)), {
        title: pick(['A title', 'Another title']),
        canonical: source === AMP ? HOT : null,
        robots: { noindex: random() < 0.2, nofollow: random() < 0.2 },
        truncated: random() < 0.1,
      }),
      at(step),
    );
  } else if (r < 0.55) {
    await recordDelta(db, { url: source, links: randomLinks(random, 2) }, at(step) + 1);
  } else if (r < 0.6) {
    await forgetSite(db, pick(['s1.com', 'www.s2.com', 'hot.com']));
  } else if (r < 0.62) {
    await clearAll(db);
  } else if (r < 0.68) {
    const from = pick(EXTERNAL);
    const links = [makeLink(from, pick(TARGETS), { anchor: 'imported', lastSeen: at(step) })];
    const pages = [makePage(from, { robotsNofollow: random() < 0.5, lastSeen: at(step) })];
    await importAll(db, { pages, links, redirects: [], referrals: [], skipped: 0 });
  } else if (r < 0.72) {
    await removePages(db, [source]);
  } else if (r < 0.76) {
    await capSourceLinks(db, source, 1);
  } else {
    await ensureTargetStats(db, TARGETS, 1);
  }
}

/** Domain scores (0–100) as a computation stores them, kept with the aggregates after it. */
async function writeDomainScores(displays: ReadonlyMap<string, number>): Promise<void> {
  const computedAt = Date.now();
  const records = [...displays].map(([key, display]) => ({
    kind: 'domain' as const,
    key,
    score: display / 1000,
    display,
    computedAt,
  }));
  const scale = { nodes: records.length, top: 0.1 };
  await writeAuthority(db, records, { computedAt, pages: { nodes: 0, top: 0 }, domains: scale });
  await refreshStatsAuthority(db);
}

/** Random scores for the walk's source domains (a few left unscored), as writeDomainScores. */
function storeDomainScores(random: () => number): Promise<void> {
  const domains = [...new Set(SOURCES.map((u) => registrableDomain(hostOf(u)!)!))];
  return writeDomainScores(
    new Map(
      domains
        .filter(() => random() < 0.8)
        .map((d) => [d, Math.floor(random() * 4) * 10] as [string, number]),
    ),
  );
}

describe('target aggregates and the popup head', () => {
  // Each seed is a random walk of 50 writes; the aggregates are checked after each, the head of
  // the hot page (folded or not) and of a second target every fifth.
  it.each([1, 2, 3, 4, 5, 6])(
    'stay equal to a recomputation from the links, over random writes (seed %i)',
    async (seed) => {
      let heads = 0;
      let aggregates = 0;
      let rows = 0;
      await recordRedirect(db, { from: OLD, to: HOT, status: 301 }, at(0));
      const random = seededRandom(seed);
      // Its own draws, so that the walk's writes are those it was before scores were kept.
      const scores = seededRandom(seed + 100);
      for (let step = 1; step <= 50; step++) {
        await randomStep(random, step);
        // A computation now and then: its scores reorder groups of equal counts.
        if (step % 7 === 0) await storeDomainScores(scores);
        const kept = await expectStatsExact();
        aggregates += kept.aggregates;
        rows += kept.rows;
        if (step % 5 !== 0) continue;
        for (const [url, folds] of [
          [HOT, {}],
          [HOT, FOLDED],
          [OTHER, {}],
        ] as const) {
          if (await expectHeadExact(url, folds)) heads++;
          await expectHeadExact(url, folds, TABLE_ROWS);
          await expectHeadExact(url, folds, POPUP_ROWS);
        }
      }
      // The random walk did reach the states under test.
      expect(aggregates).toBeGreaterThan(10);
      expect(rows).toBeGreaterThan(50);
      expect(heads).toBeGreaterThan(3);
    },
    60_000,
  );
});

describe('the head of a hot page', () => {
  it('is left to the full read until the page has an aggregate, then shows the groups shown', async () => {
    for (let p = 0; p < 12; p++) {
      const links = [rawLink(HOT, { rel: p % 4 === 0 ? ['nofollow'] : [] })];
      await recordPage(db, makeSnapshot(`https://www.s${p % 6}.com/p${p}`, links), at(p));
    }
    expect(await loadHead(db, HOT, {}, ROWS)).toBeNull();
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    // Built once: a second call finds it.
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([]);
    const head = (await loadHead(db, HOT, {}, ROWS))!;
    expect(head.summary.live).toBe(12);
    expect(head.summary.followed).toBe(9);
    expect(head.groups).toBe(6);
    // s1, s3 and s5 have two followed links, the others one: the first two shown, whole.
    expect(head.summary.groups.map((g) => [g.domain, g.links.length])).toEqual([
      ['s1.com', 2],
      ['s3.com', 2],
    ]);
    expect(await expectHeadExact(HOT, {})).toBe(true);
  });

  it("moves a page's links up when a revisit finds them unchanged, as the full read does", async () => {
    for (let p = 0; p < 12; p++) {
      await recordPage(db, makeSnapshot(`https://www.s0.com/p${p}`, [HOT]), at(p));
    }
    await ensureTargetStats(db, [HOT], 10);
    // Its link is not rewritten: the row kept for it takes the page's new visit.
    await recordPage(db, makeSnapshot('https://www.s0.com/p0', [HOT]), at(20));
    const head = (await loadHead(db, HOT, {}, POPUP_ROWS))!;
    expect(head.summary.groups[0]!.links[0]).toMatchObject({
      source: 'https://www.s0.com/p0',
      lastSeen: at(20),
    });
    expect(await expectHeadExact(HOT, {}, POPUP_ROWS)).toBe(true);
    await expectStatsExact();
  });

  it('is read from a database of an earlier version once upgraded (the index is built then)', async () => {
    const name = `head-v4-${Math.random()}`;
    const v4 = await openLegacyDb(name, 4);
    for (let p = 0; p < 5; p++) {
      await v4.put('links', makeLink(`https://www.s${p}.com/`, HOT, { anchor: `a${p}` }));
    }
    v4.close();
    db = await openBacklinkDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.count('target-stats')).toBe(0);
    // Still in the old store (the worker moves them later): read there, exactly.
    expect(await db.countFromIndex('links-v1', 'by_target_source_domain', [HOT, 's3.com'])).toBe(1);
    await ensureTargetStats(db, [HOT], 1);
    expect(await expectHeadExact(HOT, {})).toBe(true);
    await moveOldLinks(db);
    expect(await db.countFromIndex('links', 'by_target_source_domain', [HOT, 's3.com'])).toBe(1);
    expect(await expectHeadExact(HOT, {})).toBe(true);
    db.close();
  });
});

describe('firstInOrder', () => {
  it('gives what sort and slice give, ties in input order, without sorting everything', () => {
    const random = seededRandom(9);
    for (let run = 0; run < 50; run++) {
      const items = Array.from({ length: Math.floor(random() * 300) }, (_, i) => ({
        i,
        v: Math.floor(random() * 20),
      }));
      const k = Math.floor(random() * 40);
      const compare = (a: { v: number }, b: { v: number }) => a.v - b.v;
      expect(firstInOrder(items, k, compare)).toEqual([...items].sort(compare).slice(0, k));
    }
  });
});

describe('the head of a report table', () => {
  it('reads the groups that hold the first rows, whole, and no more', async () => {
    // Six domains, the first in order with 3 links, the others with 2 or 1.
    for (let p = 0; p < 12; p++) {
      const links = [rawLink(HOT, { anchor: `a${p}` })];
      const domain = p < 3 ? 0 : 1 + (p % 5);
      await recordPage(db, makeSnapshot(`https://www.s${domain}.com/p${p}`, links), at(p));
    }
    await ensureTargetStats(db, [HOT], 10);
    const head = (await loadHead(db, HOT, {}, { domains: 0, rows: 4 }))!;
    expect(head.summary.groups.map((g) => [g.domain, g.links.length])).toEqual([
      ['s0.com', 3],
      ['s1.com', 2],
    ]);
    expect(head.groups).toBe(6);
    expect(await expectHeadExact(HOT, {}, { domains: 0, rows: 4 })).toBe(true);
  });

  it("is given once its answers are in, before its read-only transaction's commit", async () => {
    for (let p = 0; p < 4; p++) {
      await recordPage(db, makeSnapshot(`https://www.s${p}.com/p`, [rawLink(HOT)]), at(p));
    }
    await ensureTargetStats(db, [HOT], 3);
    // The commit is one more round trip to the browser before the first rows (issue 7).
    expect(await firstReadAndCommit({ domains: 0, rows: 2 })).toEqual(['head', 'commit']);
  });
});

/**
 * What came first: the first read of HOT (its kind) or the commit of its transaction (the one
 * whose scope has target-stats).
 */
async function firstReadAndCommit(rows: HeadRows): Promise<string[]> {
  const events: string[] = [];
  let committed: Promise<void> | undefined;
  const transactionOf = IDBDatabase.prototype.transaction;
  const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
    this: IDBDatabase,
    ...args: Parameters<IDBDatabase['transaction']>
  ) {
    const tx = transactionOf.apply(this, args);
    if (tx.objectStoreNames.contains('target-stats')) {
      committed = new Promise((resolve) =>
        tx.addEventListener('complete', () => resolve(void events.push('commit'))),
      );
    }
    return tx;
  });
  try {
    const first = await loadFirstRead(db, HOT, {}, rows);
    events.push(first.kind);
  } finally {
    spy.mockRestore();
  }
  await committed;
  return events;
}

describe('the rows kept with an aggregate', () => {
  /** One domain's group of `n` links into HOT, from `n` pages of it, the later ones newer. */
  async function recordGroup(n: number): Promise<string[]> {
    const pages = Array.from({ length: n }, (_, p) => `https://www.s0.com/p${p}`);
    for (const [p, url] of pages.entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(HOT)]), at(p));
    }
    return pages;
  }

  it('give the popup its first render in one get: no group or linking page read', async () => {
    await recordGroup(12);
    await ensureTargetStats(db, [HOT], 10);
    const reads: string[] = [];
    // Every get of a store and getAll of an index, by name, passed through.
    const getOf = IDBObjectStore.prototype.get;
    const getAllOf = IDBIndex.prototype.getAll;
    const spied = [
      vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (
        this: IDBObjectStore,
        key: IDBValidKey | IDBKeyRange,
      ) {
        reads.push(`${this.name}.get`);
        return getOf.call(this, key);
      }),
      vi.spyOn(IDBIndex.prototype, 'getAll').mockImplementation(function (
        this: IDBIndex,
        ...args: Parameters<IDBIndex['getAll']>
      ) {
        reads.push(`${this.name}.getAll`);
        return getAllOf.apply(this, args);
      }),
    ];
    try {
      const head = (await loadHead(db, HOT, {}, { domains: 30, perDomain: 5 }))!;
      expect(head.summary.groups.map((g) => [g.domain, g.links.length, g.size])).toEqual([
        ['s0.com', 5, 12],
      ]);
    } finally {
      spied.forEach((s) => s.mockRestore());
    }
    expect(reads.filter((r) => r === 'target-stats.get')).toHaveLength(1);
    expect(reads.filter((r) => r === 'pages.get')).toHaveLength(1); // the page itself
    expect(reads).not.toContain('by_target_source_domain.getAll');
    expect(await expectHeadExact(HOT, {}, { domains: 30, perDomain: 5 })).toBe(true);
  });

  it('are put again only when a write changes them', async () => {
    // 45 groups of one page each: the record keeps the rows of 40 (GROUPS_KEPT).
    const pages = Array.from({ length: 45 }, (_, d) => `https://www.d${d}.com/post`);
    for (const [p, url] of pages.entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(HOT)]), at(p));
    }
    await ensureTargetStats(db, [HOT], 10);
    const kept = Object.keys((await db.get('target-stats', HOT))!.rows!);
    expect(kept).toHaveLength(40);
    const outside = pages.find((url) => !kept.includes(registrableDomain(hostOf(url))))!;
    const inside = pages.find((url) => kept.includes(registrableDomain(hostOf(url))))!;
    const putOf = IDBObjectStore.prototype.put;
    const puts: string[] = [];
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      puts.push(this.name);
      return putOf.apply(this, args);
    });
    try {
      // A revisit that changes no count and no kept row: the record stays as it is.
      await recordPage(db, makeSnapshot(outside, [rawLink(HOT)]), at(50));
      expect(puts).not.toContain('target-stats');
      // A revisit of a page with kept rows: its row shows the new visit.
      await recordPage(db, makeSnapshot(inside, [rawLink(HOT)]), at(51));
      expect(puts.filter((name) => name === 'target-stats')).toHaveLength(1);
      // A link lost outside the kept rows still changes the counts.
      await recordPage(db, makeSnapshot(outside, []), at(52));
      expect(puts.filter((name) => name === 'target-stats')).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });

  it('are read from the links once too few are known, and refilled by the worker', async () => {
    const pages = await recordGroup(12);
    await ensureTargetStats(db, [HOT], 10);
    const record = async () => (await db.get('target-stats', HOT))!;
    expect((await record()).rows!['s0.com']).toHaveLength(8);
    // The newest pages drop their link: each lost link goes last, and the link after the kept
    // rows (never read) may come before it, so the rows kept shrink by one each time.
    for (const [i, url] of pages.slice(-3).reverse().entries()) {
      await recordPage(db, makeSnapshot(url, []), at(20 + i));
    }
    expect((await record()).rows!['s0.com']).toHaveLength(5);
    expect((await record()).refill).toBeUndefined();
    // Five rows do for five links a group, not for six: those are read from the links.
    expect(await expectHeadExact(HOT, {}, { domains: 30, perDomain: 5 })).toBe(true);
    expect(await expectHeadExact(HOT, {}, { domains: 30, perDomain: 6 })).toBe(true);
    await recordPage(db, makeSnapshot(pages[8]!, []), at(30));
    expect((await record()).rows!['s0.com']).toBeUndefined();
    expect((await record()).refill).toBe(HOT);
    expect(await expectHeadExact(HOT, {}, { domains: 30, perDomain: 5 })).toBe(true);
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    expect((await record()).rows!['s0.com']).toHaveLength(8);
    expect((await record()).refill).toBeUndefined();
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 8 });
  });
});

/** Tell `onWrite` the scope of each write transaction opened from now; returns the undo. */
function watchWrites(onWrite: (scope: string) => void): () => void {
  const proto = Object.getPrototypeOf(unwrap(db)) as IDBDatabase;
  const transaction = proto.transaction;
  proto.transaction = function (this: IDBDatabase, ...args: Parameters<typeof transaction>) {
    if (args[1] === 'readwrite') onWrite(String(args[0]));
    return transaction.apply(this, args);
  } as typeof transaction;
  return () => {
    proto.transaction = transaction;
  };
}

describe('groups of equal counts on a hot page', () => {
  // 60 referring domains of one link each: the popup shows 30 of them.
  const SHOWN: HeadRows = { domains: 30, perDomain: 5 };
  const domains = Array.from({ length: 60 }, (_, d) => `d${String(d).padStart(2, '0')}.com`);
  /** Scores unrelated to the names, every tenth domain unscored. */
  const shuffled = new Map(
    domains.filter((_d, i) => i % 10 !== 0).map((d, i) => [d, ((i * 37) % 59) + 0.5]),
  );
  /** The order a person expects: strongest first, then the unscored by name. */
  const strongestFirst = (scores: ReadonlyMap<string, number>) =>
    [...domains].sort((a, b) => (scores.get(b) ?? -1) - (scores.get(a) ?? -1) || (a < b ? -1 : 1));
  const shownOrder = async () =>
    (await loadHead(db, HOT, {}, SHOWN))!.summary.groups.map((g) => g.domain);

  beforeEach(async () => {
    for (const [p, domain] of domains.entries()) {
      await recordPage(db, makeSnapshot(`https://www.${domain}/post`, [rawLink(HOT)]), at(p));
    }
  });

  it('are shown strongest first, the full read in the same order, from one get', async () => {
    await writeDomainScores(shuffled);
    const cold = await roundsOf(() => loadBacklinks(db, HOT));
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    // The full read asks for the kept scores with its first round: no round more.
    const full = await roundsOf(() => loadBacklinks(db, HOT));
    expect(full.rounds).toBe(cold.rounds);
    expect(Object.keys(full.result!.domainAuthority!)).toHaveLength(shuffled.size);
    expect(await shownOrder()).toEqual(strongestFirst(shuffled).slice(0, 30));
    // The full read that replaces the head ranks them as it did: no row moves.
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    // The shown groups' rows are kept with the aggregate: nothing to read but the record.
    const record = (await db.get('target-stats', HOT))!;
    expect(record.refill).toBeUndefined();
    expect(
      strongestFirst(shuffled)
        .slice(0, 30)
        .every((d) => record.rows![d]),
    ).toBe(true);
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });

  it('follow the next computation, with the rows of the groups now shown', async () => {
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    // Built before any computation: by name, as before scores were kept.
    expect(await shownOrder()).toEqual(domains.slice(0, 30));
    await writeDomainScores(shuffled);
    expect(await shownOrder()).toEqual(strongestFirst(shuffled).slice(0, 30));
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    expect((await db.get('target-stats', HOT))!.refill).toBeUndefined();
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
    // Scores that did not move leave the record as it is.
    expect(await refreshStatsAuthority(db)).toEqual([]);
    const reversed = new Map([...shuffled].map(([d, v]) => [d, 100 - v]));
    await writeDomainScores(reversed);
    expect(await shownOrder()).toEqual(strongestFirst(reversed).slice(0, 30));
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    // A new domain ranks as unscored until the next computation; a write keeps it exact.
    await recordPage(db, makeSnapshot('https://www.new.com/post', [rawLink(HOT)]), at(70));
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });

  it("are put by the refresh in a write of the aggregates' store alone, their rows read before", async () => {
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    await writeDomainScores(shuffled);
    // The write transactions that hold the aggregates (a popup's read waits for them).
    const scopes: string[] = [];
    const restore = watchWrites((scope) => {
      if (scope.includes('target-stats')) scopes.push(scope);
    });
    const reversed = new Map([...shuffled].map(([d, v]) => [d, 100 - v]));
    const refreshed = await countRequestsOf(() => writeDomainScores(reversed)).finally(restore);
    // A get and a put: the rows of the groups now first were read before, read-only.
    expect(scopes).toEqual(['target-stats']);
    expect(refreshed.count.byName['target-stats.put']).toBe(1);
    expect(refreshed.count.byName['links.by_target_source_domain.getAll']).toBeGreaterThan(0);
    expect(await shownOrder()).toEqual(strongestFirst(reversed).slice(0, 30));
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });

  it("keep a page recorded between the refresh's read and its write", async () => {
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual([HOT]);
    const read = (await db.get('target-stats', HOT))!;
    await recordPage(db, makeSnapshot('https://www.new.com/post', [rawLink(HOT)]), at(70));
    const written = (await db.get('target-stats', HOT))!;
    // The refresh reads the record as it was; the page's write lands just before its own.
    await db.put('target-stats', read);
    const restore = watchWrites((scope) => {
      if (scope !== 'target-stats') return;
      restore();
      unwrap(db).transaction('target-stats', 'readwrite').objectStore('target-stats').put(written);
    });
    await writeDomainScores(shuffled).finally(restore);
    const record = (await db.get('target-stats', HOT))!;
    expect(record.domains['new.com']).toBeDefined();
    // Its rows are those of the write, the groups now first among them read at its next build.
    expect(await expectHeadExact(HOT, {}, SHOWN)).toBe(true);
    expect(await ensureTargetStats(db, [HOT], 10)).toEqual(record.refill ? [HOT] : []);
    expect(await shownOrder()).toEqual(strongestFirst(shuffled).slice(0, 30));
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });

  it("are refilled without reading every domain's score: a build reads them", async () => {
    await writeDomainScores(shuffled);
    const scoreReads = (byName: Record<string, number>) =>
      Object.keys(byName).filter((name) => name.startsWith('authority'));
    const built = await countRequestsOf(() => ensureTargetStats(db, [HOT], 10));
    expect(built.result).toEqual([HOT]);
    expect(scoreReads(built.count.byName)).toEqual(['authority-scores.getAll']);
    // A kept group's rows gone (as after writes of its linking pages): marked for a refill.
    const record = (await db.get('target-stats', HOT))!;
    const [first] = strongestFirst(shuffled);
    delete record.rows![first!];
    markRefill(record);
    expect(record.refill).toBe(HOT);
    await db.put('target-stats', record);
    const refilled = await countRequestsOf(() => ensureTargetStats(db, [HOT], 10));
    expect(refilled.result).toEqual([HOT]);
    expect(scoreReads(refilled.count.byName)).toEqual([]);
    expect(await shownOrder()).toEqual(strongestFirst(shuffled).slice(0, 30));
    expect(await expectStatsExact()).toEqual({ aggregates: 1, rows: 40 });
  });
});

describe('the first read of a page without aggregates (loadFirstRead)', () => {
  it('reads it whole in one transaction, as loadBacklinks does, its variants after, never counting its own links', async () => {
    for (const [p, url] of EXTERNAL.slice(0, 3).entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(HOT)]), at(p));
    }
    // Two variants of the page: its trailing slash and a query.
    await recordPage(
      db,
      makeSnapshot(EXTERNAL[3]!, [rawLink(SLASH), rawLink(`${HOT}?ref=a`)]),
      at(4),
    );
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const countOf = IDBIndex.prototype.count;
    const counted: Array<{ index: string; query?: IDBValidKey | IDBKeyRange }> = [];
    const counts = vi.spyOn(IDBIndex.prototype, 'count').mockImplementation(function (
      this: IDBIndex,
      query?: IDBValidKey | IDBKeyRange,
    ) {
      counted.push({ index: this.name, query });
      return countOf.call(this, query);
    });
    let first: Awaited<ReturnType<typeof loadFirstRead>> | undefined;
    try {
      first = await loadFirstRead(db, HOT, {}, { domains: 30, perDomain: 5 });
      expect(transactions).toHaveBeenCalledTimes(1);
      // No variant is folded: the first read does not look them up.
      expect(counted).toEqual([]);
      const full = (await loadBacklinks(db, HOT))!;
      counted.length = 0;
      expect(first).toEqual({
        kind: 'report',
        report: { ...full, variants: [] },
        variantsLater: true,
      });
      expect(await loadVariants(db, first.kind === 'report' ? first.report! : full)).toEqual(
        full.variants,
      );
      expect(full.variants.map((v) => v.url).sort()).toEqual([SLASH, `${HOT}?ref=a`].sort());
    } finally {
      transactions.mockRestore();
      counts.mockRestore();
    }
    // Variants are counted, but never over a range that holds the URL's own links: Chromium
    // counts by walking the range, so a hot page (or a whole host) would cost its every link.
    const targetCounts = counted.filter((c) => c.index === 'by_target');
    expect(targetCounts.length).toBeGreaterThan(0);
    const holdsUrl = (q?: IDBValidKey | IDBKeyRange) =>
      q === undefined || q === HOT || (q instanceof IDBKeyRange && q.includes(HOT));
    expect(targetCounts.filter((c) => holdsUrl(c.query))).toEqual([]);
    expect(first?.kind === 'report' && first.report?.links).toHaveLength(3);
  });

  it('lists the variants with the first read when some are folded: they count then', async () => {
    for (const [p, url] of EXTERNAL.slice(0, 3).entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(HOT), rawLink(SLASH)]), at(p));
    }
    const first = await loadFirstRead(db, HOT, FOLDED, { domains: 30, perDomain: 5 });
    const full = (await loadBacklinks(db, HOT, FOLDED))!;
    expect(first).toEqual({ kind: 'report', report: full, variantsLater: false });
    expect(full.variants).toEqual([expect.objectContaining({ url: SLASH, folded: true })]);
    expect(full.links).toHaveLength(6);
  });

  it('asks what a raw read of its rows asks, its ties and its aggregate: no variant, no old store', async () => {
    // Seven linking pages on seven domains, as a cold target of the storage-scale bench.
    for (let p = 0; p < 7; p++) {
      await recordPage(db, makeSnapshot(`https://www.s${p}.com/p${p}`, [rawLink(HOT)]), at(p));
    }
    // The variants' addresses hold links: still none is asked.
    await recordPage(
      db,
      makeSnapshot('https://www.s7.com/x', [rawLink(SLASH), rawLink(`${HOT}?a=1`)]),
      at(8),
    );
    // As a screen's connection after its first read: it knows the old link store empty.
    expect(oldStoreDrained(db)).toBe(true);
    const counting = countRequests();
    let byName: Record<string, number> = {};
    const first = await loadFirstRead(db, HOT, {}, POPUP_ROWS).finally(
      () => ({ byName } = counting.stop()),
    );
    expect(first.kind === 'report' && first.report?.links).toHaveLength(7);
    // A raw read of the rows: the page, its links, and each linking page (storage-scale). Its
    // links here by [target, source domain] with their keys (firstLinksOf): the same entries.
    const raw = { 'pages.get': 1 + 7, 'links.by_target_source_domain.getAllRecords': 1 };
    expect(byName).toEqual({
      ...raw,
      // Whether it has an alias or a redirect (it has none: storage/ties.ts), its aggregate.
      'ties.getKey': 1,
      'target-stats.get': 1,
    });
  });

  /** Linking pages of HOT: two domains of two pages each, and two domains of one page. */
  async function recordCold(): Promise<void> {
    const sources = [...EXTERNAL.slice(0, 4), 'https://one.org/a', 'https://two.net/b'];
    for (const [p, url] of sources.entries()) {
      await recordPage(db, makeSnapshot(url, [rawLink(HOT)]), at(p));
    }
  }

  it('takes two rounds, as a raw read of its rows: the lookup with its links, then their pages', async () => {
    await recordCold();
    const first = await roundsOf(() => loadFirstRead(db, HOT, {}, POPUP_ROWS));
    const full = await roundsOf(() => loadBacklinks(db, HOT));
    expect(first.result).toEqual({
      kind: 'report',
      report: { ...full.result, variants: [] },
      variantsLater: true,
    });
    expect(full.result?.links).toHaveLength(6);
    expect(Object.keys(full.result!.sources)).toHaveLength(6);
    expect(first.rounds).toBe(2);
    expect(full.rounds).toBe(2);
  });

  it("is given once its answers are in, before its read-only transaction's commit", async () => {
    await recordCold();
    // As a hot page's head: the commit is one more round trip before the rows (issue 7).
    expect(await firstReadAndCommit(POPUP_ROWS)).toEqual(['report', 'commit']);
  });

  it('reads a page with more links than its first round asks for once, but for one domain', async () => {
    // 120 linking pages on 40 domains (3 each): more than the first round asks for, too few
    // for an aggregate.
    const sources = Array.from({ length: 120 }, (_, p) => `https://www.s${p % 40}.com/p${p}`);
    await recordPages(
      db,
      sources.map((url, p) => ({ snapshot: makeSnapshot(url, [rawLink(HOT)]), at: at(p) })),
    );
    const { result: first, count } = await countRequestsOf(() =>
      loadFirstRead(db, HOT, {}, POPUP_ROWS),
    );
    const full = (await loadBacklinks(db, HOT))!;
    expect(first).toEqual({
      kind: 'report',
      report: { ...full, variants: [] },
      variantsLater: true,
    });
    expect(full.links).toHaveLength(120);
    // Entries: its 120 links, the links of the domain the first round stopped in read again
    // (3 at most), and the 120 linking pages; not the first round's links all read again.
    expect(count.records).toBeLessThanOrEqual(120 + 3 + 120);
    expect(count.rounds).toBe(3);
  });

  it('reads a page with more links than its first round asks for in both link stores, in order', async () => {
    const name = `head-two-stores-${Math.random()}`;
    const v4 = await openLegacyDb(name, 4);
    for (let p = 0; p < 70; p++) {
      await v4.put(
        'links',
        makeLink(`https://www.s${p % 20}.com/old${p}`, HOT, { anchor: `a${p}` }),
      );
    }
    v4.close();
    db = await openBacklinkDb(name);
    const sources = Array.from({ length: 60 }, (_, p) => `https://www.n${p % 25}.com/p${p}`);
    await recordPages(
      db,
      sources.map((url, p) => ({ snapshot: makeSnapshot(url, [rawLink(HOT)]), at: at(p) })),
    );
    expect(await db.countFromIndex('links-v1', 'by_target', HOT)).toBe(70);
    expect(await db.countFromIndex('links', 'by_target', HOT)).toBe(60);
    const first = await loadFirstRead(db, HOT, {}, POPUP_ROWS);
    const full = (await loadBacklinks(db, HOT))!;
    expect(full.links).toHaveLength(130);
    expect(first).toEqual({
      kind: 'report',
      report: { ...full, variants: [] },
      variantsLater: true,
    });
    db.close();
  });

  it('reads a page with more links than its first round asks for whole', async () => {
    const sources = Array.from(
      { length: HOT_TARGET_LINKS + 3 },
      (_, p) => `https://www.s${p % 40}.com/p${p}`,
    );
    await recordPages(
      db,
      sources.map((url, p) => ({ snapshot: makeSnapshot(url, [rawLink(HOT)]), at: at(p) })),
    );
    expect(await db.count('target-stats')).toBe(0);
    const first = await loadFirstRead(db, HOT, {}, POPUP_ROWS);
    expect(first.kind === 'report' && first.report?.links).toHaveLength(HOT_TARGET_LINKS + 3);
    const full = (await loadBacklinks(db, HOT))!;
    expect(first).toEqual({
      kind: 'report',
      report: { ...full, variants: [] },
      variantsLater: true,
    });
  }, 60_000);
});

describe("a screen's connection (platform/db-connection.ts)", () => {
  /** Requests by name of a first read of HOT on a connection just opened, and its links. */
  async function firstReadOfNew(folds: Folds): Promise<{ byName: Record<string, number> }> {
    const screen = await openBacklinkDb(db.name);
    expect(oldStoreDrained(screen)).toBe(false);
    const counting = countRequests();
    let byName: Record<string, number> = {};
    const first = await loadFirstRead(screen, HOT, folds, POPUP_ROWS).finally(() => {
      ({ byName } = counting.stop());
    });
    expect(first.kind === 'report' && first.report?.links).toHaveLength(1);
    expect(oldStoreDrained(screen)).toBe(true);
    screen.close();
    return { byName };
  }

  it.each([
    ['no folds', {}],
    ['folded variants, counted in its first round', FOLDED],
  ] as const)(
    'has its first read ask whether the old store is empty, then read the new one only (%s)',
    async (_name, folds) => {
      await recordPage(db, makeSnapshot(EXTERNAL[0]!, [rawLink(HOT)]), at(1));
      const { byName } = await firstReadOfNew(folds);
      // One question of the old store (its first key), inside the read: no link read of it.
      const old = Object.entries(byName).filter(([name]) => name.startsWith('links-v1'));
      expect(old).toEqual([['links-v1.getAllKeys', 1]]);
      expect(byName['links.by_target_source_domain.getAllRecords']).toBe(1);
    },
  );

  it.each([
    ['the popup', POPUP_ROWS],
    ["the report page's table", TABLE_ROWS],
  ] as const)(
    'reads no link of a hot page in the first round on a new connection, one round in all (%s)',
    async (_name, rows) => {
      await recordPage(db, makeSnapshot(EXTERNAL[0]!, [rawLink(HOT)]), at(1));
      await recordPage(db, makeSnapshot(EXTERNAL[2]!, [rawLink(HOT)]), at(2));
      await ensureTargetStats(db, [HOT], 1);
      const screen = await openBacklinkDb(db.name);
      expect(oldStoreDrained(screen)).toBe(false);
      const counting = countRequests();
      let count: ReturnType<typeof counting.stop> | undefined;
      const first = await loadFirstRead(screen, HOT, {}, rows).finally(
        () => (count = counting.stop()),
      );
      screen.close();
      expect(first.kind === 'head' && first.head.summary.groups.length).toBe(2);
      // Its rows are kept with its aggregate: no link is read, and nothing waits for a round.
      const links = Object.keys(count!.byName).filter((name) => name.startsWith('links.'));
      expect(links).toEqual([]);
      expect(count!.rounds).toBe(1);
    },
  );

  it('asks nothing as it opens: the first read asks the old store once, the next read not', async () => {
    const counting = countRequests();
    let byName: Record<string, number> = {};
    const screen = await getDb();
    const first = await loadFirstRead(screen, HOT, {}, POPUP_ROWS);
    const full = await loadBacklinks(screen, HOT).finally(() => ({ byName } = counting.stop()));
    expect(first.kind === 'report' && first.report?.links).toEqual([]);
    expect(full?.links).toEqual([]);
    const old = Object.entries(byName).filter(([name]) => name.startsWith('links-v1'));
    expect(old).toEqual([['links-v1.getAllKeys', 1]]);
    screen.close();
  });
});
