import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { effect } from '@preact/signals';
import { closeTestDbs, makeLink, openTestDb } from './helpers';
import type { BacklinkDb } from '../../src/storage/db';
import type { FlagView } from '../../src/storage/flags';
import type { FlagKind } from '../../src/core/flag-counts';
import { summarizeBacklinks } from '../../src/core/summary';
import { linkKey, type LinkRecord } from '../../src/core/types';
import type { SourceResult } from '../../src/sources/types';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { siteStatsOf } from '../../src/core/site-stats';
import { countRequests } from '../support/idb-requests';
import { coerceSettings } from '../../src/core/settings';

/** Settings in memory; the report reads the database under test. */
const local: Record<string, unknown> = {};
/** The keys of storage.local read, in order. */
const localReads: string[] = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    storage: {
      local: {
        get: async (key: string) => {
          localReads.push(key);
          return { [key]: local[key] };
        },
        set: async (items: Record<string, unknown>) => void Object.assign(local, items),
      },
    },
  },
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));
/** Flags answer when the test says so: which load finishes first is the test's choice. */
const flagCalls: Array<(view: FlagView) => void> = [];
/** The links each loadFlags call was given. */
const flagLinks: Array<readonly LinkRecord[]> = [];
/** The site's links each loadFlags call was given (as it awaits them), and its early reads. */
const flagSites: Array<PromiseLike<readonly LinkRecord[] | undefined>> = [];
const flagEarly: unknown[] = [];
/** startFlagReads calls: the real loadFlags reads its inputs itself when given none ahead. */
const flagReadsStarted: string[] = [];
vi.mock('../../src/storage/flags', () => ({
  loadFlags: (
    ...[, , links, , site, , , early]: [
      unknown,
      unknown,
      readonly LinkRecord[],
      unknown,
      PromiseLike<readonly LinkRecord[] | undefined>,
      unknown,
      unknown,
      unknown,
    ]
  ) =>
    new Promise<FlagView>((resolve) => {
      flagLinks.push(links);
      flagSites.push(site);
      flagEarly.push(early);
      flagCalls.push(resolve);
    }),
  // Read ahead, then given to loadFlags (mocked above: it reads nothing).
  startFlagReads: (_db: unknown, domain: string) => {
    flagReadsStarted.push(domain);
    return {
      domain,
      reads: Promise.resolve({ crossLinks: [], domainPages: {}, outDomains: {}, complete: true }),
    };
  },
}));
/** The site-wide read, made to fail in one test; a related page whose links cannot be read. */
const RIVAL = 'https://rival.com/x';
const site = { fail: false };
/** The full read of the page's links waits for this (a test holds it to look at the head). */
const fullRead = { gate: Promise.resolve() };
/** For each authority read, whether a head was shown when it was asked. */
const authorityAsked: boolean[] = [];
/** Frames asked for (requestAnimationFrame, where a test stubs it), and as each authority read was. */
const frames = { asked: 0, atAuthority: [] as number[] };
vi.mock('../../src/storage/queries', async (original) => {
  const queries = await original<typeof import('../../src/storage/queries')>();
  return {
    ...queries,
    loadBacklinks: async (...args: Parameters<typeof queries.loadBacklinks>) => {
      if (args[1] === RIVAL) throw new Error('rival unreadable');
      await fullRead.gate;
      return queries.loadBacklinks(...args);
    },
    loadAuthority: (...args: Parameters<typeof queries.loadAuthority>) => {
      const shown = state.reportState.value;
      authorityAsked.push(shown.status === 'ready' && shown.head !== undefined);
      frames.atAuthority.push(frames.asked);
      return queries.loadAuthority(...args);
    },
    loadSiteLinks: (...args: Parameters<typeof queries.loadSiteLinks>) =>
      site.fail
        ? Promise.reject(new Error('site index unreadable'))
        : queries.loadSiteLinks(...args),
  };
});

