import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { browse, openPopupFor, REPORT } from '../support/extension-pages';
import type { WorkerHooks } from '../../src/background/worker';
import type { AuthorityOutcome } from '../../src/background/authority-job';

/**
 * A small web where the answer is plain: five blogs each link to the hub and to the target,
 * the hub links to the target too, and one lone page nobody links to links to the target.
 * The target is the most linked page; of its sources, the hub outranks the lone page and
 * the blogs (nobody links to those either).
 */
const TARGET = 'http://target.test/guide';
const HUB = 'http://hub.test/';
const LONE = 'http://lone.test/';
const BLOGS = Array.from({ length: 5 }, (_, i) => `http://blog${i}.test/`);

const page = (title: string, links: string[]) =>
  `<!doctype html><title>${title}</title><main>${links
    .map((href) => `<p><a href="${href}">${title} on ${href}</a></p>`)
    .join('')}</main>`;

const s = useExtensionSession();

async function computeAuthorityNow(mode?: 'full'): Promise<AuthorityOutcome> {
  return s.ext.worker.evaluate(
    (m) =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(m),
    mode,
  );
}

async function authorityAlarm(): Promise<chrome.alarms.Alarm | undefined> {
  return s.ext.worker.evaluate(() => chrome.alarms.get('authority'));
}

/** The popup's figures once the scores have loaded (they come after the first render). */
async function shownAuthority(p: Page) {
  await p.waitForSelector('[data-authority="page"]');
  const value = (kind: string) =>
    p.locator(`[data-authority="${kind}"]`).getAttribute('data-value').then(Number);
  const sources = await p.$$eval('li.link', (items) =>
    items.map((li) => ({
      source: li.getAttribute('data-source')!,
      authority: Number(
        li.querySelector('[data-source-authority]')?.getAttribute('data-source-authority') ?? NaN,
      ),
    })),
  );
  return {
    page: await value('page'),
    domain: await value('domain'),
    shownPage: await p.locator('[data-authority="page"] strong').innerText(),
    freshness: await p.locator('[data-authority-freshness]').innerText(),
    explanation: await p.locator('.authority').getAttribute('title'),
    sources,
  };
}

/** The same figures for the page, its domain and each source, to `digits` decimals. */
function expectSameAuthority(
  actual: Awaited<ReturnType<typeof shownAuthority>>,
  expected: Awaited<ReturnType<typeof shownAuthority>>,
  digits: number,
) {
  expect(actual.page).toBeCloseTo(expected.page, digits);
  expect(actual.domain).toBeCloseTo(expected.domain, digits);
  expect(actual.sources.map((x) => x.source)).toEqual(expected.sources.map((x) => x.source));
  actual.sources.forEach((x, i) =>
    expect(x.authority).toBeCloseTo(expected.sources[i]!.authority, digits),
  );
}

beforeAll(async () => {
  for (const blog of BLOGS) s.server.setPage(new URL(blog).host, '/', page('Blog', [HUB, TARGET]));
  s.server.setPage('hub.test', '/', page('Hub', [TARGET]));
  s.server.setPage('lone.test', '/', page('Lone', [TARGET]));
  s.server.setPage('target.test', '/guide', page('The guide', []));
  await browse(s.ext, s.page, [...BLOGS, HUB, LONE, TARGET]);
});

