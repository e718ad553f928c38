import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphRowCollector, type GraphRow } from '../../src/core/authority-rows';
import type { BacklinkDb } from '../../src/storage/db';
import {
  buildGraphRows,
  fixDirtyRows,
  isGraphBuilt,
  readAuthorityInput,
  readGraphRows,
  readRowsOf,
} from '../../src/storage/graph';
import {
  clearAll,
  forgetSite,
  importAll,
  recordDelta,
  recordPage,
} from '../../src/storage/records';
import { capSourceLinks, removePages } from '../../src/storage/retention';
import { clearAuthority, readAuthorityGraphs } from '../../src/storage/authority';
import { rankGraph } from '../../src/core/authority';
import { randomLinks } from './authority-fixtures';
import { readPackedGraph, writePackedGraph } from '../../src/storage/graph-packed';
import { unpackRows } from '../../src/core/authority-packed';
import { closeTestDbs, makeLink, makePage, makeSnapshot, openTestDb, rawLink, T0 } from './helpers';
import { countRequestsOf } from '../support/idb-requests';
import type { LinkRecord } from '../../src/core/types';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

/** Rows as plain values, in URL order: typed arrays as arrays, so that toEqual says where. */
const plain = (rows: readonly GraphRow[]) =>
  [...rows]
    .sort((a, b) => (a.url < b.url ? -1 : 1))
    .map(({ fresh: _mark, ...row }) => ({ ...row, passes: [...row.passes] }));

/** A packed graph's rows as plain values, in URL order. */
const plainPacked = (packed: Parameters<typeof unpackRows>[0]) =>
  unpackRows(packed)
    .sort((a, b) => (a.url < b.url ? -1 : 1))
    .map((row) => ({ ...row, passes: [...row.passes] }));

/** The rows a build from every stored record gives: what the kept rows must equal. */
async function rowsFromRecords() {
  const collector = new GraphRowCollector();
  await readAuthorityInput(db, collector);
  return plain(collector.rows());
}

/** The rows the graph store holds, dirty ones redone first, as the job reads them. */
async function keptRows() {
  await fixDirtyRows(db);
  return plain(await readGraphRows(db));
}

