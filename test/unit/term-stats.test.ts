import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  isRecountDue,
  loadRelevance,
  loadTermStats,
  TERM_STATS_MAX_AGE_MS,
  updateTermStats,
  updateTermStatsQuietly,
  type StoredTermStats,
} from '../../src/storage/term-stats';
import { clearAll } from '../../src/storage/records';
import { linkRelevance, relevanceTo } from '../../src/core/relevance';
import { linkKey } from '../../src/core/types';
import { closeTestDbs, makeLink, makePage, openTestDb } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const TARGET = 'https://shop.example/grinder';

describe('updateTermStats', () => {
  it('counts in how many pages each term occurs, aliases and pages without terms left out', async () => {
    await db.put('pages', makePage('https://a.example/1', { terms: { coffee: 5, grinder: 2 } }));
    await db.put('pages', makePage('https://a.example/2', { terms: { coffee: 1, tea: 9 } }));
    await db.put('pages', makePage('https://b.example/', { terms: { coffee: 2 } }));
    await db.put(
      'pages',
      makePage('https://b.example/canonical', {
        terms: { coffee: 2 },
        aliasOf: 'https://b.example/',
      }),
    );
    await db.put('pages', makePage('https://c.example/'));
    // Batches of two: the read goes on past each batch's last key.
    const outcome = await updateTermStats(db, { batch: 2, now: 1234 });
    expect(outcome).toMatchObject({ pages: 3, terms: 3, written: true });
    const stored = (await db.get('meta', 'term-stats')) as StoredTermStats & { id: string };
    expect(stored).toEqual({
      id: 'term-stats',
      pages: 3,
      terms: ['coffee', 'grinder', 'tea'],
      counts: [3, 1, 1],
      computedAt: 1234,
    });
    const stats = await loadTermStats(db);
    expect(stats.pages).toBe(3);
    expect([...stats.df]).toEqual([
      ['coffee', 3],
      ['grinder', 1],
      ['tea', 1],
    ]);
  });

  it('keeps the most frequent terms only', async () => {
    for (let i = 0; i < 5; i++) {
      await db.put(
        'pages',
        makePage(`https://a.example/${i}`, { terms: { common: 1, [`rare${'x'.repeat(i)}`]: 1 } }),
      );
    }
    await updateTermStats(db, { maxTerms: 1 });
    expect([...(await loadTermStats(db)).df]).toEqual([['common', 5]]);
  });

  it('writes nothing when stored data was forgotten while it counted', async () => {
    await db.put('pages', makePage('https://a.example/', { terms: { coffee: 1 } }));
    await updateTermStats(db);
    await db.put('pages', makePage('https://b.example/', { terms: { secret: 1 } }));
    const counting = updateTermStats(db);
    await clearAll(db); // bumps the data epoch (and clears meta)
    expect((await counting).written).toBe(false);
    expect((await loadTermStats(db)).df.has('secret')).toBe(false);
  });
});

describe('a recount after an authority update', () => {
  it('is due without a table, after a full read, past a day, or past 1% of pages changed', () => {
    const last = { pages: 1_000, computedAt: 5_000, pending: 0 };
    expect(isRecountDue(null, 1, 5_001)).toBe(true);
    expect(isRecountDue(last, null, 5_001)).toBe(true);
    expect(isRecountDue(last, 10, 5_001)).toBe(false);
    expect(isRecountDue(last, 11, 5_001)).toBe(true);
    expect(isRecountDue({ ...last, pending: 10 }, 1, 5_001)).toBe(true);
    expect(isRecountDue(last, 1, 5_000 + TERM_STATS_MAX_AGE_MS)).toBe(true);
    expect(isRecountDue(last, 1, 4_000)).toBe(true);
    // A small corpus is counted again after any change.
    expect(isRecountDue({ ...last, pages: 99 }, 1, 5_001)).toBe(true);
  });

  it('is skipped for a few pages of a large corpus, which add up until it is due', async () => {
    await db.put('pages', makePage('https://a.example/', { terms: { coffee: 1 } }));
    await updateTermStats(db, { now: 5_000 });
    // As if 1,000 pages were counted: the table is kept while 10 or fewer change.
    const table = (await db.get('meta', 'term-stats')) as StoredTermStats & { id: 'term-stats' };
    await db.put('meta', { ...table, pages: 1_000 });
    await db.put('pages', makePage('https://b.example/', { terms: { tea: 1 } }));
    expect(await updateTermStatsQuietly(db, 6, 5_001)).toMatchObject({ skipped: true });
    expect(await db.get('meta', 'term-stats')).toMatchObject({ pages: 1_000, pending: 6 });
    expect((await loadTermStats(db)).df.has('tea')).toBe(false);
    expect(await updateTermStatsQuietly(db, 5, 5_002)).toMatchObject({ written: true, pages: 2 });
    expect((await loadTermStats(db)).df.get('tea')).toBe(1);
    expect(await db.get('meta', 'term-stats')).not.toHaveProperty('pending');
  });
});

