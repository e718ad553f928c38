import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  checkFirstView,
  cutSummary,
  decodeFirstView,
  encodeFirstView,
  firstViewBytes,
  fitsFirstView,
  foldsKeyOf,
  FIRST_VIEW_MAX_AGE_MS,
  FIRST_VIEW_MAX_BYTES,
  FIRST_VIEW_VERSION,
  isTouchedBy,
  pageForFirstView,
  POPUP_ROWS,
  type FirstViewEntry,
} from '../../src/core/first-view';
import { summarizeBacklinks } from '../../src/core/summary';
import { withFold } from '../../src/core/variants';
import type { BacklinkDb } from '../../src/storage/db';
import { loadFirstRead, loadHead } from '../../src/storage/head';
import { loadBacklinks } from '../../src/storage/queries';
import { recordPage } from '../../src/storage/records';
import { ensureTargetStats } from '../../src/storage/target-stats';
import { at, closeTestDbs, makePage, makeSnapshot, openTestDb, rawLink } from './helpers';

// The worker's glue, imported for the entry's state it builds (no browser API is called).
vi.mock('webextension-polyfill', () => ({ default: {} }));
const { firstViewStateOf } = await import('../../src/background/first-view');

const URL_A = 'https://example.com/page';
const NOW = at(10);

function entryOf(overrides: Partial<FirstViewEntry> = {}): FirstViewEntry {
  const summary = summarizeBacklinks([], {});
  return {
    v: FIRST_VIEW_VERSION,
    url: URL_A,
    folds: foldsKeyOf(URL_A, {}),
    targets: [URL_A],
    builtAt: NOW - 1000,
    state: {
      url: URL_A,
      page: null,
      summary,
      redirect: null,
      variants: [],
      folded: [],
      head: { groups: 0, liveGroups: 0 },
    },
    ...overrides,
  };
}

describe('checkFirstView', () => {
  it('shows an entry of the same page, folds, version, built a moment ago', () => {
    expect(checkFirstView(entryOf(), URL_A, {}, NOW)).toBeNull();
    // A round trip through storage (JSON) keeps it showable.
    expect(checkFirstView(JSON.parse(JSON.stringify(entryOf())), URL_A, {}, NOW)).toBeNull();
  });

  it('says why it is not shown: missing, another format, another page', () => {
    expect(checkFirstView(undefined, URL_A, {}, NOW)).toBe('missing');
    expect(checkFirstView('x', URL_A, {}, NOW)).toBe('missing');
    expect(checkFirstView(entryOf({ v: FIRST_VIEW_VERSION + 1 }), URL_A, {}, NOW)).toBe('version');
    expect(checkFirstView({ ...entryOf(), state: null }, URL_A, {}, NOW)).toBe('version');
    expect(checkFirstView(entryOf(), 'https://example.com/other', {}, NOW)).toBe('url');
    const moved = entryOf();
    moved.state.url = 'https://example.com/other';
    expect(checkFirstView(moved, URL_A, {}, NOW)).toBe('url');
  });

  it("is not shown once the page's site's folds changed; other sites' folds do not count", () => {
    const folded = withFold({}, URL_A, 'address', true);
    expect(checkFirstView(entryOf(), URL_A, folded, NOW)).toBe('folds');
    const elsewhere = withFold({}, 'https://other.org/', 'query', true);
    expect(checkFirstView(entryOf(), URL_A, elsewhere, NOW)).toBeNull();
    const built = entryOf({ folds: foldsKeyOf(URL_A, folded) });
    expect(checkFirstView(built, URL_A, folded, NOW)).toBeNull();
    expect(checkFirstView(built, URL_A, {}, NOW)).toBe('folds');
  });

  it('is not shown when too old, from the future, or of no known age', () => {
    expect(checkFirstView(entryOf({ builtAt: NOW - FIRST_VIEW_MAX_AGE_MS }), URL_A, {}, NOW)).toBe(
      null,
    );
    const old = entryOf({ builtAt: NOW - FIRST_VIEW_MAX_AGE_MS - 1 });
    expect(checkFirstView(old, URL_A, {}, NOW)).toBe('age');
    expect(checkFirstView(entryOf({ builtAt: NOW + 1 }), URL_A, {}, NOW)).toBe('age');
    const { builtAt: _builtAt, ...ageless } = entryOf();
    expect(checkFirstView(ageless, URL_A, {}, NOW)).toBe('age');
  });
});

describe('an entry as stored', () => {
  it('is one JSON string, decoded back to an entry that may be shown', () => {
    const entry = entryOf();
    const stored = encodeFirstView(entry);
    expect(typeof stored).toBe('string');
    expect(decodeFirstView(stored)).toEqual(entry);
    expect(checkFirstView(decodeFirstView(stored), URL_A, {}, NOW)).toBeNull();
  });
  it('decodes what is not a string as it is, and a string that is not JSON to nothing', () => {
    // An object entry (version 1, kept by the worker before an update) is of another version.
    const v1 = { ...entryOf(), v: 1 };
    expect(checkFirstView(decodeFirstView(v1), URL_A, {}, NOW)).toBe('version');
    expect(decodeFirstView(undefined)).toBeUndefined();
    expect(decodeFirstView('{not json')).toBeUndefined();
    expect(checkFirstView(decodeFirstView('{not json'), URL_A, {}, NOW)).toBe('missing');
  });
});