describe('the graph store', () => {
  it('is built from the records once, then marked built', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://b.com/']), T0);
    expect(await isGraphBuilt(db)).toBe(false);
    const { rows, read } = await buildGraphRows(db);
    expect(read).toEqual({ pages: 1, links: 1 });
    expect(plain(rows)).toEqual(await rowsFromRecords());
    expect(await isGraphBuilt(db)).toBe(true);
    expect(await keptRows()).toEqual(await rowsFromRecords());
    // Clearing authority's state (all data cleared) asks for the next build.
    await clearAuthority(db);
    expect(await isGraphBuilt(db)).toBe(false);
  });

  it('is kept by every write of links, to the rows a build from the records gives', async () => {
    await buildGraphRows(db);
    const HUB = 'https://hub.com/';
    const steps: Array<[string, () => Promise<unknown>]> = [
      [
        'pages recorded',
        async () => {
          await recordPage(db, makeSnapshot('https://a.com/', [HUB, 'https://b.com/x']), T0);
          await recordPage(
            db,
            makeSnapshot('https://b.com/x', [
              HUB,
              rawLink('https://a.com/', { rel: ['nofollow'] }),
            ]),
            T0,
          );
        },
      ],
      [
        'a page with robots nofollow',
        () =>
          recordPage(
            db,
            makeSnapshot('https://c.com/', [HUB], { robots: { noindex: false, nofollow: true } }),
            T0,
          ),
      ],
      [
        'a page declaring its canonical (an alias record)',
        () =>
          recordPage(
            db,
            makeSnapshot('https://d.com/?page=1', [HUB], { canonical: 'https://d.com/' }),
            T0,
          ),
      ],
      [
        'a revisit that lost a link and found one',
        () => recordPage(db, makeSnapshot('https://a.com/', ['https://e.com/']), T0 + 1),
      ],
      [
        'the same target under two anchors, one followed',
        () =>
          recordPage(
            db,
            makeSnapshot('https://f.com/', [
              rawLink(HUB, { anchor: 'one', rel: ['sponsored'] }),
              rawLink(HUB, { anchor: 'two' }),
            ]),
            T0,
          ),
      ],
      [
        'links found late (a delta)',
        () =>
          recordDelta(db, { url: 'https://f.com/', links: [rawLink('https://g.com/')] }, T0 + 2),
      ],
      [
        'an import',
        () =>
          importAll(db, {
            pages: [makePage('https://imported.com/')],
            links: [
              makeLink('https://imported.com/', HUB),
              makeLink('https://a.com/', 'https://h.com/'),
            ],
            redirects: [],
            referrals: [],
            skipped: 0,
          }),
      ],
      ['a site forgotten', () => forgetSite(db, 'b.com')],
      ['a page pruned, with its alias', () => removePages(db, ['https://d.com/?page=1'])],
      ['links over the cap deleted', () => capSourceLinks(db, 'https://a.com/', 1)],
    ];
    for (const [i, [what, step]] of steps.entries()) {
      await step();
      const want = await rowsFromRecords();
      expect(await keptRows(), what).toEqual(want);
      // The packed graph with the rows marked since: the same rows. Packed again after every
      // other step, so that later steps change, delete and mark rows of a packed graph.
      const read = await readPackedGraph(db);
      expect(read.via, what).toBe('packed');
      expect(plainPacked(read.packed), what).toEqual(want.map(({ canonical: _c, ...r }) => r));
      if (i % 2 === 1) await writePackedGraph(db, read.packed, read.fresh);
    }
    await clearAll(db);
    expect(await keptRows()).toEqual([]);
    expect((await readPackedGraph(db)).packed.sources.length).toBe(0);
  });

  it('reads the rows of changed pages with their alias, dirty ones redone', async () => {
    await buildGraphRows(db);
    await recordPage(
      db,
      makeSnapshot('https://d.com/?page=1', ['https://x.com/'], { canonical: 'https://d.com/' }),
      T0,
    );
    await recordDelta(
      db,
      { url: 'https://d.com/?page=1', links: [rawLink('https://y.com/')] },
      T0 + 1,
    );
    const rows = await readRowsOf(db, ['https://d.com/?page=1']);
    expect(rows.map((r) => [r.url, r.targets])).toEqual([
      ['https://d.com/?page=1', 'https://x.com/\nhttps://y.com/'],
      ['https://d.com/', ''],
    ]);
    expect(await db.getAllKeysFromIndex('graph', 'by_dirty')).toEqual([]);
  });

  it('packs the rows once, then reads the packed record and the rows marked since', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://b.com/']), T0);
    await buildGraphRows(db);
    // The build packed every row and marked none.
    expect(await db.getAllKeysFromIndex('graph', 'by_fresh')).toEqual([]);
    let read = await readPackedGraph(db);
    expect([read.via, read.repack, read.fresh]).toEqual(['packed', false, []]);

    await recordPage(db, makeSnapshot('https://c.com/', ['https://a.com/']), T0);
    read = await readPackedGraph(db);
    expect(read.fresh.map((r) => r.url)).toEqual(['https://c.com/']);
    expect(plainPacked(read.packed)).toEqual(
      (await rowsFromRecords()).map(({ canonical: _c, ...r }) => r),
    );
    // A row written again between the read and the packing keeps its mark: the packed record
    // has the row as read, and the next read takes the newer one in.
    await recordPage(db, makeSnapshot('https://c.com/', ['https://d.com/']), T0 + 1);
    await writePackedGraph(db, read.packed, read.fresh);
    expect(await db.getAllKeysFromIndex('graph', 'by_fresh')).toEqual(['https://c.com/']);
    read = await readPackedGraph(db);
    expect(plainPacked(read.packed)).toEqual(
      (await rowsFromRecords()).map(({ canonical: _c, ...r }) => r),
    );
    await writePackedGraph(db, read.packed, read.fresh);
    expect(await db.getAllKeysFromIndex('graph', 'by_fresh')).toEqual([]);
  });

  it('a revisit that changes nothing of the row leaves it unmarked; a change marks it', async () => {
    const links = ['https://b.com/', rawLink('https://c.com/', { rel: ['nofollow'] })];
    await recordPage(db, makeSnapshot('https://a.com/', links), T0);
    await buildGraphRows(db);
    // The same links seen again: the row stays as packed, nothing for the job to take in.
    await recordPage(db, makeSnapshot('https://a.com/', links, { title: 'Renamed' }), T0 + 1);
    expect(await db.getAllKeysFromIndex('graph', 'by_fresh')).toEqual([]);
    let read = await readPackedGraph(db);
    expect(read.fresh).toEqual([]);
    expect(plainPacked(read.packed)).toEqual(
      (await rowsFromRecords()).map(({ canonical: _c, ...r }) => r),
    );
    // A link whose rel now passes authority: its row is written and marked.
    await recordPage(
      db,
      makeSnapshot('https://a.com/', ['https://b.com/', 'https://c.com/']),
      T0 + 2,
    );
    read = await readPackedGraph(db);
    expect(read.fresh.map((r) => r.url)).toEqual(['https://a.com/']);
    expect(plainPacked(read.packed)).toEqual(
      (await rowsFromRecords()).map(({ canonical: _c, ...r }) => r),
    );
  });

  it('a revisit replaces a dirty mark with its row, even when its links are the same', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://b.com/']), T0);
    await buildGraphRows(db);
    await recordDelta(db, { url: 'https://a.com/', links: [rawLink('https://c.com/')] }, T0 + 1);
    expect(await db.getAllKeysFromIndex('graph', 'by_dirty')).toEqual(['https://a.com/']);
    await recordPage(
      db,
      makeSnapshot('https://a.com/', ['https://b.com/', 'https://c.com/']),
      T0 + 2,
    );
    expect(await db.getAllKeysFromIndex('graph', 'by_dirty')).toEqual([]);
    expect(plain(await readGraphRows(db))).toEqual(await rowsFromRecords());
  });

  it('reads every row again when the packed record is missing or spoilt', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://b.com/']), T0);
    await buildGraphRows(db);
    const stored = await db.get('meta', 'graph-packed');
    await db.put('meta', { ...stored!, id: 'graph-packed', urls: '' } as typeof stored & {});
    const read = await readPackedGraph(db);
    expect([read.via, read.repack]).toEqual(['rows', true]);
    expect(plainPacked(read.packed)).toEqual(
      (await rowsFromRecords()).map(({ canonical: _c, ...r }) => r),
    );
    await writePackedGraph(db, read.packed, read.fresh);
    expect((await readPackedGraph(db)).via).toBe('packed');
  });
});

