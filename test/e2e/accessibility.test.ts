import { beforeAll, describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { useExtensionSession } from '../support/session';
import { DEMO_SOURCES, GUIDE } from '../support/demo-site';
import { browse, OPTIONS, POPUP, REPORT, waitForLinks } from '../support/extension-pages';

/*
 * axe-core, run inside Chromium on each page of the extension with real data (the demo web
 * browsed), in the light and the dark colour scheme: no serious or critical finding, which
 * covers text contrast (WCAG AA), names and roles of controls, labels, lists and tables.
 */

const s = useExtensionSession();
const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  await browse(s.ext, s.page, [...DEMO_SOURCES, GUIDE]);
  await waitForLinks(s.ext, s.page, GUIDE, (l) => l.length >= 7);
});

/** axe-core's findings on the page as it is now, one line per element, worst first. */
async function findings(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the extension's pages run only their own scripts.
  await page.evaluate(`${await axeSource}\n;void 0`);
  const results = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run(),
  )) as AxeResults;
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
  );
}

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