/** The remote sources: one fake index whose answer each test sets (off unless it does). */
const remote = {
  result: { status: 'off' } as SourceResult,
  asked: [] as string[],
  gate: Promise.resolve(),
};
vi.mock('../../src/sources/registry', () => ({
  remoteSources: () => [
    {
      id: 'fake-index',
      local: false,
      lookup: async (kind: string, url: string) => {
        remote.asked.push(`${kind} ${url}`);
        await remote.gate;
        return remote.result;
      },
    },
  ],
}));

const state = await import('../../src/ui/state');
const referralModel = await import('../../src/ui/referral-model');
// The later chunk (scoring, flags, the profile) is fetched at a load's first call (ui/later.ts):
// imported here once, so that no test's waits include its first transform on a loaded machine.
await import('../../src/ui/later').then((m) => m.loadLater());

const TARGET = 'https://shop.com/item';
const flagView = (note: string) => ({ complete: true, note }) as unknown as FlagView;

beforeEach(async () => {
  db = await openTestDb();
  await db.put('links', makeLink('https://blog.com/post', TARGET));
  flagCalls.length = 0;
  flagLinks.length = 0;
  flagSites.length = 0;
  flagEarly.length = 0;
  flagReadsStarted.length = 0;
  localReads.length = 0;
  site.fail = false;
  fullRead.gate = Promise.resolve();
  state.flagsState.value = null;
  state.qualityState.value = null;
  state.reportState.value = { status: 'loading' };
  remote.result = { status: 'off' };
  remote.asked = [];
  remote.gate = Promise.resolve();
});
beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => {}));
afterEach(() => {
  closeTestDbs();
  vi.restoreAllMocks();
});

describe('splitByShown', () => {
  const links = [
    makeLink('https://a.com/1', TARGET, { lostAt: 5 }),
    makeLink('https://a.com/2', TARGET),
    makeLink('https://a.com/3', TARGET),
    makeLink('https://b.com/1', TARGET),
    makeLink('https://c.com/1', TARGET),
  ];
  const summary = summarizeBacklinks(links, {});

  it("puts the shown rows' pages and domains first, and live ones for when lost links are hidden", () => {
    const [first, rest] = state.splitByShown(summary, { domains: 2, perDomain: 1 });
    const firstDomains = summary.groups.slice(0, 2).map((g) => g.domain);
    expect(first.domains).toEqual(firstDomains);
    // Each shown domain's first link, and its first live one when that is another.
    const expected = summary.groups.slice(0, 2).flatMap((g) => {
      const live = g.links.find((l) => l.lostAt === null);
      return [...new Set([g.links[0]!.source, live?.source])].filter((u) => u !== undefined);
    });
    expect(first.sources.sort()).toEqual(expected.sort());
    // Every page and domain once, in one part or the other.
    expect([...first.sources, ...rest.sources].sort()).toEqual(links.map((l) => l.source).sort());
    expect([...first.domains, ...rest.domains].sort()).toEqual(['a.com', 'b.com', 'c.com']);
  });

  it('puts every row first when none is said to be shown (the report page)', () => {
    const [first, rest] = state.splitByShown(summary, null);
    expect(first.sources.sort()).toEqual(links.map((l) => l.source).sort());
    expect(rest).toEqual({ sources: [], domains: [] });
  });
});