describe('loadRelevance', () => {
  it('scores each link by its source page and context against the target, null when unknown', async () => {
    const target = { coffee: 4, grinder: 3, burr: 1 };
    const onTopic = { coffee: 6, espresso: 2 };
    const offTopic = { taxes: 5, accountant: 2 };
    await db.put('pages', makePage(TARGET, { terms: target }));
    await db.put('pages', makePage('https://a.example/', { terms: onTopic }));
    await db.put('pages', makePage('https://b.example/', { terms: offTopic }));
    await db.put('pages', makePage('https://old.example/'));
    await updateTermStats(db);
    const links = [
      makeLink('https://a.example/', TARGET, { context: 'the best burr grinder we tried' }),
      makeLink('https://b.example/', TARGET, { context: 'file taxes early' }),
      makeLink('https://old.example/', TARGET),
      makeLink('https://never-visited.example/', TARGET),
    ];
    const scores = await loadRelevance(db, TARGET, links);
    const stats = await loadTermStats(db);
    expect(scores.get(linkKey(links[0]!))).toBe(
      linkRelevance(onTopic, links[0]!.context, target, stats),
    );
    expect(scores.get(linkKey(links[0]!))!).toBeGreaterThan(scores.get(linkKey(links[1]!))!);
    expect(scores.get(linkKey(links[1]!))).toBe(0);
    expect(scores.get(linkKey(links[2]!))).toBeNull();
    expect(scores.get(linkKey(links[3]!))).toBeNull();
  });

  it('gives the same scores from pages already read as from the store', async () => {
    await db.put('pages', makePage(TARGET, { terms: { coffee: 4, grinder: 3 } }));
    const source = makePage('https://a.example/', { terms: { coffee: 6 } });
    await db.put('pages', source);
    await updateTermStats(db);
    const links = [makeLink(source.url, TARGET, { context: 'a burr grinder' })];
    const stored = await loadRelevance(db, TARGET, links);
    // Known with other terms than stored: the known record is the one used.
    const known = await loadRelevance(db, TARGET, links, {
      [source.url]: { ...source, terms: { grinder: 2 } },
    });
    expect(await loadRelevance(db, TARGET, links, { [source.url]: source })).toEqual(stored);
    expect(known.get(linkKey(links[0]!))).not.toBe(stored.get(linkKey(links[0]!)));
  });

  it('is unknown for every link while the target has no terms', async () => {
    await db.put('pages', makePage('https://a.example/', { terms: { coffee: 1 } }));
    const link = makeLink('https://a.example/', TARGET, { context: 'coffee' });
    expect([...(await loadRelevance(db, TARGET, [link])).values()]).toEqual([null]);
  });

  it('takes 5,000 inbound links from 2,500 pages in one read (timing printed)', async () => {
    const words = ['coffee', 'grinder', 'espresso', 'burr', 'roast', 'beans', 'kettle', 'taxes'];
    await db.put('pages', makePage(TARGET, { terms: { coffee: 4, grinder: 3 } }));
    const tx = db.transaction('pages', 'readwrite');
    for (let i = 0; i < 2500; i++) {
      const terms = Object.fromEntries(
        Array.from({ length: 40 }, (_, k) => [`${words[(i + k) % words.length]}${k}`, 40 - k]),
      );
      void tx.store.put(makePage(`https://s${i}.example/`, { terms }));
    }
    await tx.done;
    const links = Array.from({ length: 5000 }, (_, i) =>
      makeLink(`https://s${i % 2500}.example/`, TARGET, {
        anchor: `a${i}`,
        context: `about ${words[i % words.length]} and the ${words[(i + 3) % words.length]} here`,
      }),
    );
    const counted = await updateTermStats(db);
    const started = performance.now();
    const scores = await loadRelevance(db, TARGET, links);
    const ms = performance.now() - started;
    expect(scores.size).toBe(5000);
    expect([...scores.values()].every((s) => s !== null && s >= 0 && s <= 1)).toBe(true);
    // The scoring alone, the pages already in memory: what remains once reads are fast.
    const pages = new Map((await db.getAll('pages')).map((p) => [p.url, p.terms]));
    const computing = performance.now();
    const score = relevanceTo(pages.get(TARGET), await loadTermStats(db));
    for (const link of links) score(pages.get(link.source), link.context);
    const computeMs = performance.now() - computing;
    console.log(
      `loadRelevance, 5,000 links from 2,500 pages (fake-indexeddb): ${ms.toFixed(0)} ms, ` +
        `of which scoring ${computeMs.toFixed(0)} ms; ` +
        `updateTermStats over 2,501 pages: ${counted.ms.toFixed(0)} ms`,
    );
    // 7,500 records in fake-indexeddb: seconds on a loaded machine, not the default 5.
  }, 60_000);
});