describe('source authority', () => {
  test('before the first computation, the popup says the scores are not computed yet', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const shown = await shownAuthority(s.page);
    expect(shown.freshness).toBe('not computed yet');
    expect(shown.shownPage).toBe('–');
    expect(shown.sources.every((x) => Number.isNaN(x.authority))).toBe(true);
    // Recording scheduled the computation: an alarm, 30 s after the last page was recorded.
    const alarm = await authorityAlarm();
    expect(alarm?.scheduledTime).toBeGreaterThan(Date.now());
    expect(alarm?.scheduledTime).toBeLessThanOrEqual(Date.now() + 30_000);
  });

  test('computed on demand, the popup shows the page, its domain and each source ranked', async () => {
    const outcome = await computeAuthorityNow();
    expect(outcome).toMatchObject({ pages: 8, domains: 8, links: 12 });
    expect(outcome.iterations.pages).toBeGreaterThan(1);
    // Nothing was recorded while it ran, so nothing more is scheduled.
    expect(await authorityAlarm()).toBeUndefined();

    await s.page.setViewportSize({ width: 420, height: 640 });
    await openPopupFor(s.ext, s.page, TARGET);
    const shown = await shownAuthority(s.page);
    if (process.env.AUTHORITY_SCREENSHOT) {
      await s.page.screenshot({ path: process.env.AUTHORITY_SCREENSHOT, fullPage: true });
    }
    expect(shown.freshness).toBe('computed just now');
    expect(shown.explanation).toMatch(/PageRank over the links you have seen.*log scale/);
    expect(shown.explanation).toMatch(/nofollow, sponsored or ugc/);

    const bySource = Object.fromEntries(shown.sources.map((x) => [x.source, x.authority]));
    expect(Object.keys(bySource).sort()).toEqual([...BLOGS, HUB, LONE].sort());
    // The most linked page tops its sources; the hub (linked by five blogs) beats the pages
    // nobody links to, which tie.
    expect(shown.page).toBeGreaterThan(bySource[HUB]!);
    expect(bySource[HUB]!).toBeGreaterThan(bySource[LONE]!);
    for (const blog of BLOGS) expect(bySource[blog]).toBeCloseTo(bySource[LONE]!, 6);
    expect(shown.domain).toBeGreaterThan(bySource[HUB]!);
    expect(Number(shown.shownPage)).toBe(Math.round(shown.page));
  });

  test('a walk stored by a stopped worker is resumed, to the same scores', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const before = await shownAuthority(s.page);
    // What a worker stopped mid-walk leaves behind: a run whose scores are far from the answer.
    await s.ext.worker.evaluate(async (nodes) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const partway = () => {
        const scores = new Float64Array(nodes);
        scores[0] = 1;
        return { scores, iterations: 2, delta: 0.5, converged: false };
      };
      const tx = db.transaction('meta', 'readwrite');
      tx.objectStore('meta').put({
        id: 'authority-run',
        startedAt: Date.now(),
        pages: partway(),
        domains: partway(),
      });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, 8);
    const outcome = await computeAuthorityNow();
    expect(outcome.resumed).toBe(true);
    await openPopupFor(s.ext, s.page, TARGET);
    expectSameAuthority(await shownAuthority(s.page), before, 4);
    // The finished run is not resumed again.
    expect((await computeAuthorityNow()).resumed).toBe(false);
  });

  test('the full report shows the same scores', async () => {
    await openPopupFor(s.ext, s.page, TARGET);
    const inPopup = await shownAuthority(s.page);
    await s.page.goto(
      s.ext.extensionUrl(`${REPORT}?url=${encodeURIComponent(TARGET)}&list=domains`),
    );
    const inReport = await shownAuthority(s.page);
    expect(inReport).toEqual(inPopup);
  });

  test('a page visited since is patched into the last graphs, to the scores of a full run', async () => {
    const NEWCOMER = 'http://newcomer.test/';
    s.server.setPage('newcomer.test', '/', page('Newcomer', [HUB, 'http://elsewhere.test/x']));
    await browse(s.ext, s.page, [NEWCOMER]);
    const outcome = await computeAuthorityNow();
    // Only the visited page's links were read; its new target became a node.
    expect(outcome).toMatchObject({ mode: 'incremental', links: 2, pages: 10, domains: 10 });
    await openPopupFor(s.ext, s.page, TARGET);
    const patched = await shownAuthority(s.page);
    expect(patched.sources.map((x) => x.source)).not.toContain(NEWCOMER);

    expect(await computeAuthorityNow('full')).toMatchObject({ mode: 'full', reason: 'requested' });
    await openPopupFor(s.ext, s.page, TARGET);
    // Values that moved by less than a hundredth are not rewritten (AUTHORITY_DISPLAY_STEP).
    expectSameAuthority(await shownAuthority(s.page), patched, 1);
  });
});
