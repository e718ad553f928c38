/**
 * Compact links (issue 7, item 2): a database of the release before the number keys opens at
 * once, its links in the old store, and answers every query the same before the worker's move,
 * half-way through it, and after it; a failed or interrupted move leaves everything whole.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore } from 'fake-indexeddb';
import {
  DB_VERSION,
  NUMBER_KEYS_VERSION,
  openBacklinkDb,
  type BacklinkDb,
} from '../../src/storage/db';
import {
  exportAll,
  forgetSite,
  recordPage,
  recordRedirect,
  writeAtomically,
} from '../../src/storage/records';
import { countLiveBacklinks, loadBacklinks, loadSiteLinks } from '../../src/storage/queries';
import { loadOutboundLinks } from '../../src/storage/outbound';
import {
  getAllLinks,
  LINK_STORES,
  oldStoreDrained,
  type LinkIndex,
} from '../../src/storage/link-keys';
import { moveLinkChunk, moveOldLinks } from '../../src/storage/link-move';
import { linkKey, type LinkRecord } from '../../src/core/types';
import { seededRandom } from '../bench/random';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

const opened: BacklinkDb[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  closeTestDbs();
  for (const db of opened.splice(0)) db.close();
});

const SOURCES = 24;
const TARGETS = Array.from({ length: 12 }, (_, i) => `https://t${i % 4}.com/p${i}`);
const sourceOf = (s: number) => `https://s${s % 6}.org/post${s}`;

/** Pages linking to a few of TARGETS, each visited twice (some links lost), and redirects. */
async function fill(db: BacklinkDb): Promise<void> {
  const random = seededRandom(11);
  for (let s = 0; s < SOURCES; s++) {
    const targets = TARGETS.filter(() => random() < 0.5);
    await recordPage(db, makeSnapshot(sourceOf(s), [...targets, sourceOf(s + 1)]), at(0));
    await recordPage(db, makeSnapshot(sourceOf(s), targets.slice(1)), at(1));
  }
  await recordRedirect(db, { from: 'https://t0.com/old', to: TARGETS[0]!, status: 301 }, at(1));
}

const byIdentity = (links: readonly LinkRecord[]) =>
  [...links].sort((a, b) => linkKey(a).localeCompare(linkKey(b)));

/** Everything a reader can ask of the links, links in a stable order. */
async function answers(db: BacklinkDb) {
  const urls = [...TARGETS, ...Array.from({ length: SOURCES }, (_, s) => sourceOf(s))];
  const indexed = async (index: LinkIndex, keys: ReadonlyArray<IDBValidKey | IDBKeyRange>) =>
    Promise.all(
      keys.map(async (k) => byIdentity(await getAllLinks(db.transaction(LINK_STORES), index, k))),
    );
  const file = await exportAll(db, 0);
  return {
    backlinks: await Promise.all(
      urls.map(async (u) => {
        const report = (await loadBacklinks(db, u))!;
        return { ...report, links: byIdentity(report.links) };
      }),
    ),
    badges: await Promise.all(urls.map((u) => countLiveBacklinks(db, u))),
    sites: await Promise.all(
      TARGETS.slice(0, 4).map(async (u) => byIdentity((await loadSiteLinks(db, u))!.links)),
    ),
    outbound: await Promise.all(
      urls.map(async (u) => {
        const out = await loadOutboundLinks(db, u);
        return out && byIdentity(out.links);
      }),
    ),
    byTarget: await indexed('by_target', TARGETS),
    byDomain: await indexed('by_target_domain', ['t0.com', 't1.com', 't3.com']),
    bySourceDomain: await indexed(
      'by_target_source_domain',
      TARGETS.map((t, i) => [t, `s${i % 6}.org`]),
    ),
    lost: await indexed(
      'by_target_lost',
      TARGETS.map((t) => IDBKeyRange.bound([t, -Infinity], [t, Infinity])),
    ),
    exported: { ...file, links: byIdentity(file.links) },
  };
}

/** A database of the release before the number keys, holding what `reference` holds. */
async function previousRelease(reference: BacklinkDb): Promise<string> {
  const name = `compact-${Math.random()}`;
  // The records as stored (an export writes each live link's last sighting from its page).
  const [pages, links, redirects] = await Promise.all([
    reference.getAll('pages'),
    reference.getAll('links'),
    reference.getAll('redirects'),
  ]);
  const old = await openBacklinkDb(name, () => {}, NUMBER_KEYS_VERSION - 1);
  const tx = old.transaction(['pages', 'links', 'redirects'], 'readwrite');
  // Under [source, target, anchor] then: the key is in the record.
  const store = tx.objectStore('links') as unknown as { put(l: LinkRecord): Promise<unknown> };
  await Promise.all([
    ...pages.map((p) => tx.objectStore('pages').put(p)),
    ...links.map((l) => store.put(l)),
    ...redirects.map((r) => tx.objectStore('redirects').put(r)),
    tx.done,
  ]);
  old.close();
  return name;
}

