import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore } from 'fake-indexeddb';
import { openDB } from 'idb';
import { DB_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { findLink } from '../../src/storage/link-keys';
import { moveOldLinks } from '../../src/storage/link-move';
import {
  clearAll,
  exportAll,
  forgetSite,
  importAll,
  recordDelta,
  recordPage,
  recordRedirect,
} from '../../src/storage/records';
import {
  countLiveBacklinks,
  loadBacklinks,
  loadSiteLinks,
  type Folds,
  SITE_LINK_LIMIT,
} from '../../src/storage/queries';
import { linksToCsv, parseExport } from '../../src/core/transfer';
import { countRequestsOf } from '../support/idb-requests';
import { hintHotTargets } from '../../src/storage/hot-targets';
import { parseHotTargets, storedHotTargets } from '../../src/core/hot-targets';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { recordPages } from '../../src/storage/bulk';
import { HOT_TARGET_LINKS } from '../../src/core/target-stats';
import { linkBatches } from '../../src/storage/batches';
import { lastSeenOf, type LinkRecord } from '../../src/core/types';
import {
  at,
  closeTestDbs,
  dumpDb,
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
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
});

const linksFrom = (source: string) => db.getAllFromIndex('links', 'by_source', source);
const byTarget = (a: LinkRecord, b: LinkRecord) =>
  a.target.localeCompare(b.target) || a.anchor.localeCompare(b.anchor);
const bySource = (a: LinkRecord, b: LinkRecord) => a.source.localeCompare(b.source);
/** A link from `page` to itself, as an import can bring one (recording never stores it). */
const importSelfLink = (page: string) =>
  importAll(db, {
    pages: [],
    links: [makeLink(page, page)],
    redirects: [],
    referrals: [],
    skipped: 0,
  });

describe('openBacklinkDb', () => {
  it('creates the stores and indexes of the current schema', async () => {
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'authority',
      'authority-scores',
      'engine-imports',
      'engine-links',
      'graph',
      'links',
      'links-v1',
      'meta',
      'pages',
      'redirects',
      'referrals',
      'remote-cache',
      'risks',
      'site-stats',
      'site-tallies',
      'target-stats',
      'ties',
    ]);
    const tx = db.transaction(['pages', 'links']);
    const pages = tx.objectStore('pages');
    const links = tx.objectStore('links');
    expect(pages.keyPath).toBe('url');
    expect([...pages.indexNames].sort()).toEqual(['by_canonical', 'by_domain']);
    // A number the store gives (storage/link-keys.ts), not [source, target, anchor].
    expect(links.keyPath).toBeNull();
    expect(links.autoIncrement).toBe(true);
    expect([...links.indexNames].sort()).toEqual([
      'by_source',
      'by_target',
      'by_target_domain',
      'by_target_lost',
      'by_target_source_domain',
    ]);
    expect(links.index('by_target_domain').keyPath).toBe('targetDomain');
    await tx.done;
  });

  it('lets a newer version take over: closes itself and reports it', async () => {
    const name = `takeover-${Math.random()}`;
    const onClosed = vi.fn();
    const old = await openBacklinkDb(name, onClosed);
    const newer = await openDB(name, DB_VERSION + 1);
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(newer.version).toBe(DB_VERSION + 1);
    expect(() => old.transaction('pages')).toThrow();
    newer.close();
  });
});

