import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  buildRiskSummary,
  capRiskSummaries,
  markRiskStale,
  whenRiskStale,
} from '../../src/storage/risk-summary';
import { loadRiskLine, viewOfRiskLine } from '../../src/storage/risk-line';
import { readFlagInputs } from '../../src/storage/flags';
import { loadBacklinks, loadSiteLinks, SITE_LINK_LIMIT } from '../../src/storage/queries';
import { importAll, recordDelta, recordPage, recordRedirect } from '../../src/storage/records';
import { countsOf, findFlags, FLAG_KINDS, type FlagCounts } from '../../src/core/flags';
import { seededRandom } from '../bench/random';
import { profileTargetOf } from '../../src/core/profile';
import { summarizeBacklinks } from '../../src/core/summary';
import type { RawLink } from '../../src/core/types';
import { at, closeTestDbs, DAY, makeSnapshot, openTestDb, rawLink } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => {
  whenRiskStale(() => {});
  closeTestDbs();
});

const TARGET = 'https://shop.com/widgets';
const NOW = at(120);

const ANCHORS = [
  'widgets',
  'widgets',
  'widgets',
  'blue widgets',
  'click here',
  'Shop',
  'shop.com',
  'our partner',
];

/**
 * A random web around the target, recorded through the write path over 120 days (a quiet start,
 * then busier weeks): sites of 1 to 6 pages linking to the target (some sponsored, some paid
 * wording, some from the footer), to each other and to the shop's other pages; the shop links
 * back to some; a hub page links to 120 domains; every pattern the flags look for can appear.
 */
async function recordRandomWeb(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const domains = Array.from({ length: 24 }, (_, i) => `site${i}.com`);
  const loads: Array<{ time: number; url: string; links: RawLink[] }> = [];
  for (const domain of domains) {
    const pages = 1 + Math.floor(random() * 6);
    for (let p = 0; p < pages; p++) {
      const links: RawLink[] = [];
      if (random() < 0.7) {
        links.push(
          rawLink(TARGET, {
            anchor: pick(ANCHORS),
            rel: random() < 0.1 ? ['sponsored'] : random() < 0.1 ? ['nofollow'] : [],
            region: random() < 0.3 ? 'footer' : 'main',
            ...(random() < 0.1 ? { context: 'a sponsored post' } : {}),
          }),
        );
      }
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        links.push(rawLink(`https://${pick(domains)}/`));
      }
      if (random() < 0.2) links.push(rawLink('https://shop.com/'));
      const time = random() < 0.6 ? at(90 + random() * 30) : at(random() * 90);
      loads.push({ time, url: `https://${domain}/${p === 0 ? '' : `post-${p}`}`, links });
    }
  }
  const hub = Array.from({ length: 120 }, (_, i) => rawLink(`https://far${i}.net/`));
  loads.push({ time: at(100), url: 'https://hub.org/links', links: [rawLink(TARGET), ...hub] });
  const back = domains.filter(() => random() < 0.2).map((d) => rawLink(`https://${d}/`));
  loads.push({ time: at(50), url: 'https://shop.com/partners', links: back });
  loads.push({ time: at(10), url: TARGET, links: [] });
  loads.sort((a, b) => a.time - b.time);
  for (const load of loads) await recordPage(db, makeSnapshot(load.url, load.links), load.time);
}

/** The risk line as the popup computes it today: every link read, findFlags over them. */
async function computedCounts(now: number): Promise<FlagCounts> {
  const report = (await loadBacklinks(db, TARGET))!;
  const summary = summarizeBacklinks(report.links, report.sources, {
    via: report.via,
    domain: report.page?.domain ?? null,
  });
  const target = profileTargetOf(report.url, report.page, summary);
  const reads = await readFlagInputs(db, target.domain, report.links, report.sources);
  const site = await loadSiteLinks(db, TARGET, SITE_LINK_LIMIT, report.links);
  const input = { target, links: report.links, sources: report.sources, now, ...reads };
  return countsOf(findFlags({ ...input, siteLinks: site?.links }).flags);
}

