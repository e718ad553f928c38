import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NUMBER_KEYS_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { hintHotTargets } from '../../src/storage/hot-targets';
import { countLiveBacklinks, loadBacklinks } from '../../src/storage/queries';
import { importAll, recordPage } from '../../src/storage/records';
import { removePages } from '../../src/storage/retention';
import { moveOldLinks } from '../../src/storage/link-move';
import { registrableDomain } from '../../src/core/domain';
import { hostOf } from '../../src/core/url';
import type { LinkRecord } from '../../src/core/types';
import { recordPages } from '../../src/storage/bulk';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';
import { countRequestsOf } from '../support/idb-requests';
import { at, closeTestDbs, makeLink, makeSnapshot, openTestDb } from './helpers';

// The badge (countLiveBacklinks) in the worker, whose connection knows which pages have an
// aggregate (background/hot-targets.ts): issue 7, the badge within 2x of a raw key count.

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const COLD = 'https://cold.com/page';
const HOT = 'https://hot.com/page';

/** `n` pages on their own sites linking to `target`; the first loses its link a day later. */
async function linkTo(target: string, n: number): Promise<void> {
  const source = (i: number) => `https://s${i}.to-${target.replace(/\W/g, '')}.com/p`;
  await recordPages(
    db,
    Array.from({ length: n }, (_, i) => ({
      snapshot: makeSnapshot(source(i), [target]),
      at: at(0),
    })),
  );
  await recordPage(db, makeSnapshot(source(0), ['https://elsewhere.com/']), at(1));
}

const tell = (hot: readonly string[]) => {
  const hint = parseHotTargets(storedHotTargets(hot));
  hintHotTargets(db, () => hint);
};

const live = async (url: string) =>
  (await loadBacklinks(db, url))!.links.filter((l) => l.lostAt === null).length;

const linkReads = (byName: Record<string, number>) =>
  Object.keys(byName).filter((name) => name.startsWith('links'));

describe('the badge of a page with more links than an untold first round reads', () => {
  beforeEach(async () => {
    await linkTo(COLD, 76);
    await linkTo(HOT, 230);
    expect(await ensureTargetStats(db, [HOT])).toEqual([HOT]);
  });

  it('counts a page told cold in one round: read at first, then counted; untold, in two', async () => {
    const untold = await countRequestsOf(() => countLiveBacklinks(db, COLD));
    tell([HOT]);
    const first = await countRequestsOf(() => countLiveBacklinks(db, COLD));
    const next = await countRequestsOf(() => countLiveBacklinks(db, COLD));
    for (const { result } of [untold, first, next]) expect(result).toBe(75);
    expect(await live(COLD)).toBe(75);
    expect(untold.count.rounds).toBe(2);
    expect(first.count.rounds).toBe(1);
    expect(next.count.rounds).toBe(1);
    // Told cold, no aggregate to get: its links and the ties, two requests.
    expect(untold.count.byName['target-stats.get']).toBe(1);
    expect(linkReads(first.count.byName)).toEqual(['links.by_target.getAll']);
    expect(first.count.requests).toBe(2);
    // Its 76 links seen, the next badge counts, reading none: the ties, and its links in, lost
    // and from its own site (cold.com, the one candidate).
    expect(linkReads(next.count.byName)).toEqual([
      'links.by_target.count',
      'links.by_target_lost.count',
      'links.by_target_source_domain.count',
    ]);
    expect(next.count.requests).toBe(4);
  });

  it('reads no link of a page told hot: its aggregate answers', async () => {
    tell([HOT]);
    const told = await countRequestsOf(() => countLiveBacklinks(db, HOT));
    expect(told.result).toBe(229);
    expect(await live(HOT)).toBe(229);
    expect(told.count.rounds).toBe(1);
    expect(linkReads(told.count.byName)).toEqual([]);
  });

  it('counts the same when the hint is wrong either way', async () => {
    tell([COLD]);
    expect(await countLiveBacklinks(db, COLD)).toBe(75);
    expect(await countLiveBacklinks(db, HOT)).toBe(229);
    tell([]);
    // Read (its first 200 links, then counted), then counted from the start.
    expect(await countLiveBacklinks(db, HOT)).toBe(229);
    expect(await countLiveBacklinks(db, HOT)).toBe(229);
  });
});