describe('recordPage', () => {
  it('stores the page and its links under canonical URLs', async () => {
    const result = await recordPage(
      db,
      makeSnapshot(
        'HTTPS://Blog.Example.co.uk/post?utm_source=rss#top',
        [
          rawLink('https://Other.com/a?b=1&fbclid=x#frag', {
            anchor: 'Other A',
            rel: ['nofollow'],
            region: 'main',
          }),
          rawLink('http://shop.github.io/', { anchor: 'Shop', region: 'footer' }),
        ],
        { title: 'Post', lang: 'en-GB', robots: { noindex: true, nofollow: false } },
      ),
      at(0),
    );
    const source = 'https://blog.example.co.uk/post';
    expect(result).toEqual({ url: source, links: 2, added: 2, lost: 0 });
    expect(await db.get('pages', source)).toEqual({
      url: source,
      host: 'blog.example.co.uk',
      domain: 'example.co.uk',
      title: 'Post',
      canonical: null,
      lang: 'en-GB',
      robotsNoindex: true,
      robotsNofollow: false,
      firstSeen: at(0),
      lastSeen: at(0),
      outboundCount: 2,
      truncated: false,
      visits: 1,
    });
    expect((await linksFrom(source)).sort(byTarget)).toEqual([
      {
        source,
        target: 'http://shop.github.io/',
        anchor: 'Shop',
        rel: [],
        region: 'footer',
        regions: ['footer'],
        rels: [],
        occurrences: 1,
        sourceDomain: 'example.co.uk',
        targetDomain: 'shop.github.io',
        firstSeen: at(0),
        lastSeen: at(0),
        lostAt: null,
      },
      {
        source,
        target: 'https://other.com/a?b=1',
        anchor: 'Other A',
        rel: ['nofollow'],
        region: 'main',
        regions: ['main'],
        rels: ['nofollow'],
        occurrences: 1,
        sourceDomain: 'example.co.uk',
        targetDomain: 'other.com',
        firstSeen: at(0),
        lastSeen: at(0),
        lostAt: null,
      },
    ]);
  });

  it('stores nothing for a page without an http(s) URL', async () => {
    expect(
      await recordPage(db, makeSnapshot('chrome://settings', ['https://a.com/']), at(0)),
    ).toBeNull();
    expect(await recordPage(db, makeSnapshot('not a url', ['https://a.com/']), at(0))).toBeNull();
    expect(await dumpDb(db)).toEqual({ pages: [], links: [], redirects: [] });
  });

  it('skips non-http targets and keeps one record per target and anchor', async () => {
    const src = 'https://src.com/';
    const result = await recordPage(
      db,
      makeSnapshot(src, [
        rawLink('javascript:void(0)', { anchor: 'js' }),
        rawLink('mailto:me@src.com', { anchor: 'mail' }),
        rawLink('https://t.com/a', { anchor: 'Same' }),
        rawLink('https://T.com/a#again', { anchor: 'Same', region: 'footer' }),
        rawLink('https://t.com/a?utm_campaign=x', { anchor: 'Same' }),
        rawLink('https://t.com/a', { anchor: 'Different words' }),
      ]),
      at(0),
    );
    expect(result).toMatchObject({ links: 2, added: 2 });
    const stored = (await linksFrom(src)).sort(byTarget);
    expect(stored.map((l) => [l.target, l.anchor, l.region])).toEqual([
      ['https://t.com/a', 'Different words', 'main'],
      ['https://t.com/a', 'Same', 'main'],
    ]);
  });

  it('does not store self-links or links to the declared canonical', async () => {
    const page = 'https://site.com/article?id=1';
    await recordPage(
      db,
      makeSnapshot(
        `${page}&utm_source=x`,
        [
          page,
          `${page}#comments`,
          'HTTPS://SITE.COM/article?id=1&gclid=2',
          'https://site.com/article/1',
          'https://site.com/article/1?fbclid=z',
          'https://site.com/other',
        ],
        { canonical: 'https://site.com/article/1' },
      ),
      at(0),
    );
    expect((await db.getAll('links')).map((l) => l.target)).toEqual(['https://site.com/other']);
  });

  it('answers "all links to URL X" from several sources, with their page records', async () => {
    const target = 'https://target.com/page';
    await recordPage(
      db,
      makeSnapshot('https://a.com/1', [target, 'https://elsewhere.com/']),
      at(0),
    );
    await recordPage(db, makeSnapshot('https://b.org/2', [`${target}?utm_medium=social#x`]), at(1));
    await recordPage(db, makeSnapshot('https://c.net/3', ['https://target.com/other']), at(2));
    await recordPage(db, makeSnapshot('https://target.com/home', [target]), at(3));

    const report = await loadBacklinks(db, 'HTTPS://TARGET.com/page?gclid=1#top');
    expect(report).not.toBeNull();
    expect(report!.url).toBe(target);
    expect(report!.aliases).toEqual([target]);
    expect(report!.page).toBeNull();
    expect(report!.links.map((l) => l.source).sort()).toEqual([
      'https://a.com/1',
      'https://b.org/2',
      'https://target.com/home',
    ]);
    expect(report!.links.every((l) => l.target === target)).toBe(true);
    expect(Object.keys(report!.sources).sort()).toEqual([
      'https://a.com/1',
      'https://b.org/2',
      'https://target.com/home',
    ]);
    expect(report!.sources['https://b.org/2']).toMatchObject({
      title: 'Title of https://b.org/2',
      lastSeen: at(1),
    });

    // Once the target page itself is visited, its record comes along.
    await recordPage(db, makeSnapshot(target, [], { title: 'Target' }), at(4));
    expect((await loadBacklinks(db, target))!.page).toMatchObject({ url: target, title: 'Target' });
  });

  it('returns null for a non-http URL and an empty report for an unknown page', async () => {
    expect(await loadBacklinks(db, 'about:blank')).toBeNull();
    expect(await loadBacklinks(db, 'https://nobody.example/')).toEqual({
      url: 'https://nobody.example/',
      aliases: ['https://nobody.example/'],
      page: null,
      links: [],
      via: {},
      redirect: null,
      variants: [],
      folded: [],
      sources: {},
    });
    expect(await countLiveBacklinks(db, 'about:blank')).toBe(0);
  });

  it('indexes links by target registrable domain', async () => {
    await recordPage(
      db,
      makeSnapshot('https://a.com/', [
        'https://example.com/',
        'https://blog.example.com/post',
        'https://other.com/',
        'https://example.com.evil.net/',
      ]),
      at(0),
    );
    await recordPage(db, makeSnapshot('https://b.com/', ['https://www.example.com/x']), at(0));
    const toDomain = await db.getAllFromIndex('links', 'by_target_domain', 'example.com');
    expect(toDomain.map((l) => [l.source, l.target]).sort()).toEqual([
      ['https://a.com/', 'https://blog.example.com/post'],
      ['https://a.com/', 'https://example.com/'],
      ['https://b.com/', 'https://www.example.com/x'],
    ]);
    expect(await db.countFromIndex('pages', 'by_domain', 'a.com')).toBe(1);
  });

  describe('revisits', () => {
    const src = 'https://src.com/page';
    const A = 'https://a.com/';
    const B = 'https://b.com/';
    const C = 'https://c.com/';
    const D = 'https://d.com/';
    const linkTo = async (target: string) =>
      (await linksFrom(src)).find((l) => l.target === target)!;
    /** The link's last sighting as every reader takes it: its page's last visit if later. */
    const seenAt = async (target: string) =>
      lastSeenOf(await linkTo(target), (await db.get('pages', src))?.lastSeen);

    beforeEach(async () => {
      await recordPage(db, makeSnapshot(src, [A, B, C]), at(0));
    });

    it('marks a removed link lost at the revisit, updates present ones and adds new ones', async () => {
      const result = await recordPage(
        db,
        makeSnapshot(src, [
          rawLink(A, { anchor: `to ${A}`, rel: ['ugc'], region: 'comments' }),
          C,
          D,
        ]),
        at(1),
      );
      expect(result).toEqual({ url: src, links: 3, added: 1, lost: 1 });
      expect(await db.count('links')).toBe(4);
      expect(await linkTo(A)).toMatchObject({
        firstSeen: at(0),
        lastSeen: at(1),
        lostAt: null,
        rel: ['ugc'],
        region: 'comments',
      });
      expect(await linkTo(B)).toMatchObject({ firstSeen: at(0), lastSeen: at(0), lostAt: at(1) });
      // Unchanged: left as stored, seen at the page's visit.
      expect(await linkTo(C)).toMatchObject({ firstSeen: at(0), lastSeen: at(0), lostAt: null });
      expect(await seenAt(C)).toBe(at(1));
      expect(await linkTo(D)).toMatchObject({ firstSeen: at(1), lastSeen: at(1), lostAt: null });
      expect(await db.get('pages', src)).toMatchObject({
        firstSeen: at(0),
        lastSeen: at(1),
        outboundCount: 3,
      });
    });

    it('writes no link a revisit finds unchanged, only its page', async () => {
      const before = await linksFrom(src);
      const result = await recordPage(db, makeSnapshot(src, [A, B, C]), at(1));
      expect(result).toEqual({ url: src, links: 3, added: 0, lost: 0 });
      expect(await linksFrom(src)).toEqual(before);
      expect(await db.get('pages', src)).toMatchObject({ lastSeen: at(1) });
      for (const target of [A, B, C]) expect(await seenAt(target)).toBe(at(1));
    });

    it("marks lost after unchanged revisits as last seen at the page's visit before", async () => {
      await recordPage(db, makeSnapshot(src, [A, B, C]), at(1));
      await recordPage(db, makeSnapshot(src, [A, B, C]), at(2));
      await recordPage(db, makeSnapshot(src, [A, C]), at(3));
      expect(await linkTo(B)).toMatchObject({ firstSeen: at(0), lastSeen: at(2), lostAt: at(3) });
      expect(await seenAt(B)).toBe(at(2));
      expect(await seenAt(A)).toBe(at(3));
      // Back at the next visit: live, seen then, its first sighting kept.
      await recordPage(db, makeSnapshot(src, [A, B, C]), at(4));
      expect(await linkTo(B)).toMatchObject({ firstSeen: at(0), lastSeen: at(4), lostAt: null });
    });

    it('rewrites a link whose placement or rel changed, and no other', async () => {
      const nofollowed = rawLink(B, { anchor: `to ${B}`, rel: ['nofollow'] });
      await recordPage(db, makeSnapshot(src, [A, nofollowed, C]), at(1));
      expect(await linkTo(B)).toMatchObject({ rel: ['nofollow'], lastSeen: at(1) });
      expect(await linkTo(A)).toMatchObject({ lastSeen: at(0) });
    });

    it('does not lose a link again, keeping the first loss date', async () => {
      await recordPage(db, makeSnapshot(src, [A, C]), at(1));
      const result = await recordPage(db, makeSnapshot(src, [A, C]), at(2));
      expect(result).toEqual({ url: src, links: 2, added: 0, lost: 0 });
      expect(await linkTo(B)).toMatchObject({ lastSeen: at(0), lostAt: at(1) });
    });

    it('revives a link that comes back, keeping its first sighting', async () => {
      await recordPage(db, makeSnapshot(src, [A, C]), at(1));
      const result = await recordPage(db, makeSnapshot(src, [A, B, C]), at(2));
      expect(await linkTo(B)).toMatchObject({ firstSeen: at(0), lastSeen: at(2), lostAt: null });
      expect(await db.count('links')).toBe(3);
      // All three are live again, and none of them is new.
      expect(result).toEqual({ url: src, links: 3, added: 0, lost: 0 });
      expect(await countLiveBacklinks(db, B)).toBe(1);
    });

    it('marks nothing lost from a truncated snapshot', async () => {
      const result = await recordPage(
        db,
        makeSnapshot(src, [A, D], { truncated: true, totalLinks: 9000 }),
        at(1),
      );
      expect(result).toEqual({ url: src, links: 4, added: 1, lost: 0 });
      // Not known to be gone, so live: as of the page's last visit, as those seen again.
      expect(await linkTo(B)).toMatchObject({ lastSeen: at(0), lostAt: null });
      expect(await linkTo(C)).toMatchObject({ lastSeen: at(0), lostAt: null });
      expect(await linkTo(A)).toMatchObject({ lastSeen: at(0), lostAt: null });
      expect(await seenAt(B)).toBe(at(1));
      expect(await seenAt(A)).toBe(at(1));
      expect(await db.get('pages', src)).toMatchObject({ truncated: true });
    });

    it('marks every link lost when the page now has none', async () => {
      const result = await recordPage(db, makeSnapshot(src, []), at(1));
      expect(result).toEqual({ url: src, links: 0, added: 0, lost: 3 });
      expect((await linksFrom(src)).map((l) => l.lostAt)).toEqual([at(1), at(1), at(1)]);
    });

    it('does not touch links of other pages', async () => {
      await recordPage(db, makeSnapshot('https://other-src.com/', [B]), at(0));
      await recordPage(db, makeSnapshot(src, [A]), at(1));
      const [other] = await linksFrom('https://other-src.com/');
      expect(other).toMatchObject({ target: B, lostAt: null, lastSeen: at(0) });
    });
  });

  describe('declared canonical', () => {
    const visited = 'https://m.site.com/post';
    const canonical = 'https://www.site.com/post';
    const s1 = 'https://blog-a.com/1';
    const s2 = 'https://blog-b.com/2';

    const recordSources = async () => {
      await recordPage(db, makeSnapshot(s1, [`${visited}?utm_source=x`]), at(0));
      await recordPage(db, makeSnapshot(s2, [canonical]), at(0));
    };
    const recordVisited = () =>
      recordPage(
        db,
        makeSnapshot(visited, [canonical, 'https://www.site.com/other'], {
          canonical: `${canonical}#main`,
          title: 'Mobile post',
        }),
        at(1),
      );

    async function expectBothCountForBoth() {
      for (const url of [visited, canonical]) {
        const report = await loadBacklinks(db, url);
        expect(report!.links.map((l) => l.source).sort(), url).toEqual([s1, s2]);
        expect(report!.aliases.sort(), url).toEqual([visited, canonical].sort());
        expect(Object.keys(report!.sources).sort(), url).toEqual([s1, s2]);
        expect(await countLiveBacklinks(db, url)).toBe(2);
      }
    }

    it('counts links to the visited URL and to the canonical as backlinks of both', async () => {
      await recordSources();
      await recordVisited();
      await expectBothCountForBoth();
    });

    it('does so whichever is recorded first', async () => {
      await recordVisited();
      await recordSources();
      await expectBothCountForBoth();
    });

    it('keeps the page under the canonical as an alias of the visited URL', async () => {
      await recordVisited();
      const page = await db.get('pages', visited);
      expect(page).toMatchObject({ canonical, title: 'Mobile post' });
      expect(page).not.toHaveProperty('aliasOf');
      expect(await db.get('pages', canonical)).toMatchObject({
        url: canonical,
        host: 'www.site.com',
        canonical,
        aliasOf: visited,
        title: 'Mobile post',
      });
      // Its own links are stored once, under the visited URL, without the link to the canonical.
      expect((await db.getAll('links')).map((l) => [l.source, l.target])).toEqual([
        [visited, 'https://www.site.com/other'],
      ]);
    });

    it('does not overwrite a canonical page that was itself visited', async () => {
      await recordPage(db, makeSnapshot(canonical, [], { title: 'Desktop post' }), at(0));
      await recordSources();
      await recordVisited();
      const page = await db.get('pages', canonical);
      expect(page).toMatchObject({ title: 'Desktop post', canonical: null, lastSeen: at(0) });
      expect(page).not.toHaveProperty('aliasOf');
      await expectBothCountForBoth();
    });

    it("ignores a canonical on another site: a page cannot borrow another site's backlinks", async () => {
      const victim = 'https://victim.org/post';
      await recordPage(db, makeSnapshot(s1, [victim]), at(0));
      const result = await recordPage(
        db,
        makeSnapshot('https://spam.example/copy', [victim], { canonical: victim }),
        at(1),
      );
      expect(result).toMatchObject({ links: 1, added: 1 });
      expect(await db.get('pages', 'https://spam.example/copy')).toMatchObject({ canonical: null });
      expect(await db.get('pages', victim)).toBeUndefined();
      const report = await loadBacklinks(db, 'https://spam.example/copy');
      expect(report!.aliases).toEqual(['https://spam.example/copy']);
      expect(report!.links).toEqual([]);
      // The copy's link to the victim is an ordinary backlink of the victim.
      expect((await loadBacklinks(db, victim))!.links.map((l) => l.source).sort()).toEqual(
        ['https://spam.example/copy', s1].sort(),
      );
    });

    it('makes no alias for a canonical equal to the page itself', async () => {
      await recordPage(
        db,
        makeSnapshot(`${visited}?utm_source=a`, [], { canonical: `${visited}#x` }),
        at(0),
      );
      expect((await db.getAll('pages')).map((p) => [p.url, p.canonical, p.aliasOf])).toEqual([
        [visited, visited, undefined],
      ]);
    });
  });

  it('countLiveBacklinks ignores lost links, loadBacklinks keeps them', async () => {
    const target = 'https://target.com/';
    await recordPage(db, makeSnapshot('https://a.com/', [target]), at(0));
    await recordPage(db, makeSnapshot('https://b.com/', [target]), at(0));
    await recordPage(db, makeSnapshot('https://c.com/', [target]), at(0));
    expect(await countLiveBacklinks(db, target)).toBe(3);
    await recordPage(db, makeSnapshot('https://b.com/', []), at(1));
    expect(await countLiveBacklinks(db, target)).toBe(2);
    const report = await loadBacklinks(db, target);
    expect(report!.links.sort(bySource).map((l) => [l.source, l.lostAt])).toEqual([
      ['https://a.com/', null],
      ['https://b.com/', at(1)],
      ['https://c.com/', null],
    ]);
  });
});

