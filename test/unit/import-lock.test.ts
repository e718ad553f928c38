import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IMPORT_LOCK, importRunning, whileImporting } from '../../src/platform/import-lock';
import { importAll } from '../../src/storage/records';
import type { BacklinkDb } from '../../src/storage/db';
import { FakeLocks } from './fake-locks';
import { closeTestDbs, makeLink, makePage, openTestDb } from './helpers';

/** The worker's alarms, as the authority job sets them. */
const alarms: Array<{ name: string; when: number }> = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    alarms: {
      create: async (name: string, { when }: { when: number }) => void alarms.push({ name, when }),
      clear: async () => true,
    },
  },
}));
let db: BacklinkDb;
/** Every computation starts by asking for the connection; a deferred alarm never does. */
let dbAsked = 0;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => (dbAsked++, db) }));

const { AUTHORITY_ALARM, authorityStatus, onAuthorityAlarm } =
  await import('../../src/background/authority-job');

let locks: FakeLocks;
beforeEach(async () => {
  locks = new FakeLocks();
  // The worker and the options page share the origin's lock manager.
  vi.stubGlobal('navigator', { locks });
  alarms.length = 0;
  db = await openTestDb();
  await importAll(db, {
    pages: [makePage('https://a.com/'), makePage('https://b.com/')],
    links: [
      makeLink('https://a.com/', 'https://b.com/'),
      makeLink('https://b.com/', 'https://c.com/'),
    ],
    redirects: [],
    referrals: [],
    skipped: 0,
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  closeTestDbs();
});

/** An import under way until `end` is called. */
function startImport() {
  let end = () => {};
  const done = whileImporting(() => new Promise<void>((resolve) => (end = resolve)));
  return { end: () => (end(), done) };
}

describe('the import lock', () => {
  it('is held while an import runs and let go when it ends, however it ends', async () => {
    expect(await importRunning()).toBe(false);
    const running = startImport();
    expect(await importRunning()).toBe(true);
    expect([...locks.names]).toEqual([IMPORT_LOCK]);
    await running.end();
    expect(await importRunning()).toBe(false);
    // A failed import lets go too, and its error reaches the caller.
    await expect(whileImporting(() => Promise.reject(new Error('cut short')))).rejects.toThrow(
      'cut short',
    );
    expect(await importRunning()).toBe(false);
  });

  it('lets two imports run side by side', async () => {
    const first = startImport();
    let secondRan = false;
    await whileImporting(async () => void (secondRan = true));
    expect(secondRan).toBe(true);
    await first.end();
  });

  it('says no import runs where there are no Web Locks', async () => {
    vi.stubGlobal('navigator', undefined);
    expect(await importRunning()).toBe(false);
    expect(await whileImporting(async () => 'done')).toBe('done');
  });
});

describe('the authority alarm during an import', () => {
  it('computes nothing while an import writes, asks again later, and computes once it ended', async () => {
    const runs = authorityStatus.runs;
    const running = startImport();
    const before = Date.now();
    dbAsked = 0;
    await onAuthorityAlarm({ name: AUTHORITY_ALARM });
    // A computation started without being awaited would have asked for the database by now.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(dbAsked).toBe(0);
    expect(authorityStatus.runs).toBe(runs);
    // Asked again a minute on: the import's page may close without saying it ended.
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.name).toBe(AUTHORITY_ALARM);
    expect(alarms[0]!.when).toBeGreaterThanOrEqual(before + 60_000);

    await running.end();
    await onAuthorityAlarm({ name: AUTHORITY_ALARM });
    expect(authorityStatus.runs).toBe(runs + 1);
    expect(await db.count('authority-scores')).toBeGreaterThan(0);
  });
});
