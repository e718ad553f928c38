import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import {
  activity,
  browse,
  shownLinks,
  sortLinks,
  waitForLinks,
  openPopupFor,
  type ShownLink,
} from '../support/extension-pages';
import { htmlPage as page, LATE_LINKS_PAGE, SPA_PAGE } from '../support/discovery-pages';

/**
 * Pages built like today's web, each served by the test server: links rendered late by a
 * script, a single-page app, web components, frames, repeated links. Every test asserts the
 * exact rows the report shows for the targets involved.
 */
const s = useExtensionSession();
/** The popup opens in a tab of its own, so the page being watched stays open meanwhile. */
let viewer: Page;
beforeAll(async () => {
  viewer = await s.ext.context.newPage();
});

const row = (source: string, anchor: string, overrides: Partial<ShownLink> = {}): ShownLink => ({
  source,
  anchor,
  rel: [],
  region: 'main',
  lost: false,
  ...overrides,
});

/** The popup's rows for a target, once it has any (recording is asynchronous). */
const linksTo = (target: string, timeoutMs?: number) =>
  waitForLinks(s.ext, viewer, target, (l) => l.length > 0, timeoutMs);

/** Wait until the worker has handled `count` more messages of the given outcome. */
async function waitForActivity(outcome: string, atLeast: number, timeoutMs = 10_000) {
  await expect
    .poll(async () => (await activity(s.ext))[outcome] ?? 0, { timeout: timeoutMs })
    .toBeGreaterThanOrEqual(atLeast);
}

describe('links rendered after the page loaded', () => {
  test('a link added at 300 ms and one added at 3 s are both recorded, nothing marked lost', async () => {
    s.server.setPage('late.test', '/', LATE_LINKS_PAGE);
    await browse(s.ext, s.page, ['http://late.test/']);
    for (const [target, anchor] of [
      ['http://target.test/first', 'a link from the start'],
      ['http://target.test/at-300ms', 'added at 300 ms'],
      ['http://target.test/at-3s', 'added at 3 s'],
    ] as const) {
      const links = await linksTo(target, 15_000);
      expect(links).toEqual([row('http://late.test/', anchor)]);
    }
    // A revisit reads the page again; once the late links are back on screen they are live.
    await browse(s.ext, s.page, ['http://late.test/']);
    const after3s = await waitForLinks(
      s.ext,
      viewer,
      'http://target.test/at-3s',
      (l) => l.length > 0 && !l[0]!.lost,
      15_000,
    );
    expect(after3s).toEqual([row('http://late.test/', 'added at 3 s')]);
  });

  test('a page that keeps adding links costs bounded work and keeps the page responsive', async () => {
    // 50 links every 50 ms, forever: far past the per-visit cap of 5,000 links.
    s.server.setPage(
      'churn.test',
      '/',
      page(
        'Churn',
        '<main id="feed"></main>',
        `let n = 0;
         setInterval(() => {
           const feed = document.getElementById('feed');
           for (let i = 0; i < 50; i++, n++) {
             const a = document.createElement('a');
             a.href = 'http://target.test/feed/' + n; a.textContent = 'item ' + n;
             feed.append(a);
           }
         }, 50);`,
      ),
    );
    const before = await activity(s.ext);
    await browse(s.ext, s.page, ['http://churn.test/']);
    const merged = async () => ((await activity(s.ext)).merged ?? 0) - (before.merged ?? 0);
    // Past the cap of 5,000 links a visit, the watcher stops: no more batches are sent.
    const linkCount = () => s.page.evaluate(() => document.links.length);
    await s.page.waitForFunction(() => document.links.length > 6000, null, { timeout: 30_000 });
    // On a busy machine the last batches may still be on their way: wait until none come.
    let atCap = -1;
    await expect
      .poll(
        async () => {
          const before = atCap;
          atCap = await merged();
          return atCap > 0 && atCap === before;
        },
        { timeout: 20_000, interval: 2500 },
      )
      .toBe(true);
    const ticks = (await linkCount()) / 50;
    // Batched: far fewer messages than the page's mutation bursts (one every 50 ms).
    expect(atCap).toBeLessThan(ticks / 5);
    const more = (await linkCount()) + 2000;
    await s.page.waitForFunction((n) => document.links.length > n, more, { timeout: 30_000 });
    expect(await merged()).toBe(atCap);
    // An early item was recorded and is shown for its target.
    const links = await linksTo('http://target.test/feed/10');
    expect(links).toEqual([row('http://churn.test/', 'item 10')]);
  });
});