describe('countLiveBacklinks: counted from the indexes', () => {
  const target = 'https://target.com/page';
  const live = (links: readonly LinkRecord[]) => links.filter((l) => l.lostAt === null).length;

  it('gives an index entry to lost links only, and counts as loadBacklinks does', async () => {
    for (const s of ['a', 'b', 'c', 'd']) {
      await recordPage(db, makeSnapshot(`https://${s}.com/`, [target]), at(0));
    }
    await recordPage(db, makeSnapshot('https://b.com/', []), at(1));
    await recordPage(db, makeSnapshot('https://d.com/', []), at(2));
    expect((await db.getAllFromIndex('links', 'by_target_lost')).map((l) => l.source)).toEqual([
      'https://b.com/',
      'https://d.com/',
    ]);
    // Seen again: live, out of the index.
    await recordPage(db, makeSnapshot('https://b.com/', [target]), at(3));
    expect(await db.countFromIndex('links', 'by_target_lost')).toBe(1);
    expect(await countLiveBacklinks(db, target)).toBe(3);
    expect(live((await loadBacklinks(db, target))!.links)).toBe(3);
  });

  it('agrees with loadBacklinks across aliases, redirects, folded variants and self-links', async () => {
    const canonical = 'https://target.com/canonical';
    const hop = 'https://target.com/old';
    const variant = 'https://target.com/page?id=2';
    await recordPage(db, makeSnapshot(target, [], { canonical }), at(0));
    await recordRedirect(db, { from: hop, to: target, status: 301 }, at(0));
    await recordPage(
      db,
      makeSnapshot('https://a.com/', [target, canonical, hop, variant, 'http://target.com/page']),
      at(0),
    );
    await recordPage(db, makeSnapshot('https://b.com/', [canonical, variant]), at(0));
    await recordPage(db, makeSnapshot('https://b.com/', [canonical]), at(1)); // variant lost
    // Links between the page's own addresses (an import can bring them): self-links.
    await importAll(db, {
      pages: [],
      links: [
        makeLink(hop, target),
        makeLink(canonical, target, { lostAt: at(1), lastSeen: at(0) }),
      ],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
    const folds: Folds = { 'target.com': { address: true, queryPaths: ['/page'] } };
    // With no hint, and told every page is cold (the badge then counts a page alone from counts).
    for (const hint of [null, parseHotTargets(storedHotTargets([]))]) {
      hintHotTargets(db, () => hint);
      for (const f of [{}, folds]) {
        const report = await loadBacklinks(db, target, f);
        expect(await countLiveBacklinks(db, target, f)).toBe(live(report!.links));
        expect(await countLiveBacklinks(db, canonical, f)).toBe(
          live((await loadBacklinks(db, canonical, f))!.links),
        );
      }
      expect(await countLiveBacklinks(db, target)).toBe(4);
    }
  });
});

describe('countLiveBacklinks of a page with an aggregate', () => {
  const target = 'https://target.com/page';
  const cold = 'https://target.com/cold';
  const live = (links: readonly LinkRecord[]) => links.filter((l) => l.lostAt === null).length;

  it('reads the aggregate, not every link into the page, in one round as a cold page', async () => {
    const links = 2 * HOT_TARGET_LINKS;
    const sources = Array.from({ length: links }, (_, p) => `https://www.s${p % 40}.com/p${p}`);
    await recordPages(
      db,
      sources.map((url) => ({ snapshot: makeSnapshot(url, [target]), at: at(0) })),
    );
    await recordPage(db, makeSnapshot('https://cold.com/', [cold]), at(0));
    // The page itself was visited: its own links out would be read for self-links.
    const out = Array.from({ length: 20 }, (_, i) => `https://elsewhere.com/${i}`);
    await recordPage(db, makeSnapshot(target, out), at(0));
    expect(await ensureTargetStats(db, [target])).toEqual([target]);
    // Writes after the build keep it exact: a link lost, a new one.
    await recordPage(db, makeSnapshot(sources[0]!, []), at(1));
    await recordPage(db, makeSnapshot('https://f.com/', [target]), at(1));
    const { result, count } = await countRequestsOf(() => countLiveBacklinks(db, target));
    expect(result).toBe(live((await loadBacklinks(db, target))!.links));
    expect(result).toBe(links);
    // No count (Chromium walks every entry it counts): whether it has ties (none), the
    // aggregate, and the page's first 50 links, whatever its links in and out.
    expect(count.byMethod['count']).toBeUndefined();
    expect(count.byMethod['getAll']).toBe(1); // links.by_target
    expect(count.records).toBeLessThanOrEqual(50 + 1);
    expect(count.rounds).toBe(1);
    const coldCount = await countRequestsOf(() => countLiveBacklinks(db, cold));
    expect(coldCount.result).toBe(1);
    expect(coldCount.count.rounds).toBe(1);
  }, 60_000);
});

describe('countLiveBacklinks of a cold page', () => {
  const page = 'https://cold.com/article';
  const live = (links: readonly LinkRecord[]) => links.filter((l) => l.lostAt === null).length;

  it('counts its own links read once: one round, no key reads of its links in, lost and out', async () => {
    // The tab's page itself was visited (the badge's usual case): it has links out.
    const out = Array.from({ length: 20 }, (_, i) => `https://elsewhere.com/${i}`);
    await recordPage(db, makeSnapshot(page, out), at(0));
    for (const s of ['a', 'b', 'c']) {
      await recordPage(db, makeSnapshot(`https://${s}.com/`, [page]), at(0));
    }
    await recordPage(db, makeSnapshot('https://c.com/', []), at(1)); // lost
    // A link from the page to itself (an import can bring one) is not a backlink.
    await importSelfLink(page);
    const { result, count } = await countRequestsOf(() => countLiveBacklinks(db, page));
    expect(result).toBe(live((await loadBacklinks(db, page))!.links));
    expect(result).toBe(2);
    // Whether it has ties (it has none: no lookup of its aliases or redirects, storage/ties.ts),
    // its aggregate, and its links in: nothing of its links out, no count, no second round.
    expect(count.rounds).toBe(1);
    expect(count.requests).toBe(3);
    expect(count.byName['ties.getKey']).toBe(1);
    expect(Object.keys(count.byName).filter((n) => n.includes('by_source'))).toEqual([]);
    expect(count.byMethod['count']).toBeUndefined();
    expect(count.byName['links.by_target.getAll']).toBe(1);
  });

  it('counts a page with more links than its first read and no aggregate as loadBacklinks', async () => {
    const sources = Array.from({ length: 60 }, (_, p) => `https://www.s${p % 7}.com/p${p}`);
    await recordPages(
      db,
      sources.map((url) => ({ snapshot: makeSnapshot(url, [page]), at: at(0) })),
    );
    await recordPage(db, makeSnapshot(sources[0]!, []), at(1)); // lost
    await importSelfLink(page);
    expect(await db.get('target-stats', page)).toBeUndefined();
    expect(await countLiveBacklinks(db, page)).toBe(live((await loadBacklinks(db, page))!.links));
    expect(await countLiveBacklinks(db, page)).toBe(59);
  });
});

describe('write transactions', () => {
  it('run one after another on a connection, each opened when the one before is done', async () => {
    const events: string[] = [];
    const open = db.transaction.bind(db);
    vi.spyOn(db, 'transaction').mockImplementation(((...args: Parameters<typeof open>) => {
      const tx = open(...args);
      if (args[1] === 'readwrite') {
        events.push('open');
        const done = () => events.push('done');
        tx.done.then(done, done);
      }
      return tx;
    }) as typeof db.transaction);
    const loads = ['https://a.com/', 'https://b.com/', 'https://c.com/'].map((url) =>
      recordPage(db, makeSnapshot(url, ['https://t.com/']), at(0)),
    );
    // A failed write does not stop the ones queued after it.
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new Error('injected');
    });
    const results = await Promise.allSettled(loads);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(events.join(' ')).toMatch(/^open (done )?open done open done$/);
    expect(await countLiveBacklinks(db, 'https://t.com/')).toBe(2);
  });
});

