import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  clearAll,
  PAGE_STORES,
  pageWrite,
  recordPage,
  STAGE_LINKS,
  writeAtomically,
} from '../../src/storage/records';
import { sweepStagedWrites } from '../../src/storage/staged-writes';
import { buildRiskSummary, whenRiskStale } from '../../src/storage/risk-summary';
import { loadRiskLine } from '../../src/storage/risk-line';
import { ensureTargetStats } from '../../src/storage/target-stats';
import type { LinkRecord, PageSnapshot } from '../../src/core/types';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

// A large page's write in several transactions (records.ts#recordPage, staged-writes.ts) must
// leave exactly what the same write in one transaction leaves, and a write that dies part-way
// must leave nothing once swept.

const PAGE = 'https://big.example/list';
const HOT = 'https://hot.example/';
const LARGE = STAGE_LINKS * 2 + 37;

/** `n` links of the big page, numbered from `from`, one of them into HOT. */
const bigPage = (from: number, n: number, overrides: Partial<PageSnapshot> = {}) =>
  makeSnapshot(
    PAGE,
    [
      HOT,
      ...Array.from({ length: n - 1 }, (_, i) => `https://t${(from + i) % 97}.example/${from + i}`),
    ],
    overrides,
  );

let db: BacklinkDb;
let reference: BacklinkDb;
beforeEach(async () => {
  [db, reference] = await Promise.all([openTestDb(), openTestDb()]);
});
afterEach(() => closeTestDbs());

/** Everything a write touches, keys left out (numbers the store gives), in a stable order. */
async function stateOf(d: BacklinkDb) {
  const links = await d.getAll('links');
  const order = (a: LinkRecord, b: LinkRecord) =>
    `${a.source} ${a.target} ${a.anchor}`.localeCompare(`${b.source} ${b.target} ${b.anchor}`);
  return {
    pages: await d.getAll('pages'),
    links: links.sort(order),
    stats: await d.getAll('target-stats'),
    graph: await d.getAll('graph'),
    journal: (await d.get('meta', 'staged-writes')) ?? null,
  };
}

/** The same write in one transaction, as bulk.ts runs it. */
const recordWhole = (d: BacklinkDb, snapshot: PageSnapshot, now: number, visit: string | null) =>
  writeAtomically(d, PAGE_STORES, pageWrite(snapshot, now, visit)!);

/** Small pages into HOT, so that it has an aggregate the big page's write must keep exact. */
async function seedHot(d: BacklinkDb): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await recordWhole(d, makeSnapshot(`https://src${i}.example/`, [HOT]), at(0), null);
  }
  expect(await ensureTargetStats(d, [HOT], 1)).toEqual([HOT]);
}