describe('a build of the rows stopped part-way (the worker stopped)', () => {
  /** Chunks of a few links, so that a small graph takes many. */
  const small = { first: 12, min: 12, max: 12, targetMs: 100 };
  class Stopped extends Error {}
  /** A pause that never returns after `chunks` chunks: the worker stopped, nothing more runs. */
  const stopAfter = (chunks: number) => {
    let done = 0;
    return () => (++done >= chunks ? Promise.reject(new Stopped()) : Promise.resolve());
  };

  /** A random graph: pages for two sources in three (one in five robots nofollow), leaves. */
  async function fill(target: BacklinkDb) {
    const links = randomLinks(11, 48, 5);
    const urls = [...new Set(links.flatMap((l) => [l.source, l.target]))].sort();
    const pages = urls
      .filter((_, i) => i % 3 !== 0)
      .map((url, i) => makePage(url, { robotsNofollow: i % 5 === 0 }));
    const tx = target.transaction(['pages', 'links'], 'readwrite');
    await Promise.all([
      ...pages.map((p) => tx.objectStore('pages').put(p)),
      ...links.map((l) => tx.objectStore('links').put(l)),
      tx.done,
    ]);
    return links.length;
  }

  it('goes on from where it stopped, to the rows and packed record of a build in one go', async () => {
    const other = await openTestDb();
    await fill(other);
    const whole = await buildGraphRows(other, { sizing: small });
    const links = await fill(db);
    await expect(buildGraphRows(db, { sizing: small, pause: stopAfter(3) })).rejects.toThrow(
      Stopped,
    );
    expect(await isGraphBuilt(db)).toBe(false);
    const resumed = await buildGraphRows(db, { sizing: small });
    expect(resumed.resumed).toBe(true);
    // The chunks stored before the stop are not read again.
    expect(resumed.read.links).toBeGreaterThan(0);
    expect(resumed.read.links).toBeLessThan(links);
    expect(plain(resumed.rows)).toEqual(plain(whole.rows));
    expect(resumed.packed).toEqual(whole.packed);
    expect(await isGraphBuilt(db)).toBe(true);
    expect(await db.get('meta', 'graph-build')).toBeUndefined();
    expect(await keptRows()).toEqual(await rowsFromRecords());
  });

  it('gives the scores of a build in one go, exactly, stopped after every chunk', async () => {
    const other = await openTestDb();
    await fill(other);
    const rank = async (target: BacklinkDb) => {
      const { graphs } = await readAuthorityGraphs(target);
      return {
        pages: [graphs.pages.keys, Array.from(rankGraph(graphs.pages).scores)],
        domains: [graphs.domains.keys, Array.from(rankGraph(graphs.domains).scores)],
      };
    };
    const want = await rank(other);
    await fill(db);
    let stops = 0;
    for (;;) {
      try {
        await buildGraphRows(db, { sizing: small, pause: stopAfter(1) });
        break;
      } catch (error) {
        if (!(error instanceof Stopped)) throw error;
        stops++;
      }
    }
    expect(stops).toBeGreaterThan(5);
    expect(await rank(db)).toEqual(want);
  });

  it('starts again when data was forgotten meanwhile', async () => {
    const links = await fill(db);
    await expect(buildGraphRows(db, { sizing: small, pause: stopAfter(2) })).rejects.toThrow(
      Stopped,
    );
    await forgetSite(db, 'site1.com');
    const again = await buildGraphRows(db, { sizing: small });
    expect(again.resumed).toBe(false);
    expect(again.read.links).toBeLessThan(links);
    expect(plain(again.rows)).toEqual(await rowsFromRecords());
    expect(await keptRows()).toEqual(await rowsFromRecords());
  });
});

