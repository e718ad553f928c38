import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_VERSION, openBacklinkDb, TIES_VERSION, type BacklinkDb } from '../../src/storage/db';
import { POPUP_ROWS } from '../../src/core/first-view';
import {
  clearAll,
  forgetSite,
  importAll,
  recordPage,
  recordRedirect,
} from '../../src/storage/records';
import { recordPages } from '../../src/storage/bulk';
import { removePages } from '../../src/storage/retention';
import { countLiveBacklinks, loadBacklinks } from '../../src/storage/queries';
import { loadFirstRead } from '../../src/storage/head';
import { tiesOfPage } from '../../src/storage/ties';
import type { ImportRows } from '../../src/core/transfer';
import type { PageRecord } from '../../src/core/types';
import { countRequestsOf } from '../support/idb-requests';
import {
  at,
  closeTestDbs,
  makeLink,
  makePage,
  makeRedirect,
  makeSnapshot,
  openTestDb,
} from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const PAGE = 'https://news.com/story';
const AMP = 'https://news.com/story/amp';
const OLD = 'https://news.com/2019/story';

/** `n` pages on their own sites linking to `target`, recorded on day `day`. */
const linkTo = (target: string, n: number, day = 0) =>
  recordPages(
    db,
    Array.from({ length: n }, (_, i) => ({
      snapshot: makeSnapshot(`https://s${i}.to-${target.replace(/\W/g, '')}.com/p`, [target]),
      at: at(day),
    })),
  );

/** The badge and the first read of `url` agree with loadBacklinks, which reads every lookup. */
async function expectExact(url: string): Promise<number> {
  const full = (await loadBacklinks(db, url))!;
  const live = full.links.filter((l) => l.lostAt === null).length;
  expect(await countLiveBacklinks(db, url)).toBe(live);
  const first = await loadFirstRead(db, url, {}, POPUP_ROWS);
  expect(first).toEqual({ kind: 'report', report: { ...full, variants: [] }, variantsLater: true });
  return live;
}

const emptyImport: ImportRows = {
  pages: [],
  links: [],
  redirects: [],
  referrals: [],
  skipped: 0,
};

describe('tiesOfPage', () => {
  it('ties a page to the URL it declares or stands for, and nothing to itself', () => {
    expect(tiesOfPage(makePage(PAGE))).toEqual([]);
    expect(tiesOfPage(makePage(PAGE, { canonical: PAGE }))).toEqual([]);
    expect(tiesOfPage(makePage(AMP, { canonical: PAGE }))).toEqual([AMP, PAGE]);
    expect(tiesOfPage(makePage(PAGE, { canonical: PAGE, aliasOf: AMP }))).toEqual([PAGE, AMP]);
  });
});

describe('a page without ties', () => {
  it('is badged in one round of three reads: its mark, its aggregate, its first links', async () => {
    await linkTo(PAGE, 3);
    await recordPage(db, makeSnapshot(PAGE, ['https://elsewhere.com/']), at(1));
    const { result, count } = await countRequestsOf(() => countLiveBacklinks(db, PAGE));
    expect(result).toBe(3);
    expect(count.rounds).toBe(1);
    expect(count.byName).toEqual({
      'ties.getKey': 1,
      'target-stats.get': 1,
      'links.by_target.getAll': 1,
    });
  });

  it('is read first without its alias and redirect lookups', async () => {
    await linkTo(PAGE, 3);
    const { result, count } = await countRequestsOf(() => loadFirstRead(db, PAGE, {}, POPUP_ROWS));
    expect(result.kind === 'report' && result.report?.links).toHaveLength(3);
    expect(count.rounds).toBe(2);
    expect(count.byStore['redirects']).toBeUndefined();
    expect(count.byName['pages.by_canonical.getAllKeys']).toBeUndefined();
    expect(count.byName['ties.getKey']).toBe(1);
  });
});

