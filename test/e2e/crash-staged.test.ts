import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { holdingScreen } from '../support/first-read-lock';
import { STAGE_LINKS } from '../../src/storage/records';

// A large page's write in real Chromium (issue 7, item 5): its new links are staged in chunks,
// each after the write gate, and only the last transaction writes the page record. A screen
// holding the gate slows the write down to a chunk per MAX_HOLD_MS, so the worker is stopped
// part-way for certain; afterwards nothing it staged may be left, and the content script's
// retry stores the visit whole.

const s = useExtensionSession();

const LINKS = STAGE_LINKS * 3 + 100;

const html = (title: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><main>` +
  Array.from(
    { length: LINKS },
    (_, i) => `<a href="http://staged-${i % 13}.test/${i}">L${i}</a>`,
  ).join(' ') +
  `</main></body></html>`;

interface Stored {
  page: { title: string; outboundCount: number } | null;
  links: Array<{ target: string; anchor: string; lostAt: number | null }>;
  journal: unknown;
}

/** The page's record, its links and the staging journal, read from an extension page. */
function storedOf(screen: Page, url: string): Promise<Stored> {
  return screen.evaluate(async (u) => {
    const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
      const open = indexedDB.open('backlink-lens');
      open.onupgradeneeded = () => open.transaction!.abort();
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => (open.error?.name === 'AbortError' ? resolve(null) : reject(open.error));
    });
    if (!db) return { page: null, links: [], journal: null };
    const tx = db.transaction(['pages', 'links', 'meta']);
    const read = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const [page, links, journal] = await Promise.all([
      read(tx.objectStore('pages').get(u)),
      read(tx.objectStore('links').index('by_source').getAll(u)),
      read(tx.objectStore('meta').get('staged-writes')),
    ]);
    db.close();
    return { page: page ?? null, links, journal: journal ?? null };
  }, url);
}

test('a worker stopped part-way through a large page leaves no staged link, and the retry stores it whole', async () => {
  const url = 'http://staged-source.test/big';
  s.server.setPage('staged-source.test', '/big', html('Big'));
  const screen = await holdingScreen(s.ext);
  await s.page.goto(url, { waitUntil: 'load' });

  // Part-way: a chunk staged, the page not yet recorded.
  await expect
    .poll(async () => (await storedOf(screen, url)).links.length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(STAGE_LINKS);
  const partWay = await storedOf(screen, url);
  expect(partWay.page).toBeNull();
  expect(partWay.links.length).toBeLessThan(LINKS);
  expect(partWay.journal).toMatchObject({ writes: [{ source: url }] });

  const cdp = await s.ext.context.newCDPSession(screen);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await screen.evaluate(() => window.__letGo!());

  // The content script sends the snapshot again; the new worker sweeps, then stores it whole.
  await expect
    .poll(async () => (await storedOf(screen, url)).page?.title, { timeout: 60_000 })
    .toBe('Big');
  const stored = await storedOf(screen, url);
  const identities = stored.links.map((l) => `${l.target}|${l.anchor}`);
  expect(new Set(identities).size).toBe(identities.length);
  expect(stored.links).toHaveLength(LINKS);
  expect(stored.links.every((l) => l.lostAt === null)).toBe(true);
  expect(stored.page?.outboundCount).toBe(LINKS);
  expect(stored.journal).toBeNull();
  await screen.close();
}, 120_000);