describe("the first build's read, chunk by chunk", () => {
  /** Chunks of twelve links, whatever the time. */
  const twelve = { first: 12, min: 12, max: 12, targetMs: 100 };
  const HUB = 'https://hub.com/';

  /** A hub with 30 links (more than a chunk holds), 20 sources of 3, pages for half of them. */
  async function fill(target: BacklinkDb) {
    const links = [
      ...Array.from({ length: 30 }, (_, i) => makeLink(HUB, `https://t${i % 9}.com/${i}`)),
      ...Array.from({ length: 60 }, (_, i) =>
        makeLink(`https://s${Math.floor(i / 3)}.com/`, `https://t${i % 7}.com/`, {
          anchor: `a${i}`,
          rel: i % 5 === 0 ? ['nofollow'] : [],
        }),
      ),
    ];
    const pages = Array.from({ length: 20 }, (_, i) => makePage(`https://s${i * 2}.com/`));
    const tx = target.transaction(['pages', 'links'], 'readwrite');
    await Promise.all([
      ...pages.map((p) => tx.objectStore('pages').put(p)),
      ...links.map((l) => tx.objectStore('links').put(l)),
      tx.done,
    ]);
    return { links: links.length, pages: pages.length };
  }

  it('reads each chunk in one getAll of the links and one of the pages, no key cursor', async () => {
    const stored = await fill(db);
    // This connection has seen the old store empty: its reads skip it (link-keys.ts).
    await readRowsOf(db, []);
    await db.getAllKeys('links-v1');
    const { result, count } = await countRequestsOf(() => buildGraphRows(db, { sizing: twelve }));
    // No index walked twice (a key cursor to find a chunk's end, then the records up to it).
    expect(count.byMethod.openKeyCursor ?? 0).toBe(0);
    expect(result.read).toEqual(stored);
    expect(plain(result.rows)).toEqual(await rowsFromRecords());
    expect(result.chunks).toBeGreaterThan(5);
    // Per chunk, two reads of the records, and one more to find that nothing is left; the
    // hub, more than a chunk alone, once more (its page and its links, whole).
    const reads = (name: string) => count.byName[name] ?? 0;
    expect(reads('links.by_source.getAll')).toBe(result.chunks + 1 + 1);
    expect(reads('pages.getAll')).toBe(result.chunks + 1 + 1);
    // The URL cut at a chunk's end is read again with the next (a source's three links, or
    // a page), and the hub's first twelve links with the rest of them.
    expect(result.entries - stored.links - stored.pages).toBeLessThanOrEqual(
      result.chunks * 3 + 12,
    );
  });

  it('keeps every row whole, a source of more links than a chunk and links in both stores', async () => {
    await fill(db);
    // Links of the same sources in the old store too (an upgraded database, mid-move).
    const old = [
      makeLink(HUB, 'https://old.com/1'),
      makeLink('https://s3.com/', 'https://old.com/2'),
    ];
    const tx = db.transaction('links-v1', 'readwrite');
    const store = tx.objectStore('links-v1') as unknown as { put(l: LinkRecord): Promise<unknown> };
    await Promise.all([...old.map((l) => store.put(l)), tx.done]);
    const { rows, read } = await buildGraphRows(db, { sizing: twelve });
    expect(read.links).toBe(92);
    expect(plain(rows)).toEqual(await rowsFromRecords());
    expect(await keptRows()).toEqual(await rowsFromRecords());
    expect(
      plain(rows)
        .find((r) => r.url === HUB)!
        .targets.split('\n'),
    ).toHaveLength(31);
  });

  it('keeps a row recorded while it runs, as recorded', async () => {
    await fill(db);
    // After the first chunk (the hub), the second is read already, while its rows are put: a
    // recording of one of its sources then stores a newer row, which the build's own, from the
    // records read before, must not replace.
    let chunk = 0;
    const during = async () => {
      if (++chunk === 1) {
        await recordPage(db, makeSnapshot('https://s1.com/', ['https://new.com/']), T0);
      }
    };
    await buildGraphRows(db, { sizing: twelve, pause: during });
    expect(await keptRows()).toEqual(await rowsFromRecords());
    expect(await isGraphBuilt(db)).toBe(true);
  });

  it('starts again when data is forgotten while it runs', async () => {
    const stored = await fill(db);
    let chunk = 0;
    const during = async () => {
      if (++chunk === 3) await forgetSite(db, 's12.com');
    };
    const { rows, read } = await buildGraphRows(db, { sizing: twelve, pause: during });
    // Read again from the start, without the forgotten site's three links.
    expect(read.links).toBe(stored.links - 3);
    expect(plain(rows)).toEqual(await rowsFromRecords());
    expect(await keptRows()).toEqual(await rowsFromRecords());
    expect(plain(rows).some((r) => r.url.includes('s12.com'))).toBe(false);
    expect(await isGraphBuilt(db)).toBe(true);
  });
});
