import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unwrap } from 'idb';
import { DB_NAME, DB_VERSION, openBacklinkDb, type BacklinkDb } from '../../src/storage/db';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { HOT_TARGETS_KEY, storedHotTargets } from '../../src/core/hot-targets';
import { POPUP_ROWS } from '../../src/core/first-view';
import { recordPage } from '../../src/storage/records';
import { countRequests } from '../support/idb-requests';
import { at, makeSnapshot, rawLink } from './helpers';

/** storage.local, as both the early script (chrome) and the modules (the polyfill) read it. */
const storedLocal = vi.hoisted((): Record<string, unknown> => ({}));
const getStored = vi.hoisted(
  () => async (keys: string | string[]) =>
    Object.fromEntries([keys].flat().map((key) => [key, storedLocal[key]])),
);
vi.mock('webextension-polyfill', () => ({ default: { storage: { local: { get: getStored } } } }));

// The popup's and report's early script (platform/early-boot.ts) run as the page runs it, in
// the database name the extension uses (fake-indexeddb), with the browser's storage and tabs
// faked; the modules that take its promises over are imported fresh for each test.

const TAB = { id: 7, url: 'https://example.com/' };
const opened: { name: string; version?: number }[] = [];
const realOpen = indexedDB.open.bind(indexedDB);
const connections: (BacklinkDb | IDBDatabase)[] = [];

beforeEach(() => {
  vi.resetModules();
  opened.length = 0;
  vi.spyOn(indexedDB, 'open').mockImplementation((name: string, version?: number) => {
    opened.push({ name, ...(version === undefined ? {} : { version }) });
    return realOpen(name, version);
  });
  vi.stubGlobal('chrome', {
    storage: { local: { get: getStored } },
    tabs: { query: async () => [TAB] },
  });
  vi.stubGlobal('document', { currentScript: { hasAttribute: () => true } });
});

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete globalThis.__backlinkLensEarly;
  delete storedLocal.settings;
  delete storedLocal[HOT_TARGETS_KEY];
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = resolve;
  });
});

/** A database of the extension's name at `version`, as an earlier install left it. */
async function storedDatabase(version: number): Promise<void> {
  (await openBacklinkDb(DB_NAME, () => {}, version)).close();
  opened.length = 0;
}

/** Run the early script as the page does, then import the modules that take its promises. */
async function boot() {
  await import('../../src/platform/early-boot');
  const early = globalThis.__backlinkLensEarly!;
  const earlyDb = early.db;
  const { getDb } = await import('../../src/platform/db-connection');
  const settings = await import('../../src/platform/settings-store');
  return { early, earlyDb, getDb, settings };
}

async function connect(getDb: () => Promise<BacklinkDb>): Promise<BacklinkDb> {
  const db = await getDb();
  connections.push(db);
  return db;
}

describe('the early script and getDb', () => {
  it('opens the database once: the modules use the connection the early script opened', async () => {
    await storedDatabase(DB_VERSION);
    const { earlyDb, getDb } = await boot();
    const db = await connect(getDb);
    expect(unwrap(db)).toBe(await earlyDb);
    expect(db.version).toBe(DB_VERSION);
    expect(opened).toEqual([{ name: DB_NAME }]);
    // The connection works as one openBacklinkDb made: a read of a store of the schema.
    expect(await db.count('links')).toBe(0);
    expect(await getDb()).toBe(db);
  });

  it('creates no database; getDb creates it with the migrations', async () => {
    const { earlyDb, getDb } = await boot();
    expect(await earlyDb).toBeNull();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(DB_NAME);
    const db = await connect(getDb);
    expect(db.version).toBe(DB_VERSION);
    expect(db.objectStoreNames.contains('links')).toBe(true);
  });

  it('leaves an older database to getDb, which closes it and upgrades', async () => {
    await storedDatabase(DB_VERSION - 1);
    const { earlyDb, getDb } = await boot();
    const early = (await earlyDb)!;
    expect(early.version).toBe(DB_VERSION - 1);
    // Not blocked by the early connection: it is closed before the upgrade asks.
    const db = await connect(getDb);
    expect(db.version).toBe(DB_VERSION);
    expect(unwrap(db)).not.toBe(early);
    expect(opened).toEqual([{ name: DB_NAME }, { name: DB_NAME, version: DB_VERSION }]);
  });

  it('does not use a connection closed for an upgrade elsewhere before the modules ran', async () => {
    await storedDatabase(DB_VERSION);
    await import('../../src/platform/early-boot');
    const early = globalThis.__backlinkLensEarly!;
    const raw = (await early.db)!;
    // What the browser does when another context opens a newer version.
    raw.onversionchange?.(new IDBVersionChangeEvent('versionchange', { oldVersion: DB_VERSION }));
    expect(early.closed).toBe(true);
    const { getDb } = await import('../../src/platform/db-connection');
    const db = await connect(getDb);
    expect(unwrap(db)).not.toBe(raw);
    expect(await db.count('pages')).toBe(0);
  });

  it('reopens after the adopted connection is closed by an upgrade elsewhere', async () => {
    await storedDatabase(DB_VERSION);
    const { getDb } = await boot();
    const first = await connect(getDb);
    unwrap(first).dispatchEvent(
      new IDBVersionChangeEvent('versionchange', { oldVersion: DB_VERSION }),
    );
    const second = await connect(getDb);
    expect(second).not.toBe(first);
    expect(await second.count('pages')).toBe(0);
  });
});

