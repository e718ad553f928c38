import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPages } from '../../src/storage/bulk';
import { writeAuthority } from '../../src/storage/authority';
import { loadFirstRead } from '../../src/storage/head';
import { HOT_TARGET_LINKS } from '../../src/core/target-stats';
import { POPUP_ROWS } from '../../src/core/first-view';
import { summarizeBacklinks } from '../../src/core/summary';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
vi.mock('../../src/background/site-stats', () => ({ buildSiteStatsQuietly: async () => {} }));

/** The targets whose tabs' first views were dropped. */
const dropped: string[][] = [];
vi.mock('../../src/background/first-view', () => ({
  dropFirstViewsOf: async (targets: string[]) => void dropped.push([...targets]),
}));

const { onBuildStats } = await import('../../src/background/badge');
const { EXTENSION_ORIGIN } = await import('./fake-browser');

beforeEach(async () => {
  db = await openTestDb();
  dropped.length = 0;
});
afterEach(() => closeTestDbs());

const HOT = 'https://hot.com/page';
const fromPopup = { id: 'lens', url: `${EXTENSION_ORIGIN}src/ui/popup/index.html` };

describe("a page's aggregate built in the worker", () => {
  it("drops its tabs' first views: read without it, their groups of equal counts came by name", async () => {
    // 200 referring domains of one link each (a hot page); the last by name is the strongest.
    const domain = (i: number) => `s${String(i).padStart(3, '0')}.com`;
    await recordPages(
      db,
      Array.from({ length: HOT_TARGET_LINKS }, (_, i) => ({
        snapshot: makeSnapshot(`https://${domain(i)}/`, [HOT]),
        at: at(0),
      })),
    );
    const strongest = domain(HOT_TARGET_LINKS - 1);
    const computedAt = Date.now();
    await writeAuthority(
      db,
      [{ kind: 'domain', key: strongest, score: 0.05, display: 50, computedAt }],
      { computedAt, pages: { nodes: 0, top: 0 }, domains: { nodes: 1, top: 0.1 } },
    );
    const firstGroup = async () => {
      const first = await loadFirstRead(db, HOT, {}, POPUP_ROWS);
      return first.kind === 'head'
        ? first.head.summary.groups[0]!.domain
        : summarizeBacklinks(first.report!.links, first.report!.sources).groups[0]!.domain;
    };
    // What a tab's first view shows before the aggregate, and the popup's read after it.
    expect(await firstGroup()).toBe(domain(0));
    expect(await onBuildStats({ type: 'stats/build', targets: [HOT] }, fromPopup)).toEqual({
      built: 1,
    });
    expect(await firstGroup()).toBe(strongest);
    expect(dropped).toEqual([[HOT]]);
    // Built already: nothing built, nothing dropped.
    expect(await onBuildStats({ type: 'stats/build', targets: [HOT] }, fromPopup)).toEqual({
      built: 0,
    });
    expect(dropped).toEqual([[HOT]]);
  });
});
