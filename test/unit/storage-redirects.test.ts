import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  clearAll,
  exportAll,
  forgetSite,
  importAll,
  recordPage,
  recordRedirect,
} from '../../src/storage/records';
import { countLiveBacklinks, loadBacklinks } from '../../src/storage/queries';
import { EXPORT_FORMAT, parseExport } from '../../src/core/transfer';
import { summarizeBacklinks } from '../../src/core/summary';
import { at, closeTestDbs, dumpDb, makeRedirect, makeSnapshot, openTestDb } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const OLD = 'https://moved.com/old';
const MID = 'https://moved.com/mid';
const NEW = 'https://moved.com/new';

const hop = (from: string, to: string, status = 301) => ({ from, to, status });

describe('recordRedirect', () => {
  it('stores a hop, then updates its status and last sighting, keeping the first', async () => {
    expect(await recordRedirect(db, hop(OLD, NEW, 302), at(1))).toEqual(
      makeRedirect(OLD, NEW, { status: 302, firstSeen: at(1), lastSeen: at(1) }),
    );
    await recordRedirect(db, hop(OLD, NEW, 301), at(4));
    expect(await db.getAll('redirects')).toEqual([
      makeRedirect(OLD, NEW, { status: 301, firstSeen: at(1), lastSeen: at(4) }),
    ]);
  });

  it('keeps each hop from one URL apart and reads them by either end', async () => {
    await recordRedirect(db, hop(OLD, MID), at(1));
    await recordRedirect(db, hop(OLD, NEW), at(2));
    expect(await db.getAllFromIndex('redirects', 'by_from', OLD)).toHaveLength(2);
    expect(await db.getAllFromIndex('redirects', 'by_to', NEW)).toEqual([
      makeRedirect(OLD, NEW, { firstSeen: at(2), lastSeen: at(2) }),
    ]);
  });
});

describe('backlinks through redirects', () => {
  beforeEach(async () => {
    await recordPage(db, makeSnapshot('https://a.org/', [OLD, NEW]), at(0));
    await recordPage(db, makeSnapshot('https://b.org/', ['https://start.com/']), at(0));
    await recordPage(db, makeSnapshot('https://c.org/', [MID]), at(0));
    await recordPage(db, makeSnapshot(NEW, []), at(0));
  });

  it('counts links to a URL that redirects to the page, marked with the hop', async () => {
    await recordRedirect(db, hop(OLD, NEW, 301), at(1));
    const report = await loadBacklinks(db, NEW);
    expect(report!.links.map((l) => [l.source, l.target]).sort()).toEqual([
      ['https://a.org/', NEW],
      ['https://a.org/', OLD],
    ]);
    expect(report!.via).toEqual({ [OLD]: { kind: 'redirect', status: 301, next: NEW, hops: 1 } });
    expect(await countLiveBacklinks(db, NEW)).toBe(2);
    const summary = summarizeBacklinks(report!.links, report!.sources, {
      via: report!.via,
      domain: report!.page!.domain,
    });
    expect(summary.live).toBe(2);
    expect(summary.viaRedirect).toBe(1);
  });

  it('follows a chain: each link with its first hop', async () => {
    await recordRedirect(db, hop('https://start.com/', MID, 301), at(1));
    await recordRedirect(db, hop(MID, NEW, 308), at(1));
    const report = await loadBacklinks(db, NEW);
    expect(report!.via).toEqual({
      'https://start.com/': { kind: 'redirect', status: 301, next: MID, hops: 2 },
      [MID]: { kind: 'redirect', status: 308, next: NEW, hops: 1 },
    });
    expect(report!.links.map((l) => l.source).sort()).toEqual([
      'https://a.org/',
      'https://b.org/',
      'https://c.org/',
    ]);
    expect(await countLiveBacklinks(db, NEW)).toBe(3);
    // The old URL's own report says where it goes.
    expect((await loadBacklinks(db, 'https://start.com/'))!.redirect).toEqual({
      steps: [
        { url: MID, status: 301 },
        { url: NEW, status: 308 },
      ],
      loop: false,
      bounded: false,
    });
  });

  it('detects a loop and terminates, each end crediting the other', async () => {
    await recordRedirect(db, hop(OLD, MID, 302), at(1));
    await recordRedirect(db, hop(MID, OLD, 301), at(1));
    const report = await loadBacklinks(db, OLD);
    expect(report!.redirect).toEqual({
      steps: [
        { url: MID, status: 302 },
        { url: OLD, status: 301 },
      ],
      loop: true,
      bounded: false,
    });
    expect(report!.via).toEqual({ [MID]: { kind: 'redirect', status: 301, next: OLD, hops: 1 } });
    expect(report!.links.map((l) => l.target).sort()).toEqual([MID, OLD]);
  });

  it('follows at most the hop bound', async () => {
    const chain = Array.from({ length: 8 }, (_, i) => `https://hop${i}.com/`);
    await recordPage(db, makeSnapshot('https://far.org/', chain), at(0));
    for (let i = 0; i < chain.length - 1; i++) {
      await recordRedirect(db, hop(chain[i]!, chain[i + 1]!), at(1));
    }
    const report = await loadBacklinks(db, chain.at(-1)!);
    expect(Object.keys(report!.via).sort()).toEqual(chain.slice(2, 7).sort());
    expect((await loadBacklinks(db, chain[0]!))!.redirect).toMatchObject({ bounded: true });
  });

  it('leaves lost links out of the badge count, as any other', async () => {
    await recordRedirect(db, hop(OLD, NEW), at(1));
    await recordPage(db, makeSnapshot('https://a.org/', [NEW]), at(2));
    expect(await countLiveBacklinks(db, NEW)).toBe(1);
    const report = await loadBacklinks(db, NEW);
    expect(report!.links.find((l) => l.target === OLD)?.lostAt).toBe(at(2));
  });

  it('counts a link from another site through a cross-site redirect as external', async () => {
    await recordRedirect(db, hop('https://a.org/moved', NEW), at(1));
    await recordPage(db, makeSnapshot('https://a.org/blog', ['https://a.org/moved']), at(1));
    const report = await loadBacklinks(db, NEW);
    const summary = summarizeBacklinks(report!.links, report!.sources, {
      via: report!.via,
      domain: report!.page!.domain,
    });
    // a.org links to its own old URL, which now lives on moved.com: a link from another site.
    expect(summary.internal).toBe(0);
    expect(summary.referringDomains).toBe(1);
    expect(summary.viaRedirect).toBe(1);
  });
});