describe('loadSettingsEarly', () => {
  it('takes the settings the early script read, once; a later read asks storage again', async () => {
    storedLocal.settings = { ...DEFAULT_SETTINGS, paused: true };
    const { settings } = await boot();
    storedLocal.settings = { ...DEFAULT_SETTINGS, paused: false };
    expect((await settings.loadSettingsEarly()).paused).toBe(true);
    expect((await settings.loadSettingsEarly()).paused).toBe(false);
  });

  it('checks what the early script read as loadSettings does', async () => {
    storedLocal.settings = { paused: 'yes', excludedSites: 3 };
    const { settings } = await boot();
    expect(await settings.loadSettingsEarly()).toEqual(await settings.loadSettings());
  });
});

describe('the hint of the pages with an aggregate (core/hot-targets.ts)', () => {
  const PAGE = 'https://cold.com/page';

  /** The rounds of the popup's first read of a cold page, as loadReport starts it. */
  async function firstReadRounds(): Promise<number> {
    const stored = await openBacklinkDb(DB_NAME, () => {});
    for (const p of [0, 1, 2]) {
      await recordPage(stored, makeSnapshot(`https://s${p}.com/`, [rawLink(PAGE)]), at(p));
    }
    stored.close();
    const { getDb, settings } = await boot();
    // The modules' own (imported afresh by boot, as the hint's per-connection map).
    const { loadFirstRead } = await import('../../src/storage/head');
    const [db] = await Promise.all([connect(getDb), settings.loadSettingsEarly()]);
    const counting = countRequests();
    let rounds = 0;
    const first = await loadFirstRead(db, PAGE, {}, POPUP_ROWS).finally(
      () => ({ rounds } = counting.stop()),
    );
    expect(first.kind === 'report' && first.report?.links).toHaveLength(3);
    return rounds;
  }

  it("is read with the settings and given to the early connection's first read", async () => {
    storedLocal[HOT_TARGETS_KEY] = storedHotTargets(['https://hot.com/']);
    // Its links with the first round, as a raw read of its rows: two rounds.
    expect(await firstReadRounds()).toBe(2);
  });

  it('is none when none is stored: the first read waits for the aggregate', async () => {
    expect(await firstReadRounds()).toBe(3);
  });
});

describe('the early script', () => {
  it('asks for the active tab where its tag says so, and only there', async () => {
    await import('../../src/platform/early-boot');
    expect(await globalThis.__backlinkLensEarly!.tab).toEqual(TAB);
    delete globalThis.__backlinkLensEarly;
    vi.resetModules();
    vi.stubGlobal('document', { currentScript: { hasAttribute: () => false } });
    await import('../../src/platform/early-boot');
    expect(globalThis.__backlinkLensEarly!.tab).toBeUndefined();
    const early = globalThis.__backlinkLensEarly!;
    const db = await early.db;
    if (db) connections.push(db);
  });

  it('starts nothing, and throws nothing, where there is no extension API', async () => {
    vi.stubGlobal('chrome', undefined);
    await import('../../src/platform/early-boot');
    const early = globalThis.__backlinkLensEarly!;
    expect(early.settings).toBeUndefined();
    const db = await early.db;
    if (db) connections.push(db);
    const { loadSettingsEarly } = await import('../../src/platform/settings-store');
    // The module asks for itself (through the polyfill).
    storedLocal.settings = { ...DEFAULT_SETTINGS, paused: true };
    expect((await loadSettingsEarly()).paused).toBe(true);
  });
});

describe("the early script and the worker's first view", () => {
  /** storage.session as the worker left it: an entry for tab 7 and one for tab 9. */
  const session = { 'firstView:7': { url: 'seven' }, 'firstView:9': { url: 'nine' } };
  const asked: unknown[] = [];
  const withSession = () =>
    vi.stubGlobal('chrome', {
      storage: {
        local: { get: getStored },
        session: {
          get: async (key: string) => {
            asked.push(key);
            return { [key]: session[key as keyof typeof session] };
          },
        },
      },
      tabs: { query: async () => [TAB] },
    });

  afterEach(() => {
    asked.length = 0;
  });

  async function firstView(): Promise<unknown> {
    await import('../../src/platform/early-boot');
    const early = globalThis.__backlinkLensEarly!;
    const db = await early.db;
    if (db) connections.push(db);
    const { takeEarly } = await import('../../src/platform/early-start');
    return takeEarly('firstView');
  }

  it("reads the active tab's entry, once, right after the tab query", async () => {
    withSession();
    expect(await await firstView()).toEqual({ url: 'seven' });
    expect(asked).toEqual(['firstView:7']);
    const { takeEarly } = await import('../../src/platform/early-start');
    expect(takeEarly('firstView')).toBeUndefined();
  });

  it('reads the entry of the tab ?url=&tab= names (tests, benches)', async () => {
    withSession();
    vi.stubGlobal('location', { search: '?url=https%3A%2F%2Fexample.com%2F&tab=9' });
    expect(await await firstView()).toEqual({ url: 'nine' });
    expect(asked).toEqual(['firstView:9']);
  });

  it('gives none where storage.session is missing (a Firefox before 115)', async () => {
    expect(await await firstView()).toBeUndefined();
  });
});
