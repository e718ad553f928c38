import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, openPopupFor, REPORT, waitForLinks } from '../support/extension-pages';
import type { WorkerHooks } from '../../src/background/worker';

/**
 * Two links to one page: an editorial, followed link in the body of a review that links to
 * little else, and a nofollow link in the footer of a directory page with 400 other links.
 */
const TARGET = 'http://roastery.test/pour-over-guide';
const REVIEW = 'http://review.test/best-brewers';
const DIRECTORY = 'http://directory.test/all';
const DIRECTORY_LINKS = 400;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const s = useExtensionSession();

interface ShownFactor {
  factor: string;
  points: number;
  known: boolean;
  reason: string;
}

/**
 * Each row's quality badge, by linking page, once the scores are shown (after the list) and
 * the stored authority has been read (the heading shows it): scores shown before that count
 * authority as not known yet.
 */
async function shownQuality(p: Page): Promise<Record<string, { score: number; title: string }>> {
  await p.waitForSelector('header.target .authority');
  await p.waitForFunction(() => document.querySelectorAll('li.link [data-quality]').length === 2);
  const rows = await p.$$eval('li.link', (items) =>
    items.map((li) => {
      const badge = li.querySelector('[data-quality]')!;
      return [
        li.getAttribute('data-source')!,
        { score: Number(badge.getAttribute('data-quality')), title: badge.getAttribute('title')! },
      ] as const;
    }),
  );
  return Object.fromEntries(rows);
}

/** Focus a row's badge and press a key on it, as a keyboard user does; the factors it opened. */
async function openFactors(p: Page, source: string, key: 'Enter' | ' '): Promise<ShownFactor[]> {
  const badge = p.locator(`li.link[data-source="${source}"] button[data-quality]`);
  expect(await badge.getAttribute('aria-expanded')).toBe('false');
  await badge.focus();
  await p.keyboard.press(key === ' ' ? 'Space' : key);
  expect(await badge.getAttribute('aria-expanded')).toBe('true');
  const region = p.locator(`#${await badge.getAttribute('aria-controls')}`);
  await region.waitFor();
  expect(await region.getAttribute('role')).toBe('region');
  return region.locator('[data-factor]').evaluateAll((items) =>
    items.map((li) => ({
      factor: li.getAttribute('data-factor')!,
      points: Number(li.getAttribute('data-points')),
      known: li.getAttribute('data-known') === 'true',
      reason: li.querySelector('.factor-reason')!.textContent!,
    })),
  );
}

const byFactor = (factors: ShownFactor[]) => Object.fromEntries(factors.map((f) => [f.factor, f]));

beforeAll(async () => {
  s.server.setPage(
    'roastery.test',
    '/pour-over-guide',
    page('Pour-over guide | Roastery', '<main><h1>Pour-over guide</h1><p>Steps.</p></main>'),
  );
  s.server.setPage(
    'review.test',
    '/best-brewers',
    page(
      'The best brewers',
      `<nav><a href="/">Home</a></nav><main><article><p>For a clean cup, follow this ` +
        `<a href="${TARGET}">pour-over guide</a> before buying anything.</p></article></main>`,
    ),
  );
  const listing = Array.from(
    { length: DIRECTORY_LINKS },
    (_, i) => `<li><a href="/site/${i}">Site ${i}</a></li>`,
  ).join('');
  s.server.setPage(
    'directory.test',
    '/all',
    page(
      'Every site',
      `<main><ul>${listing}</ul></main>` +
        `<footer><a rel="nofollow" href="${TARGET}">click here</a></footer>`,
    ),
  );
  await browse(s.ext, s.page, [REVIEW, DIRECTORY, TARGET]);
  await waitForLinks(s.ext, s.page, TARGET, (links) => links.length === 2);
});

