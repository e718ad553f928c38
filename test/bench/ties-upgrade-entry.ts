/**
 * The ties upgrade's page side (ties-upgrade.ts): a database of the version before the ties
 * store written in the extension's origin, its open by the build bundled (this tree's or another
 * tree's sources, under another global), and raw reads of the same pages for comparison.
 */
import { DB_NAME, openBacklinkDb, TIES_VERSION } from '../../src/storage/db';
import type { PageRecord } from '../../src/core/types';

/** Page records per seeding transaction. */
const SEED_TX = 5000;

/** How page `i` of a seeded store declares a canonical (see seedOld). */
type Kind = 'none' | 'self' | 'other';

/**
 * `mix` "none": no page declares a canonical (as the 1M profile's seeded pages); "web": most
 * declare their own URL, one in ten another one (with the alias record stored under it), as
 * pages on the web do.
 */
const kindOf = (mix: string, i: number): Kind =>
  mix === 'none' ? 'none' : i % 10 === 0 ? 'other' : i % 10 < 7 ? 'self' : 'none';

function pageOf(url: string, canonical: string | null, aliasOf?: string): PageRecord {
  const host = new URL(url).host;
  return {
    url,
    domain: host.replace(/^www\./, ''),
    host,
    title: `Post at ${url}`,
    canonical,
    lang: 'en',
    robotsNoindex: false,
    robotsNofollow: false,
    firstSeen: 1_700_000_000_000,
    lastSeen: 1_700_000_000_000,
    outboundCount: 10,
    truncated: false,
    visits: 1,
    ...(aliasOf ? { aliasOf } : {}),
  };
}

/**
 * Write `pages` page records (and the alias records of those declaring another URL) into a
 * database of the version before the ties store, and `hops` redirects. Returns the records.
 */
export async function seedOld(pages: number, mix: string, hops: number): Promise<number> {
  const db = await openBacklinkDb(DB_NAME, () => {}, TIES_VERSION - 1);
  let written = 0;
  try {
    for (let start = 0; start < pages; start += SEED_TX) {
      const tx = db.transaction(['pages', 'redirects'], 'readwrite');
      const puts: Array<Promise<unknown>> = [];
      for (let i = start; i < Math.min(pages, start + SEED_TX); i++) {
        const url = `https://www.source${Math.floor(i / 20)}.com/posts/${i}`;
        const kind = kindOf(mix, i);
        if (kind === 'other') {
          puts.push(tx.objectStore('pages').put(pageOf(url, `${url}/canonical`)));
          puts.push(
            tx.objectStore('pages').put(pageOf(`${url}/canonical`, `${url}/canonical`, url)),
          );
          written += 2;
        } else {
          puts.push(tx.objectStore('pages').put(pageOf(url, kind === 'self' ? url : null)));
          written += 1;
        }
        if (i < hops) {
          puts.push(
            tx
              .objectStore('redirects')
              .put({ from: `${url}/old`, to: url, status: 301, firstSeen: 1, lastSeen: 1 }),
          );
        }
      }
      await Promise.all([...puts, tx.done]);
    }
  } finally {
    db.close();
  }
  return written;
}

/** The stored database's version, or 0 without one. */
export async function storedVersion(): Promise<number> {
  const found = (await indexedDB.databases()).find((d) => d.name === DB_NAME);
  return found?.version ?? 0;
}

/** Open the database with this bundle's code (running the upgrade if it is older): ms taken. */
export async function openTimed(): Promise<{ ms: number; ties: number; tiesHash: string }> {
  const start = performance.now();
  const db = await openBacklinkDb();
  const ms = performance.now() - start;
  try {
    const keys = await db.getAllKeys('ties');
    return { ms, ties: keys.length, tiesHash: await hashOf(keys.join('\n')) };
  } finally {
    db.close();
  }
}

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16)).join('');
}

const settle = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/**
 * Raw reads of the pages of the stored database at its version, read-only: every record a
 * thousand at a time (the fill before), every key, and by_canonical's keys by a key cursor.
 */
export async function rawReads(): Promise<Record<string, number>> {
  const version = await storedVersion();
  const db = await settle(indexedDB.open(DB_NAME, version));
  try {
    const pages = () => db.transaction('pages').objectStore('pages');
    const timed = async (run: () => Promise<unknown>) => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    const records = await timed(async () => {
      const store = pages();
      let after: string | null = null;
      for (;;) {
        const range: IDBKeyRange | null =
          after === null ? null : IDBKeyRange.lowerBound(after, true);
        const batch: PageRecord[] = await settle<PageRecord[]>(store.getAll(range, 1000));
        if (batch.length < 1000) return;
        after = batch[batch.length - 1]!.url;
      }
    });
    const keys = await timed(() => settle(pages().getAllKeys()));
    let entries = 0;
    const cursor = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = pages().index('by_canonical').openKeyCursor();
          request.onsuccess = () => {
            if (!request.result) return resolve();
            entries++;
            request.result.continue();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    return { records, keys, cursor, entries };
  } finally {
    db.close();
  }
}
