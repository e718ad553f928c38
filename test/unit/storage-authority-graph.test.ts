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
import { clearAuthority } from '../../src/storage/authority';
import { readPackedGraph, writePackedGraph } from '../../src/storage/graph-packed';
import { unpackRows } from '../../src/core/authority-packed';
import { closeTestDbs, makeLink, makePage, makeSnapshot, openTestDb, rawLink, T0 } from './helpers';

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