describe('a tie written after a first count', () => {
  it('by a page declaring a canonical counts at both URLs', async () => {
    await linkTo(PAGE, 3);
    await linkTo(AMP, 2);
    expect(await expectExact(PAGE)).toBe(3);
    expect(await expectExact(AMP)).toBe(2);
    await recordPage(db, makeSnapshot(AMP, [], { canonical: PAGE }), at(1));
    expect(await expectExact(PAGE)).toBe(5);
    expect(await expectExact(AMP)).toBe(5);
  });

  it('by the record kept under a canonical that the page no longer declares', async () => {
    const other = 'https://news.com/story-b';
    await linkTo(AMP, 2);
    await linkTo(PAGE, 3);
    await recordPage(db, makeSnapshot(AMP, [], { canonical: PAGE }), at(1));
    await recordPage(db, makeSnapshot(AMP, [], { canonical: other }), at(2));
    // PAGE's record still stands for AMP (aliasOf), though AMP declares another URL now.
    expect((await db.get('pages', PAGE))?.aliasOf).toBe(AMP);
    expect(await expectExact(PAGE)).toBe(5);
  });

  it('by a redirect counts at its target, and shows at its start', async () => {
    await linkTo(PAGE, 3);
    await linkTo(OLD, 2);
    expect(await expectExact(PAGE)).toBe(3);
    expect(await expectExact(OLD)).toBe(2);
    await recordRedirect(db, { from: OLD, to: PAGE, status: 301 }, at(1));
    expect(await expectExact(PAGE)).toBe(5);
    expect(await expectExact(OLD)).toBe(2);
    const first = await loadFirstRead(db, OLD, {}, POPUP_ROWS);
    expect(first.kind === 'report' && first.report?.redirect?.steps[0]?.url).toBe(PAGE);
  });

  it('by an import of pages and redirects counts them', async () => {
    await linkTo(PAGE, 3);
    await linkTo(AMP, 2);
    await linkTo(OLD, 1);
    expect(await expectExact(PAGE)).toBe(3);
    await importAll(db, {
      ...emptyImport,
      pages: [makePage(AMP, { canonical: PAGE })],
      redirects: [makeRedirect(OLD, PAGE)],
    });
    expect(await expectExact(PAGE)).toBe(6);
    expect(await expectExact(AMP)).toBe(6);
  });

  it('by an import of a redirect alone counts it', async () => {
    await linkTo(PAGE, 3);
    await linkTo(OLD, 1);
    expect(await expectExact(PAGE)).toBe(3);
    await importAll(db, { ...emptyImport, redirects: [makeRedirect(OLD, PAGE)] });
    expect(await expectExact(PAGE)).toBe(4);
  });

  it('by a bulk write of pages (bulk.ts) counts at both URLs', async () => {
    await linkTo(PAGE, 3);
    await linkTo(AMP, 2);
    expect(await expectExact(PAGE)).toBe(3);
    await recordPages(db, [{ snapshot: makeSnapshot(AMP, [], { canonical: PAGE }), at: at(1) }]);
    expect(await expectExact(PAGE)).toBe(5);
  });
});

