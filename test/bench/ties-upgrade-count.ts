/**
 * `npx tsx test/bench/ties-upgrade-count.ts`: the ties upgrade's requests in Node (fake-indexeddb): a store of the version before the ties
 * store with BENCH_TIES_PAGES pages (100,000) of each mix (ties-upgrade-entry.ts#seedOld),
 * opened by this tree's code and by BENCH_BEFORE_SRC's: requests, rounds, and the page records
 * read. Counts, which no load on the machine changes; the times beside them are fake-indexeddb's.
 */
import 'fake-indexeddb/auto';
import { countRequestsOf } from '../support/idb-requests';
import { seedOld } from './ties-upgrade-entry';
import { DB_NAME } from '../../src/storage/db';

const PAGES = Number(process.env.BENCH_TIES_PAGES ?? 100_000);
const BEFORE_SRC = process.env.BENCH_BEFORE_SRC;

type Open = () => Promise<{ close(): void; getAllKeys(store: 'ties'): Promise<unknown[]> }>;
const builds: Array<[string, Open]> = [
  ['this tree', async () => (await import('../../src/storage/db')).openBacklinkDb()],
];
if (BEFORE_SRC) {
  builds.push([
    'before',
    async () => (await import(`${BEFORE_SRC}/storage/db.ts`)).openBacklinkDb() as ReturnType<Open>,
  ]);
}

for (const mix of ['none', 'web']) {
  for (const [build, open] of builds) {
    await new Promise((resolve) => (indexedDB.deleteDatabase(DB_NAME).onsuccess = resolve));
    const records = await seedOld(PAGES, mix, Math.floor(PAGES / 100));
    const start = performance.now();
    const { result: db, count } = await countRequestsOf(open);
    const ms = performance.now() - start;
    const ties = (await db.getAllKeys('ties')).length;
    db.close();
    const read = Object.entries(count.byName)
      .filter(([name]) => name.startsWith('pages.'))
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    console.log(
      `${mix.padEnd(4)} ${build.padEnd(9)} ${records} page records: ${count.requests} requests in ` +
        `${count.rounds} rounds, ${count.records} entries answered; pages: ${read}; ` +
        `${ties} ties; ${ms.toFixed(0)} ms (fake-indexeddb)`,
    );
  }
}