describe('the stored risk line', () => {
  test('equals findFlags over the full read on random webs, now and as the clock moves on', async () => {
    let risks = 0;
    const kinds = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      db = await openTestDb();
      await recordRandomWeb(seed);
      expect(await buildRiskSummary(db, TARGET, {}, 1, NOW)).toBe(true);
      for (const later of [0, 3 * DAY, 10 * DAY, 40 * DAY, 400 * DAY]) {
        const line = (await loadRiskLine(db, TARGET, {}, NOW + later))!;
        expect(line.current).toBe(true);
        expect(line.counts).toEqual(await computedCounts(NOW + later));
      }
      const line = (await loadRiskLine(db, TARGET, {}, NOW))!;
      risks += line.counts.risks;
      for (const kind of Object.keys(line.counts.kinds)) kinds.add(kind);
    }
    // The webs hold the patterns: the comparison is not between two empty lines.
    expect(risks).toBeGreaterThan(10);
    // Every kind but spam signals (the pages carry no signals to read them from).
    expect(kinds).toEqual(new Set(FLAG_KINDS.filter((k) => k !== 'spam-signals')));
  }, 120_000);

  test('is shown as the flags show their line, with when it was stored', async () => {
    await recordRandomWeb(5);
    await buildRiskSummary(db, TARGET, {}, 1, NOW);
    const view = viewOfRiskLine((await loadRiskLine(db, TARGET, {}, NOW))!);
    expect(view).toMatchObject({ building: true, stored: { computedAt: NOW, current: true } });
    expect(view.counts).toEqual(await computedCounts(NOW));
  });

  test('is not kept for a page with fewer links than asked, nor for a page never linked', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', [TARGET]), at(1));
    expect(await buildRiskSummary(db, TARGET, {}, 2, NOW)).toBe(false);
    expect(await buildRiskSummary(db, 'https://nowhere.com/', {}, 1, NOW)).toBe(false);
    expect(await db.count('risks')).toBe(0);
    expect(await loadRiskLine(db, TARGET, {}, NOW)).toBeNull();
  });

  test('counts as stale under other variant folds than it was read with', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', [TARGET]), at(1));
    await buildRiskSummary(db, TARGET, {}, 1, NOW);
    const folds = { 'shop.com': { on: [], off: ['query'] } } as never;
    expect((await loadRiskLine(db, TARGET, folds, NOW))!.current).toBe(false);
  });
});

