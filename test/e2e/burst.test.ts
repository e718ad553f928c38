import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { holdingScreen } from '../support/first-read-lock';
import { FIRST_READ_LOCK } from '../../src/platform/write-gate';

// Readers first (issue 7, item 5), in real Chromium: while a screen of the extension holds the
// first-read lock, the worker starts no recording write; and a screen that never lets go holds
// recording back for a bounded time only.

const s = useExtensionSession();

const html = (title: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><main>` +
  `<a href="http://gate-target.test/a">A</a> <a href="http://gate-target.test/b">B</a>` +
  `</main></body></html>`;

/** Whether the extension's database holds a page record for `url` (from an extension page). */
function isStored(screen: Page, url: string): Promise<boolean> {
  return screen.evaluate(
    (u) =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        // Not created yet: back out rather than create an empty version 1.
        open.onupgradeneeded = () => open.transaction!.abort();
        open.onerror = () =>
          open.error?.name === 'AbortError' ? resolve(false) : reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('pages').objectStore('pages').get(u);
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result !== undefined);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    url,
  );
}

/** The worker's recording write waiting on the lock (an exclusive request pending). */
function writeWaiting(screen: Page): Promise<boolean> {
  return screen.evaluate(async (name) => {
    const { pending = [] } = await navigator.locks.query();
    return pending.some((l) => l.name === name && l.mode === 'exclusive');
  }, FIRST_READ_LOCK);
}

test('a recording write waits while a screen reads, and starts once it lets go', async () => {
  const url = 'http://gate-source.test/held';
  s.server.setPage('gate-source.test', '/held', html('Held'));
  const screen = await holdingScreen(s.ext);
  await s.page.goto(url, { waitUntil: 'load' });
  // The content script's snapshot reached the write gate: the write waits for the screen.
  await expect.poll(() => writeWaiting(screen), { timeout: 15_000 }).toBe(true);
  expect(await isStored(screen, url)).toBe(false);
  await screen.evaluate(() => window.__letGo!());
  await expect.poll(() => isStored(screen, url), { timeout: 15_000 }).toBe(true);
  expect(await writeWaiting(screen)).toBe(false);
  await screen.close();
});

test('a screen that never lets go does not stop recording', async () => {
  const url = 'http://gate-source.test/stuck';
  s.server.setPage('gate-source.test', '/stuck', html('Stuck'));
  const screen = await holdingScreen(s.ext);
  await s.page.goto(url, { waitUntil: 'load' });
  await expect.poll(() => isStored(screen, url), { timeout: 15_000 }).toBe(true);
  // Stored while the screen still holds the lock: the write went on after its bounded wait.
  const { held = [] } = await screen.evaluate(() => navigator.locks.query());
  expect(held.filter((l) => l.name === FIRST_READ_LOCK)).toHaveLength(1);
  await screen.close();
});