describe('link quality in the popup', () => {
  test('each row has a badge; the editorial link scores above the footer nofollow one', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const shown = await shownQuality(s.page);
    expect(Object.keys(shown).sort()).toEqual([DIRECTORY, REVIEW]);
    expect(shown[REVIEW]!.score).toBeGreaterThan(shown[DIRECTORY]!.score);
    expect(shown[REVIEW]!.score).toBeGreaterThanOrEqual(60);
    expect(shown[DIRECTORY]!.score).toBeLessThanOrEqual(20);
    expect(shown[DIRECTORY]!.title).toMatch(
      new RegExp(`^Link quality ${shown[DIRECTORY]!.score} of 100: .*loses most to rel`),
    );
  });

  test('Enter on a badge lists the factors, their points summing to the score', async () => {
    await s.page.setViewportSize({ width: 420, height: 640 });
    await openPopupFor(s.ext, s.page, TARGET);
    const shown = await shownQuality(s.page);
    const review = await openFactors(s.page, REVIEW, 'Enter');
    expect(review.map((f) => f.factor)).toEqual([
      'authority',
      'relevance',
      'placement',
      'anchor',
      'rel',
      'robots',
      'dilution',
      'sitewide',
    ]);
    expect(review.reduce((a, f) => a + f.points, 0)).toBe(shown[REVIEW]!.score);
    const r = byFactor(review);
    expect(r.placement!.reason).toBe('in the main content: an editorial link');
    expect(r.rel).toMatchObject({ points: 0, reason: 'a followed link: it passes authority' });
    expect(r.anchor!.reason).toBe("anchor text: uses this page's main keywords");
    // Not computed yet: counted as average and said so, not a zero.
    expect(r.authority).toMatchObject({
      known: false,
      reason: 'not known yet: authority has not been computed yet',
    });
    expect(r.authority!.points).toBeGreaterThan(0);

    const directory = byFactor(await openFactors(s.page, DIRECTORY, ' '));
    expect(directory.placement!.reason).toBe('in the page footer, usually repeated on every page');
    expect(directory.rel!.reason).toBe('rel=nofollow asks search engines not to count it');
    expect(directory.rel!.points).toBeLessThan(0);
    expect(directory.dilution!.reason).toBe(
      `the linking page has ${DIRECTORY_LINKS + 1} links: each passes less`,
    );
    expect(directory.dilution!.points).toBeLessThan(0);
    expect(directory.anchor!.reason).toBe(
      'anchor text: generic words that say nothing about the page',
    );
    // Both lists stay open, each under its own row.
    expect(await s.page.locator('.quality-factors').count()).toBe(2);
    if (process.env.QUALITY_SCREENSHOT) {
      await s.page.screenshot({ path: process.env.QUALITY_SCREENSHOT, fullPage: true });
    }
  });

  test('once authority is computed, the scores use it and name it', async () => {
    await s.ext.worker.evaluate(() =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(),
    );
    await openPopupFor(s.ext, s.page, TARGET);
    const shown = await shownQuality(s.page);
    expect(shown[REVIEW]!.score).toBeGreaterThan(shown[DIRECTORY]!.score);
    const authority = byFactor(await openFactors(s.page, REVIEW, 'Enter')).authority!;
    expect(authority.known).toBe(true);
    expect(authority.reason).toMatch(
      /^authority of the linking page \d+, its site \d+ \(of 100\)$/,
    );
    // The same run counted the pages' terms: the review, on the guide's topic, reads as related
    // and the directory's list of sites does not.
    const relevance = (source: string) =>
      s.page
        .locator(`li.link[data-source="${source}"] [data-factor="relevance"]`)
        .evaluate((li) => ({
          known: li.getAttribute('data-known') === 'true',
          points: Number(li.getAttribute('data-points')),
        }));
    await expect.poll(() => relevance(REVIEW)).toMatchObject({ known: true });
    await openFactors(s.page, DIRECTORY, 'Enter');
    await expect.poll(() => relevance(DIRECTORY)).toMatchObject({ known: true });
    expect((await relevance(REVIEW)).points).toBeGreaterThan((await relevance(DIRECTORY)).points);
  });

  test('the full report shows the same scores', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const popup = await shownQuality(s.page);
    await s.page.goto(
      s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}&list=domains`),
    );
    expect(await shownQuality(s.page)).toEqual(popup);
    // The table's score column, and its order by score.
    await s.page.click('[data-list="table"]');
    await s.page.waitForFunction(
      () =>
        document.querySelectorAll('tr.table-link[data-score]:not([data-score=""])').length === 2,
    );
    const table = await s.page.$$eval('tr.table-link', (rows) =>
      rows.map((r) => [r.getAttribute('data-source')!, Number(r.getAttribute('data-score'))]),
    );
    expect(Object.fromEntries(table)).toEqual(
      Object.fromEntries(Object.entries(popup).map(([source, q]) => [source, q.score])),
    );
    expect(table[0]![1]).toBeGreaterThan(table[1]![1] as number);
  });
});
