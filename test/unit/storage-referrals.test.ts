import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveOldLinks } from '../../src/storage/link-move';
import { DB_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { loadReferralsInto, recordReferral } from '../../src/storage/referrals';
import { clearAll, exportAll, forgetSite, importAll, recordPage } from '../../src/storage/records';
import { loadBacklinks } from '../../src/storage/queries';
import { parseExport, withoutExcludedSites, EXPORT_FORMAT } from '../../src/core/transfer';
import { VISIT_GAP_MS, type ReferralVisit } from '../../src/core/referrals';
import {
  T0,
  closeTestDbs,
  dumpDb,
  makeLink,
  makePage,
  makeRedirect,
  makeVisit,
  makeSnapshot,
  openLegacyDb,
  openTestDb,
} from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const visit = makeVisit;

const byTime = (a: ReferralVisit, b: ReferralVisit) => a.at - b.at;

describe('referrals store', () => {
  it('keeps one record per visit, read back by the page landed on', async () => {
    await recordReferral(db, visit('https://a.com/', 'https://t.com/p', T0));
    await recordReferral(db, visit('https://a.com/', 'https://t.com/p', T0 + 1));
    await recordReferral(db, visit('https://b.com/', 'https://t.com/alias', T0 + 2));
    await recordReferral(db, visit('https://b.com/', 'https://t.com/other', T0 + 3));
    const into = await loadReferralsInto(db, ['https://t.com/p', 'https://t.com/alias']);
    expect(into.sort(byTime).map((v) => [v.source, v.at])).toEqual([
      ['https://a.com/', T0],
      ['https://a.com/', T0 + 1],
      ['https://b.com/', T0 + 2],
    ]);
  });

  it('keeps the newest visits of a pair of pages past the cap, and leaves other pairs alone', async () => {
    // Recorded out of order: the cap drops by time, not by arrival.
    for (const at of [T0 + 3, T0 + 1, T0 + 4, T0, T0 + 2]) {
      await recordReferral(db, visit('https://a.com/', 'https://t.com/p', at), 3);
    }
    await recordReferral(db, visit('https://a.com/', 'https://t.com/q', T0), 3);
    const kept = await loadReferralsInto(db, ['https://t.com/p', 'https://t.com/q']);
    expect(kept.sort(byTime).map((v) => [v.target, v.at - T0])).toEqual([
      ['https://t.com/q', 0],
      ['https://t.com/p', 2],
      ['https://t.com/p', 3],
      ['https://t.com/p', 4],
    ]);
  });
});

describe('visits per page', () => {
  it('recordPage counts a load half an hour after the last as a new visit', async () => {
    const url = 'https://a.com/';
    await recordPage(db, makeSnapshot(url), T0);
    await recordPage(db, makeSnapshot(url), T0 + 1000);
    expect((await db.get('pages', url))?.visits).toBe(1);
    await recordPage(db, makeSnapshot(url), T0 + 1000 + VISIT_GAP_MS);
    expect((await db.get('pages', url))?.visits).toBe(2);
  });
});

describe('clearing and forgetting', () => {
  beforeEach(async () => {
    await recordReferral(db, visit('https://secret.com/a', 'https://t.com/p', T0));
    await recordReferral(db, visit('https://t.com/p', 'https://blog.secret.com/b', T0 + 1));
    await recordReferral(db, visit('https://a.com/', 'https://t.com/p', T0 + 2));
    await recordReferral(db, visit('https://notsecret.com/', 'https://t.com/p', T0 + 3));
  });

  it('forgetSite deletes the visits from or to the site and its subdomains, nothing else', async () => {
    await forgetSite(db, 'secret.com');
    expect((await db.getAll('referrals')).map((v) => v.source).sort()).toEqual([
      'https://a.com/',
      'https://notsecret.com/',
    ]);
  });

  it('forgetSite of a subdomain keeps the rest of the domain', async () => {
    await forgetSite(db, 'blog.secret.com');
    expect(await db.count('referrals')).toBe(3);
  });

  it('forgetSite under a public suffix reads every key', async () => {
    await recordReferral(
      db,
      visit('https://me.github.io/', 'https://t.com/p', T0 + 4, { sourceDomain: 'me.github.io' }),
    );
    await forgetSite(db, 'github.io');
    expect(await db.count('referrals')).toBe(4);
    expect((await db.getAll('referrals')).some((v) => v.source.includes('github.io'))).toBe(false);
  });

  it('clearAll deletes every visit', async () => {
    await clearAll(db);
    expect(await db.count('referrals')).toBe(0);
  });
});

describe('export and import of referrals', () => {
  it('roundtrips through JSON, and importing twice adds nothing', async () => {
    await recordPage(db, makeSnapshot('https://a.com/', ['https://t.com/p']), T0);
    await recordReferral(db, visit('https://a.com/', 'https://t.com/p', T0 + 5));
    await recordReferral(
      db,
      visit('https://a.com/', 'https://t.com/p', T0 + 6, { href: 'https://t.com/old' }),
    );
    const file = await exportAll(db, T0 + 10);
    expect(file.referrals).toHaveLength(2);
    const text = JSON.stringify(file);

    const fresh = await openTestDb();
    const parsed = parseExport(text);
    expect(parsed.skipped).toBe(0);
    expect((await importAll(fresh, parsed)).referrals).toBe(2);
    await importAll(fresh, parseExport(text));
    expect(await dumpDb(fresh)).toEqual(await dumpDb(db));
    expect(await fresh.getAll('referrals')).toEqual(await db.getAll('referrals'));
  });

  it('merges with the visits already stored, dropping none', async () => {
    await recordReferral(db, visit('https://a.com/', 'https://t.com/p', T0));
    const other = {
      ...parseExport(JSON.stringify(await exportAll(db))),
      referrals: [visit('https://b.com/', 'https://t.com/p', T0 + 1)],
    };
    await importAll(db, other);
    expect(await db.count('referrals')).toBe(2);
  });

  it('skips invalid visits and counts them', () => {
    const parsed = parseExport(
      JSON.stringify({
        format: EXPORT_FORMAT,
        version: 4,
        exportedAt: new Date(T0).toISOString(),
        pages: [],
        links: [],
        redirects: [],
        referrals: [visit('https://a.com/', 'https://t.com/p', T0), { source: 'x' }, null],
      }),
    );
    expect(parsed.referrals).toHaveLength(1);
    expect(parsed.skipped).toBe(2);
  });

  it('needs the list from version 4 on; version 3 files import without it', () => {
    const v3 = {
      format: EXPORT_FORMAT,
      version: 3,
      exportedAt: '',
      pages: [],
      links: [],
      redirects: [],
    };
    expect(parseExport(JSON.stringify(v3)).referrals).toEqual([]);
    expect(() => parseExport(JSON.stringify({ ...v3, version: 4 }))).toThrow(/no referrals list/);
  });

  it('leaves out visits from or to sites excluded since the export, and counts them', () => {
    const data = {
      pages: [],
      links: [],
      redirects: [],
      referrals: [
        visit('https://private.com/', 'https://t.com/p', T0),
        visit('https://t.com/p', 'https://www.private.com/x', T0),
        visit('https://a.com/', 'https://t.com/p', T0),
      ],
      skipped: 0,
    };
    const { data: kept, excluded } = withoutExcludedSites(data, ['private.com']);
    expect(kept.referrals.map((v) => v.source)).toEqual(['https://a.com/']);
    expect(excluded).toBe(2);
  });
});

describe('migration from a version 3 database', () => {
  it('keeps every record and adds the referrals store, empty, with its indexes', async () => {
    const name = `v3-${Math.random()}`;
    const v3 = await openLegacyDb(name, 3);
    const pages = [makePage('https://a.com/'), makePage('https://b.com/x')];
    const links = Array.from({ length: 60 }, (_, i) =>
      makeLink('https://a.com/', `https://t.com/${i}`, { region: i % 2 ? 'main' : 'footer' }),
    );
    const redirect = makeRedirect('https://t.com/old', 'https://t.com/0');
    const score = { kind: 'page', key: 'https://a.com/', score: 0.5, display: 40, computedAt: T0 };
    const meta = { id: 'authority', computedAt: T0 };
    for (const p of pages) await v3.put('pages', p);
    for (const l of links) await v3.put('links', l);
    await v3.put('redirects', redirect);
    await v3.put('authority', score);
    await v3.put('meta', meta);
    v3.close();

    const upgraded = await openBacklinkDb(name);
    await moveOldLinks(upgraded); // the worker's move (storage/link-move.ts), done
    expect(upgraded.version).toBe(DB_VERSION);
    const dump = await dumpDb(upgraded);
    expect(dump.pages).toEqual(pages);
    expect(dump.links).toHaveLength(60);
    expect(new Set(dump.links.map((l) => JSON.stringify(l)))).toEqual(
      new Set(links.map((l) => JSON.stringify(l))),
    );
    expect(dump.redirects).toEqual([redirect]);
    expect(await upgraded.getAll('authority')).toEqual([score]);
    expect(await upgraded.getAll('meta')).toEqual([meta]);
    expect(await upgraded.count('referrals')).toBe(0);
    const store = upgraded.transaction('referrals').store;
    expect(store.keyPath).toEqual(['source', 'target', 'at']);
    expect([...store.indexNames].sort()).toEqual([
      'by_source_domain',
      'by_target',
      'by_target_domain',
    ]);
    // It answers queries like a database written by this version, and takes new visits.
    expect((await loadBacklinks(upgraded, 'https://t.com/0'))?.links).toHaveLength(1);
    await recordReferral(upgraded, visit('https://a.com/', 'https://t.com/0', T0));
    expect(await loadReferralsInto(upgraded, ['https://t.com/0'])).toHaveLength(1);
    upgraded.close();
  });
});