describe('forgetting', () => {
  it("a site takes its URLs' marks, clearing takes all", async () => {
    await recordPage(db, makeSnapshot(AMP, [], { canonical: PAGE }), at(0));
    await recordRedirect(db, { from: 'https://a.org/x', to: 'https://a.org/y', status: 301 });
    expect((await db.getAllKeys('ties')).sort()).toEqual(
      [AMP, PAGE, 'https://a.org/x', 'https://a.org/y'].sort(),
    );
    await forgetSite(db, 'news.com');
    expect(await db.getAllKeys('ties')).toEqual(['https://a.org/x', 'https://a.org/y']);
    await clearAll(db);
    expect(await db.getAllKeys('ties')).toEqual([]);
  });

  it('a subdomain keeps the mark of a URL another host of its domain still declares', async () => {
    const root = 'https://example.com/x';
    const www = 'https://www.example.com/x';
    await linkTo(root, 2);
    await linkTo(www, 3);
    await recordPage(db, makeSnapshot(root, [], { canonical: www }), at(1));
    expect(await expectExact(www)).toBe(5);
    await forgetSite(db, 'www.example.com');
    // The www page's own record is gone; example.com/x still declares it as canonical.
    expect(await db.getAllKeys('ties')).toContain(www);
    expect(await expectExact(www)).toBe(5);
  });

  it('by retention takes the marks of what it deletes, not of a URL still tied', async () => {
    const other = 'https://news.com/other';
    await recordPage(db, makeSnapshot(AMP, [], { canonical: PAGE }), at(0));
    await recordPage(db, makeSnapshot(other, [], { canonical: PAGE }), at(5));
    await recordRedirect(db, { from: OLD, to: AMP, status: 301 }, at(0));
    await recordRedirect(db, { from: 'https://a.org/x', to: 'https://a.org/y', status: 301 });
    await linkTo(PAGE, 2);
    await linkTo(other, 1);
    expect(await removePages(db, [AMP])).toBe(1);
    // PAGE is still declared by another page; AMP and the start of its hop are tied to nothing.
    expect((await db.getAllKeys('ties')).sort()).toEqual(
      [PAGE, other, 'https://a.org/x', 'https://a.org/y'].sort(),
    );
    expect(await expectExact(PAGE)).toBe(3);
    expect(await expectExact(other)).toBe(3);
  });
});

