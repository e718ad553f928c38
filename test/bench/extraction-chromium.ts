/**
 * Benchmark 1b: link extraction in real Chromium, where the content script really runs. The
 * extractor is bundled with Vite into a page script; the page is the same generated 20,000-link
 * document as the happy-dom benchmark. Rows: the naive extractor (baseline), extractPage over
 * every link, and extractPage with the content script's own cap (what a user's tab pays).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../support/browser';
import { check, collect, heading, info, printTable, step } from './measure';
import { buildDocumentHtml, TOTAL_LINKS } from './extraction-page';
import { bundleForPage } from './page-bundle';

export async function runExtractionChromium(): Promise<void> {
  heading(
    'extraction (Chromium)',
    `The same ${TOTAL_LINKS.toLocaleString('en')}-link page in Debian's Chromium: naive extractor vs extractPage,\n` +
      'and extractPage with the content script’s default cap (5,000 links), the cost a tab pays.',
  );
  if (!existsSync(CHROMIUM)) {
    info(`skipped: no Chromium at ${CHROMIUM}`);
    return;
  }
  const script = await step('bundle the extractor with Vite (untimed)', bundleForPage);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    // The page's images point at made-up hosts: fail them at once, nothing leaves the machine.
    await page.route('**/*', (route) => route.abort());
    page.on('pageerror', (e) => check('the page runs the bundle without errors', false, e.message));
    await step('load the page (untimed)', async () => {
      await page.setContent(buildDocumentHtml(), { waitUntil: 'domcontentloaded' });
      await page.addScriptTag({ content: script });
    });
    const all = TOTAL_LINKS;
    const sizes = await page.evaluate((maxLinks) => {
      const B = window.BacklinkBench;
      const fast = B.extractPage(document, { ...B.DEFAULT_EXTRACT_OPTIONS, maxLinks });
      const slow = B.naiveExtract(document);
      // Regions differ from the landmark-only baseline by design (core/placement.ts).
      const same = fast.links.every((l, i) => l.href === slow.links[i]?.href);
      return { fast: fast.links.length, slow: slow.links.length, same };
    }, all);
    check(
      'both extractors agree in Chromium',
      sizes.fast === sizes.slow && sizes.same,
      `${sizes.fast} links`,
    );
    const time = (name: string, code: 'naive' | 'all' | 'capped') =>
      collect(
        name,
        () =>
          page.evaluate(
            ({ code, all }) => {
              const B = window.BacklinkBench;
              const start = performance.now();
              if (code === 'naive') B.naiveExtract(document);
              else if (code === 'all')
                B.extractPage(document, { ...B.DEFAULT_EXTRACT_OPTIONS, maxLinks: all });
              else B.extractPage(document);
              return performance.now() - start;
            },
            { code, all },
          ),
        { warmup: 2, reps: 9 },
      );
    const baseline = await time('naive extractor (closest + walk)', 'naive');
    const memo = await time('extractPage, all 20,000 links', 'all');
    const capped = await time('extractPage, default cap (5,000)', 'capped');
    printTable([baseline, memo, capped], baseline);
  } finally {
    await browser.close();
  }
}
