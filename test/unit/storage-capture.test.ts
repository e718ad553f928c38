/**
 * What the capture adds to stored records (page signals and terms, link context and image
 * flag): written at each visit and each delta, carried by export and import
import, and absent, not
 * invented, on records and exports from before.
 */
import { moveOldLinks } from '../../src/storage/link-move';
import { findLink } from '../../src/storage/link-keys';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { exportAll, importAll, recordDelta, recordPage } from '../../src/storage/records';
import { loadBacklinks } from '../../src/storage/queries';
import { EXPORT_VERSION, parseExport } from '../../src/core/transfer';
import { MAX_CONTEXT_LENGTH, MAX_COUNTED_WORDS } from '../../src/core/capture';
import { MAX_PAGE_TERMS } from '../../src/core/terms';
import type { PageSignals } from '../../src/core/types';
import { loadRelevance } from '../../src/storage/term-stats';
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
afterEach(() => closeTestDbs());

const SIGNALS: PageSignals = {
  words: 640,
  descriptionLength: 120,
  favicon: true,
  contactLinked: true,
  aboutLinked: false,
};
const SOURCE = 'https://blog.example/post';
const TARGET = 'https://shop.example/grinder';

describe('recording the capture', () => {
  it('stores the page signals and terms of the last visit, and each link’s context and image flag', async () => {
    await recordPage(
      db,
      makeSnapshot(
        SOURCE,
        [
          rawLink(TARGET, { context: 'our pick is the grinder here', image: false }),
          rawLink('https://shop.example/logo', { anchor: 'Shop', image: true, context: '' }),
        ],
        { signals: SIGNALS, terms: { coffee: 9, grinder: 4 } },
      ),
      at(0),
    );
    const page = await db.get('pages', SOURCE);
    expect(page).toMatchObject({ signals: SIGNALS, terms: { coffee: 9, grinder: 4 } });
    expect((await findLink(db, SOURCE, TARGET, `to ${TARGET}`))?.link).toMatchObject({
      context: 'our pick is the grinder here',
      image: false,
    });
    expect((await findLink(db, SOURCE, 'https://shop.example/logo', 'Shop'))?.link).toMatchObject({
      context: '',
      image: true,
    });

    // The next visit's values replace them.
    await recordPage(
      db,
      makeSnapshot(SOURCE, [rawLink(TARGET, { context: 'a new paragraph', image: false })], {
        signals: { ...SIGNALS, words: 10 },
        terms: { tea: 2 },
      }),
      at(1),
    );
    expect(await db.get('pages', SOURCE)).toMatchObject({
      signals: { ...SIGNALS, words: 10 },
      terms: { tea: 2 },
    });
    expect((await findLink(db, SOURCE, TARGET, `to ${TARGET}`))?.link?.context).toBe(
      'a new paragraph',
    );
  });

  it('writes them for links that came later (deltas), new and already known', async () => {
    await recordPage(db, makeSnapshot(SOURCE, [rawLink(TARGET, { region: 'footer' })]), at(0));
    await recordDelta(
      db,
      {
        url: SOURCE,
        links: [
          rawLink('https://late.example/', { context: 'loaded later', image: true }),
          rawLink(TARGET, { region: 'main', context: 'now in the article' }),
        ],
      },
      at(0) + 1000,
    );
    expect(
      (await findLink(db, SOURCE, 'https://late.example/', 'to https://late.example/'))?.link,
    ).toMatchObject({
      context: 'loaded later',
      image: true,
    });
    // Better placed now: the main occurrence's words count.
    expect((await findLink(db, SOURCE, TARGET, `to ${TARGET}`))?.link).toMatchObject({
      region: 'main',
      context: 'now in the article',
    });
  });

  it('leaves them unknown when a snapshot does not carry them', async () => {
    await recordPage(db, makeSnapshot(SOURCE, [TARGET]), at(0));
    const { pages, links } = await dumpDb(db);
    expect(pages[0]).not.toHaveProperty('signals');
    expect(pages[0]).not.toHaveProperty('terms');
    expect(links[0]).not.toHaveProperty('context');
    expect(links[0]).not.toHaveProperty('image');
  });
});