describe('single-page apps', () => {
  test('an in-app navigation starts a visit of the new URL with the links then on screen', async () => {
    s.server.setPage('spa.test', '/', SPA_PAGE);
    s.server.setPage('spa.test', '/about', SPA_PAGE);
    await browse(s.ext, s.page, ['http://spa.test/']);
    const home = await linksTo('http://target.test/from-home');
    expect(home).toEqual([row('http://spa.test/', 'Our supplier')]);

    const before = (await activity(s.ext)).recorded ?? 0;
    await s.page.goto('http://spa.test/');
    await waitForActivity('recorded', before + 1);
    await s.page.getByText('About us').click();
    expect(new URL(s.page.url()).pathname).toBe('/about');
    await waitForActivity('recorded', before + 2);

    // The about view's links belong to /about, the late one too; nothing to the home page.
    const about = await linksTo('http://target.test/from-about');
    expect(about).toEqual([row('http://spa.test/about', 'Our roaster')]);
    const late = await linksTo('http://target.test/about-late');
    expect(late).toEqual([row('http://spa.test/about', 'Press kit')]);
    // The nav is on screen on both URLs; on /about its link to /about is a self-link, not kept.
    const toAbout = await linksTo('http://spa.test/about');
    expect(sortLinks(toAbout)).toEqual([row('http://spa.test/', 'About us', { region: 'nav' })]);
    // The home page still shows its supplier link live: the in-app navigation was not a revisit.
    await openPopupFor(s.ext, viewer, 'http://target.test/from-home');
    expect(await shownLinks(viewer)).toEqual([row('http://spa.test/', 'Our supplier')]);
  });

  test('going back (popstate) is a visit of the earlier URL again', async () => {
    const before = (await activity(s.ext)).recorded ?? 0;
    await s.page.goto('http://spa.test/about');
    await waitForActivity('recorded', before + 1);
    await s.page.getByText('Home').click();
    await waitForActivity('recorded', before + 2);
    await s.page.goBack();
    expect(new URL(s.page.url()).pathname).toBe('/about');
    await waitForActivity('recorded', before + 3);
    const home = await linksTo('http://target.test/from-home');
    expect(home).toEqual([row('http://spa.test/', 'Our supplier')]);
  });
});

