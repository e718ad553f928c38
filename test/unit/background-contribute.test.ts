import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTRIBUTION_KEY, FIRST_BACKOFF_MS } from '../../src/core/contribution';
import { DEFAULT_K } from '../../src/core/index-protocol';
import { REMOTE_INDEX_KEY, type RemoteIndexSettings } from '../../src/core/remote-index-settings';
import { parseExport } from '../../src/core/transfer';
import type { BacklinkDb } from '../../src/storage/db';
import { closeTestDbs, makeLink, makePage, openTestDb } from './helpers';
import { storedLocal as local } from './fake-browser';

/** Alarms set by the worker, by name: when they would fire. */
const alarms = new Map<string, number>();
vi.mock('webextension-polyfill', async () => ({
  default: {
    ...(await import('./fake-browser')).fakeBrowser,
    alarms: {
      create: async (name: string, { when }: { when: number }) => void alarms.set(name, when),
      clear: async (name: string) => alarms.delete(name),
    },
  },
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

const { noteContributable, sendContributions } = await import('../../src/background/contribute');

/** An index that answers contributions as told: accepted, or busy with a Retry-After. */
let answer: 'ok' | 'busy' | 'down' = 'ok';
const received: Array<{ auth: string | undefined; body: string }> = [];
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, body });
      if (answer === 'busy') {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '900' });
        res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down.' } }));
      } else if (answer === 'down') {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'unavailable', message: 'Down.' } }));
      } else {
        const pages = parseExport(body).pages.length;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ accepted: { pages, links: pages * 2 }, skipped: 0 }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const settings = (over: Partial<RemoteIndexSettings> = {}): RemoteIndexSettings => ({
  url: base,
  token: 'team-token-0123456789',
  enabled: true,
  contribute: true,
  k: DEFAULT_K,
  decoys: 0,
  decoySecret: 'ab'.repeat(32),
  info: {
    name: 'Team index',
    protocolVersion: 1,
    canonicalVersion: 1,
    keys: { urls: 1000, domains: 100 },
    links: 5000,
    updatedAt: null,
    minPrefixLength: 1,
    maxPrefixLength: 16,
    contributions: true,
    limits: { maxLinksPerEntry: 50, maxEntries: 200, maxBodyBytes: 5_000_000, ratePerMinute: 60 },
  },
  infoFetchedAt: Date.now(),
  ...over,
});

const A = 'https://blog.example/a';
const B = 'https://blog.example/b';
async function storePages(...urls: string[]) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  await Promise.all([
    ...urls.map((u) => tx.objectStore('pages').put(makePage(u))),
    ...urls.flatMap((u) => [
      tx.objectStore('links').put(makeLink(u, 'https://shop.example/1')),
      tx.objectStore('links').put(makeLink(u, 'https://shop.example/2')),
    ]),
    tx.done,
  ]);
}

/** Queue pages as recording does, and wait for the (fire-and-forget) queueing to land. */
async function record(...urls: string[]) {
  for (const u of urls) noteContributable(u);
  await vi.waitFor(() => {
    const pending = (local[CONTRIBUTION_KEY] as { pending?: string[] } | undefined)?.pending;
    expect(pending).toEqual(expect.arrayContaining(urls));
  });
}

beforeEach(async () => {
  db = await openTestDb();
  for (const key of Object.keys(local)) delete local[key];
  local[REMOTE_INDEX_KEY] = settings();
  alarms.clear();
  received.length = 0;
  answer = 'ok';
});
afterEach(() => closeTestDbs());

describe('the worker sending contributions', () => {
  it('queues recorded pages, sets the alarm a minute ahead, and sends them with the token', async () => {
    await storePages(A, B);
    await record(A, B);
    expect(alarms.get('contribute')).toBeGreaterThan(Date.now() + 50_000);
    const state = await sendContributions();
    expect(state).toMatchObject({ pending: [], sentPages: 2, sentLinks: 4, lastError: null });
    expect(received).toHaveLength(1);
    expect(received[0]!.auth).toBe('Bearer team-token-0123456789');
    expect(parseExport(received[0]!.body).links).toHaveLength(4);
    expect(alarms.has('contribute')).toBe(false);
  });

  it("keeps the queue after a 429 and waits the index's Retry-After", async () => {
    await storePages(A);
    await record(A);
    answer = 'busy';
    const before = Date.now();
    const state = await sendContributions();
    expect(state.pending).toEqual([A]);
    expect(state.failures).toBe(1);
    expect(state.lastError).toBe(
      'The index is busy (too many requests). Try again in 900 seconds.',
    );
    expect(state.notBefore).toBeGreaterThanOrEqual(before + 900_000);
    expect(alarms.get('contribute')).toBe(state.notBefore);
    // A recording meanwhile does not bring the retry forward.
    await record(B);
    expect(alarms.get('contribute')).toBe(state.notBefore);
  });

  it('backs off after a failure, then sends and clears the error', async () => {
    await storePages(A);
    await record(A);
    answer = 'down';
    const failed = await sendContributions();
    expect(failed.notBefore - Date.now()).toBeGreaterThan(FIRST_BACKOFF_MS - 5_000);
    expect(failed.lastError).toMatch(/^The index answered with an error \(503\): Down\.$/);
    answer = 'ok';
    expect(await sendContributions()).toMatchObject({ pending: [], failures: 0, lastError: null });
  });

  it('drops pages forgotten or excluded since they were queued, and sends nothing for them', async () => {
    await storePages(A);
    await record(A, B, 'https://private.example/x');
    local.settings = { paused: false, excludedSites: ['private.example'] };
    const state = await sendContributions();
    expect(state.pending).toEqual([]);
    expect(received.map((r) => parseExport(r.body).pages.map((p) => p.url))).toEqual([[A]]);
  });

  it('queues nothing, and sends nothing, with contribution off or without a token', async () => {
    await storePages(A);
    local[REMOTE_INDEX_KEY] = settings({ token: '' });
    noteContributable(A);
    local[REMOTE_INDEX_KEY] = settings({ contribute: false });
    noteContributable(A);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(local[CONTRIBUTION_KEY]).toBeUndefined();
    local[CONTRIBUTION_KEY] = { pending: [A] };
    expect((await sendContributions()).pending).toEqual([]);
    expect(received).toEqual([]);
  });
});
