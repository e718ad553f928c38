import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBIndex } from 'fake-indexeddb';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPage, recordRedirect } from '../../src/storage/records';
import { countLiveBacklinks, loadBacklinks, VARIANT_LIMIT } from '../../src/storage/queries';
import { withFold } from '../../src/core/variants';
import type { SiteFolds } from '../../src/core/types';
import { at, closeTestDbs, makeSnapshot, openTestDb, rawLink } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
  await recordPage(
    db,
    makeSnapshot('https://a.org/', [
      'http://x.test/page',
      'https://x.test/page',
      'http://x.test/page-2',
      'http://x.test/page/sub',
      'http://x.test/pages',
      'http://x.test/page.html',
      'http://y.test/page',
    ]),
    at(0),
  );
  await recordPage(db, makeSnapshot('https://b.org/', ['http://www.x.test/page/']), at(0));
  await recordPage(
    db,
    makeSnapshot('https://c.org/', [
      'http://www.x.test/page/',
      'http://x.test/page?ref=1&utm_source=feed',
      rawLink('http://www.x.test/page?ref=2', { anchor: 'www with query' }),
    ]),
    at(0),
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
});

const PAGE = 'http://x.test/page';
const fold = (...groups: Array<'address' | 'query'>): Record<string, SiteFolds> =>
  groups.reduce<Record<string, SiteFolds>>((f, g) => withFold(f, PAGE, g, true), {});

describe('variants of a page', () => {
  it('lists stored targets that differ by scheme, www, slash or query, with their counts', async () => {
    const report = await loadBacklinks(db, PAGE);
    expect(report!.variants).toEqual([
      { url: 'http://www.x.test/page/', kinds: ['www', 'slash'], links: 2, folded: false },
      { url: 'https://x.test/page', kinds: ['scheme'], links: 1, folded: false },
      { url: 'http://www.x.test/page?ref=2', kinds: ['www', 'query'], links: 1, folded: false },
      { url: 'http://x.test/page?ref=1', kinds: ['query'], links: 1, folded: false },
    ]);
    expect(report!.folded).toEqual([]);
    // Nothing is merged silently: only the page's own link counts.
    expect(report!.links.map((l) => l.target)).toEqual([PAGE]);
    expect(report!.via).toEqual({});
  });

  it('finds them by key and count only: the only records read are links that count', async () => {
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const openCursor = vi.spyOn(IDBIndex.prototype, 'openCursor');
    await loadBacklinks(db, PAGE);
    const linkReads = getAll.mock.calls
      .filter((_call, i) => (getAll.mock.contexts[i] as IDBIndex).objectStore.name === 'links')
      .map(([key]) => key);
    expect(linkReads).toEqual([PAGE]);
    expect(openCursor).not.toHaveBeenCalled();
  });

  it('does not look variants up for the badge unless some are folded', async () => {
    const openKeyCursor = vi.spyOn(IDBIndex.prototype, 'openKeyCursor');
    expect(await countLiveBacklinks(db, PAGE)).toBe(1);
    expect(openKeyCursor).not.toHaveBeenCalled();
  });

  it('counts folded address variants as the page, marked, and the badge with them', async () => {
    const report = await loadBacklinks(db, PAGE, fold('address'));
    expect(report!.folded).toEqual(['address']);
    expect(report!.via).toEqual({
      'http://www.x.test/page/': { kind: 'variant', kinds: ['www', 'slash'] },
      'https://x.test/page': { kind: 'variant', kinds: ['scheme'] },
    });
    expect(report!.links.map((l) => `${l.source} ${l.target}`).sort()).toEqual([
      'https://a.org/ http://x.test/page',
      'https://a.org/ https://x.test/page',
      'https://b.org/ http://www.x.test/page/',
      'https://c.org/ http://www.x.test/page/',
    ]);
    expect(report!.variants.filter((v) => v.folded).map((v) => v.url)).toEqual([
      'http://www.x.test/page/',
      'https://x.test/page',
    ]);
    expect(await countLiveBacklinks(db, PAGE, fold('address'))).toBe(4);
    // The same fold holds for the page's www address: the choice is the site's.
    expect(await countLiveBacklinks(db, 'http://www.x.test/page/', fold('address'))).toBe(4);
  });

  it('folds query variants separately, and both when both are folded', async () => {
    expect(await countLiveBacklinks(db, PAGE, fold('query'))).toBe(2);
    expect(await countLiveBacklinks(db, PAGE, fold('address', 'query'))).toBe(6);
  });

  it('does not fold query variants into a page with a query, nor others into it', async () => {
    await recordPage(
      db,
      makeSnapshot('https://d.org/', [
        'http://z.test/?p=12',
        'http://z.test/?p=13',
        'http://z.test/',
      ]),
      at(0),
    );
    const home = withFold({}, 'http://z.test/', 'query', true);
    const report = await loadBacklinks(db, 'http://z.test/?p=12', home);
    expect(report!.variants.map((v) => [v.url, v.kinds, v.folded])).toEqual([
      ['http://z.test/', ['query'], false],
      ['http://z.test/?p=13', ['query'], false],
    ]);
    expect(report!.links).toHaveLength(1);
    // The home page itself, folded, takes in every ?p=: the user chose it there.
    expect(await countLiveBacklinks(db, 'http://z.test/', home)).toBe(3);
  });

  it('drops a folded variant page linking to the page: a self-link', async () => {
    await recordPage(db, makeSnapshot('https://x.test/page', [PAGE]), at(1));
    expect(await countLiveBacklinks(db, PAGE)).toBe(2);
    expect(await countLiveBacklinks(db, PAGE, fold('address'))).toBe(4);
  });

  it('lists a URL that redirects to the page as a redirect, not as a variant', async () => {
    await recordRedirect(db, { from: 'https://x.test/page', to: PAGE, status: 301 }, at(1));
    const report = await loadBacklinks(db, PAGE);
    expect(report!.variants.map((v) => v.url)).not.toContain('https://x.test/page');
    expect(report!.via['https://x.test/page']).toMatchObject({ kind: 'redirect', status: 301 });
  });

  it('reads a bounded number of query variants per address', async () => {
    const many = Array.from(
      { length: VARIANT_LIMIT + 20 },
      (_, i) => `http://q.test/list?page=${i}`,
    );
    await recordPage(db, makeSnapshot('https://e.org/', many), at(0));
    const report = await loadBacklinks(db, 'http://q.test/list');
    expect(report!.variants).toHaveLength(VARIANT_LIMIT);
  });
});