describe('loadReport', () => {
  it("drops a slower earlier load's flags: the newer load's stay (fold, unfold)", async () => {
    const first = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    const second = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(2));
    flagCalls[1]!(flagView('newer'));
    await second;
    flagCalls[0]!(flagView('older'));
    await first;
    expect(state.flagsState.value).toEqual({ status: 'ready', view: flagView('newer') });
  });

  it('takes the settings its screen began reading at its start, and reads them no more', async () => {
    // The popup reads them beside asking for the active tab, before it knows the URL.
    const loaded = state.loadReport(TARGET, Promise.resolve(coerceSettings(undefined)));
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    expect(state.reportState.value.status).toBe('ready');
    expect(localReads).not.toContain('settings');
  });

  it("opened on the whole site (the report page's ?scope=site), never shows the page's report as the site's", async () => {
    await db.put('links', makeLink('https://news.com/a', 'https://shop.com/other'));
    state.scopeState.value = 'site';
    const shown: Array<string | undefined> = [];
    const stop = effect(() => {
      const report = state.shownReport.value;
      if (report.status === 'ready') shown.push(report.site?.domain);
    });
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    stop();
    state.scopeState.value = 'page';
    // The site's report, shown again once its profile is built (addProfile), never the page's.
    expect([...new Set(shown)]).toEqual(['shop.com']);
    // Scored once built, though every scoring during the load found it not ready yet.
    expect(state.qualityState.value).not.toBeNull();
  });

  it("builds the page's and the site's profiles once their code is in, from every link", async () => {
    await db.put('links', makeLink('https://news.com/a', 'https://shop.com/other'));
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    await state.showScope('site');
    await vi.waitFor(() => {
      const page = state.reportState.value;
      const site = state.siteReportState.value;
      // blog.com's link to the page; news.com's to another page of the site besides.
      expect(page.status === 'ready' && page.profile?.live).toBe(1);
      expect(site?.status === 'ready' && site.profile?.live).toBe(2);
    });
    state.scopeState.value = 'page';
  });

  it("reads the authority of the site's linking pages too, for their rows and scores", async () => {
    await db.put('links', makeLink('https://news.com/a', 'https://shop.com/other'));
    const score = (key: string, display: number) =>
      db.put('authority', { kind: 'page', key, score: display / 100, display, computedAt: 1 });
    await score('https://blog.com/post', 40);
    await score('https://news.com/a', 70);
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    expect(state.authorityState.value?.sources).toEqual({ 'https://blog.com/post': 40 });
    await state.showScope('site');
    expect(state.authorityState.value?.sources).toEqual({
      'https://blog.com/post': 40,
      'https://news.com/a': 70,
    });
    state.scopeState.value = 'page';
  });

  it("shows the site line of an unlinked page from the site's aggregate, reading none of its links", async () => {
    const tx = db.transaction('links', 'readwrite');
    for (let i = 0; i < 300; i++) {
      void tx.store.put(makeLink(`https://d${i % 40}.com/${i}`, `https://shop.com/${i % 100}`));
    }
    await tx.done;
    // The aggregate as the worker builds it (storage/site-stats.ts#ensureSiteStats, which this
    // file cannot import beside its mock of the flags).
    const { head, tallies } = siteStatsOf('shop.com', await db.getAll('links'));
    await db.put('site-stats', head);
    for (const tally of tallies) await db.put('site-tallies', tally);
    const counting = countRequests();
    await state.loadReport('https://shop.com/nobody-links-here');
    const count = counting.stop();
    // The 300 links and the one of beforeEach, from 41 domains.
    expect(state.siteState.value).toMatchObject({ live: 301, referringDomains: 41 });
    expect(count.byName['links.by_target_domain.getAll']).toBeUndefined();
    expect(count.byName['links.by_target_domain.count']).toBeUndefined();
    // No flags are shown for a page without links: none computed, no site bursts read.
    expect(flagCalls).toHaveLength(0);
    // Its records are read when the whole site is shown.
    await state.showScope('site');
    const site = state.siteReportState.value;
    expect(site?.status === 'ready' && site.summary.live).toBe(301);
    state.scopeState.value = 'page';
  }, 60_000);

  it("with a current stored risk line, reads the flags' inputs once, and the site's links only if its counts say the site adds flags", async () => {
    const stored = (kinds: Partial<Record<FlagKind, number>>) =>
      db.put('risks', {
        url: TARGET,
        folds: JSON.stringify(coerceSettings({}).folds),
        computedAt: Date.now(),
        current: true,
        line: { kinds, complete: true, firstSeen: { page: [], site: null } },
        watch: [],
      });
    const counted = (risks: number) =>
      ({
        complete: true,
        counts: { kinds: risks ? { 'paid-undeclared': risks } : {}, risks },
      }) as unknown as FlagView;
    // The site line from the site's aggregate (as in the test above).
    const { head, tallies } = siteStatsOf('shop.com', await db.getAll('links'));
    await db.put('site-stats', head);
    for (const tally of tallies) await db.put('site-tallies', tally);
    // The page's own flags count what the stored line counts: the site's links are not read.
    await stored({});
    let counting = countRequests();
    let loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(counted(0));
    await loaded;
    expect(await flagSites[0]).toBeUndefined();
    expect(counting.stop().byName['links.by_target_domain.getAll']).toBeUndefined();
    expect(flagCalls).toHaveLength(1);
    // The stored line counts one more (the site's bursts): the flags again, with the site's
    // links, from the same reads of their inputs.
    await stored({ 'paid-undeclared': 1 });
    flagCalls.length = flagSites.length = flagEarly.length = flagReadsStarted.length = 0;
    counting = countRequests();
    loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(counted(0));
    await vi.waitFor(() => expect(flagCalls).toHaveLength(2));
    flagCalls[1]!(counted(1));
    await loaded;
    expect((await flagSites[1])?.map((l) => l.source)).toEqual(['https://blog.com/post']);
    expect(counting.stop().byName['links.by_target_domain.getAll']).toBe(1);
    expect(flagReadsStarted).toEqual(['shop.com']);
    expect(flagEarly[0]).toBeDefined();
    expect(flagEarly[1]).toBe(flagEarly[0]);
  }, 60_000);

  it('keeps the list when an extra read fails, and still reads the flags', async () => {
    site.fail = true;
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    expect(state.reportState.value.status).toBe('ready');
    expect(state.notice.value).toEqual({
      text: 'Could not read the links into the whole site: site index unreadable',
      error: true,
    });
    expect(state.flagsState.value?.status).toBe('ready');
    expect(referralModel.referralState.value?.total).toBe(0);
  });
  // Last: outreach, once wanted, stays wanted in this module.
  it('keeps the list when the outreach hints cannot be read, and says so', async () => {
    referralModel.wantOutreach();
    local.settings = { relatedPages: [RIVAL] };
    state.notice.value = null;
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    delete local.settings;
    expect(state.reportState.value.status).toBe('ready');
    expect(state.notice.value).toEqual({
      text: 'Could not read the outreach hints: rival unreadable',
      error: true,
    });
  });
});

