import { beforeAll, expect, test } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useExtensionSession } from '../support/session';
import { exportText } from '../support/export-file';
import { openPopupFor, OPTIONS } from '../support/extension-pages';
import { T0 } from '../support/records';
import { POPUP_FIRST_ROWS, POPUP_ROWS } from '../../src/core/first-view';

/**
 * The popup of a page linked from more domains than it shows (issue 6): the groups of its first
 * viewport come in its first render, the others in the next task, and the rows below its fold
 * are laid out only when scrolled near, looking as the others do then.
 */
const TARGET = 'http://kettle.test/popular';
const DOMAINS = 40;
const PER_DOMAIN = 2;

async function popularExport(): Promise<string> {
  const links = Array.from({ length: DOMAINS * PER_DOMAIN }, (_, i) => ({
    source: `http://src${i % DOMAINS}.test/p${i}`,
    target: TARGET,
    anchor: `anchor ${i}`,
    rel: [],
    region: 'main',
    regions: ['main'],
    rels: [],
    occurrences: 1,
    firstSeen: T0,
    lastSeen: T0,
    lostAt: null,
  }));
  const file = join(await mkdtemp(join(tmpdir(), 'backlink-lens-popup-rows-')), 'popular.json');
  await writeFile(file, exportText([], links));
  return file;
}

/** How many groups each render that changed the list left in it, from the page's start. */
const RECORD_GROUPS = `(() => {
  window.__groups = [];
  new MutationObserver(() => {
    const n = document.querySelectorAll('.report .group').length;
    if (n > 0 && window.__groups.at(-1) !== n) window.__groups.push(n);
  }).observe(document, { childList: true, subtree: true });
})()`;

const s = useExtensionSession();

beforeAll(async () => {
  await s.page.goto(s.ext.extensionUrl(OPTIONS));
  await s.page.locator('#import').setInputFiles(await popularExport());
  await s.page.locator('#notice', { hasText: 'Imported' }).waitFor();
});

test("the popup renders its first viewport's groups, then the others; a row below the fold shows as the others when scrolled to", async () => {
  const popup = await s.ext.context.newPage();
  try {
    await popup.setViewportSize({ width: 420, height: 600 });
    await popup.addInitScript(RECORD_GROUPS);
    await openPopupFor(s.ext, popup, TARGET);
    const renders = await popup.evaluate(
      () => (window as unknown as { __groups: number[] }).__groups,
    );
    // The groups holding the first viewport's rows, then all of them: two renders, no more.
    expect(renders).toEqual([POPUP_FIRST_ROWS / PER_DOMAIN, POPUP_ROWS.domains]);

    const rows = popup.locator('li.link');
    expect(await rows.count()).toBe(POPUP_ROWS.domains * PER_DOMAIN);
    const last = rows.last();
    // Below the fold: not laid out yet (content-visibility), its height a placeholder's.
    expect(await last.evaluate((li) => getComputedStyle(li).contentVisibility)).toBe('auto');
    await last.scrollIntoViewIfNeeded();
    await expect
      .poll(() => last.evaluate((li) => li.getBoundingClientRect().height))
      .toBe(await rows.first().evaluate((li) => li.getBoundingClientRect().height));
    expect(await last.locator('.anchor').getAttribute('data-anchor')).toMatch(/^anchor \d+$/);
  } finally {
    await popup.close();
  }
});
