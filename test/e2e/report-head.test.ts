import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { exportText } from '../support/export-file';
import { openPopupFor, OPTIONS, REPORT } from '../support/extension-pages';
import { T0 } from '../support/records';
import { firstScreenRows, TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';

/**
 * The report page of a hot page (issue 7): its first table rows from the aggregates (the
 * head), then every link. 150 referring domains with 3 linking pages each, some of the links
 * lost or nofollow, so that the report's order is not the stored one.
 */
const TARGET = 'http://kettle.test/hot';
const DOMAINS = 150;
const PER_DOMAIN = 3;
const TOTAL = DOMAINS * PER_DOMAIN;
const DAY = 86_400_000;

async function hotExport(): Promise<string> {
  const links = Array.from({ length: TOTAL }, (_, i) => {
    const seen = T0 + (i % 17) * DAY;
    return {
      source: `http://src${i % DOMAINS}.test/p${i}`,
      target: TARGET,
      anchor: `anchor ${i}`,
      rel: i % 7 === 0 ? ['nofollow'] : [],
      region: 'main',
      regions: ['main'],
      rels: i % 7 === 0 ? ['nofollow'] : [],
      occurrences: 1,
      firstSeen: seen,
      lastSeen: seen,
      lostAt: i % 11 === 0 ? seen + DAY : null,
    };
  });
  const file = join(await mkdtemp(join(tmpdir(), 'backlink-lens-head-')), 'hot.json');
  await writeFile(file, exportText([], links));
  return file;
}

/**
 * Every state of the table as it changed, recorded from the page's start: whether it was a
 * head (and of how many links), and its rows top to bottom. Plain JavaScript: it runs before
 * the page's own scripts.
 */
const RECORD_TABLE = `(() => {
  window.__tables = [];
  new MutationObserver(() => {
    const table = document.querySelector('.link-table');
    if (!table) return;
    const rows = [...table.querySelectorAll('tr.table-link')].map(
      (r) => r.getAttribute('data-source') + '|' + r.getAttribute('data-anchor'),
    );
    const line = table.querySelector('.table-count')?.textContent ?? '';
    window.__tables.push({ head: table.getAttribute('data-table-head'), rows, line });
  }).observe(document, { childList: true, subtree: true, attributes: true });
})()`;

interface TableState {
  head: string | null;
  rows: string[];
  /** The line above the rows. */
  line: string;
}

const s = useExtensionSession();
const reportUrl = (query = '') =>
  s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}${query}`);

/** Open the report and wait until every link is in the table; every state it went through. */
async function openReport(p: Page, query = ''): Promise<TableState[]> {
  await p.goto(reportUrl(query));
  await p.waitForSelector(`.link-table:not([data-table-head]) [data-table-count]`);
  return p.evaluate(() => (window as unknown as { __tables: TableState[] }).__tables);
}

beforeAll(async () => {
  await s.page.goto(s.ext.extensionUrl(OPTIONS));
  await s.page.locator('#import').setInputFiles(await hotExport());
  await s.page.locator('#notice', { hasText: 'Imported' }).waitFor();
  // The popup reads the page in full once, and has the worker build its aggregates.
  await openPopupFor(s.ext, s.page, TARGET);
  await s.page.addInitScript(RECORD_TABLE);
});

describe('the report page of a hot page', () => {
  test('shows its first rows before every link is read, in the order the full table has them', async () => {
    // The aggregates are built in the background after the popup: a report opened before
    // that reads in full, as on main.
    let states: TableState[] = [];
    await expect
      .poll(
        async () => {
          states = await openReport(s.page);
          return states.some((t) => t.head !== null && t.rows.length > 0);
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    const head = states.find((t) => t.head !== null && t.rows.length > 0)!;
    expect(head.head).toBe(String(TOTAL));
    // A screen of rows first, the rest of the page once that is painted.
    const screen = firstScreenRows(await s.page.evaluate(() => innerHeight));
    expect(screen).toBeLessThan(TABLE_PAGE_SIZE);
    expect(head.rows).toHaveLength(screen);
    expect(head.line).toBe(
      `The first ${TABLE_PAGE_SIZE} of ${TOTAL} links, in the report's order. Sorting, filters and saving take in every link once all are read.`,
    );
    // The head's rows are the full report's first rows, in its order: the list grouped by
    // domain shows every link in that order.
    await s.page.click('[data-list="domains"]');
    await s.page.waitForSelector('.groups');
    const grouped = await s.page.$$eval('li.link', (items) =>
      items.map(
        (li) =>
          li.getAttribute('data-source') +
          '|' +
          li.querySelector('.anchor')?.getAttribute('data-anchor'),
      ),
    );
    expect(grouped).toHaveLength(TOTAL);
    // While a head, the rows kept their order (scores arriving did not move them), and the
    // rows added after the first screen came below it: each state the report's first rows.
    const heads = states.filter((t) => t.head !== null && t.rows.length > 0);
    for (const t of heads) {
      expect(t.rows.length).toBeLessThanOrEqual(TABLE_PAGE_SIZE);
      expect(t.rows).toEqual(grouped.slice(0, t.rows.length));
    }
    // Every link read, the table took the head's place with the rows it showed: no state after
    // the head had fewer of them (built anew, it showed a screen of rows, then the rest).
    const last = heads.at(-1)!;
    expect(last.rows).toHaveLength(TABLE_PAGE_SIZE);
    const after = states.slice(states.lastIndexOf(last) + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const t of after) expect(t.rows.length).toBeGreaterThanOrEqual(last.rows.length);
    // Then the whole table, every link counted, its first page of rows shown.
    await s.page.click('[data-list="table"]');
    expect(await s.page.locator('[data-table-count]').getAttribute('data-table-count')).toBe(
      String(TOTAL),
    );
    await expect.poll(() => s.page.locator('tr.table-link').count()).toBe(TABLE_PAGE_SIZE);
  });

  test('a filter in the address waits for every link, saying so, and is then honoured', async () => {
    const states = await openReport(s.page, '&status=lost');
    // The head showed no rows for a view it cannot answer, only that every link is being read.
    const heads = states.filter((t) => t.head !== null);
    expect(heads.length).toBeGreaterThan(0);
    for (const t of heads) {
      expect(t.rows).toEqual([]);
      expect(t.line).toBe(`Reading all ${TOTAL} links for this view…`);
    }
    const lost = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 11 === 0).length;
    expect(await s.page.locator('[data-table-count]').getAttribute('data-table-count')).toBe(
      String(lost),
    );
    // More than a screen of rows: the rest come once it is painted.
    expect(lost).toBeGreaterThan(firstScreenRows(await s.page.evaluate(() => innerHeight)));
    await expect.poll(() => s.page.locator('tr.table-link').count()).toBe(lost);
  });

  test('a sort in the address waits for every link, then orders them all, not the first rows', async () => {
    const states = await openReport(s.page, '&sort=anchor&dir=asc');
    const heads = states.filter((t) => t.head !== null);
    expect(heads.length).toBeGreaterThan(0);
    for (const t of heads) expect(t.rows).toEqual([]);
    // The first page of the whole set in that order: anchors of links the head never read too.
    const anchors = Array.from({ length: TOTAL }, (_, i) => `anchor ${i}`).sort((a, b) =>
      a.localeCompare(b),
    );
    await expect.poll(() => s.page.locator('tr.table-link').count()).toBe(TABLE_PAGE_SIZE);
    const shown = await s.page.$$eval('tr.table-link', (rows) =>
      rows.map((r) => r.getAttribute('data-anchor')),
    );
    expect(shown).toEqual(anchors.slice(0, TABLE_PAGE_SIZE));
  });
});
