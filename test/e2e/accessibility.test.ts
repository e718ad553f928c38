import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { readConfig } from '../../server/src/config';
import { startServer } from '../../server/src/serve';
import { useExtensionSession } from '../support/session';
import { findings } from '../support/axe';
import { DEMO_SOURCES, GUIDE } from '../support/demo-site';
import { browse, OPTIONS, POPUP, REPORT, waitForLinks } from '../support/extension-pages';
import { exportText } from '../support/export-file';
import { pageRecord, T0 } from '../support/records';

/*
 * axe-core, run inside Chromium on each page of the extension with real data (the demo web
 * browsed), in the light and the dark colour scheme: no serious or critical finding, which
 * covers text contrast (WCAG AA), names and roles of controls, labels, lists and tables.
 */

const s = useExtensionSession();

/**
 * The reference index server (PGlite, in memory), for the options page's remote-index section
 * with an index added; started while Chromium launches, since PGlite is slow to start.
 */
const indexServer = (async () => {
  const config = readConfig({ PORT: '0', INDEX_NAME: 'Team index', INDEX_MIN_PREFIX: '1' });
  return startServer({ ...config, dataDir: '' });
})();

beforeAll(async () => {
  await browse(s.ext, s.page, [...DEMO_SOURCES, GUIDE]);
  await waitForLinks(s.ext, s.page, GUIDE, (l) => l.length >= 7);
}, 240_000);

afterAll(async () => {
  const running = await indexServer.catch(() => null);
  running?.server.closeAllConnections();
  await running?.close().catch(() => undefined);
});

const PAGES: ReadonlyArray<[string, string, string]> = [
  ['popup', `${POPUP}?url=${encodeURIComponent(GUIDE)}`, '.report[data-referrals-read]'],
  ['report (table)', `${REPORT}?url=${encodeURIComponent(GUIDE)}`, 'table'],
  ['report (by domain)', `${REPORT}?url=${encodeURIComponent(GUIDE)}&list=domains`, '.groups'],
  ['options', OPTIONS, '#counts'],
];

describe.each(['light', 'dark'] as const)('%s colour scheme', (scheme) => {
  test.each(PAGES)('%s has no accessibility findings', async (_name, path, ready) => {
    await s.page.emulateMedia({ colorScheme: scheme });
    await s.page.goto(s.ext.extensionUrl(path));
    await s.page.waitForSelector(ready, { state: 'attached' });
    expect(await findings(s.page)).toEqual([]);
  });
});