describe('the badge of a page told cold with many links: counted, its links not read', () => {
  // Four candidate sites (www.blog.example.co.uk … co.uk); its own is example.co.uk.
  const PAGE = 'https://www.blog.example.co.uk/post';
  const SITE = registrableDomain(hostOf(PAGE));
  const others = Array.from({ length: 60 }, (_, i) => `https://www.s${i}.com/p`);

  beforeEach(async () => {
    // The tab's page itself was visited (the badge's usual case): it has links out.
    const out = Array.from({ length: 20 }, (_, i) => `https://elsewhere.com/${i}`);
    await recordPage(db, makeSnapshot(PAGE, out), at(0));
    await recordPages(
      db,
      others.map((url) => ({ snapshot: makeSnapshot(url, [PAGE]), at: at(0) })),
    );
    await recordPage(db, makeSnapshot(others[0]!, []), at(1)); // lost
    tell([]);
    // Its first badge reads its links: from then on it is known to have many.
    expect(await countLiveBacklinks(db, PAGE)).toBe(59);
  });

  /** Requests of the link stores that read records, not keys or counts. */
  const valueReads = (byName: Record<string, number>) =>
    linkReads(byName).filter((name) => !/\.(count|getKey|getAllKeys|openKeyCursor)$/.test(name));

  const importSelfLinks = (links: LinkRecord[]) =>
    importAll(db, { pages: [], links, redirects: [], referrals: [], skipped: 0 });

  it('reads no link record when no page of its own site links to it: one round', async () => {
    const { result, count } = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    expect(result).toBe(await live(PAGE));
    expect(result).toBe(59);
    expect(valueReads(count.byName)).toEqual([]);
    expect(count.rounds).toBe(1);
    // Each site a link from the page could be stored under, counted.
    expect(count.byName['links.by_target_source_domain.count']).toBe(4);
  });

  it('reads only the links from its own site, leaving out its live self-links', async () => {
    for (const url of ['https://www.blog.example.co.uk/a', 'https://shop.example.co.uk/']) {
      await recordPage(db, makeSnapshot(url, [PAGE]), at(0));
    }
    // Links from the page to itself, as an import brings them (recording never stores one):
    // live, lost, and one stored under another site of its host (an older suffix list's).
    const self = (anchor: string, overrides: Partial<LinkRecord> = {}) =>
      makeLink(PAGE, PAGE, { anchor, sourceDomain: SITE, ...overrides });
    await importSelfLinks([
      self('live'),
      self('lost', { lostAt: at(1), lastSeen: at(0) }),
      self('older list', { sourceDomain: 'blog.example.co.uk' }),
    ]);
    const { result, count } = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    expect(result).toBe(await live(PAGE));
    expect(result).toBe(61);
    // The 4 links from example.co.uk and the one from blog.example.co.uk, not the 60 others.
    expect(valueReads(count.byName)).toEqual(['links.by_target_source_domain.getAll']);
    expect(count.byName['links.by_target_source_domain.getAll']).toBe(2);
    expect(count.rounds).toBe(2);
  });

  it('counts as loadBacklinks once links are pruned, and reads a page left with few', async () => {
    await linkTo(HOT, 230);
    expect(await ensureTargetStats(db, [HOT])).toEqual([HOT]);
    await importSelfLinks([makeLink(PAGE, PAGE, { sourceDomain: SITE })]);
    // Retention takes pages and the links on them: some of the page's sources, the lost one too.
    await removePages(db, [...others.slice(0, 5), 'https://s1.to-httpshotcompage.com/p']);
    for (const url of [PAGE, HOT]) expect(await countLiveBacklinks(db, url)).toBe(await live(url));
    expect(await countLiveBacklinks(db, PAGE)).toBe(55);
    expect(await countLiveBacklinks(db, HOT)).toBe(228);
    // Left with fewer than are worth counting: counted once more, read from then on.
    await removePages(db, others.slice(5, 15));
    const counted = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    const read = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    expect([counted.result, read.result]).toEqual([45, 45]);
    expect(await live(PAGE)).toBe(45);
    // Counted: only its self-link's site read (see above).
    expect(valueReads(counted.count.byName)).toEqual(['links.by_target_source_domain.getAll']);
    expect(valueReads(read.count.byName)).toEqual(['links.by_target.getAll']);
  });
});

describe('the badge of a page told cold, links in the old store', () => {
  const PAGE = 'https://cold.com/page';

  it('keeps reading a page whose many links are from its own site: the count would read them', async () => {
    // A site's navigation: 70 of its own pages link to it, 3 pages elsewhere.
    const NAV = 'https://www.docs.example.org/guide';
    const own = Array.from({ length: 70 }, (_, i) => `https://docs.example.org/p${i}`);
    const elsewhere = ['https://a.com/', 'https://b.com/', 'https://c.com/'];
    await recordPages(
      db,
      [...own, ...elsewhere].map((url) => ({ snapshot: makeSnapshot(url, [NAV]), at: at(0) })),
    );
    tell([]);
    const first = await countRequestsOf(() => countLiveBacklinks(db, NAV));
    const next = await countRequestsOf(() => countLiveBacklinks(db, NAV));
    expect([first.result, next.result]).toEqual([73, 73]);
    expect(await live(NAV)).toBe(73);
    // Read both times (2 requests): 3 links from elsewhere are too few to count it from.
    for (const { count } of [first, next]) {
      expect(linkReads(count.byName)).toEqual(['links.by_target.getAll']);
      expect(count.requests).toBe(2);
    }
  });

  it('reads and counts the links of both stores, before the move and after it', async () => {
    const name = `badge-v1-${Math.random()}`;
    const old = await openBacklinkDb(name, () => {}, NUMBER_KEYS_VERSION - 1);
    const tx = old.transaction('links', 'readwrite');
    // Under [source, target, anchor] then: the key is in the record.
    const store = tx.objectStore('links') as unknown as { put(l: LinkRecord): Promise<unknown> };
    const links = [
      ...Array.from({ length: 58 }, (_, i) =>
        makeLink(`https://s${i}.com/`, PAGE, i < 2 ? { lostAt: at(1), lastSeen: at(0) } : {}),
      ),
      makeLink('https://cold.com/other', PAGE),
      makeLink(PAGE, PAGE), // a self-link (cold.com, its site)
    ];
    await Promise.all([...links.map((l) => store.put(l)), tx.done]);
    old.close();
    db = await openBacklinkDb(name);
    await recordPage(db, makeSnapshot('https://new.com/', [PAGE]), at(2)); // the new store
    tell([]);
    expect(await db.count('links-v1')).toBe(60);
    expect(await live(PAGE)).toBe(58);
    const read = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    const counted = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    expect([read.result, counted.result]).toEqual([58, 58]);
    expect(counted.count.byName['links-v1.by_target.count']).toBe(1);
    await moveOldLinks(db);
    expect(await db.count('links-v1')).toBe(0);
    expect(await countLiveBacklinks(db, PAGE)).toBe(58);
    db.close();
  });
});