describe('the size of an entry', () => {
  it('is its JSON in UTF-8 bytes, and one over the cap is not kept', () => {
    const small = entryOf();
    expect(firstViewBytes(small)).toBe(new TextEncoder().encode(JSON.stringify(small)).length);
    expect(fitsFirstView(small)).toBe(true);
    const page = { ...makePage(URL_A), title: 'é'.repeat(FIRST_VIEW_MAX_BYTES / 2) };
    const big = entryOf();
    big.state.page = page;
    // Fewer characters than the cap, more bytes.
    expect(JSON.stringify(big).length).toBeLessThan(FIRST_VIEW_MAX_BYTES + 1000);
    expect(fitsFirstView(big)).toBe(false);
  });

  it("keeps the page's header, not its terms, signals and visit ids", () => {
    const page = {
      ...makePage(URL_A),
      terms: { words: { coffee: 3 }, total: 3 },
      visitIds: ['a'],
    } as unknown as Parameters<typeof pageForFirstView>[0];
    const kept = pageForFirstView(page)!;
    expect(kept).not.toHaveProperty('terms');
    expect(kept).not.toHaveProperty('visitIds');
    expect(kept.title).toBe(page!.title);
    expect(pageForFirstView(null)).toBeNull();
  });
});

describe('isTouchedBy', () => {
  const entry = { targets: [URL_A, 'https://example.com/page/amp'] };
  it('a link to one of the entry URLs, the page itself rewritten, or any lost link', () => {
    const other = 'https://source.org/';
    expect(isTouchedBy(entry, { source: other, targets: ['https://x.org/'], lost: 0 })).toBe(false);
    expect(isTouchedBy(entry, { source: other, targets: [URL_A], lost: 0 })).toBe(true);
    const amp = 'https://example.com/page/amp';
    expect(isTouchedBy(entry, { source: other, targets: [amp], lost: 0 })).toBe(true);
    expect(isTouchedBy(entry, { source: URL_A, targets: [], lost: 0 })).toBe(true);
    expect(isTouchedBy(entry, { source: other, targets: [], lost: 1 })).toBe(true);
  });
});

describe('cutSummary', () => {
  let db: BacklinkDb;
  beforeEach(async () => {
    db = await openTestDb();
  });
  afterEach(() => closeTestDbs());

  /** About 160 recorded pages: seconds on a loaded machine, over vitest's default 5. */
  const STORING_TIMEOUT = 30_000;

  /** 40 referring domains, some with more links than the popup shows, some lost only. */
  async function store40Domains(): Promise<void> {
    for (let d = 0; d < 40; d++) {
      for (let p = 0; p < 1 + (d % 7); p++) {
        const source = `https://www.s${d}.com/p${p}`;
        const rel = p % 3 === 1 ? ['nofollow'] : [];
        await recordPage(db, makeSnapshot(source, [rawLink(URL_A, { rel })]), at(d));
        // Its link gone at a later visit: lost.
        if (d % 5 === 0) await recordPage(db, makeSnapshot(source, []), at(d + 50));
      }
    }
  }

  /** URL_A's summary from every link, as the popup's full read builds it. */
  async function wholeSummary() {
    const full = (await loadBacklinks(db, URL_A, {}))!;
    return summarizeBacklinks(full.links, full.sources, {
      via: full.via,
      domain: full.page?.domain ?? null,
    });
  }

  it(
    "cuts a page's whole summary to what its head read shows (storage/head.ts)",
    async () => {
      await store40Domains();
      const whole = await wholeSummary();
      expect(whole.groups.length).toBeGreaterThan(POPUP_ROWS.domains);
      const cut = cutSummary(whole, POPUP_ROWS);
      await ensureTargetStats(db, [URL_A], 1);
      const head = (await loadHead(db, URL_A, {}, POPUP_ROWS))!;
      expect(cut.summary).toEqual(head.summary);
      expect(cut.head).toEqual({ groups: head.groups, liveGroups: head.liveGroups });
      // What it cut: more groups than shown, longer ones than shown.
      expect(cut.summary.groups.length).toBeLessThan(whole.groups.length);
      expect(cut.summary.groups.some((g) => g.size! > POPUP_ROWS.perDomain)).toBe(true);
    },
    STORING_TIMEOUT,
  );
  it(
    "keeps in an entry every group the popup shows, as the popup's own read shows it",
    async () => {
      await store40Domains();
      const whole = await wholeSummary();
      // A page without aggregates (read whole) and a hot one (its head): the same groups.
      const read = await loadFirstRead(db, URL_A, {}, POPUP_ROWS);
      expect(read.kind).toBe('report');
      const fromReport = firstViewStateOf(read, URL_A);
      await ensureTargetStats(db, [URL_A], 1);
      const hot = await loadFirstRead(db, URL_A, {}, POPUP_ROWS);
      if (hot.kind !== 'head') throw new Error('no head read');
      const fromHead = firstViewStateOf(hot, URL_A);
      expect(fromHead.summary).toEqual(fromReport.summary);
      expect(fromHead.head).toEqual(fromReport.head);
      // The own read's 30 groups, not the first viewport's only: the groups below the fold
      // render from the entry, and are replaced by the same rows.
      expect(fromHead.summary).toEqual(hot.head.summary);
      expect(fromHead.head).toEqual({ groups: hot.head.groups, liveGroups: hot.head.liveGroups });
      const domains = fromHead.summary.groups.map((g) => g.domain);
      expect(domains.length).toBeGreaterThanOrEqual(POPUP_ROWS.domains);
      const firstLive = whole.groups.filter((g) => g.live > 0).slice(0, POPUP_ROWS.domains);
      expect(new Set(domains)).toEqual(
        new Set([
          ...whole.groups.slice(0, POPUP_ROWS.domains).map((g) => g.domain),
          ...firstLive.map((g) => g.domain),
        ]),
      );
      expect(whole.groups.length).toBeGreaterThan(domains.length);
    },
    STORING_TIMEOUT,
  );
});
