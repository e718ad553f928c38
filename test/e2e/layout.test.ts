import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, OPTIONS, REPORT, openPopupFor, waitForLinks } from '../support/extension-pages';

/*
 * Layout as a person's Chromium shows it: with scrollbars that take room (Playwright hides them
 * when headless, and a page that fits only without one passed). A target page linked from
 * sites with long, hyphenated names, enough of them that the popup is taller than its window.
 */

const TARGET = 'http://shop.test/widgets';
const LONG_HOST = 'the-very-long-international-coffee-roasters-association.test';
const SOURCES = [
  `http://${LONG_HOST}/`,
  'http://cheap-links-4-u.test/',
  'http://partner.test/',
  'http://review.test/post',
  'http://blogroll.test/post-1',
  'http://blogroll.test/post-2',
];

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><main><p>${'Words about widgets and the shops that sell them. '.repeat(10)}</p>` +
  `${body}</main></body></html>`;

const s = useExtensionSession({ scrollbars: true });

beforeAll(async () => {
  s.server.setPage('shop.test', '/widgets', page('Blue widgets', '<p>Our widgets.</p>'));
  for (const url of SOURCES) {
    const { host, pathname } = new URL(url);
    s.server.setPage(host, pathname, page(`A page on ${host}`, `<a href="${TARGET}">widgets</a>`));
  }
  await browse(s.ext, s.page, [TARGET, ...SOURCES]);
  await waitForLinks(s.ext, s.page, TARGET, (links) => links.length === SOURCES.length);
});

/** The page's sideways overflow, and whether it scrolls down (so a scrollbar takes room). */
const overflow = (p: Page) =>
  p.evaluate(() => {
    const doc = document.scrollingElement!;
    return {
      sideways: doc.scrollWidth - doc.clientWidth,
      scrollbar: doc.scrollHeight > doc.clientHeight && doc.clientWidth < innerWidth,
    };
  });

describe('the popup', () => {
  test('in a tab 420 px wide, with a scrollbar, does not scroll sideways', async () => {
    await s.page.setViewportSize({ width: 420, height: 600 });
    await openPopupFor(s.ext, s.page, TARGET);
    expect(await overflow(s.page)).toEqual({ sideways: 0, scrollbar: true });
  });

  test("a long domain's heading keeps its count of links on one line", async () => {
    await s.page.setViewportSize({ width: 420, height: 600 });
    await openPopupFor(s.ext, s.page, TARGET);
    const count = s.page.locator(`section.group[data-domain="${LONG_HOST}"] h2 .count`);
    const lines = await count.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect([await count.innerText(), lines]).toEqual(['1 live link', 1]);
  });

  test('from the toolbar, taller than its window, does not scroll sideways', async () => {
    // An extension page from which the real popup's window can be read.
    const helper = await s.ext.context.newPage();
    await helper.goto(s.ext.extensionUrl(`${REPORT}?url=about:blank`));
    const tab = await s.ext.context.newPage();
    await tab.goto(TARGET);
    await tab.bringToFront();
    await s.ext.worker.evaluate(() => chrome.action.openPopup());
    const read = () =>
      helper.evaluate(() => {
        const view = chrome.extension.getViews({ type: 'popup' })[0];
        if (!view?.document.querySelector('.report:not(:has([data-rows-pending]))')) return null;
        const doc = view.document.scrollingElement!;
        return {
          sideways: doc.scrollWidth - doc.clientWidth,
          scrollbar: doc.scrollHeight > doc.clientHeight && doc.clientWidth < view.innerWidth,
        };
      });
    await expect.poll(read, { timeout: 10_000 }).toEqual({ sideways: 0, scrollbar: true });
    await tab.close();
    await helper.close();
  });
});

test('the report table at 600 px breaks a domain only at its dots and hyphens', async () => {
  await s.page.setViewportSize({ width: 600, height: 800 });
  await s.page.goto(s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}`));
  await s.page.waitForSelector('tr.table-link');
  expect(await overflow(s.page)).toMatchObject({ sideways: 0 });
  // Each domain's lines, read from where its letters sit.
  const lines = await s.page.$$eval('tr.table-link .source-url .host', (hosts) =>
    hosts.map((host) => {
      const out: string[] = [];
      let top: number | null = null;
      const walker = document.createTreeWalker(host, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const y = Math.round(range.getBoundingClientRect().top);
          // A letter lower than the one before starts a line.
          if (top === null || y > top + 2) out.push('');
          out.push(`${out.pop()}${text[i]}`);
          top = y;
        }
      }
      return out;
    }),
  );
  expect(lines.length).toBe(SOURCES.length);
  const long = lines.find((l) => l.join('') === LONG_HOST)!;
  // The long name does wrap at this width; every line ends a label (the next starts with its
  // dot) or a hyphen.
  expect(long.length).toBeGreaterThan(1);
  for (const host of lines) {
    for (let i = 1; i < host.length; i++) {
      expect(`${host[i - 1]}|${host[i]}`).toMatch(/(-\||\|\.)/);
    }
  }
});

test('the settings notice, stuck to the top, never hides the control the keyboard reaches', async () => {
  // Low enough that each control below can be scrolled to the top.
  await s.page.setViewportSize({ width: 1024, height: 400 });
  await s.page.goto(s.ext.extensionUrl(OPTIONS));
  await s.page.waitForSelector('#storage-counts');
  await s.page.click('#prune-now');
  const notice = s.page.locator('#notice');
  await notice.waitFor();
  // Each control in turn, scrolled to just below the window's top edge (where the notice sits),
  // then reached with Shift+Tab from the control after it: the page scrolls it out from under.
  for (const id of ['#site-input', '#retention', '#remote-index-url']) {
    const placed = await s.page.evaluate((sel) => {
      const control = document.querySelector<HTMLElement>(sel)!;
      scrollBy(0, control.getBoundingClientRect().top - 2);
      const all = [...document.querySelectorAll<HTMLElement>('input, select, button')];
      all[all.indexOf(control) + 1]!.focus({ preventScroll: true });
      return Math.round(control.getBoundingClientRect().top);
    }, id);
    expect(placed, id).toBe(2);
    await s.page.keyboard.press('Shift+Tab');
    const shown = await s.page.evaluate(
      (sel) => ({
        focused: document.activeElement === document.querySelector(sel),
        top: document.querySelector(sel)!.getBoundingClientRect().top,
        noticeBottom: document.getElementById('notice')!.getBoundingClientRect().bottom,
      }),
      id,
    );
    expect(shown.focused, id).toBe(true);
    expect(shown.top, id).toBeGreaterThanOrEqual(shown.noticeBottom);
  }
});