describe('loadReport with a remote source', () => {
  const readySummary = () => {
    const report = state.reportState.value;
    if (report.status !== 'ready') throw new Error(`report is ${report.status}`);
    return report.summary;
  };
  const answer = (links: ReturnType<typeof makeLink>[]): SourceResult => ({
    status: 'answered',
    answer: {
      name: 'Team index',
      links,
      totals: { backlinks: 40, referringDomains: 9, referringPages: 30 },
    },
  });

  it('shows the local links first, then merges the remote ones with their provenance', async () => {
    let open = () => {};
    remote.gate = new Promise((resolve) => (open = resolve));
    remote.result = answer([
      makeLink('https://blog.com/post', TARGET),
      makeLink('https://news.com/story', TARGET),
    ]);
    const loaded = state.loadReport(TARGET);
    // The local list is on screen while the index has not answered.
    await vi.waitFor(() => expect(readySummary().live).toBe(1));
    // Its "asking" line shows once it has taken a moment (an off source never flashes one).
    await vi.waitFor(() =>
      expect(state.remoteState.value).toEqual([{ id: 'fake-index', status: 'loading' }]),
    );
    expect(state.provenanceState.value).toBeNull();
    open();
    await vi.waitFor(() => expect(readySummary().live).toBe(2));
    flagCalls.forEach((resolve) => resolve(flagView('done')));
    // Flags again once the local ones are in, over every link once (blog.com's counted once).
    await vi.waitFor(() => expect(flagCalls).toHaveLength(2));
    expect(flagLinks[0]!.map((l) => l.source)).toEqual(['https://blog.com/post']);
    expect(flagLinks[1]!.map((l) => l.source).sort()).toEqual([
      'https://blog.com/post',
      'https://news.com/story',
    ]);
    flagCalls[1]!(flagView('merged'));
    await loaded;
    expect(state.flagsState.value).toEqual({ status: 'ready', view: flagView('merged') });
    expect(remote.asked).toEqual([`url ${TARGET}`]);
    // blog.com is known to both and counted once; news.com comes from the index alone.
    expect(readySummary().referringDomains).toBe(2);
    const provenance = state.provenanceState.value!;
    expect(provenance.get(linkKey(makeLink('https://blog.com/post', TARGET)))).toEqual([
      'this browser',
      'Team index',
    ]);
    expect(provenance.get(linkKey(makeLink('https://news.com/story', TARGET)))).toEqual([
      'Team index',
    ]);
    expect(state.remoteState.value).toEqual([
      {
        id: 'fake-index',
        status: 'answered',
        name: 'Team index',
        links: 2,
        totals: { backlinks: 40, referringDomains: 9, referringPages: 30 },
      },
    ]);
  });

  it('keeps the local links and says what went wrong when the index fails', async () => {
    remote.result = {
      status: 'failed',
      name: 'Team index',
      message: 'The index did not answer in time.',
    };
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(state.remoteState.value[0]?.status).toBe('failed'));
    flagCalls.forEach((resolve) => resolve(flagView('done')));
    await loaded;
    expect(readySummary().live).toBe(1);
    expect(state.provenanceState.value).toBeNull();
    expect(state.remoteState.value).toEqual([
      {
        id: 'fake-index',
        status: 'failed',
        name: 'Team index',
        message: 'The index did not answer in time.',
      },
    ]);
  });

  it('shows nothing of a source the user has not turned on, not even a moment of "asking"', async () => {
    const seen: string[] = [];
    let first = true; // subscribe calls at once with the last test's value
    const stop = state.remoteState.subscribe((v) => {
      if (!first) seen.push(...v.map((s) => s.status));
      first = false;
    });
    const loaded = state.loadReport(TARGET);
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('done'));
    await loaded;
    stop();
    expect(seen).toEqual([]);
    expect(state.remoteState.value).toEqual([]);
    expect(readySummary().live).toBe(1);
  });
});