describe('recordPage: a snapshot delivered again', () => {
  // The worker stored it, then died before its reply: the content script sends it again.
  const page = 'https://blog.com/post';
  const first = makeSnapshot(page, ['https://a.com/', 'https://b.com/'], { title: 'First' });

  it('is stored once: one visit, the same records', async () => {
    expect(await recordPage(db, first, at(0), 'visit-1')).toEqual({
      url: page,
      links: 2,
      added: 2,
      lost: 0,
    });
    const stored = await dumpDb(db);
    expect(stored.pages[0]).toMatchObject({ visits: 1, visitIds: ['visit-1'] });
    // A day later: a new delivery without an id would count a second visit.
    expect(await recordPage(db, first, at(1), 'visit-1')).toEqual({
      url: page,
      links: 2,
      added: 0,
      lost: 0,
    });
    expect(await dumpDb(db)).toEqual(stored);
    await recordPage(db, first, at(2), null);
    expect((await db.get('pages', page))?.visits).toBe(2);
  });

  it('does not undo a later visit: its links stay live, its title stays', async () => {
    await recordPage(db, first, at(0), 'visit-1');
    const second = makeSnapshot(page, ['https://a.com/', 'https://c.com/'], { title: 'Second' });
    await recordPage(db, second, at(1), 'visit-2');
    await recordDelta(db, { url: page, links: [rawLink('https://d.com/')] }, at(1));
    const stored = await dumpDb(db);
    await recordPage(db, first, at(2), 'visit-1');
    expect(await dumpDb(db)).toEqual(stored);
    expect(stored.pages[0]).toMatchObject({ title: 'Second', visitIds: ['visit-1', 'visit-2'] });
    const live = (await linksFrom(page)).filter((l) => l.lostAt === null).map((l) => l.target);
    expect(live.sort()).toEqual(['https://a.com/', 'https://c.com/', 'https://d.com/']);
  });

  it('keeps the visit ids off the alias written under a declared canonical', async () => {
    const canonical = 'https://blog.com/canonical';
    await recordPage(db, makeSnapshot(page, [], { canonical }), at(0), 'visit-1');
    expect((await db.get('pages', page))?.visitIds).toEqual(['visit-1']);
    expect(await db.get('pages', canonical)).not.toHaveProperty('visitIds');
  });
});

