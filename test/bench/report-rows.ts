/**
 * `BENCH_ONLY=report-rows`: the report table's render alone, this tree's against another
 * tree's (BENCH_BEFORE_SRC=<tree>, its src/), both bundled into the same extension page and
 * timed in alternating turns: a first page of TABLE_PAGE_SIZE rows rendered at once into a
 * viewport tall enough to hold them (the report renders them in two parts, the first screen
 * and the rest, ui/after-paint.ts). In-page time, in one page: the machine's load stretches
 * both sides alike, and the ratio is what to read.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM, launchWithExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { REPORT } from '../support/extension-pages';
import { TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';
import { bundleForPage } from './page-bundle';
import { ensureExtensionBuilt } from './built-extension';
import { formatMs, heading, info, median } from './measure';
import { loadAverage } from './boot-hot';

const TURNS = Number(process.env.BENCH_ROWS_TURNS ?? 30);

declare global {
  interface Window {
    BacklinkRows: typeof import('./report-rows-entry');
    BacklinkRowsBefore: typeof import('./report-rows-entry');
  }
}

export async function runReportRows(): Promise<void> {
  heading(
    "report rows: the table's first page rendered at once, this tree against another (Chromium)",
    `${TABLE_PAGE_SIZE} rows in one render, both trees' code in the same page, alternating turns.`,
  );
  const before = process.env.BENCH_BEFORE_SRC;
  if (!existsSync(CHROMIUM) || !before) {
    info('skipped: needs Chromium and BENCH_BEFORE_SRC (a tree whose src/ to compare)');
    return;
  }
  await ensureExtensionBuilt();
  const [mine, theirs] = await Promise.all([
    bundleForPage('./report-rows-entry.tsx', 'BacklinkRows'),
    bundleForPage('./report-rows-entry.tsx', 'BacklinkRowsBefore', `${before}/src`),
  ]);
  const server = await startSiteServer();
  const ext = await launchWithExtension({ sitePort: server.port });
  try {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1000, height: 8000 });
    await page.goto(ext.extensionUrl(`${REPORT}?url=${encodeURIComponent('about:blank')}`));
    await page.evaluate(mine);
    await page.evaluate(theirs);
    const times = { mine: [] as number[], theirs: [] as number[] };
    for (let turn = -3; turn < TURNS; turn++) {
      const order = turn % 2 === 0 ? (['mine', 'theirs'] as const) : (['theirs', 'mine'] as const);
      for (const which of order) {
        const ms = await page.evaluate(
          ([w, n]) =>
            (w === 'mine' ? window.BacklinkRows : window.BacklinkRowsBefore).renderTable(n),
          [which, TABLE_PAGE_SIZE] as const,
        );
        if (turn >= 0) times[which].push(ms);
      }
    }
    const [a, b] = [median(times.mine), median(times.theirs)];
    info(
      `this tree ${formatMs(a)} ms, before ${formatMs(b)} ms (medians of ${TURNS}), ` +
        `${(a / b).toFixed(2)}x; load ${loadAverage()}`,
    );
  } finally {
    await ext.close();
    await server.close();
  }
}
