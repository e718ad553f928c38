import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPages } from '../../src/storage/bulk';
import { loadRiskLine, RISK_SUMMARY_MIN_LINKS } from '../../src/storage/risk-line';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
vi.mock('../../src/background/site-stats', () => ({ buildSiteStatsQuietly: async () => {} }));
vi.mock('../../src/background/first-view', () => ({ dropFirstViewsOf: async () => {} }));
vi.mock('../../src/background/hot-targets', () => ({ noteHotTargets: () => {} }));

const { refreshTabBadge } = await import('../../src/background/badge');
const { noteHotPage, riskActivity, RISK_QUEUE_LIMIT, STALE_DELAY_MS } =
  await import('../../src/background/risk-job');
const { storedLocal } = await import('./fake-browser');

const HOT = 'https://hot.com/page';
const TAB = 7;

/** `links` pages of their own domain, each linking once to `target`. */
const linkTo = (target: string, links: number) =>
  recordPages(
    db,
    Array.from({ length: links }, (_, i) => ({
      snapshot: makeSnapshot(`https://s${i}.com/`, [target]),
      at: at(0),
    })),
  );

/** Let the queued builds run (they wait for quiet) and end. */
async function drain(): Promise<void> {
  const ended = () => riskActivity.built + riskActivity.stale + riskActivity.failed;
  const queued = riskActivity.noted;
  await vi.advanceTimersByTimeAsync(STALE_DELAY_MS);
  await vi.waitFor(() => expect(ended()).toBeGreaterThanOrEqual(queued), { timeout: 20_000 });
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  db = await openTestDb();
  for (const count of Object.keys(riskActivity) as Array<keyof typeof riskActivity>) {
    riskActivity[count] = 0;
  }
  delete storedLocal.settings;
});
afterEach(async () => {
  await drain();
  vi.useRealTimers();
  await closeTestDbs();
});

// A build reads every link of its page: seconds in fake-indexeddb on a loaded machine.
describe("a hot page's risk line, built in the background", { timeout: 30_000 }, () => {
  it('is queued by its tab once it has enough links, built once quiet, and read current', async () => {
    await linkTo(HOT, RISK_SUMMARY_MIN_LINKS);
    await refreshTabBadge(TAB, HOT, false);
    await vi.waitFor(() => expect(riskActivity.noted).toBe(1));
    // Its badge again (every recording refreshes the badges): queued once.
    await refreshTabBadge(TAB, HOT, false);
    expect(riskActivity.noted).toBe(1);
    // Nothing is built before recording has been quiet for a while.
    await vi.advanceTimersByTimeAsync(STALE_DELAY_MS - 100);
    expect(riskActivity.built).toBe(0);
    await drain();
    expect(riskActivity).toMatchObject({ noted: 1, built: 1, stale: 0, failed: 0 });
    expect((await loadRiskLine(db, HOT, {}))?.current).toBe(true);
    // Stored and current: not queued again.
    await refreshTabBadge(TAB, HOT, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(riskActivity.noted).toBe(1);
  });

  it('is not queued for a page with fewer links (its popup reads them all quickly)', async () => {
    await linkTo(HOT, RISK_SUMMARY_MIN_LINKS - 1);
    await refreshTabBadge(TAB, HOT, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(riskActivity.noted).toBe(0);
  });

  it('is not queued while recording is paused, for a private tab, nor on an excluded site', async () => {
    await linkTo(HOT, RISK_SUMMARY_MIN_LINKS);
    await refreshTabBadge(TAB, HOT, true);
    storedLocal.settings = { ...DEFAULT_SETTINGS, paused: true };
    await refreshTabBadge(TAB, HOT, false);
    storedLocal.settings = { ...DEFAULT_SETTINGS, excludedSites: ['hot.com'] };
    await refreshTabBadge(TAB, HOT, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(riskActivity.noted).toBe(0);
  });

  it('is built again when the line stored was read under other folds', async () => {
    await linkTo(HOT, RISK_SUMMARY_MIN_LINKS);
    expect(await noteHotPage(HOT, {})).toBe(true);
    await drain();
    expect(await noteHotPage(HOT, {})).toBe(false);
    expect(await noteHotPage(HOT, { 'hot.com': { address: true, queryPaths: [] } })).toBe(true);
  });

  it('waits in a bounded queue: tabs of many hot pages at once queue a few builds', async () => {
    const pages = Array.from({ length: RISK_QUEUE_LIMIT + 5 }, (_, i) => `https://hot.com/${i}`);
    for (const url of pages) await noteHotPage(url, {});
    expect(riskActivity).toMatchObject({ noted: RISK_QUEUE_LIMIT, full: 5 });
  });
});