describe('a write that changes an input marks the line stale', () => {
  /** The target's line built over a small web: a.com and b.com link to it, b.com to a.com. */
  async function built(): Promise<void> {
    await recordPage(db, makeSnapshot('https://a.com/', [TARGET]), at(1));
    await recordPage(db, makeSnapshot('https://b.com/', [TARGET, 'https://a.com/x']), at(2));
    await recordPage(db, makeSnapshot('https://unrelated.org/', ['https://far.net/']), at(3));
    expect(await buildRiskSummary(db, TARGET, {}, 1, at(4))).toBe(true);
  }
  const current = async () => (await loadRiskLine(db, TARGET, {}, at(5)))?.current;

  test('and only such a write', async () => {
    await built();
    const stale = vi.fn();
    whenRiskStale(stale);
    // Another site's page linking elsewhere changes nothing the line reads.
    await recordPage(db, makeSnapshot('https://other.org/', ['https://far.net/y']), at(5));
    await recordPage(db, makeSnapshot('https://unrelated.org/', ['https://far.net/z']), at(5));
    expect(await current()).toBe(true);
    expect(stale).not.toHaveBeenCalled();
    // A new page linking to the target: a new link in.
    await recordPage(db, makeSnapshot('https://new.org/', [TARGET]), at(5));
    expect(await current()).toBe(false);
    expect(stale).toHaveBeenCalledWith([TARGET]);
  });

  test.each([
    ['a page of a linking site, with no link to the target', 'https://a.com/about', []],
    ['the shop linking back to a linking site', 'https://shop.com/partners', ['https://b.com/']],
    [
      'a link to another page of the site (its bursts)',
      'https://elsewhere.org/',
      ['https://shop.com/'],
    ],
    ['the target page itself', TARGET, []],
  ])('%s', async (_what, url, links) => {
    await built();
    await recordPage(db, makeSnapshot(url, links), at(5));
    expect(await current()).toBe(false);
  });

  test('a write linking to many domains marks exactly the lines of the ones watched', async () => {
    const lines = ['https://alpha.com/t', 'https://mid.com/t', 'https://zulu.com/t'];
    await recordPage(db, makeSnapshot('https://src.org/', lines), at(1));
    for (const url of lines) expect(await buildRiskSummary(db, url, {}, 1, at(2))).toBe(true);
    const currents = async () =>
      Promise.all(lines.map(async (url) => (await loadRiskLine(db, url, {}, at(5)))?.current));
    // Domains sorting before, between and after the watched ones, none of them watched.
    const around = ['https://aa.com/', 'https://beta.com/', 'https://mic.com/', 'https://zz.com/'];
    await recordPage(db, makeSnapshot('https://other.net/', around), at(3));
    expect(await currents()).toEqual([true, true, true]);
    await recordPage(
      db,
      makeSnapshot('https://more.net/', [...around, 'https://mid.com/x']),
      at(4),
    );
    expect(await currents()).toEqual([true, false, true]);
    await recordPage(
      db,
      makeSnapshot('https://last.net/', ['https://zulu.com/', ...around]),
      at(5),
    );
    expect(await currents()).toEqual([true, false, false]);
  });

  test('links added to a page later, a redirect into the page, and an import', async () => {
    await built();
    await recordDelta(db, { url: 'https://unrelated.org/', links: [rawLink(TARGET)] }, at(5));
    expect(await current()).toBe(false);

    await buildRiskSummary(db, TARGET, {}, 1, at(6));
    expect(await current()).toBe(true);
    await recordRedirect(db, { from: 'https://old-shop.net/w', to: TARGET, status: 301 }, at(6));
    expect(await current()).toBe(false);

    await buildRiskSummary(db, TARGET, {}, 1, at(7));
    await importAll(db, { pages: [], links: [], redirects: [], referrals: [], skipped: 0 });
    expect(await loadRiskLine(db, TARGET, {}, at(8))).toBeNull();
  });

  test('a stale line keeps its counts and age until built again, then is current', async () => {
    await built();
    const before = (await loadRiskLine(db, TARGET, {}, at(5)))!;
    await recordPage(db, makeSnapshot('https://new.org/', [TARGET]), at(5));
    const stale = (await loadRiskLine(db, TARGET, {}, at(5)))!;
    expect(stale).toEqual({ ...before, current: false });
    expect(await buildRiskSummary(db, TARGET, {}, 1, at(6))).toBe(true);
    expect(await current()).toBe(true);
    expect((await loadRiskLine(db, TARGET, {}, at(6)))!.counts).toEqual(
      await computedCounts(at(6)),
    );
  });

  test('a build that a write overtakes stores its line as stale', async () => {
    await built();
    const building = buildRiskSummary(db, TARGET, {}, 1, at(6));
    // The build's claim is queued first (synchronously); this write runs after it, in its reads.
    const write = db.transaction('risks', 'readwrite');
    await markRiskStale(write.store, { pages: ['https://somewhere.org/'] });
    await write.done;
    expect(await building).toBe(false);
    expect(await current()).toBe(false);
  });

  test('are capped: past the limit, the lines built longest ago are dropped, the rest kept', async () => {
    const pages = Array.from({ length: 6 }, (_, i) => `https://shop.com/p${i}`);
    for (const page of pages) {
      await recordPage(db, makeSnapshot(`https://from-${page.slice(-2)}.org/`, [page]), at(1));
    }
    // Built out of order, so the cap must go by when each was built, not by URL or by insertion.
    for (const [i, day] of [3, 9, 1, 7, 5, 2].entries()) {
      expect(await buildRiskSummary(db, pages[i]!, {}, 1, at(day))).toBe(true);
    }
    expect(await capRiskSummaries(db, 6)).toBe(0);
    expect(await capRiskSummaries(db, 4)).toBe(2);
    const kept = (await db.getAllKeys('risks')).sort();
    expect(kept).toEqual([pages[0], pages[1], pages[3], pages[4]].sort());
    // A dropped line reads as none (the popup computes it), a kept one as before.
    expect(await loadRiskLine(db, pages[2]!, {}, at(10))).toBeNull();
    expect((await loadRiskLine(db, pages[1]!, {}, at(10)))!.current).toBe(true);
  });
});