describe('atomicity', () => {
  const src = 'https://src.com/page';

  /** Make IDBObjectStore.put throw on its nth call from now on. */
  function failPutOnCall(n: number) {
    const realPut = IDBObjectStore.prototype.put;
    let calls = 0;
    return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<typeof realPut>
    ) {
      calls += 1;
      if (calls === n) throw new Error(`injected failure on put #${n}`);
      return realPut.apply(this, args);
    });
  }

  // The second visit makes 6 puts: A updated, B and C lost, D and E added, the page.
  it.each([1, 2, 3, 4, 5, 6])(
    'a failure on put #%i of recordPage leaves the store as it was',
    async (n) => {
      await recordPage(
        db,
        makeSnapshot(src, ['https://a.com/', 'https://b.com/', 'https://c.com/']),
        at(0),
      );
      const before = await dumpDb(db);

      const spy = failPutOnCall(n);
      await expect(
        recordPage(
          db,
          makeSnapshot(src, ['https://a.com/', 'https://d.com/', 'https://e.com/']),
          at(1),
        ),
      ).rejects.toThrow(`injected failure on put #${n}`);
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(n);
      spy.mockRestore();

      expect(await dumpDb(db)).toEqual(before);
      // The store still works afterwards.
      expect(
        await recordPage(db, makeSnapshot(src, ['https://a.com/', 'https://d.com/']), at(2)),
      ).toEqual({ url: src, links: 2, added: 1, lost: 2 });
    },
  );

  it('a failure writing the canonical alias leaves the store as it was', async () => {
    await recordPage(db, makeSnapshot('https://x.com/', ['https://y.com/']), at(0));
    const before = await dumpDb(db);
    // One link and the page, then the alias page: fail on the third put.
    failPutOnCall(3);
    await expect(
      recordPage(
        db,
        makeSnapshot(src, ['https://a.com/'], { canonical: 'https://src.com/canonical' }),
        at(1),
      ),
    ).rejects.toThrow();
    vi.restoreAllMocks();
    expect(await dumpDb(db)).toEqual(before);
  });

  it.each([1, 3, 5])('a failure on put #%i of importAll leaves the store as it was', async (n) => {
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(0));
    const before = await dumpDb(db);
    const other = await openTestDb();
    await recordPage(
      other,
      makeSnapshot('https://one.com/', ['https://a.com/', 'https://b.com/']),
      at(1),
    );
    await recordPage(other, makeSnapshot(src, ['https://a.com/', 'https://c.com/']), at(2));
    const data = parseExport(JSON.stringify(await exportAll(other)));
    expect(data.pages.length + data.links.length).toBe(6);

    failPutOnCall(n);
    await expect(importAll(db, data)).rejects.toThrow(`injected failure on put #${n}`);
    vi.restoreAllMocks();
    expect(await dumpDb(db)).toEqual(before);
  });
});

describe('loadSiteLinks', () => {
  it('finds every link into the registrable domain of the page by the domain index', async () => {
    await recordPage(
      db,
      makeSnapshot('https://news.example/1', [
        'https://blog.shop.example.co.uk/a',
        'https://www.example.co.uk/b',
        'https://other.co.uk/',
      ]),
      at(0),
    );
    const site = await loadSiteLinks(db, 'https://deep.sub.example.co.uk/never-visited');
    expect(site?.domain).toBe('example.co.uk');
    expect(site?.links.map((l) => l.target).sort()).toEqual([
      'https://blog.shop.example.co.uk/a',
      'https://www.example.co.uk/b',
    ]);
  });

  it('reads at most `limit` links and says the view is partial', async () => {
    const targets = ['a', 'b', 'c'].map((p) => `https://site.com/${p}`);
    await recordPage(db, makeSnapshot('https://news.example/1', targets), at(0));
    expect(await loadSiteLinks(db, 'https://site.com/', 2)).toMatchObject({
      domain: 'site.com',
      complete: false,
    });
    expect((await loadSiteLinks(db, 'https://site.com/', 2))?.links).toHaveLength(2);
    expect((await loadSiteLinks(db, 'https://site.com/', 4))?.complete).toBe(true);
  });

  it('gives the same links whatever is passed as known', async () => {
    const targets = Array.from({ length: 520 }, (_, i) => `https://site.com/${i}`);
    await recordPage(db, makeSnapshot('https://news.example/1', targets), at(0));
    await recordPage(db, makeSnapshot('https://blog.example/1', targets.slice(0, 3)), at(1));
    const all = (await loadSiteLinks(db, 'https://site.com/'))!;
    expect(all.links).toHaveLength(targets.length + 3);
    const most = all.links.slice(10).map((l) => ({ ...l }));
    expect(await loadSiteLinks(db, 'https://site.com/', SITE_LINK_LIMIT, most)).toEqual(all);
  });

  it('is null for a site nobody links to, and for non-web URLs', async () => {
    await recordPage(db, makeSnapshot('https://news.example/1', ['https://a.com/']), at(0));
    expect(await loadSiteLinks(db, 'https://b.com/')).toBeNull();
    expect(await loadSiteLinks(db, 'mailto:x@a.com')).toBeNull();
  });
});

describe('forgetSite', () => {
  it('deletes the pages of a site and its subdomains with their links, in one go', async () => {
    await recordPage(db, makeSnapshot('https://forum.example.com/t/1', ['https://a.com/']), at(0));
    await recordPage(db, makeSnapshot('https://www.forum.example.com/', ['https://b.com/']), at(0));
    await recordPage(
      db,
      makeSnapshot('https://example.com/', ['https://forum.example.com/t/1']),
      at(0),
    );
    await recordPage(db, makeSnapshot('https://notforum.example.com/', ['https://c.com/']), at(0));

    expect(await forgetSite(db, 'forum.example.com')).toBe(2);
    const { pages, links } = await dumpDb(db);
    expect(pages.map((p) => p.url).sort()).toEqual([
      'https://example.com/',
      'https://notforum.example.com/',
    ]);
    // Links into the forgotten site from elsewhere stay.
    expect(links.map((l) => [l.source, l.target]).sort()).toEqual([
      ['https://example.com/', 'https://forum.example.com/t/1'],
      ['https://notforum.example.com/', 'https://c.com/'],
    ]);
  });

  it('forgets every site under a public suffix excluded as a whole (github.io)', async () => {
    await recordPage(db, makeSnapshot('https://alice.github.io/post', ['https://a.com/']), at(0));
    await recordPage(db, makeSnapshot('https://bob.github.io/', ['https://b.com/']), at(0));
    await recordPage(db, makeSnapshot('https://github.com/', ['https://c.com/']), at(0));
    expect(await forgetSite(db, 'github.io')).toBe(2);
    const { pages, links } = await dumpDb(db);
    expect(pages.map((p) => p.url)).toEqual(['https://github.com/']);
    expect(links.map((l) => l.source)).toEqual(['https://github.com/']);
  });

  it('forgets nothing for a site that was never visited', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://b.com/']), at(0));
    expect(await forgetSite(db, 'b.com')).toBe(0);
    expect((await dumpDb(db)).links).toHaveLength(1);
  });
});

