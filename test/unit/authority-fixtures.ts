import type { LinkRecord } from '../../src/core/types';
import type { BacklinkDb } from '../../src/storage/db';
import { seededRandom } from '../bench/random';
import { makeLink, makePage } from './helpers';

/**
 * A random link graph of `pages` pages on a quarter as many sites, each with up to `maxOut`
 * out-links, skewed towards low page numbers (so in-degree is uneven, as on the web).
 */
export function randomLinks(seed: number, pages: number, maxOut: number): LinkRecord[] {
  const random = seededRandom(seed);
  const url = (i: number) => `https://site${i % Math.ceil(pages / 4)}.com/p${i}`;
  const links: LinkRecord[] = [];
  for (let i = 0; i < pages; i++) {
    const out = Math.floor(random() * (maxOut + 1));
    for (let k = 0; k < out; k++) {
      links.push(makeLink(url(i), url(Math.floor(random() ** 2 * pages))));
    }
  }
  return links;
}

/** Leaves that each link to the hub, stored as pages and links. */
export async function storeLeaves(db: BacklinkDb, leaves: number) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < leaves; i++) {
    const url = `https://leaf${i}.com/`;
    writes.push(tx.objectStore('pages').put(makePage(url)));
    writes.push(tx.objectStore('links').put(makeLink(url, 'https://hub.com/')));
  }
  await Promise.all([...writes, tx.done]);
}

/** `db` whose read-write transactions on the scores fail after `chunks`: the worker stopped. */
export function stoppingAfter(db: BacklinkDb, chunks: number): BacklinkDb {
  let left = chunks;
  const transaction = ((
    stores: string | string[],
    mode?: IDBTransactionMode,
    options?: IDBTransactionOptions,
  ) => {
    if (mode === 'readwrite' && [stores].flat().includes('authority-scores') && left-- <= 0) {
      throw new Error('the worker was stopped');
    }
    return db.transaction(stores as never, mode, options);
  }) as BacklinkDb['transaction'];
  return new Proxy(db, {
    get: (target, prop) => {
      if (prop === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
