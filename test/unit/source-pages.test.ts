import { afterEach, beforeEach, expect, test } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { readPages } from '../../src/storage/queries';
import {
  knownDomainPages,
  PAGES_PER_SOURCE,
  PAGES_SLACK,
  readSourcePages,
} from '../../src/storage/source-pages';
import { closeTestDbs, makeLink, makePage, openTestDb } from './helpers';
import { countRequests } from '../support/idb-requests';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const TARGET = 'https://shop.com/widgets';

async function store(pages: PageRecord[]) {
  const tx = db.transaction('pages', 'readwrite');
  await Promise.all([...pages.map((p) => tx.store.put(p)), tx.done]);
}

/** Both reads of the same links' sources, each in a transaction of its own. */
async function bothReads(links: LinkRecord[]) {
  const byKey = await readPages(db.transaction('pages').store, [
    ...new Set(links.map((l) => l.source)),
  ]);
  const sources = await readSourcePages(db.transaction('pages').store, links);
  return { byKey, sources };
}

test('the same pages as one get per source, whatever each domain holds', async () => {
  // many.com: 40 visited pages, 3 linking, the last of them past its domain read's cap.
  const many = Array.from({ length: 40 }, (_, i) =>
    makePage(`https://many.com/${String(i).padStart(2, '0')}`),
  );
  // few.com: its 4 linking pages and 2 more; one.com: one linking page; gone.com: not stored.
  const few = [0, 1, 2, 3, 4, 5].map((i) => makePage(`https://few.com/${i}`));
  // A record whose stored domain is not its link's (written under another suffix list).
  const odd = makePage('https://blog.odd.co/', { domain: 'blog.odd.co' });
  await store([...many, ...few, makePage('https://one.com/'), odd]);
  const links = [
    ...['00', '01', '39'].map((i) => makeLink(`https://many.com/${i}`, TARGET)),
    ...[0, 1, 2, 3].map((i) => makeLink(`https://few.com/${i}`, TARGET)),
    // Two links from one page: one source.
    makeLink('https://few.com/0', TARGET, { anchor: 'again' }),
    makeLink('https://one.com/', TARGET),
    makeLink('https://gone.com/a', TARGET),
    makeLink('https://gone.com/b', TARGET),
    makeLink('https://blog.odd.co/', TARGET, { sourceDomain: 'odd.co' }),
    makeLink('https://www.odd.co/', TARGET, { sourceDomain: 'odd.co' }),
  ];
  const { byKey, sources } = await bothReads(links);
  expect(Object.keys(sources).sort()).toEqual(Object.keys(byKey).sort());
  expect(sources).toEqual(byKey);
  expect(Object.keys(sources)).toHaveLength(3 + 4 + 1 + 1);
  // The domains read whole are counted; many.com, cut at its cap, is not.
  expect(3 * PAGES_PER_SOURCE + PAGES_SLACK).toBeLessThan(many.length);
  expect(knownDomainPages(sources)).toEqual({ 'few.com': 6, 'gone.com': 0, 'odd.co': 0 });
  const count = (d: string) => db.countFromIndex('pages', 'by_domain', d);
  expect(await count('few.com')).toBe(6);
});

test('no links, no reads; sources read otherwise have no known counts', async () => {
  const sources = await readSourcePages(db.transaction('pages').store, []);
  expect(sources).toEqual({});
  expect(knownDomainPages(sources)).toEqual({});
  expect(knownDomainPages({})).toEqual({});
});

test('one round when every domain read holds its linking pages: single sources beside them', async () => {
  await store([
    ...[0, 1, 2].map((i) => makePage(`https://few.com/${i}`)),
    makePage('https://one.com/'),
    makePage('https://two.net/x'),
  ]);
  const links = [
    ...[0, 1, 2].map((i) => makeLink(`https://few.com/${i}`, TARGET)),
    makeLink('https://one.com/', TARGET),
    makeLink('https://two.net/x', TARGET),
    makeLink('https://gone.org/', TARGET),
  ];
  const counting = countRequests();
  let rounds = 0;
  const sources = await readSourcePages(db.transaction('pages').store, links).finally(
    () => (rounds = counting.stop().rounds),
  );
  expect(Object.keys(sources)).toHaveLength(5);
  expect(rounds).toBe(1);
});
