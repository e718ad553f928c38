/**
 * Benchmark 2: storing one page load. recordPage writes a whole snapshot in one transaction,
 * firing its puts without awaiting each; the baseline writes the very same records with one
 * transaction per link, as a naive store would.
 */
import { recordPage } from '../../src/storage/records';
import type { BacklinkDb } from '../../src/storage/db';
import type { PageSnapshot, RawLink } from '../../src/core/types';
import { check, heading, info, measure, pick, printTable, seededRandom } from './measure';
import { DAY, T0, dropDb, freshDb } from './fixtures';
import { foldedOf } from '../../src/core/occurrences';

const SOURCE = 'https://blog.example.com/2024/05/big-link-roundup';
const LINKS = 5_000;
const REPEAT = { warmup: 1, reps: 5 };

function snapshot(): PageSnapshot {
  const random = seededRandom(5_000);
  const regions = ['main', 'main', 'nav', 'footer', 'aside', 'comments'] as const;
  const links: RawLink[] = Array.from({ length: LINKS }, (_, i) => ({
    href: `https://www.site${Math.floor(random() * 800)}.com/articles/${i}?utm_source=roundup`,
    anchor: `Article ${i} about ${pick(random, ['coffee', 'tea', 'cocoa', 'water'])}`,
    ...foldedOf({ rel: random() < 0.1 ? ['nofollow'] : [], region: pick(random, regions) }),
  }));
  return {
    url: SOURCE,
    title: 'The big link roundup',
    canonical: null,
    lang: 'en',
    robots: { noindex: false, nofollow: false },
    links,
    totalLinks: LINKS,
    truncated: false,
  };
}

/** One readwrite transaction per record: idb's db.put opens and commits one each time. */
async function writeOneByOne(db: BacklinkDb, records: Awaited<ReturnType<typeof recorded>>) {
  for (const link of records.links) await db.put('links', link);
  await db.put('pages', records.page);
}

/** The same records in a single transaction, puts fired together: the write pattern alone. */
async function writeInOne(db: BacklinkDb, records: Awaited<ReturnType<typeof recorded>>) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  const links = tx.objectStore('links');
  await Promise.all([
    ...records.links.map((link) => links.put(link)),
    tx.objectStore('pages').put(records.page),
    tx.done,
  ]);
}

/** Exactly what recordPage stores for the snapshot, read back from a scratch database. */
async function recorded(snap: PageSnapshot) {
  const db = await freshDb();
  try {
    await recordPage(db, snap, T0);
    const [links, page] = await Promise.all([db.getAll('links'), db.get('pages', SOURCE)]);
    if (!page) throw new Error('recordPage stored no page');
    return { links, page };
  } finally {
    await dropDb(db);
  }
}

export async function runStorageWrite(): Promise<void> {
  heading(
    'storage write',
    `recordPage of a ${LINKS.toLocaleString('en')}-link snapshot into fake-indexeddb (one transaction) ` +
      'vs the same records\nwritten one transaction per link; plus a revisit with 10% of the links gone.',
  );
  const first = snapshot();
  const revisit: PageSnapshot = { ...first, links: first.links.filter((_l, i) => i % 10 !== 0) };
  const records = await recorded(first);
  info(`${records.links.length} link records + 1 page record per write`);

  const teardown = (db: BacklinkDb) => dropDb(db);
  const baseline = await measure(
    'same records, 1 transaction per link',
    (db: BacklinkDb) => writeOneByOne(db, records),
    { ...REPEAT, setup: freshDb, teardown },
  );
  const oneTx = await measure(
    'same records, 1 transaction for all',
    (db: BacklinkDb) => writeInOne(db, records),
    { ...REPEAT, setup: freshDb, teardown },
  );
  const firstVisit = await measure(
    'recordPage, first visit',
    (db: BacklinkDb) => recordPage(db, first, T0),
    { ...REPEAT, setup: freshDb, teardown },
  );
  const revisitRow = await measure(
    'recordPage, revisit (10% removed)',
    (db: BacklinkDb) => recordPage(db, revisit, T0 + DAY),
    {
      ...REPEAT,
      setup: async () => {
        const db = await freshDb();
        await recordPage(db, first, T0);
        return db;
      },
      teardown,
    },
  );
  const rows = [baseline, oneTx, firstVisit, revisitRow];
  for (const row of rows) row.extra = (records.links.length / row.median).toFixed(1);
  printTable(rows, baseline, { extraHeader: 'links/ms' });
  info('recordPage also canonicalizes every URL and looks up registrable domains; the');
  info('"1 transaction for all" row is the write pattern alone. fake-indexeddb keeps data in');
  info("memory, so a commit costs far less than in a browser's on-disk IndexedDB.");

  // What was timed did the work it claims.
  const db = await freshDb();
  try {
    await writeOneByOne(db, records);
    check('baseline stored every record', (await db.count('links')) === records.links.length);
    await db.clear('links');
    await writeInOne(db, records);
    check(
      'one-transaction write stored every record',
      (await db.count('links')) === records.links.length,
    );
    await db.clear('links');
    await db.clear('pages');
    const a = await recordPage(db, first, T0);
    const b = await recordPage(db, revisit, T0 + DAY);
    check(
      'recordPage first visit and revisit',
      a?.added === records.links.length && b?.lost === LINKS / 10 && b.added === 0,
      `added ${a?.added}; revisit: ${b?.links} live, ${b?.lost} lost`,
    );
  } finally {
    await dropDb(db);
  }
}