describe('clearAll', () => {
  it('empties both stores', async () => {
    await recordPage(
      db,
      makeSnapshot('https://a.com/', ['https://b.com/', 'https://c.com/']),
      at(0),
    );
    await recordPage(
      db,
      makeSnapshot('https://b.com/', ['https://a.com/'], { canonical: 'https://b.com/c' }),
      at(0),
    );
    expect(await db.count('pages')).toBe(3);
    await clearAll(db);
    expect(await dumpDb(db)).toEqual({ pages: [], links: [], redirects: [] });
    expect(await countLiveBacklinks(db, 'https://b.com/')).toBe(0);
  });
});

describe('export and import', () => {
  async function populate(target: BacklinkDb) {
    await recordPage(
      target,
      makeSnapshot(
        'https://blog.example.co.uk/post',
        [
          rawLink('https://shop.com/?q=a%2Fb', {
            anchor: 'Shop, "best" =deals',
            rel: ['sponsored', 'nofollow'],
            region: 'aside',
          }),
          rawLink('https://xn--bcher-kva.example/', { anchor: 'Bücher', region: 'comments' }),
          'https://gone.com/',
        ],
        {
          canonical: 'https://example.co.uk/post',
          robots: { noindex: true, nofollow: true },
          lang: 'en-GB',
        },
      ),
      at(0),
    );
    await recordPage(
      target,
      makeSnapshot('https://blog.example.co.uk/post', ['https://shop.com/?q=a%2Fb']),
      at(1),
    );
    await recordPage(
      target,
      makeSnapshot('https://shop.com/', ['https://example.co.uk/post'], { truncated: true }),
      at(2),
    );
  }

  it('exportAll writes the whole store in the export format', async () => {
    await populate(db);
    const file = await exportAll(db, at(3));
    expect(file.format).toBe('backlink-lens');
    expect(file.version).toBe(5);
    expect(file.exportedAt).toBe('2024-01-04T00:00:00.000Z');
    // Marked pages are settings, not the store's: none unless given.
    expect(file.relatedPages).toEqual([]);
    expect(file.pages).toEqual(await db.getAll('pages'));
    expect(file.links).toEqual(await db.getAll('links'));
    expect(file.pages).toHaveLength(3);
    expect(file.links.some((l) => l.lostAt !== null)).toBe(true);
  });

  it("writes each live link last seen at its page's last visit, the links batched too", async () => {
    const src = 'https://src.com/page';
    await recordPage(db, makeSnapshot(src, ['https://a.com/', 'https://b.com/']), at(0));
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(1));
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(2));
    // As stored: neither revisit rewrote a.com's link, b.com's was lost at the first.
    const stored = await linksFrom(src);
    expect(stored.map((l) => [l.target, l.lastSeen, l.lostAt])).toEqual([
      ['https://a.com/', at(0), null],
      ['https://b.com/', at(0), at(1)],
    ]);
    const seen = [
      ['https://a.com/', at(2), null],
      ['https://b.com/', at(0), at(1)],
    ];
    const file = await exportAll(db, at(3));
    expect(file.links.map((l) => [l.target, l.lastSeen, l.lostAt])).toEqual(seen);
    const batched: LinkRecord[] = [];
    for await (const batch of linkBatches(db, 1)()) batched.push(...batch);
    expect(batched.map((l) => [l.target, l.lastSeen, l.lostAt])).toEqual(seen);
    expect(linksToCsv(file.links)).toContain(new Date(at(2)).toISOString());
  });

  it("merges an import with what the store last saw, its pages' visits included", async () => {
    const src = 'https://src.com/page';
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(0));
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(2));
    const [link] = await linksFrom(src);
    // Another copy saw it gone at at(1): this one saw it again after, at its visit at(2).
    const rows = [{ ...link!, lastSeen: at(0), lostAt: at(1) }];
    await importAll(db, { pages: [], links: rows, redirects: [], referrals: [], skipped: 0 });
    const [merged] = await linksFrom(src);
    expect(merged).toMatchObject({ lostAt: null });
    expect(lastSeenOf(merged!, (await db.get('pages', src))?.lastSeen)).toBe(at(2));
  });

  it('roundtrips exactly through JSON into a fresh database', async () => {
    await populate(db);
    const original = await exportAll(db, at(3));
    const parsed = parseExport(JSON.stringify(original));
    expect(parsed.skipped).toBe(0);

    const fresh = await openTestDb();
    expect(await importAll(fresh, parsed)).toEqual({
      pages: original.pages.length,
      links: original.links.length,
      redirects: original.redirects.length,
      referrals: original.referrals.length,
    });
    expect(await exportAll(fresh, at(3))).toEqual(original);
    // And the imported data answers queries the same way.
    expect(await loadBacklinks(fresh, 'https://example.co.uk/post')).toEqual(
      await loadBacklinks(db, 'https://example.co.uk/post'),
    );
  });

  it('merges rows of one file with the same key with each other, not only with the store', async () => {
    const link = makeLink('https://src.com/', 'https://a.com/', { anchor: 'A' });
    const rows = [
      { ...link, firstSeen: at(1), lastSeen: at(5), lostAt: null },
      // An older copy that saw it lost before the newer sighting: the newer one wins.
      { ...link, firstSeen: at(0), lastSeen: at(2), lostAt: at(3) },
    ];
    await importAll(db, { pages: [], links: rows, redirects: [], referrals: [], skipped: 0 });
    expect(await db.getAll('links')).toEqual([
      { ...link, firstSeen: at(0), lastSeen: at(5), lostAt: null },
    ]);
  });

  it('merges rows into a source that holds thousands of stored links, found by its keyed read', async () => {
    const src = 'https://s.com/';
    const target = (i: number) => `https://t.com/${String(i).padStart(5, '0')}`;
    const old = (i: number) => makeLink(src, target(i), { firstSeen: at(1), lastSeen: at(1) });
    const key = (i: number): [string, string, string] => [src, target(i), `to ${target(i)}`];
    const tx = db.transaction('links', 'readwrite');
    for (let i = 0; i < 2_000; i++) void tx.store.put(old(i));
    await tx.done;
    // The first and last stored, and one not stored: in no order.
    const rows = [
      { ...old(1_999), lastSeen: at(4) },
      makeLink(src, target(2_500), { firstSeen: at(4), lastSeen: at(4) }),
      { ...old(0), firstSeen: at(0), lastSeen: at(3) },
    ];
    await importAll(db, { pages: [], links: rows, redirects: [], referrals: [], skipped: 0 });
    expect((await findLink(db, ...key(0)))?.link).toMatchObject({
      firstSeen: at(0),
      lastSeen: at(3),
    });
    expect((await findLink(db, ...key(1_999)))?.link).toMatchObject({
      firstSeen: at(1),
      lastSeen: at(4),
    });
    expect((await findLink(db, ...key(2_500)))?.link).toMatchObject({ lastSeen: at(4) });
    expect((await findLink(db, ...key(1_000)))?.link).toEqual(old(1_000));
    expect(await db.count('links')).toBe(2_001);
  });

  it('importing the same file twice changes nothing', async () => {
    await populate(db);
    const text = JSON.stringify(await exportAll(db));
    const before = await dumpDb(db);
    await importAll(db, parseExport(text));
    await importAll(db, parseExport(text));
    expect(await dumpDb(db)).toEqual(before);
  });

  it('merges: keeps the earliest first sighting and the newer record, drops nothing', async () => {
    const src = 'https://src.com/';
    await recordPage(
      db,
      makeSnapshot(src, ['https://a.com/', 'https://b.com/'], { title: 'Local' }),
      at(2),
    );
    await recordPage(db, makeSnapshot('https://local-only.com/', ['https://a.com/']), at(2));

    const other = await openTestDb();
    // Seen earlier there (older firstSeen), with a newer visit too (newer lastSeen), and a new link.
    await recordPage(other, makeSnapshot(src, ['https://a.com/']), at(0));
    await recordPage(
      other,
      makeSnapshot(src, ['https://a.com/', 'https://c.com/'], { title: 'Remote' }),
      at(5),
    );
    await recordPage(other, makeSnapshot('https://remote-only.com/', ['https://b.com/']), at(1));
    const beforeCount = { pages: await db.count('pages'), links: await db.count('links') };

    await importAll(db, parseExport(JSON.stringify(await exportAll(other))));

    expect(await db.get('pages', src)).toMatchObject({
      title: 'Remote',
      firstSeen: at(0),
      lastSeen: at(5),
    });
    const links = await linksFrom(src);
    const byT = Object.fromEntries(links.map((l) => [l.target, l]));
    expect(byT['https://a.com/']).toMatchObject({
      firstSeen: at(0),
      lastSeen: at(5),
      lostAt: null,
    });
    // b.com was only ever seen locally: kept as it was.
    expect(byT['https://b.com/']).toMatchObject({
      firstSeen: at(2),
      lastSeen: at(2),
      lostAt: null,
    });
    expect(byT['https://c.com/']).toMatchObject({ firstSeen: at(5), lastSeen: at(5) });
    expect(await db.get('pages', 'https://local-only.com/')).toBeDefined();
    expect(await db.get('pages', 'https://remote-only.com/')).toBeDefined();
    expect(await db.count('pages')).toBe(beforeCount.pages + 1);
    expect(await db.count('links')).toBe(beforeCount.links + 2);
  });

  it('merges: an older import does not overwrite newer local data', async () => {
    const src = 'https://src.com/';
    await recordPage(db, makeSnapshot(src, ['https://a.com/'], { title: 'Old' }), at(1));
    await recordPage(db, makeSnapshot(src, ['https://a.com/'], { title: 'New' }), at(5));
    const other = await openTestDb();
    await recordPage(
      other,
      makeSnapshot(
        src,
        [rawLink('https://a.com/', { anchor: 'to https://a.com/', region: 'nav' })],
        { title: 'Stale' },
      ),
      at(3),
    );

    await importAll(db, parseExport(JSON.stringify(await exportAll(other))));
    expect(await db.get('pages', src)).toMatchObject({
      title: 'New',
      firstSeen: at(1),
      lastSeen: at(5),
    });
    const [link] = await linksFrom(src);
    expect(link).toMatchObject({ region: 'main', firstSeen: at(1), lastSeen: at(5), lostAt: null });
  });

  it('merges: a link found gone after the other copy last saw it stays lost', async () => {
    const src = 'https://src.com/';
    // Here: seen at day 1, gone at the day-4 visit.
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(1));
    await recordPage(db, makeSnapshot(src, []), at(4));
    // Elsewhere: seen at day 2, and never visited since.
    const other = await openTestDb();
    await recordPage(other, makeSnapshot(src, ['https://a.com/']), at(2));

    await importAll(db, parseExport(JSON.stringify(await exportAll(other))));
    const [link] = await linksFrom(src);
    expect(link).toMatchObject({ firstSeen: at(1), lastSeen: at(2), lostAt: at(4) });
    expect(await countLiveBacklinks(db, 'https://a.com/')).toBe(0);
  });

  it('merges: a link seen again after it was lost is live', async () => {
    const src = 'https://src.com/';
    await recordPage(db, makeSnapshot(src, ['https://a.com/']), at(1));
    await recordPage(db, makeSnapshot(src, []), at(2));
    const other = await openTestDb();
    await recordPage(other, makeSnapshot(src, ['https://a.com/']), at(3));

    await importAll(db, parseExport(JSON.stringify(await exportAll(other))));
    const [link] = await linksFrom(src);
    expect(link).toMatchObject({ firstSeen: at(1), lastSeen: at(3), lostAt: null });
  });

  it('stores imported URLs in canonical form', async () => {
    const data = parseExport(
      JSON.stringify({
        format: 'backlink-lens',
        version: 1,
        pages: [{ url: 'HTTPS://Src.com:443/a?utm_source=x#f', firstSeen: at(0), lastSeen: at(0) }],
        links: [
          {
            source: 'https://SRC.com/a#top',
            target: 'https://target.com/./x/../y?fbclid=1',
            anchor: 'T',
            firstSeen: at(0),
            lastSeen: at(0),
          },
        ],
      }),
    );
    await importAll(db, data);
    expect(await db.getAllKeys('pages')).toEqual(['https://src.com/a']);
    expect((await db.getAll('links')).map((l) => [l.source, l.target, l.anchor])).toEqual([
      ['https://src.com/a', 'https://target.com/y', 'T'],
    ]);
    expect(await countLiveBacklinks(db, 'https://target.com/y')).toBe(1);
    expect(
      (await loadBacklinks(db, 'https://target.com/y'))!.sources['https://src.com/a'],
    ).toBeDefined();
  });
});