describe('databases of the current release', () => {
  it('a v2 database with recorded data opens, upgrades and reads with nothing lost', async () => {
    const name = `capture-legacy-${Math.random()}`;
    const v2 = await openLegacyDb(name, 2);
    const page = makePage(SOURCE);
    const link = makeLink(SOURCE, TARGET);
    await v2.put('pages', page);
    await v2.put('links', link);
    v2.close();

    const upgraded = await openBacklinkDb(name);
    await moveOldLinks(upgraded); // the worker's move (storage/link-move.ts), done
    try {
      expect(upgraded.version).toBe(DB_VERSION);
      expect(await upgraded.getAll('pages')).toEqual([page]);
      expect(await upgraded.getAll('links')).toEqual([link]);
      // Read as before; relevance is unknown, not 0, for records without terms.
      expect((await loadBacklinks(upgraded, TARGET))?.links.map((l) => l.source)).toEqual([SOURCE]);
      const relevance = await loadRelevance(upgraded, TARGET, [link]);
      expect([...relevance.values()]).toEqual([null]);
      // A new visit adds the capture to the old records.
      await recordPage(
        upgraded,
        makeSnapshot(SOURCE, [rawLink(TARGET, { context: 'fresh words' })], { terms: { x1y: 1 } }),
        at(2),
      );
      expect((await findLink(upgraded, SOURCE, TARGET, `to ${TARGET}`))?.link).toMatchObject({
        firstSeen: link.firstSeen,
        context: 'fresh words',
      });
    } finally {
      upgraded.close();
    }
  });
});

describe('export and import of the capture', () => {
  it('carries signals, terms, context and image through an export of the current version', async () => {
    await recordPage(
      db,
      makeSnapshot(SOURCE, [rawLink(TARGET, { context: 'around it', image: true })], {
        signals: SIGNALS,
        terms: { coffee: 3 },
      }),
      at(0),
    );
    const file = await exportAll(db, at(1));
    expect(file.version).toBe(EXPORT_VERSION);
    const copy = await openTestDb();
    await importAll(copy, parseExport(JSON.stringify(file)));
    expect(await dumpDb(copy)).toEqual(await dumpDb(db));
    expect((await copy.get('pages', SOURCE))?.terms).toEqual({ coffee: 3 });
  });

  it('imports a version 3 export (before the capture) with the fields unknown', async () => {
    const v3 = {
      format: 'backlink-lens',
      version: 3,
      exportedAt: '2024-01-02T00:00:00.000Z',
      pages: [makePage(SOURCE)],
      links: [makeLink(SOURCE, TARGET)],
      redirects: [],
    };
    const parsed = parseExport(JSON.stringify(v3));
    expect(parsed.skipped).toBe(0);
    await importAll(db, parsed);
    const { pages, links } = await dumpDb(db);
    expect(pages).toEqual([makePage(SOURCE)]);
    expect(links).toEqual([makeLink(SOURCE, TARGET)]);
  });

  it('parses the capture fields of an import with the capture’s own bounds', () => {
    const terms = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `term${String.fromCharCode(97 + (i % 26))}${'x'.repeat(i % 5)}q${i}`,
        100 - i,
      ]),
    );
    const file = {
      format: 'backlink-lens',
      version: EXPORT_VERSION,
      exportedAt: '2024-01-02T00:00:00.000Z',
      pages: [
        makePage(SOURCE, {
          signals: {
            words: 1e12,
            descriptionLength: -5,
            favicon: 'yes',
            aboutLinked: true,
          } as never,
          terms: { ...terms, 'Not A Term': 5, the: 4, __proto__x: 3, neg: -1, str: 'a' } as never,
        }),
        makePage('https://c.example/', { signals: 'loud' as never, terms: [1, 2] as never }),
      ],
      links: [
        makeLink(SOURCE, TARGET, { context: 'w '.repeat(5000), image: 'true' as never }),
        makeLink(SOURCE, 'https://d.example/', { context: 42 as never }),
      ],
      redirects: [],
      referrals: [],
    };
    const { pages, links } = parseExport(JSON.stringify(file));
    expect(pages[0]?.signals).toEqual({
      words: MAX_COUNTED_WORDS,
      descriptionLength: 0,
      favicon: false,
      contactLinked: false,
      aboutLinked: true,
    });
    expect(Object.keys(pages[0]!.terms!)).toHaveLength(MAX_PAGE_TERMS);
    expect(pages[0]!.terms!.termaq0).toBe(100);
    expect(pages[0]!.terms).not.toHaveProperty('the');
    expect(pages[1]).not.toHaveProperty('signals');
    expect(pages[1]).not.toHaveProperty('terms');
    expect(links[0]?.context).toHaveLength(MAX_CONTEXT_LENGTH);
    expect(links[0]).not.toHaveProperty('image');
    expect(links[1]).not.toHaveProperty('context');
  });
});
