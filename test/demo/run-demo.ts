/**
 * `npm run demo`: Chromium with the built extension on a small demo web of interlinked sites
 * (coffee-blog.test, news-daily.test, …) served on 127.0.0.1. The demo pages are visited once,
 * so the toolbar popup has backlinks to show at once. With a display, the browser stays open
 * until you close it; without one (a server, CI) it runs headless, saves screenshots of the
 * popup and the full report, prints what they show, and exits. That run also takes the
 * README's screenshots (docs/screenshots/: popup, report and options, light and dark).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchWithExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { browse, OPTIONS, POPUP, REPORT } from '../support/extension-pages';
import type { Page } from 'playwright-core';
import { DEMO_SOURCES, GUIDE as TARGET } from '../support/demo-site';
import type { WorkerHooks } from '../../src/background/worker';

const SHOTS = resolve('docs/screenshots');

/** A page whose data has arrived: its main content shown and no part still loading. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('main');
  await page.waitForFunction(
    () => !document.querySelector('[data-site-pending], .loading, [aria-busy="true"]'),
  );
  // A full-page screenshot paints only what is near the viewport of rows drawn lazily
  // (content-visibility: auto, styles.css): every row, as a person scrolling sees them.
  await page.addStyleTag({ content: '.link { content-visibility: visible !important; }' });
  // Fonts and the last signal-driven paint.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}

const headless = process.argv.includes('--headless') || !process.env.DISPLAY;
const server = await startSiteServer();
const ext = await launchWithExtension({ sitePort: server.port, headless });
const page = await ext.context.newPage();
console.log(
  `Demo sites served on 127.0.0.1:${server.port}; visiting ${DEMO_SOURCES.length} pages…`,
);
await browse(ext, page, DEMO_SOURCES);
// The worker computes authority 30 s after the last recording; the demo shows it at once.
await ext.worker.evaluate(() =>
  (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(),
);
await page.goto(TARGET);
await page.bringToFront();

const query = `?url=${encodeURIComponent(TARGET)}`;
if (headless) {
  const outDir = resolve('demo-output');
  await mkdir(outDir, { recursive: true });
  await mkdir(SHOTS, { recursive: true });
  const popup = await ext.context.newPage();
  await popup.setViewportSize({ width: 440, height: 700 });
  const report = await ext.context.newPage();
  await report.setViewportSize({ width: 1200, height: 900 });
  const options = await ext.context.newPage();
  await options.setViewportSize({ width: 1000, height: 800 });
  // The README's screenshots, light and dark, taken from this run so they never go stale.
  for (const scheme of ['light', 'dark'] as const) {
    for (const [shot, url] of [
      [popup, POPUP + query],
      [report, REPORT + query],
      [options, OPTIONS],
    ] as const) {
      await shot.emulateMedia({ colorScheme: scheme });
      await shot.goto(ext.extensionUrl(url));
      await settled(shot);
    }
    await popup.screenshot({ path: `${SHOTS}/popup-${scheme}.png`, fullPage: true });
    await report.screenshot({ path: `${SHOTS}/report-${scheme}.png` });
    await options.screenshot({ path: `${SHOTS}/options-${scheme}.png` });
  }
  await popup.emulateMedia({ colorScheme: 'light' });
  await popup.screenshot({ path: `${outDir}/popup.png`, fullPage: true });
  await report.emulateMedia({ colorScheme: 'light' });
  await report.screenshot({ path: `${outDir}/report.png`, fullPage: true });
  console.log(`\nWhat the popup shows for ${TARGET}:\n`);
  console.log(
    (await popup.locator('main').innerText())
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  );
  console.log(
    `\nNo display, so Chromium ran headless. Screenshots: ${outDir}/popup.png, report.png, ` +
      `and the README's in ${SHOTS}`,
  );
  await ext.close();
  await server.close();
} else {
  await ext.worker.evaluate(() => chrome.action.openPopup()).catch(() => undefined);
  console.log(`\nChromium is open on ${TARGET}. Click the Backlink Lens icon (pin it from the`);
  console.log('puzzle-piece menu) to see who links here; browse the demo sites to add more.');
  console.log('Close the browser window or press Ctrl+C to stop.');
  const stop = async () => {
    await ext.close().catch(() => undefined);
    await server.close();
    process.exit(0);
  };
  ext.context.on('close', () => void stop());
  process.on('SIGINT', () => void stop());
}