const HOT = 'https://hot.com/page';
/** HOT with a link from each of 220 sites, and its aggregate unless `stats` is false. */
async function storeHotPage(stats = true): Promise<void> {
  const tx = db.transaction('links', 'readwrite');
  for (let i = 0; i < 220; i++) void tx.store.put(makeLink(`https://s${i}.com/p`, HOT));
  await tx.done;
  if (stats) await ensureTargetStats(db, [HOT]);
}

/** A stored authority of 50 for HOT's first linking page, then HOT's aggregate. */
async function storeScoredSource(): Promise<void> {
  await db.put('authority', {
    kind: 'page',
    key: 'https://s0.com/p',
    score: 0.5,
    display: 50,
    computedAt: 1,
  });
  await ensureTargetStats(db, [HOT]);
}

/**
 * Frames asked for before the shown rows' authority was, in a load of HOT on the screen `show`
 * sets up: a frame comes a task later, as a browser's would, and each asked for is counted.
 */
async function framesBeforeAuthority(show: () => void): Promise<number | undefined> {
  await storeHotPage(false);
  await storeScoredSource();
  frames.asked = 0;
  frames.atAuthority.length = 0;
  vi.stubGlobal('requestAnimationFrame', (paint: FrameRequestCallback) => {
    frames.asked += 1;
    return setTimeout(() => paint(0), 0);
  });
  onTestFinished(() => void vi.unstubAllGlobals());
  show();
  const loaded = state.loadReport(HOT);
  await vi.waitFor(
    () => expect(state.authorityState.value?.sources).toEqual({ 'https://s0.com/p': 50 }),
    { timeout: 10_000 },
  );
  await vi.waitFor(() => expect(flagCalls).toHaveLength(1), { timeout: 10_000 });
  flagCalls[0]!(flagView('flags'));
  await loaded;
  return frames.atAuthority[0];
}

