import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { findings } from '../support/axe';
import { DEMO_SOURCES, GUIDE } from '../support/demo-site';
import { browse, OPTIONS, POPUP, REPORT, waitForLinks } from '../support/extension-pages';

/*
 * axe-core, run inside Chromium on each page of the extension with real data (the demo web
 * browsed), in the light and the dark colour scheme: no serious or critical finding, which
 * covers text contrast (WCAG AA), names and roles of controls, labels, lists and tables.
 */

const s = useExtensionSession();

beforeAll(async () => {
  await browse(s.ext, s.page, [...DEMO_SOURCES, GUIDE]);
  await waitForLinks(s.ext, s.page, GUIDE, (l) => l.length >= 7);
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