describe('web components and frames', () => {
  test('links in open shadow roots are read, with the region of the host', async () => {
    s.server.setPage(
      'components.test',
      '/',
      page(
        'Components',
        `<main><x-card></x-card></main>
         <footer><x-links></x-links></footer>
         <aside><x-lazy></x-lazy></aside>`,
        `customElements.define('x-card', class extends HTMLElement {
           constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
             '<p>Card: <a href="http://target.test/from-shadow">card link</a></p>'; }
         });
         customElements.define('x-inner', class extends HTMLElement {
           constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
             '<a href="http://target.test/from-nested">nested link</a>'; }
         });
         customElements.define('x-links', class extends HTMLElement {
           constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
             '<nav><x-inner></x-inner></nav>'; }
         });
         // Defined late, as lazily loaded bundles do: its shadow tree appears after load.
         setTimeout(() => customElements.define('x-lazy', class extends HTMLElement {
           constructor() { super(); this.attachShadow({ mode: 'open' }).innerHTML =
             '<a href="http://target.test/from-lazy">lazy link</a>'; }
         }), 500);`,
      ),
    );
    await browse(s.ext, s.page, ['http://components.test/']);
    const card = await linksTo('http://target.test/from-shadow');
    expect(card).toEqual([row('http://components.test/', 'card link')]);
    // Inside the nested shadow tree the nearest landmark is its own <nav>.
    const nested = await linksTo('http://target.test/from-nested');
    expect(nested).toEqual([row('http://components.test/', 'nested link', { region: 'nav' })]);
    const lazy = await linksTo('http://target.test/from-lazy', 15_000);
    expect(lazy).toEqual([row('http://components.test/', 'lazy link', { region: 'aside' })]);
  });

  test("a frame's links belong to the frame's own document, none to the embedding page", async () => {
    s.server.setPage(
      'frames.test',
      '/',
      page(
        'Embedding page',
        `<main><a href="http://target.test/from-top">top link</a>
         <iframe src="/inner" width="400" height="200"></iframe>
         <iframe src="http://widgets.test/embed" width="400" height="200"></iframe>
         <iframe src="http://widgets.test/pixel" width="0" height="0" style="border:0"></iframe></main>`,
      ),
    );
    s.server.setPage(
      'frames.test',
      '/inner',
      page(
        'Inner frame',
        '<main><a href="http://target.test/from-frame">same-origin frame link</a></main>',
      ),
    );
    s.server.setPage(
      'widgets.test',
      '/embed',
      page('Widget', '<footer><a href="http://target.test/from-widget">widget link</a></footer>'),
    );
    s.server.setPage(
      'widgets.test',
      '/pixel',
      page('Pixel', '<a href="http://target.test/from-pixel">tracking pixel link</a>'),
    );
    await browse(s.ext, s.page, ['http://frames.test/']);
    const top = await linksTo('http://target.test/from-top');
    expect(top).toEqual([row('http://frames.test/', 'top link')]);
    const inner = await linksTo('http://target.test/from-frame');
    expect(inner).toEqual([row('http://frames.test/inner', 'same-origin frame link')]);
    const widget = await linksTo('http://target.test/from-widget');
    expect(widget).toEqual([row('http://widgets.test/embed', 'widget link', { region: 'footer' })]);
    // A frame nobody can see is not read.
    await openPopupFor(s.ext, viewer, 'http://target.test/from-pixel');
    expect(await shownLinks(viewer)).toEqual([]);
  });

  test('a frame of another site that learns its size after its document is idle is read', async () => {
    // The embedding page is busy for 1.5 s once the frame starts loading. A frame of another
    // site (another process) gets its size from that page's layout, so its document is idle at
    // 0 × 0, as a busy machine makes it (referrals.test.ts failed so in fresh CI runs).
    s.server.setPage(
      'busy-host.test',
      '/',
      page(
        'Busy host',
        '<main><iframe src="http://widgets.test/late-size" width="400" height="200"></iframe></main>',
        'const until = Date.now() + 1500; while (Date.now() < until);',
      ),
    );
    s.server.setPage(
      'widgets.test',
      '/late-size',
      page('Widget', '<main><a href="http://target.test/from-late-frame">widget link</a></main>'),
    );
    await browse(s.ext, s.page, ['http://busy-host.test/']);
    const widget = await linksTo('http://target.test/from-late-frame');
    expect(widget).toEqual([row('http://widgets.test/late-size', 'widget link')]);
  });

  test('a frame inside an excluded site is not recorded', async () => {
    await s.ext.worker.evaluate(() =>
      chrome.storage.local.set({
        settings: { paused: false, excludedSites: ['private-host.test'] },
      }),
    );
    try {
      s.server.setPage(
        'private-host.test',
        '/',
        page(
          'Private',
          '<iframe src="http://widgets.test/in-private" width="400" height="200"></iframe>',
        ),
      );
      s.server.setPage(
        'widgets.test',
        '/in-private',
        page('Widget', '<a href="http://target.test/from-private-frame">widget link</a>'),
      );
      const before = await activity(s.ext);
      await s.page.goto('http://private-host.test/');
      await expect
        .poll(async () => (await activity(s.ext)).excluded ?? 0)
        .toBeGreaterThanOrEqual((before.excluded ?? 0) + 2);
      await openPopupFor(s.ext, viewer, 'http://target.test/from-private-frame');
      expect(await shownLinks(viewer)).toEqual([]);
    } finally {
      await s.ext.worker.evaluate(() =>
        chrome.storage.local.set({ settings: { paused: false, excludedSites: [] } }),
      );
    }
  });
});

describe('repeated links', () => {
  test('every occurrence is folded into one row: best placement, followed if any is', async () => {
    s.server.setPage(
      'repeats.test',
      '/',
      page(
        'Repeats',
        `<nav><a href="http://target.test/widgets">Widgets</a></nav>
         <main><p>We love <a href="http://target.test/widgets">Widgets</a>.</p></main>
         <section id="comments"><a href="http://target.test/gadgets" rel="nofollow ugc">gadgets</a></section>
         <footer><a href="http://target.test/gadgets">gadgets</a>
           <a href="http://target.test/widgets?utm_source=footer">Widgets</a></footer>`,
      ),
    );
    await browse(s.ext, s.page, ['http://repeats.test/']);
    const widgets = await linksTo('http://target.test/widgets');
    expect(widgets).toEqual([
      row('http://repeats.test/', 'Widgets', { alsoIn: ['nav', 'footer'], occurrences: 3 }),
    ]);
    const gadgets = await linksTo('http://target.test/gadgets');
    expect(gadgets).toEqual([
      row('http://repeats.test/', 'gadgets', {
        region: 'footer',
        alsoIn: ['comments'],
        alsoRel: ['nofollow', 'ugc'],
        occurrences: 2,
      }),
    ]);
  });
});