describe('recordDelta', () => {
  const PAGE = 'https://blog.example.com/post';
  const targets = async () =>
    (await linksFrom(PAGE)).sort(byTarget).map((l) => [l.target, l.lostAt, l.occurrences]);

  it('merges links that appeared later into the current visit, marking nothing lost', async () => {
    await recordPage(db, makeSnapshot(PAGE, ['https://a.example/', 'https://b.example/']), at(0));
    const result = await recordDelta(
      db,
      { url: PAGE, links: [rawLink('https://c.example/')] },
      at(0) + 300,
    );
    expect(result).toEqual({ url: PAGE, links: 3, added: 1, lost: 0 });
    expect(await targets()).toEqual([
      ['https://a.example/', null, 1],
      ['https://b.example/', null, 1],
      ['https://c.example/', null, 1],
    ]);
    const c = (await findLink(db, PAGE, 'https://c.example/', 'to https://c.example/'))?.link;
    expect(c).toMatchObject({ firstSeen: at(0) + 300, lastSeen: at(0) + 300 });
    // The visit's start and the page's facts are the snapshot's.
    expect(await db.get('pages', PAGE)).toMatchObject({ lastSeen: at(0), outboundCount: 3 });
  });

  it('folds new placements of a link seen in this visit into it, keeping the larger count', async () => {
    await recordPage(
      db,
      makeSnapshot(PAGE, [
        rawLink('https://a.example/', { anchor: 'A', region: 'footer', occurrences: 2 }),
      ]),
      at(0),
    );
    await recordDelta(
      db,
      {
        url: PAGE,
        links: [
          rawLink('https://a.example/?utm_source=x', {
            anchor: 'A',
            region: 'main',
            regions: ['main', 'footer'],
            rel: ['nofollow'],
            rels: ['nofollow'],
            occurrences: 3,
          }),
        ],
      },
      at(0) + 1000,
    );
    expect((await findLink(db, PAGE, 'https://a.example/', 'A'))?.link).toMatchObject({
      rel: [],
      region: 'main',
      regions: ['main', 'footer'],
      rels: ['nofollow'],
      occurrences: 3,
      firstSeen: at(0),
      lastSeen: at(0) + 1000,
      lostAt: null,
    });
  });

  it('folds into a link that a revisit found unchanged (not rewritten): it is in this visit', async () => {
    const a = rawLink('https://a.example/', { anchor: 'A', region: 'footer', occurrences: 2 });
    await recordPage(db, makeSnapshot(PAGE, [a]), at(0));
    await recordPage(db, makeSnapshot(PAGE, [a]), at(1));
    await recordDelta(
      db,
      { url: PAGE, links: [rawLink('https://a.example/', { anchor: 'A', region: 'main' })] },
      at(1) + 1000,
    );
    // Merged with what the visit found, not taken for a link back from an earlier visit.
    expect((await findLink(db, PAGE, 'https://a.example/', 'A'))?.link).toMatchObject({
      region: 'main',
      regions: ['main', 'footer'],
      occurrences: 2,
      firstSeen: at(0),
      lastSeen: at(1) + 1000,
      lostAt: null,
    });
  });

  it('brings back a link the snapshot of this visit had not shown yet (marked lost), as it is now', async () => {
    await recordPage(
      db,
      makeSnapshot(PAGE, ['https://late.example/', 'https://a.example/']),
      at(0),
    );
    await recordPage(db, makeSnapshot(PAGE, ['https://a.example/']), at(1));
    expect((await targets())[1]).toEqual(['https://late.example/', at(1), 1]);
    await recordDelta(
      db,
      { url: PAGE, links: [rawLink('https://late.example/', { region: 'aside' })] },
      at(1) + 3000,
    );
    expect(
      (await findLink(db, PAGE, 'https://late.example/', 'to https://late.example/'))?.link,
    ).toMatchObject({
      region: 'aside',
      firstSeen: at(0),
      lastSeen: at(1) + 3000,
      lostAt: null,
    });
  });

  it('is null, and stores nothing, for a page with no recorded visit or no http URL', async () => {
    expect(await recordDelta(db, { url: PAGE, links: [rawLink('https://a.example/')] })).toBeNull();
    expect(await recordDelta(db, { url: 'ftp://x/', links: [] })).toBeNull();
    expect(await dumpDb(db)).toEqual({ pages: [], links: [], redirects: [] });
  });

  it('does not merge into a page known only as an alias (its canonical was declared elsewhere)', async () => {
    await recordPage(
      db,
      makeSnapshot('https://blog.example.com/post?page=1', [], { canonical: PAGE }),
      at(0),
    );
    expect(await recordDelta(db, { url: PAGE, links: [rawLink('https://a.example/')] })).toBeNull();
  });

  it('drops self-links, as a snapshot does', async () => {
    await recordPage(db, makeSnapshot(PAGE, []), at(0));
    const result = await recordDelta(db, { url: PAGE, links: [rawLink(`${PAGE}#top`)] }, at(0) + 1);
    expect(result).toEqual({ url: PAGE, links: 0, added: 0, lost: 0 });
  });
});