describe('recordPage of a page with more links than STAGE_LINKS', { timeout: 120_000 }, () => {
  it('stores what one transaction stores, in several, pausing before each', async () => {
    await Promise.all([seedHot(db), seedHot(reference)]);
    // A first visit, then a revisit that loses half the links and adds as many new ones.
    const visits = [bigPage(0, LARGE), bigPage(LARGE / 2, LARGE, { title: 'Again' })];
    const pauses: number[] = [];
    for (const [i, snapshot] of visits.entries()) {
      const before = pauses.length;
      const staged = await recordPage(db, snapshot, at(i + 1), `visit-${i}`, async () => {
        pauses.push(i);
      });
      const whole = await recordWhole(reference, snapshot, at(i + 1), `visit-${i}`);
      expect(staged).toEqual(whole);
      // A pause before each chunk of new links and before the last transaction.
      expect(pauses.length - before).toBeGreaterThanOrEqual(
        Math.ceil((whole!.added - 1) / STAGE_LINKS) + 1,
      );
    }
    const [ours, theirs] = await Promise.all([stateOf(db), stateOf(reference)]);
    expect(ours).toEqual(theirs);
    expect(ours.journal).toBeNull();
    expect(ours.links.filter((l) => l.source === PAGE && l.lostAt !== null).length).toBeGreaterThan(
      STAGE_LINKS,
    );
    expect(ours.stats[0]).toMatchObject({ target: HOT });
  });

  it('a screen reading between two chunks finds the page as it was', async () => {
    await recordPage(db, bigPage(0, LARGE), at(1));
    const before = await stateOf(db);
    const seen: number[] = [];
    await recordPage(db, bigPage(LARGE, LARGE), at(2), null, async () => {
      const page = await db.get('pages', PAGE);
      // The page record, and so its visit, is the old one until the last transaction.
      expect(page).toEqual(before.pages.find((p) => p.url === PAGE));
      seen.push((await db.getAll('links')).filter((l) => l.lostAt !== null).length);
    });
    // Nothing was marked lost before the page record came with it.
    expect(seen.every((lost) => lost === 0)).toBe(true);
    expect(seen.length).toBeGreaterThan(2);
  });

  it('a write that died part-way leaves nothing once swept', async () => {
    await seedHot(db);
    await recordPage(db, bigPage(0, LARGE), at(1), 'first');
    const before = await stateOf(db);
    let pauses = 0;
    // The worker dies in the second pause: nothing after it runs.
    void recordPage(db, bigPage(LARGE, LARGE), at(2), 'second', () =>
      ++pauses === 2 ? new Promise(() => {}) : Promise.resolve(),
    );
    await waitFor(() => pauses === 2);
    const died = await stateOf(db);
    expect(died.links.length).toBe(before.links.length + STAGE_LINKS);
    expect(died.journal).toEqual({ id: 'staged-writes', writes: [{ source: PAGE, at: at(2) }] });

    expect(await sweepStagedWrites(db)).toBe(STAGE_LINKS);
    expect(await stateOf(db)).toEqual(before);
  });

  it('a risk line built while staged links were readable is stale once they are swept', async () => {
    await recordPage(db, bigPage(0, LARGE), at(1), 'first');
    let pauses = 0;
    void recordPage(db, bigPage(LARGE, LARGE), at(2), 'second', () =>
      ++pauses === 2 ? new Promise(() => {}) : Promise.resolve(),
    );
    await waitFor(() => pauses === 2);
    // A target whose only link so far is a staged one (the second write's first new link).
    const target = `https://t${(LARGE + 1) % 97}.example/${LARGE + 1}`;
    expect(await buildRiskSummary(db, target, {}, 1, at(3))).toBe(true);
    expect((await loadRiskLine(db, target, {}, at(3)))!.current).toBe(true);
    const stale: string[] = [];
    whenRiskStale((urls) => stale.push(...urls));
    try {
      expect(await sweepStagedWrites(db)).toBe(STAGE_LINKS);
    } finally {
      whenRiskStale(() => {});
    }
    expect((await loadRiskLine(db, target, {}, at(3)))!.current).toBe(false);
    expect(stale).toContain(target);
  });

  it('a failed write takes its staged links with it', async () => {
    await recordPage(db, bigPage(0, 10), at(1));
    const before = await stateOf(db);
    let pauses = 0;
    const failing = recordPage(db, bigPage(LARGE, LARGE), at(2), null, async () => {
      if (++pauses === 3) throw new Error('quota');
    });
    await expect(failing).rejects.toThrow('quota');
    expect(await stateOf(db)).toEqual(before);
  });

  it('the next write of a page that died part-way clears its leftovers, without a sweep', async () => {
    await recordPage(db, bigPage(0, LARGE), at(1), 'first');
    let pauses = 0;
    void recordPage(db, bigPage(LARGE, LARGE), at(2), 'second', () =>
      ++pauses === 3 ? new Promise(() => {}) : Promise.resolve(),
    );
    await waitFor(() => pauses === 3);
    // The content script sends the visit again (item 7) to the next worker.
    const again = await recordPage(db, bigPage(LARGE, LARGE), at(3), 'second');
    await recordWhole(reference, bigPage(0, LARGE), at(1), 'first');
    const whole = await recordWhole(reference, bigPage(LARGE, LARGE), at(3), 'second');
    expect(again).toEqual(whole);
    expect(await stateOf(db)).toEqual(await stateOf(reference));
  });

  it('a visit stored already is not staged again', async () => {
    const first = await recordPage(db, bigPage(0, LARGE), at(1), 'visit');
    const before = await stateOf(db);
    let pauses = 0;
    const again = await recordPage(db, bigPage(0, LARGE), at(2), 'visit', async () => {
      pauses++;
    });
    expect(again).toEqual({ ...first, added: 0, lost: 0 });
    expect(await stateOf(db)).toEqual(before);
    expect(pauses).toBe(1);
  });

  it('links staged and then deleted by another write (all data cleared) are put again', async () => {
    let pauses = 0;
    const result = await recordPage(db, bigPage(0, LARGE), at(1), null, async () => {
      if (++pauses === 3) await clearAll(db);
    });
    expect(result).toMatchObject({ links: LARGE, added: LARGE, lost: 0 });
    const links = await db.getAllFromIndex('links', 'by_source', PAGE);
    expect(new Set(links.map((l) => l.target)).size).toBe(LARGE);
    expect(links.every((l) => l.lostAt === null)).toBe(true);
    expect((await stateOf(db)).journal).toBeNull();
  });

  it('a page of STAGE_LINKS links or fewer is one transaction', async () => {
    let pauses = 0;
    await recordPage(db, bigPage(0, STAGE_LINKS), at(1), null, async () => {
      pauses++;
    });
    expect(pauses).toBe(0);
    expect(await db.count('links')).toBe(STAGE_LINKS);
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(done()).toBe(true);
  // The transaction started before the pause has committed.
  await new Promise((r) => setTimeout(r, 50));
}
