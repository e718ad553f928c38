import { beforeAll, describe, expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { browse } from '../support/extension-pages';
import type { WorkerHooks } from '../../src/background/worker';
import type { LinkRecord, PageRecord } from '../../src/core/types';

/**
 * A review page as a person would read it: a heading and a paragraph on grinders with an
 * editorial link, a logo link that is an image, a footer with contact and about links; the
 * extension must store the words around each link, the image flag, the page's terms and signals.
 */
const REVIEW = 'http://coffee-review.test/grinders';
const TARGET = 'http://grinder-shop.test/encore';

const REVIEW_HTML = `<!doctype html><html lang="en"><head><title>Best coffee grinders</title>
<meta name="description" content="We tested twelve grinders for espresso and filter coffee.">
<link rel="icon" href="/favicon.ico"></head><body>
<header><a href="http://grinder-shop.test/"><img src="/logo.png" alt="Grinder Shop"></a></header>
<main><h1>Coffee grinders, tested</h1><h2>Burr grinders</h2>
<p>After a month of daily espresso our favourite burr grinder is the
<a href="${TARGET}">Baratza Encore</a>, which grinds evenly and costs little to repair.</p>
</main>
<footer><a href="/contact-us">Write to us</a> <a href="/about">About</a></footer>
</body></html>`;

const s = useExtensionSession();

/** Every record of a store of the extension's database, read in its worker. */
function stored<T>(store: 'pages' | 'links' | 'meta'): Promise<T[]> {
  return s.ext.worker.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('backlink-lens');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      return await new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(name).objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }, store);
}

beforeAll(async () => {
  s.server.setPage('coffee-review.test', '/grinders', REVIEW_HTML);
  s.server.setPage(
    'grinder-shop.test',
    '/encore',
    '<!doctype html><title>Baratza Encore grinder</title><main><h1>Encore burr grinder</h1></main>',
  );
  await browse(s.ext, s.page, [REVIEW, TARGET]);
});

describe('what the content script captures, stored', () => {
  test('the words around a link and the image flag are stored with each link', async () => {
    const links = (await stored<LinkRecord>('links')).filter((l) => l.source === REVIEW);
    const editorial = links.find((l) => l.target === TARGET);
    // Twelve words before the link, its own, and the rest of the sentence.
    expect(editorial?.context).toBe(
      'After a month of daily espresso our favourite burr grinder is the Baratza Encore, ' +
        'which grinds evenly and costs little to repair.',
    );
    expect(editorial?.image).toBe(false);
    const logo = links.find((l) => l.target === 'http://grinder-shop.test/');
    expect(logo).toMatchObject({ anchor: 'Grinder Shop', image: true, region: 'header' });
  });

  test('the page’s terms and signals are stored with the page', async () => {
    const page = (await stored<PageRecord>('pages')).find((p) => p.url === REVIEW);
    expect(page?.signals).toEqual({
      // 5 in the headings, 22 in the paragraph, 4 in the footer (an image's alt is not text).
      words: 31,
      descriptionLength: 'We tested twelve grinders for espresso and filter coffee.'.length,
      favicon: true,
      contactLinked: true,
      aboutLinked: true,
    });
    const terms = page?.terms ?? {};
    // Title and headings weigh most: "grinders" is in the title, the h1 and the h2.
    expect(Object.keys(terms)[0]).toBe('grinders');
    expect(terms).toMatchObject({ coffee: 7, burr: 4, espresso: 1 });
    expect(terms).not.toHaveProperty('the');
  });

  test('the authority run counts the terms for relevance', async () => {
    await s.ext.worker.evaluate(() =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(),
    );
    const meta = await stored<{ id: string; pages?: number; terms?: string[] }>('meta');
    const stats = meta.find((m) => m.id === 'term-stats');
    expect(stats?.pages).toBe(2);
    expect(stats?.terms).toContain('grinder');
  });
});
