import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { GUIDE } from '../support/demo-site';
import {
  browse,
  openPopupFor,
  REPORT,
  shownLinks,
  sortLinks,
  waitForLinks,
  type ShownLink,
} from '../support/extension-pages';

/** café.test, whose page has no title. */
const CAFE = 'http://xn--caf-dma.test/';
/** "аpple.test" with a Cyrillic а: a lookalike. */
const LOOKALIKE = 'http://xn--pple-43d.test/';
/** A page whose robots meta says noindex. */
const NOINDEX = 'http://press-archive.test/';

/** How a row reads on screen, beside the hooks tests key on. */
interface RowText {
  source: string;
  /** The linked text of the source: its title, or its address when it has none. */
  shown: string;
  /** The hover title of that link: the exact, encoded address. */
  hover: string;
  /** The address line under a titled source. */
  url: string | null;
  pageRobots: string[];
}

function rowTexts(page: Page): Promise<RowText[]> {
  return page.$$eval('li.link', (items) =>
    items.map((li) => {
      const a = li.querySelector('.source a')!;
      return {
        source: li.getAttribute('data-source') ?? '',
        shown: a.textContent ?? '',
        hover: a.getAttribute('title') ?? '',
        url: li.querySelector('.source-url')?.textContent ?? null,
        pageRobots: Array.from(li.querySelectorAll('[data-page-robots]'), (b) =>
          b.getAttribute('data-page-robots')!,
        ),
      };
    }),
  );
}

/** The text of each element matching `selector`, white space squashed. */
function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) =>
    els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()),
  );
}

const s = useExtensionSession();

beforeAll(async () => {
  await browse(s.ext, s.page, [CAFE, LOOKALIKE, NOINDEX]);
});

describe('links to the guide from an IDN host, a lookalike host and a noindex page', () => {
  const expected: ShownLink[] = [
    { source: CAFE, anchor: 'guide de préparation', rel: [], region: 'main', lost: false },
    { source: LOOKALIKE, anchor: 'brewing guide', rel: [], region: 'main', lost: false },
    { source: NOINDEX, anchor: 'a guide to brewing', rel: [], region: 'main', lost: false },
  ];

  test('rows show café.test in Unicode, the lookalike encoded, and the noindex badge', async () => {
    const links = await waitForLinks(s.ext, s.page, GUIDE, (l) => l.length >= expected.length);
    expect(sortLinks(links)).toEqual(sortLinks(expected));
    const rows = await rowTexts(s.page);
    expect(rows.sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      {
        source: NOINDEX,
        shown: 'Press archive',
        hover: NOINDEX,
        url: NOINDEX,
        pageRobots: ['noindex'],
      },
      { source: CAFE, shown: 'http://café.test/', hover: CAFE, url: null, pageRobots: [] },
      {
        source: LOOKALIKE,
        shown: 'Apple coffee deals',
        hover: LOOKALIKE,
        url: 'http://xn--pple-43d.test/',
        pageRobots: [],
      },
    ]);
    // Its text: innerText reads a row below the fold, not yet rendered, as empty.
    await expect(s.page.locator('[data-page-robots="noindex"]').textContent()).resolves.toBe(
      'page noindex',
    );
  });

  test('group headings read as people read the names, with the encoded name on hover', async () => {
    await openPopupFor(s.ext, s.page, GUIDE);
    const groups = await s.page.$$eval('section.group', (sections) =>
      sections.map((g) => {
        const host = g.querySelector('h2 .host')!;
        return [g.getAttribute('data-domain'), host.textContent, host.getAttribute('title')];
      }),
    );
    expect(groups.sort()).toEqual([
      ['press-archive.test', 'press-archive.test', null],
      ['xn--caf-dma.test', 'café.test', 'xn--caf-dma.test'],
      ['xn--pple-43d.test', 'xn--pple-43d.test', null],
    ]);
    expect(await texts(s.page, 'section.group h2 .count')).toEqual([
      '1 live link',
      '1 live link',
      '1 live link',
    ]);
  });

  test('totals say what they count, in the plural', async () => {
    await openPopupFor(s.ext, s.page, GUIDE);
    // The site-wide counts load after the page's own list.
    await s.page.locator('section.site').waitFor();
    expect(await texts(s.page, '[data-stat="backlinks"] > span')).toEqual([
      '3',
      'links to this page',
      '3 from other sites',
    ]);
    expect(await texts(s.page, '[data-stat="domains"] > span')).toEqual(['3', 'referring domains']);
    expect(await texts(s.page, 'section.site[data-site="coffee-blog.test"] p')).toEqual([
      'Whole site: 3 links into coffee-blog.test from 3 other sites (referring domains).',
    ]);
  });
});

describe('the report for a page on café.test', () => {
  test('shows its address and site in Unicode and its counts in the singular', async () => {
    const report = await s.ext.context.newPage();
    await report.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(CAFE)}&list=domains`));
    expect(await shownLinks(report)).toEqual([
      { source: LOOKALIKE, anchor: 'Café du coin', rel: [], region: 'main', lost: false },
    ]);
    const heading = report.locator('header.target a');
    expect(await heading.innerText()).toBe('http://café.test/');
    expect(await heading.getAttribute('title')).toBe(CAFE);
    expect(await heading.getAttribute('href')).toBe(CAFE);
    expect(await report.title()).toBe('Links to http://café.test/ · Backlink Lens');
    expect(await texts(report, '[data-stat="backlinks"] > span')).toEqual([
      '1',
      'link to this page',
      '1 from another site',
    ]);
    expect(await texts(report, '[data-stat="domains"] > span')).toEqual(['1', 'referring domain']);
    const site = report.locator('section.site[data-site="xn--caf-dma.test"]');
    await site.waitFor();
    expect(await texts(report, 'section.site p')).toEqual([
      'Whole site: 1 link into café.test from 1 other site (referring domains).',
      'Its pages with the most links from other sites:',
    ]);
    expect(await texts(report, '.top-targets li')).toEqual([
      'http://café.test/ 1 link from another site',
    ]);
    expect(await site.locator('[data-site-stat="backlinks"]').innerText()).toBe('1');
    expect(await site.locator('.top-targets li').getAttribute('data-target')).toBe(CAFE);
    await report.close();
  });
});