describe('the upgrade to the ties store', () => {
  const BEFORE_TIES = TIES_VERSION - 1;

  it('marks what an older database stored: pages declaring, records standing for, hops', async () => {
    // Written by today's writers, then copied into a database of the version before.
    const reference = await openTestDb();
    db = reference;
    const other = 'https://news.com/story-b';
    // A record kept under a URL its page no longer declares, tied to nothing else.
    const stale = 'https://news.com/stale';
    const moved = 'https://news.com/moved';
    await linkTo(PAGE, 3);
    await linkTo(AMP, 2);
    await linkTo(OLD, 1);
    await linkTo(other, 1);
    await linkTo(stale, 4);
    await recordPage(db, makeSnapshot(AMP, [], { canonical: PAGE }), at(1));
    await recordPage(db, makeSnapshot(AMP, [], { canonical: other }), at(2));
    await recordRedirect(db, { from: OLD, to: PAGE, status: 301 }, at(1));
    await recordPage(db, makeSnapshot(moved, [], { canonical: stale }), at(1));
    await recordPage(db, makeSnapshot(moved, [], { canonical: `${moved}/new` }), at(2));
    await linkTo(moved, 2, 3);
    const [pages, links, redirects, ties] = await Promise.all([
      db.getAll('pages'),
      db.getAll('links'),
      db.getAll('redirects'),
      db.getAllKeys('ties'),
    ]);
    const urls = [PAGE, AMP, OLD, other, stale];
    const expected = await Promise.all(urls.map(expectExact));
    expect(expected).toEqual([6, 3, 1, 3, 6]);

    const name = `ties-upgrade-${Math.random()}`;
    const old = await openBacklinkDb(name, () => {}, BEFORE_TIES);
    const tx = old.transaction(['pages', 'links', 'redirects'], 'readwrite');
    await Promise.all([
      ...pages.map((p) => tx.objectStore('pages').put(p)),
      ...links.map((l) => tx.objectStore('links').put(l)),
      ...redirects.map((r) => tx.objectStore('redirects').put(r)),
      tx.done,
    ]);
    old.close();

    db = await openBacklinkDb(name);
    try {
      expect(db.version).toBe(DB_VERSION);
      expect((await db.getAllKeys('ties')).sort()).toEqual(ties.sort());
      expect(await Promise.all(urls.map(expectExact))).toEqual(expected);
    } finally {
      db.close();
    }
  });

  it('marks every page of a database with more pages than one batch', async () => {
    const name = `ties-batches-${Math.random()}`;
    const old = await openBacklinkDb(name, () => {}, BEFORE_TIES);
    const tx = old.transaction('pages', 'readwrite');
    const urls = Array.from(
      { length: 2500 },
      (_, i) => `https://s.com/${String(i).padStart(4, '0')}`,
    );
    await Promise.all([
      ...urls.map((url, i) =>
        tx.store.put(makePage(url, { canonical: i % 2 === 0 ? `${url}/c` : url })),
      ),
      tx.done,
    ]);
    old.close();
    db = await openBacklinkDb(name);
    try {
      const marked = new Set(await db.getAllKeys('ties'));
      expect(marked.size).toBe(2500);
      expect(urls.filter((u, i) => marked.has(u) !== (i % 2 === 0))).toEqual([]);
    } finally {
      db.close();
    }
  });

  /** A database of the version before the ties store holding `pages`, upgraded while counted. */
  async function upgradeCounted(pages: PageRecord[]) {
    const name = `ties-reads-${Math.random()}`;
    const old = await openBacklinkDb(name, () => {}, BEFORE_TIES);
    const tx = old.transaction('pages', 'readwrite');
    await Promise.all([...pages.map((p) => tx.store.put(p)), tx.done]);
    old.close();
    const { result, count } = await countRequestsOf(() => openBacklinkDb(name));
    db = result;
    const marked = (await db.getAllKeys('ties')).sort();
    db.close();
    return { marked, count, expected: [...new Set(pages.flatMap(tiesOfPage))].sort() };
  }

  it('reads the records of only the pages declaring a canonical', async () => {
    // Pages declaring nothing, their own URL, another one (with its alias record, as recordPage
    // writes it), and an alias record its page no longer backs.
    const pages = Array.from({ length: 2600 }, (_, i) => {
      const url = `https://s${i % 7}.com/${i}`;
      if (i < 2000) return [makePage(url)];
      if (i < 2400) return [makePage(url, { canonical: url })];
      const declared = `${url}/c`;
      return [
        makePage(url, { canonical: declared }),
        makePage(declared, { canonical: declared, aliasOf: url }),
      ];
    }).flat();
    const [stale, left] = ['https://t.com/a', 'https://t.com/b'];
    pages.push(makePage(stale, { canonical: stale, aliasOf: left }), makePage(left));
    const { marked, count, expected } = await upgradeCounted(pages);
    expect(marked).toEqual(expected);
    expect(marked).toContain(left);
    const declaring = pages.filter((p) => p.canonical !== null).length;
    expect(declaring).toBe(801);
    expect(count.records).toBe(declaring);
    expect(Object.keys(count.byName).filter((n) => n.startsWith('pages.'))).toEqual([
      'pages.by_canonical.getAll',
    ]);
  });

  it('marks every page declaring a canonical that more pages than one batch declare', async () => {
    const home = 'https://h.com/';
    const pages = [
      makePage(home, { canonical: home, aliasOf: 'https://h.com/0' }),
      ...Array.from({ length: 2500 }, (_, i) =>
        makePage(`https://h.com/${i}`, { canonical: home }),
      ),
      ...Array.from({ length: 1200 }, (_, i) =>
        makePage(`https://i.com/${i}`, { canonical: `https://i.com/${i}/c` }),
      ),
      makePage('https://a.com/', { canonical: 'https://a.com/c' }),
    ];
    const { marked, expected } = await upgradeCounted(pages);
    expect(marked).toHaveLength(2500 + 1 + 2400 + 2);
    expect(marked).toEqual(expected);
  });
});

describe('an imported link', () => {
  it('from an untied page is counted without any lookup', async () => {
    await importAll(db, { ...emptyImport, links: [makeLink('https://a.com/', PAGE)] });
    expect(await db.getAllKeys('ties')).toEqual([]);
    expect(await expectExact(PAGE)).toBe(1);
  });
});