describe('from the keyboard alone', () => {
  /** Press Tab until the focused element matches `selector`; fails after `max` presses. */
  async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) {
        return;
      }
    }
    throw new Error(`${selector} was not reached in ${max} presses of Tab`);
  }

  /** The focused element's outline: the focus is visible. */
  const focusOutline = (page: Page) =>
    page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });

  test('popup: a quality badge opens with Enter and Space, and Escape closes it', async () => {
    await s.page.emulateMedia({ colorScheme: 'light' });
    await s.page.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(GUIDE)}`));
    await s.page.waitForSelector('button.badge.quality');
    await tabTo(s.page, 'button.badge.quality');
    expect(await focusOutline(s.page)).toBe('solid 2px');
    const badge = s.page.locator('button.badge.quality:focus');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('true');
    const factors = s.page.locator(`#${await badge.getAttribute('aria-controls')}`);
    expect(await factors.locator('[data-factor]').count()).toBe(4 + 4);
    await s.page.keyboard.press('Escape');
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('false');
    expect(await factors.count()).toBe(0);
    await s.page.keyboard.press(' ');
    await expect.poll(() => badge.getAttribute('aria-expanded')).toBe('true');
  });

  /** The options page's notice once it says something, or ''. */
  const noticeOf = (page: Page, id: string) => () =>
    page
      .locator(id)
      .innerText({ timeout: 1000 })
      .catch(() => '');

  test('options: the remote index is added, changed and removed with keys alone, and passes axe', async () => {
    const index = await indexServer;
    const notice = noticeOf(s.page, '#remote-index-notice');
    await s.page.emulateMedia({ colorScheme: 'light' });
    await s.page.goto(s.ext.extensionUrl(OPTIONS));
    await tabTo(s.page, '#remote-index-url');
    expect(await focusOutline(s.page)).toBe('solid 2px');
    await s.page.keyboard.type(index.url);
    await tabTo(s.page, '#remote-index-add');
    await s.page.keyboard.press('Enter');
    await expect.poll(notice, { timeout: 30_000 }).toMatch(/^Added Team index\./);
    await s.page.waitForSelector('#remote-index-info');
    for (const scheme of ['light', 'dark'] as const) {
      await s.page.emulateMedia({ colorScheme: scheme });
      expect(await findings(s.page)).toEqual([]);
    }

    await tabTo(s.page, '#remote-index-enabled');
    await s.page.keyboard.press(' ');
    await expect.poll(notice).toBe('Team index is not asked any more.');
    await tabTo(s.page, '#remote-index-decoys');
    await s.page.keyboard.press('ArrowUp');
    // A number field commits its change when it loses focus.
    await s.page.keyboard.press('Tab');
    await expect.poll(notice).toBe('Each lookup now asks for 1 decoy bucket too.');
    await tabTo(s.page, '#remote-index-refresh');
    await s.page.keyboard.press('Enter');
    await expect.poll(notice).toBe('Team index was read again.');
    await tabTo(s.page, '#remote-index-remove');
    await s.page.keyboard.press(' ');
    await expect.poll(notice).toMatch(/^Removed Team index and its cached answers\./);
    await s.page.waitForSelector('#remote-index-url');
  });

  test('options: the storage panel works from the keyboard', async () => {
    const notice = noticeOf(s.page, '#notice');
    await s.page.goto(s.ext.extensionUrl(OPTIONS));
    await s.page.waitForSelector('#storage-counts');
    await tabTo(s.page, '#retention');
    expect(await focusOutline(s.page)).toBe('solid 2px');
    // Arrow keys change a closed <select> and fire its change, as for a mouse choice.
    await s.page.keyboard.press('Home');
    await expect
      .poll(notice)
      .toBe('Pages not visited again in 3 months will be deleted once a day.');
    await tabTo(s.page, '#prune-now');
    await s.page.keyboard.press('Enter');
    await expect.poll(notice).toMatch(/^(Nothing to delete|Deleted \d+ pages?)/);
  });

  test('options: an import in progress passes axe, and Cancel is reached and pressed from the keyboard', async () => {
    const notice = noticeOf(s.page, '#notice');
    await s.page.goto(s.ext.extensionUrl(OPTIONS));
    await s.page.waitForSelector('#counts');
    // Big enough that the import is still running while axe and the keyboard work: 12,000 links
    // once were, until imports got faster and one finished before Cancel was pressed.
    const sources = Array.from({ length: 100 }, (_, i) => `http://a11y-src${i}.test/p`);
    const links = Array.from({ length: 48_000 }, (_, i) => ({
      source: sources[i % 100],
      target: `http://a11y-target${i}.test/page`,
      anchor: `to ${i}`,
      rel: [],
      region: 'main',
      firstSeen: T0,
      lastSeen: T0,
      lostAt: null,
    }));
    const file = exportText(
      sources.map((url) => pageRecord(url)),
      links,
    );
    await s.page.locator('#import').setInputFiles({
      name: 'big.json',
      mimeType: 'application/json',
      buffer: Buffer.from(file),
    });
    await s.page.waitForSelector('#transfer[data-kind="import"]', { timeout: 60_000 });
    for (const scheme of ['light', 'dark'] as const) {
      await s.page.emulateMedia({ colorScheme: scheme });
      expect(await findings(s.page)).toEqual([]);
    }
    await tabTo(s.page, '#cancel-import');
    expect(await focusOutline(s.page)).toBe('solid 2px');
    await s.page.keyboard.press('Enter');
    await expect.poll(notice, { timeout: 30_000 }).toMatch(/cancelled/);
    await s.page.emulateMedia({ colorScheme: 'light' });
  });

  test('report: a column sorts with Enter; a flag opens with Enter and closes with Escape', async () => {
    await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(GUIDE)}`));
    await s.page.waitForSelector('table');
    await tabTo(s.page, 'th button[data-sort="domain"]');
    expect(await focusOutline(s.page)).toBe('solid 2px');
    const header = s.page.locator('th:has(button[data-sort="domain"])');
    const before = await header.getAttribute('aria-sort');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => header.getAttribute('aria-sort')).not.toBe(before);

    await s.page.waitForSelector('.flags details summary');
    await tabTo(s.page, '.flags details summary');
    await s.page.keyboard.press('Enter');
    const open = () =>
      s.page.evaluate(() => (document.activeElement!.parentElement as HTMLDetailsElement).open);
    await expect.poll(open).toBe(true);
    await s.page.keyboard.press('Escape');
    await expect.poll(open).toBe(false);
  });
});