async function reopen(name: string): Promise<BacklinkDb> {
  const db = await openBacklinkDb(name);
  opened.push(db);
  return db;
}

/** Each link once, across both stores. */
async function identities(db: BacklinkDb): Promise<string[]> {
  const [fresh, old] = await Promise.all([db.getAll('links'), db.getAll('links-v1')]);
  return [...fresh, ...old].map(linkKey);
}

describe('upgrade to number-keyed links', () => {
  it('opens at once and answers the same before, half-way through and after the move', async () => {
    const reference = await openTestDb();
    await fill(reference);
    const expected = await answers(reference);
    const total = await reference.count('links');
    expect(total).toBeGreaterThan(50);

    const name = await previousRelease(reference);
    const db = await reopen(name);
    expect(db.version).toBe(DB_VERSION);
    // Nothing moved by the upgrade itself: every link is still in the old store.
    expect([await db.count('links'), await db.count('links-v1')]).toEqual([0, total]);
    expect(await answers(db)).toEqual(expected);

    const half = Math.floor(total / 2);
    expect(await writeAtomically(db, LINK_STORES, (tx) => moveLinkChunk(tx, half))).toBe(half);
    expect([await db.count('links'), await db.count('links-v1')]).toEqual([half, total - half]);
    expect(await answers(db)).toEqual(expected);
    expect(oldStoreDrained(db)).toBe(false);

    expect(await moveOldLinks(db, 7)).toBe(total - half);
    expect([await db.count('links'), await db.count('links-v1')]).toEqual([total, 0]);
    expect(await answers(db)).toEqual(expected);
    // Moved, the links are the very same records.
    expect(byIdentity(await db.getAll('links'))).toEqual(
      byIdentity(await reference.getAll('links')),
    );
    // A connection that has seen the old store empty reads the new one only: the same answers.
    const later = await reopen(name);
    expect(await answers(later)).toEqual(expected);
    expect(oldStoreDrained(later)).toBe(true);
    expect(await answers(later)).toEqual(expected);
  }, 60_000);

  it('writes while half moved as into a moved database: a rewritten link moves, once', async () => {
    const reference = await openTestDb();
    await fill(reference);
    const db = await reopen(await previousRelease(reference));
    await writeAtomically(db, LINK_STORES, (tx) => moveLinkChunk(tx, 20));
    for (const target of [reference, db]) {
      // A source whose links are partly in each store, revisited; another forgotten.
      await recordPage(target, makeSnapshot(sourceOf(3), TARGETS.slice(0, 5)), at(2));
      await recordPage(target, makeSnapshot(sourceOf(20), [TARGETS[7]!]), at(3));
      await forgetSite(target, 's5.org');
    }
    const ids = await identities(db);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await answers(db)).toEqual(await answers(reference));
    await moveOldLinks(db);
    expect(await answers(db)).toEqual(await answers(reference));
  }, 60_000);

  it('leaves every link whole when a chunk fails, and a reopened database finishes the move', async () => {
    const reference = await openTestDb();
    await fill(reference);
    const expected = await answers(reference);
    const db = await reopen(await previousRelease(reference));
    const realPut = IDBObjectStore.prototype.put;
    let puts = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      // The third put of the second chunk fails.
      if (++puts === 13) throw new Error('injected');
      return realPut.apply(this, args);
    });
    await expect(moveOldLinks(db, 10)).rejects.toThrow('injected');
    vi.restoreAllMocks();
    // The first chunk landed; the failed one left its links in the old store.
    expect(await db.count('links')).toBe(10);
    expect(await answers(db)).toEqual(expected);

    // Stopped between chunks (the worker ended): opened again, the move goes on from there.
    const left = await db.count('links-v1');
    db.close();
    const resumed = await reopen(db.name);
    expect(await resumed.count('links-v1')).toBe(left);
    expect(await moveOldLinks(resumed, 10)).toBe(left);
    expect(await answers(resumed)).toEqual(expected);
    const ids = await identities(resumed);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