describe('a database opened empty by someone else', () => {
  it('is built from the start, not left failing every upgrade', async () => {
    const name = `empty-${Math.random()}`;
    // What indexedDB.open(name) without a version does: version 1, no stores.
    (await openDB(name)).close();
    const db = await openBacklinkDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(db.objectStoreNames.contains('links')).toBe(true);
    await db.put('pages', makePage('https://a.example/'));
    expect(await db.count('pages')).toBe(1);
    db.close();
  });
});

describe('migration from a version 1 database', () => {
  it('keeps every record, folds each link as seen once, and adds the redirects store', async () => {
    const name = `v1-${Math.random()}`;
    const v1 = await openLegacyDb(name, 1);
    const page = makePage('https://a.example/post');
    const v1Links = Array.from({ length: 250 }, (_, i) => {
      const {
        regions: _r,
        rels: _s,
        occurrences: _o,
        ...link
      } = makeLink('https://a.example/post', `https://b.example/${i}`, {
        rel: i % 2 ? ['nofollow'] : [],
        region: i % 3 ? 'main' : 'footer',
      });
      return link;
    });
    await v1.put('pages', page);
    for (const link of v1Links) await v1.put('links', link);
    v1.close();

    const upgraded = await openBacklinkDb(name);
    expect(upgraded.version).toBe(DB_VERSION);
    expect([...upgraded.objectStoreNames].sort()).toEqual([
      'authority',
      'authority-scores',
      'engine-imports',
      'engine-links',
      'graph',
      'links',
      'links-v1',
      'meta',
      'pages',
      'redirects',
      'referrals',
      'remote-cache',
      'risks',
      'site-stats',
      'site-tallies',
      'target-stats',
      'ties',
    ]);
    expect(await upgraded.getAll('pages')).toEqual([page]);
    // Open at once: the links wait in the old store, and are read there, until moved.
    expect(await upgraded.count('links')).toBe(0);
    expect((await loadBacklinks(upgraded, 'https://b.example/3'))?.links).toHaveLength(1);
    expect(await moveOldLinks(upgraded)).toBe(250);
    expect(await upgraded.count('links-v1')).toBe(0);
    const links = await upgraded.getAll('links');
    expect(links).toHaveLength(250);
    for (const link of links) {
      const before = v1Links.find((l) => l.target === link.target)!;
      expect(link).toEqual({
        ...before,
        regions: [before.region],
        rels: before.rel,
        occurrences: 1,
      });
    }
    // And it answers queries like a database written by this version.
    expect((await loadBacklinks(upgraded, 'https://b.example/3'))?.links).toHaveLength(1);
    upgraded.close();
  });
});

describe('migration from a version 5 database', () => {
  it('indexes the lost links it holds, and counts live ones as before', async () => {
    const name = `v5-${Math.random()}`;
    // Version 5 has the stores of version 4 (it only cleaned records).
    const v4 = await openLegacyDb(name, 4);
    const target = 'https://t.example/';
    const links = ['a', 'b', 'c', 'd', 'e'].map((s, i) =>
      makeLink(`https://${s}.example/`, target, i % 2 ? { lostAt: at(2), lastSeen: at(1) } : {}),
    );
    for (const link of links) await v4.put('links', link);
    v4.close();
    const v5 = await openDB(name, 5);
    v5.close();

    const upgraded = await openBacklinkDb(name);
    expect(upgraded.version).toBe(DB_VERSION);
    expect(await upgraded.getAll('links-v1')).toEqual(
      [...links].sort((a, b) => a.source.localeCompare(b.source)),
    );
    expect(await upgraded.getAllKeysFromIndex('links-v1', 'by_target_lost')).toEqual([
      ['https://b.example/', target, links[1]!.anchor],
      ['https://d.example/', target, links[3]!.anchor],
    ]);
    expect(await countLiveBacklinks(upgraded, target)).toBe(3);
    await moveOldLinks(upgraded);
    expect(await upgraded.getAll('links')).toEqual(
      [...links].sort((a, b) => a.source.localeCompare(b.source)),
    );
    expect(await countLiveBacklinks(upgraded, target)).toBe(3);
    upgraded.close();
  });
});