// After the others: showTableRows makes the first read a head read for every test after it.
describe("loadReport in the report page's table, for a page with hundreds of links", () => {
  it('shows the first rows before it asks for their authority, which then scores them', async () => {
    // The popup's test after this one waits for the same scores: they must be its own.
    onTestFinished(() => void (state.authorityState.value = null));
    await storeHotPage(false);
    await storeScoredSource();
    let release = () => {};
    fullRead.gate = new Promise((resolve) => (release = resolve));
    authorityAsked.length = 0;
    state.showTableRows(200);
    const loaded = state.loadReport(HOT);
    await vi.waitFor(() =>
      expect(state.authorityState.value?.sources).toEqual({ 'https://s0.com/p': 50 }),
    );
    expect(state.reportState.value).toMatchObject({ status: 'ready', head: { groups: 220 } });
    expect(authorityAsked).toEqual([true]);
    release();
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    expect(state.reportState.value).not.toHaveProperty('head');
  });

  it("asks for the first rows' authority after two paints: the first screen's, then the rest of the table's first page's", async () => {
    onTestFinished(() => void (state.authorityState.value = null));
    expect(await framesBeforeAuthority(() => state.showTableRows(200))).toBe(2);
  });
});

// Last: showRows makes the popup's first render a head read for every test after it.
describe('loadReport in the popup, for a page with hundreds of links', () => {
  it("scores the first render's rows, with their authority, before the full read ends", async () => {
    await storeHotPage(false);
    await storeScoredSource();
    let release = () => {};
    fullRead.gate = new Promise((resolve) => (release = resolve));
    state.showRows({ domains: 30, perDomain: 5 });
    const loaded = state.loadReport(HOT);
    await vi.waitFor(() =>
      expect(state.authorityState.value?.sources).toEqual({ 'https://s0.com/p': 50 }),
    );
    const shown = state.reportState.value;
    expect(shown).toMatchObject({ status: 'ready', head: { groups: 220 } });
    if (shown.status !== 'ready') return;
    expect(shown.summary.groups).toHaveLength(30);
    const row = shown.summary.groups.find((g) => g.domain === 's0.com')!.links[0]!;
    expect(state.qualityOf(row)?.score).toBeGreaterThan(0);
    release();
    await vi.waitFor(() => expect(flagCalls).toHaveLength(1));
    flagCalls[0]!(flagView('flags'));
    await loaded;
    expect(state.reportState.value).not.toHaveProperty('head');
  });

  it("asks for the shown groups' authority after one paint, which holds all 30 groups", async () => {
    // The test before this one left its scores: these must be this load's.
    state.authorityState.value = null;
    onTestFinished(() => void (state.authorityState.value = null));
    // 182 requests for the popup's 30 groups at 1M: none while its first screen renders, and
    // no frame of waiting more than that (the table's second paint is not the popup's).
    expect(await framesBeforeAuthority(() => state.showRows({ domains: 30, perDomain: 5 }))).toBe(
      1,
    );
  });

  it('reads the settings once per load, with a head first (a hot page) or without', async () => {
    await storeHotPage();
    state.showRows({ domains: 30, perDomain: 5 });
    for (const [url, headFirst] of [
      [HOT, true],
      [TARGET, false],
    ] as const) {
      localReads.length = 0;
      let head = false;
      const stop = effect(() => {
        const shown = state.reportState.value;
        if (shown.status === 'ready' && shown.head) head = true;
      });
      const flagsBefore = flagCalls.length;
      const loaded = state.loadReport(url);
      await vi.waitFor(() => expect(flagCalls).toHaveLength(flagsBefore + 1));
      flagCalls.at(-1)!(flagView('flags'));
      await loaded;
      stop();
      expect(head).toBe(headFirst);
      expect(state.reportState.value).toMatchObject({ status: 'ready', url });
      expect(localReads.filter((key) => key === 'settings')).toEqual(['settings']);
    }
  });
});

describe('markRelated', () => {
  it('asks for an address when none was typed, and names what is not one', async () => {
    await referralModel.markRelated('  ', true);
    expect(referralModel.outreachNotice.value).toEqual({
      text: 'Type the address of a related or competitor page first, such as https://competitor.example/page.',
      error: true,
    });
    await referralModel.markRelated('not a page', true);
    expect(referralModel.outreachNotice.value).toEqual({
      text: '“not a page” is not a web address (http or https).',
      error: true,
    });
  });
});
