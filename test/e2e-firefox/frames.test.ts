import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox';
import { startSiteServer, type SiteServer } from '../support/site-server';
import { htmlPage } from '../support/discovery-pages';
import { browseWith, POPUP, shownLinks } from '../support/extension-pages';

/*
 * Frames of another site in Firefox with each site in its own process (Fission), as Firefox
 * runs for its users. The other Firefox files run in one content process (Puppeteer's
 * default), where such a frame is laid out with its embedding page: it measured 400 × 200 at
 * its first script even with that page busy. A browser of its own for this file.
 */

let server: SiteServer;
let ff: FirefoxExtension;

beforeAll(async () => {
  server = await startSiteServer();
  ff = await launchFirefoxWithExtension({ sitePort: server.port, siteIsolation: true });
}, 180_000);

afterAll(async () => {
  await ff?.close();
  await server?.close();
});

const recorded = async () => (await ff.activity()).recorded ?? 0;

test('a frame of another site that learns its size after its document is idle is read', async () => {
  // As in the Chromium suite (discovery.test.ts): the embedding page is busy for 1.5 s once the
  // frame starts loading. The frame, in another process, gets its size from that page's layout:
  // it measured 0 × 0 at its script, DOMContentLoaded and load, then was resized to 400 × 200.
  // The tab stays in front until then: a background tab's frame got no size at all.
  server.setPage(
    'busy-host.test',
    '/',
    htmlPage(
      'Busy host',
      '<main><iframe src="http://widgets.test/late-size" width="400" height="200"></iframe></main>',
      'const until = Date.now() + 1500; while (Date.now() < until);',
    ),
  );
  server.setPage(
    'widgets.test',
    '/late-size',
    htmlPage('Widget', '<main><a href="http://target.test/from-late-frame">widget link</a></main>'),
  );
  const before = await recorded();
  await browseWith((url) => ff.page.goto(url, { waitUntil: 'load' }), ff.activity, [
    'http://busy-host.test/',
  ]);
  // The embedding page and the frame.
  await expect.poll(recorded, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);

  const popup: Page = await ff.browser.newPage();
  await ff.openExtensionPage(
    popup,
    `${POPUP}?url=${encodeURIComponent('http://target.test/from-late-frame')}`,
  );
  expect(await shownLinks(popup)).toEqual([
    {
      source: 'http://widgets.test/late-size',
      anchor: 'widget link',
      rel: [],
      region: 'main',
      lost: false,
    },
  ]);
});
