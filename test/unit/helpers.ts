/**
 * Builders shared by the unit tests. Each builder returns a complete, valid value whose
 * fields can be overridden, so a test states only what it is about.
 */
import 'fake-indexeddb/auto';
import { openDB, type IDBPDatabase } from 'idb';
import type {
  LinkRecord,
  LinkRegion,
  PageRecord,
  PageSnapshot,
  RawLink,
  RedirectRecord,
} from '../../src/core/types';
import type { ReferralVisit } from '../../src/core/referrals';
import { openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { pageRecord, T0 } from '../support/records';

export { pageRecord as makePage, T0 };

/** Fixed clock values: 2024-01-01T00:00:00Z and one day later per step. */
export const DAY = 24 * 60 * 60 * 1000;
export const at = (days: number): number => T0 + days * DAY;

/** A link seen once on its page; folding fields follow rel and region unless overridden. */
export function rawLink(href: string, overrides: Partial<RawLink> = {}): RawLink {
  const rel = overrides.rel ?? [];
  const region = overrides.region ?? 'main';
  return {
    href,
    anchor: `to ${href}`,
    rel,
    region,
    regions: [region],
    rels: rel,
    occurrences: 1,
    ...overrides,
  };
}

/**
 * A snapshot of `url` whose links are given as hrefs (anchor "to <href>") or as full RawLinks.
 */
export function makeSnapshot(
  url: string,
  links: ReadonlyArray<string | RawLink> = [],
  overrides: Partial<PageSnapshot> = {},
): PageSnapshot {
  const raw = links.map((l) => (typeof l === 'string' ? rawLink(l) : l));
  return {
    url,
    title: `Title of ${url}`,
    canonical: null,
    lang: 'en',
    robots: { noindex: false, nofollow: false },
    links: raw,
    totalLinks: raw.length,
    truncated: false,
    ...overrides,
  };
}

/** A link record; domains default to the last two labels of each host (fine for .com tests). */
export function makeLink(
  source: string,
  target: string,
  overrides: Partial<LinkRecord> = {},
): LinkRecord {
  const domainOf = (u: string) => new URL(u).hostname.split('.').slice(-2).join('.');
  const rel = overrides.rel ?? [];
  const region: LinkRegion = overrides.region ?? 'main';
  return {
    source,
    target,
    anchor: `to ${target}`,
    rel,
    region,
    regions: [region],
    rels: rel,
    occurrences: 1,
    sourceDomain: domainOf(source),
    targetDomain: domainOf(target),
    firstSeen: T0,
    lastSeen: T0,
    lostAt: null,
    ...overrides,
  };
}

/** A referral visit from `source` to `target` at `at`, following a link straight to it. */
export function makeVisit(
  source: string,
  target: string,
  at: number,
  overrides: Partial<ReferralVisit> = {},
): ReferralVisit {
  const domainOf = (u: string) => new URL(u).hostname.split('.').slice(-2).join('.');
  return {
    source,
    target,
    href: target,
    anchor: `to ${target}`,
    at,
    sourceDomain: domainOf(source),
    targetDomain: domainOf(target),
    ...overrides,
  };
}

let dbCounter = 0;
const openDbs: BacklinkDb[] = [];

/** A fresh, empty database (fake-indexeddb) with a name no other test uses. */
export async function openTestDb(): Promise<BacklinkDb> {
  dbCounter += 1;
  const db = await openBacklinkDb(
    `backlink-lens-test-${process.pid}-${dbCounter}-${Math.random()}`,
  );
  openDbs.push(db);
  return db;
}

/** Close every database opened with openTestDb (call from afterEach). */
export function closeTestDbs(): void {
  for (const db of openDbs.splice(0)) db.close();
}

/** Every store in full (in key order), for comparing database states. */
export async function dumpDb(
  db: BacklinkDb,
): Promise<{ pages: PageRecord[]; links: LinkRecord[]; redirects: RedirectRecord[] }> {
  const [pages, links, redirects] = await Promise.all([
    db.getAll('pages'),
    db.getAll('links'),
    db.getAll('redirects'),
  ]);
  return { pages, links, redirects };
}

/** A redirect hop from `from` to `to`, a 301 seen once at T0. */
export function makeRedirect(
  from: string,
  to: string,
  overrides: Partial<RedirectRecord> = {},
): RedirectRecord {
  return { from, to, status: 301, firstSeen: T0, lastSeen: T0, ...overrides };
}

/**
 * A database as an older release left it, at version 1 to 4, for migration tests. The old
 * schemas are written out here, frozen: the migrations in src/storage/db.ts are what is tested.
 */
export function openLegacyDb(name: string, version: 1 | 2 | 3 | 4): Promise<IDBPDatabase> {
  return openDB(name, version, {
    upgrade(raw) {
      const pages = raw.createObjectStore('pages', { keyPath: 'url' });
      pages.createIndex('by_domain', 'domain');
      pages.createIndex('by_canonical', 'canonical');
      const links = raw.createObjectStore('links', { keyPath: ['source', 'target', 'anchor'] });
      links.createIndex('by_target', 'target');
      links.createIndex('by_target_domain', 'targetDomain');
      links.createIndex('by_source', 'source');
      if (version < 2) return;
      const redirects = raw.createObjectStore('redirects', { keyPath: ['from', 'to'] });
      redirects.createIndex('by_to', 'to');
      redirects.createIndex('by_from', 'from');
      if (version < 3) return;
      raw.createObjectStore('authority', { keyPath: ['kind', 'key'] });
      raw.createObjectStore('meta', { keyPath: 'id' });
      if (version < 4) return;
      const referrals = raw.createObjectStore('referrals', { keyPath: ['source', 'target', 'at'] });
      referrals.createIndex('by_target', 'target');
      referrals.createIndex('by_source_domain', 'sourceDomain');
      referrals.createIndex('by_target_domain', 'targetDomain');
    },
  });
}