describe('forgetting redirects', () => {
  beforeEach(async () => {
    await recordRedirect(db, hop('https://www.secret.com/a', 'https://other.com/'), at(1));
    await recordRedirect(db, hop('https://other.com/x', 'https://secret.com/b'), at(1));
    await recordRedirect(db, hop('https://other.com/y', 'https://keep.com/'), at(1));
    await recordRedirect(db, hop('https://notsecret.com/', 'https://keep.com/'), at(1));
  });

  it('forgetSite deletes hops from or to the site and its subdomains, only those', async () => {
    await forgetSite(db, 'secret.com');
    expect((await db.getAll('redirects')).map((r) => r.from).sort()).toEqual([
      'https://notsecret.com/',
      'https://other.com/y',
    ]);
  });

  it('clearAll deletes every hop', async () => {
    await clearAll(db);
    expect(await dumpDb(db)).toEqual({ pages: [], links: [], redirects: [] });
  });
});

describe('export and import of redirects', () => {
  it('roundtrips redirects through an export', async () => {
    await recordPage(db, makeSnapshot('https://a.org/', [OLD]), at(0));
    await recordRedirect(db, hop(OLD, NEW, 308), at(1));
    const file = await exportAll(db, at(2));
    expect(file.redirects).toEqual([
      makeRedirect(OLD, NEW, { status: 308, firstSeen: at(1), lastSeen: at(1) }),
    ]);
    const fresh = await openTestDb();
    expect(await importAll(fresh, parseExport(JSON.stringify(file)))).toEqual({
      pages: 1,
      links: 1,
      redirects: 1,
      referrals: 0,
    });
    expect(await dumpDb(fresh)).toEqual(await dumpDb(db));
    expect(await countLiveBacklinks(fresh, NEW)).toBe(1);
  });

  it('merges a hop: the newer status wins, the first sighting is the earliest', async () => {
    await recordRedirect(db, hop(OLD, NEW, 302), at(5));
    await importAll(db, {
      pages: [],
      links: [],
      redirects: [makeRedirect(OLD, NEW, { status: 301, firstSeen: at(1), lastSeen: at(2) })],
      referrals: [],
      skipped: 0,
    });
    expect(await db.getAll('redirects')).toEqual([
      makeRedirect(OLD, NEW, { status: 302, firstSeen: at(1), lastSeen: at(5) }),
    ]);
  });

  it('still imports a version 2 export, without redirects', async () => {
    const v2 = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 2,
      exportedAt: new Date(at(0)).toISOString(),
      pages: [],
      links: [],
    });
    const parsed = parseExport(v2);
    expect(parsed).toEqual({
      relatedPages: [],
      pages: [],
      links: [],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
    expect(await importAll(db, parsed)).toEqual({ pages: 0, links: 0, redirects: 0, referrals: 0 });
  });
});
