import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, openPopupFor, waitForLinks } from '../support/extension-pages';

/** A page linking to the target with known anchors, placed in known regions. */
const TARGET = 'http://roastery.test/pour-over-guide';
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const PAGES: Array<[host: string, path: string, html: string]> = [
  ['roastery.test', '/pour-over-guide', page('Pour-over guide | Roastery', '<main>Steps.</main>')],
  // Internal: counts in anchors and link types, not in diversity or referring pages.
  ['roastery.test', '/', page('Roastery', `<nav><a href="${TARGET}">Guides</a></nav>`)],
  [
    'alpha.test',
    '/review',
    page(
      'Review',
      `<nav><a href="${TARGET}">Roastery</a></nav><main><a href="${TARGET}">pour-over guide</a></main>`,
    ),
  ],
  [
    'beta.test',
    '/',
    page(
      'Beta',
      `<main><a href="${TARGET}">great pour-over tips</a></main><footer><a href="${TARGET}">click here</a></footer>`,
    ),
  ],
  [
    'gamma.test',
    '/post',
    page(
      'Gamma',
      `<aside><a href="${TARGET}">roastery.test/pour-over-guide</a></aside>` +
        `<div id="comments"><a rel="ugc" href="${TARGET}"><img src="/cup.png"></a></div>`,
    ),
  ],
  ['delta.test', '/', page('Delta', `<main><a href="${TARGET}">Jane's coffee notes</a></main>`)],
];

/** Counts of a profile bar's legend, by its data-* hook. */
async function legend(p: Page, hook: string): Promise<Record<string, number>> {
  return Object.fromEntries(
    await p.$$eval(
      `[data-${hook}]`,
      (items, h) =>
        items.map((li) => [li.getAttribute(`data-${h}`), Number(li.getAttribute('data-count'))]),
      hook,
    ),
  );
}

const figure = (p: Page, name: string) => p.locator(`[data-profile="${name}"]`).innerText();

const s = useExtensionSession();

beforeAll(async () => {
  for (const [host, path, html] of PAGES) s.server.setPage(host, path, html);
  await browse(
    s.ext,
    s.page,
    PAGES.map(([host, path]) => `http://${host}${path}`),
  );
  await waitForLinks(s.ext, s.page, TARGET, (links) => links.length === 8);
});

describe('the backlink profile in the popup', () => {
  test('classifies every anchor', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    expect(await legend(s.page, 'anchor-class')).toEqual({
      branded: 1,
      exact: 1,
      partial: 2,
      'naked-url': 1,
      generic: 1,
      // The comment's link is an image without alt text: an image link, not an empty anchor.
      image: 1,
      empty: 0,
      other: 1,
    });
  });

  test('spreads the links over link types', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    expect(await legend(s.page, 'link-type')).toEqual({
      editorial: 3,
      navigation: 3,
      aside: 1,
      comments: 1,
      other: 0,
    });
  });

  test('reads the diversity of the referring domains in plain words', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    // Links from other sites per domain 2, 2, 2, 1: 1 - (4 + 4 + 4 + 1) / 49 = 0.73.
    const diversity = s.page.locator('[data-profile="diversity"]');
    expect(await diversity.getAttribute('data-index')).toBe('0.73');
    expect(await diversity.innerText()).toBe(
      'Diversity 0.73: 3 domains give 86% of the links from other sites.',
    );
  });

  test('shows the figures with what they count', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    expect(await figure(s.page, 'referring-pages')).toBe('4 pages on other sites');
    expect(await figure(s.page, 'followed-share')).toBe('88% of links followed');
    expect(await figure(s.page, 'editorial-share')).toBe('38% of links editorial');
    expect(await figure(s.page, 'new-recent')).toBe('8 new in 30 days');
    expect(await figure(s.page, 'lost-recent')).toBe('0 lost in 30 days');
    expect(await figure(s.page, 'tlds')).toBe('TLDs: .test 4 domains');
    expect(await figure(s.page, 'country-codes')).toBe('Country codes: 0 of 4 domains (0%)');
    const thisWeek = s.page.locator('[data-profile="timeline"] tr[data-week]').last();
    expect(await thisWeek.getAttribute('data-new')).toBe('8');
  });
});

describe('after a link is removed', () => {
  test('counts it lost this week and leaves it out of the anchor classes', async () => {
    s.server.setPage('delta.test', '/', page('Delta', '<main>No links today.</main>'));
    await browse(s.ext, s.page, ['http://delta.test/']);
    await waitForLinks(s.ext, s.page, TARGET, (links) => links.some((l) => l.lost));
    expect(await figure(s.page, 'lost-recent')).toBe('1 lost in 30 days');
    expect((await legend(s.page, 'anchor-class')).other).toBe(0);
    const thisWeek = s.page.locator('[data-profile="timeline"] tr[data-week]').last();
    expect(await thisWeek.getAttribute('data-lost')).toBe('1');
    // Three domains are left, 2 + 2 + 2 links: 1 - 3 / 9.
    expect(await s.page.locator('[data-profile="diversity"]').getAttribute('data-index')).toBe(
      '0.67',
    );
  });
});
