import { expect, test } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { useExtensionSession } from '../support/session';
import { pageRecord } from '../support/records';
import { seededRandom } from '../bench/random';
import type { WorkerHooks } from '../../src/background/worker';
import type { AuthorityOutcome, AuthorityRequest } from '../../src/background/authority-job';
import type { LinkRecord, PageRecord } from '../../src/core/types';

// Issue 6: authority is "resumable when the worker is stopped". The first build of the graph
// store from the records goes in chunks, each stored with the place reached (meta
// 'graph-build'). Here, in real Chromium, the worker is stopped over CDP right after a chunk,
// the watchdog alarm the job keeps while it runs wakes a new worker, and that worker's build
// goes on from the stored place and ends with the scores of a build in one go.
//
// Why the benchmark of the last stop found "no new worker in 3 minutes": Playwright (1.65 with
// Chromium 156) keeps the same Worker object across a stop and restart of the service worker
// (its DevTools target survives; the old execution context is destroyed and a new one comes),
// so a search for a Worker other than the first never ends. The alarm did fire and the build
// did resume (seen with chrome.alarms.getAll and the stored place from an extension page).

const s = useExtensionSession();

const PAGES = 2_000;
/** Half the pages link out, this many links each: several build chunks (the first is 2,000). */
const LINKS_PER_SOURCE = 10;
const SOURCES = PAGES / 2;
const LINKS = SOURCES * LINKS_PER_SOURCE;
/** The watchdog alarm's lead while the job runs (background/authority-job.ts). */
const WATCHDOG_MS = 60_000;

const urlOf = (id: number) => `https://www.site${Math.floor(id / 10)}.com/page/${id}`;

/** A graph with hubs (Zipf-like targets), links within a site, and links that pass nothing. */
function seedRecords(): { pages: PageRecord[]; links: LinkRecord[] } {
  const random = seededRandom(12);
  const pages = Array.from({ length: PAGES }, (_, id) =>
    pageRecord(urlOf(id), {
      robotsNofollow: id < SOURCES && random() < 0.02,
      outboundCount: id < SOURCES ? LINKS_PER_SOURCE : 0,
    }),
  );
  const links: LinkRecord[] = [];
  for (let source = 0; source < SOURCES; source++) {
    for (let k = 0; k < LINKS_PER_SOURCE; k++) {
      const target =
        random() < 0.3
          ? source - (source % 10) + Math.floor(random() * 10)
          : Math.floor(PAGES ** random());
      const r = random();
      const rel = r < 0.1 ? ['nofollow'] : r < 0.12 ? ['sponsored'] : [];
      links.push({
        source: urlOf(source),
        target: urlOf(target),
        anchor: `link ${k} of ${source}`,
        rel,
        region: 'main',
        regions: ['main'],
        rels: rel,
        occurrences: 1,
        sourceDomain: pages[source]!.domain,
        targetDomain: pages[target]!.domain,
        firstSeen: pages[0]!.firstSeen,
        lastSeen: pages[0]!.lastSeen,
        lostAt: random() < 0.05 ? pages[0]!.lastSeen : null,
      });
    }
  }
  return { pages, links };
}

function computeInWorker(mode?: AuthorityRequest): Promise<AuthorityOutcome> {
  return s.ext.worker.evaluate(
    (m) =>
      (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.computeAuthorityNow(m),
    mode,
  );
}

/** The worker's last finished computation (null in a worker that has finished none). */
function lastOutcome(): Promise<AuthorityOutcome | null> {
  return s.ext.worker.evaluate(
    () => (globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.authority.last,
  );
}

interface BuildPlace {
  epoch: number;
  after: string | null;
}

declare global {
  interface Window {
    /** Resolves with the stored place once a chunk is stored, holding the next one back. */
    __holding?: Promise<BuildPlace>;
    __release?: () => void;
  }
}

interface DbState {
  /** Where a build of the rows stands (meta 'graph-build'), if one is under way. */
  place: (BuildPlace & { id: string }) | null;
  /** Links whose source comes after `after`: what a build resumed there has left to read. */
  linksAfter: number;
  /** Every stored score, by kind and key. */
  scores: [string, number][];
}

/** Read from an extension page (same origin as the worker), in one transaction. */
function readDb(page: Page, after: string): Promise<DbState> {
  return page.evaluate(async (after) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('backlink-lens');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const ask = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const tx = db.transaction(['meta', 'links', 'authority-scores']);
    const [place, linksAfter, meta] = await Promise.all([
      ask(tx.objectStore('meta').get('graph-build')),
      ask(tx.objectStore('links').index('by_source').count(IDBKeyRange.lowerBound(after, true))),
      ask(tx.objectStore('meta').get('authority')),
    ]);
    // The scores of the generation the meta record names (none before the first computation).
    const gen = (meta as { gen?: number } | undefined)?.gen ?? -1;
    const scores = await ask(
      tx.objectStore('authority-scores').getAll(IDBKeyRange.bound([gen], [gen + 1], false, true)),
    );
    db.close();
    return {
      place: (place as DbState['place']) ?? null,
      linksAfter,
      scores: (scores as { kind: string; key: string; score: number }[]).map(
        (r): [string, number] => [`${r.kind} ${r.key}`, r.score],
      ),
    };
  }, after);
}

test('a first build stopped with the worker goes on from its stored place in the next worker, to the one-go scores', async () => {
  // The worker makes its database (and marks the empty graph built) on its first computation.
  await computeInWorker('full');
  const control = await s.ext.context.newPage();
  await control.goto(s.ext.extensionUrl('manifest.json'));
  const { pages, links } = seedRecords();
  await control.evaluate(
    async ({ pages, links }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('backlink-lens');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const putAll = (store: string, records: unknown[]) =>
        new Promise<void>((resolve, reject) => {
          const tx = db.transaction(store, 'readwrite');
          for (const r of records) tx.objectStore(store).put(r);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      await putAll('pages', pages);
      for (let i = 0; i < links.length; i += 5_000)
        await putAll('links', links.slice(i, i + 5_000));
      db.close();
    },
    { pages, links },
  );

  // Once the first chunk is stored, the page holds a read-write transaction over the build's
  // stores, so the next chunk cannot be stored before the worker is stopped: the stop falls
  // mid-build however fast the machine.
  await control.evaluate(() => {
    window.__holding = new Promise<BuildPlace>((held, failed) => {
      const open = indexedDB.open('backlink-lens');
      open.onerror = () => failed(open.error);
      open.onsuccess = () => {
        const db = open.result;
        let released = false;
        window.__release = () => (released = true);
        const attempt = () => {
          const tx = db.transaction(['meta', 'graph'], 'readwrite');
          const meta = tx.objectStore('meta');
          const get = meta.get('graph-build');
          get.onsuccess = () => {
            const place = get.result as BuildPlace | undefined;
            if (!place?.after) return;
            held(place);
            // Requests in a row keep the transaction open until released.
            const spin = () => {
              if (!released) meta.get('graph-build').onsuccess = spin;
            };
            spin();
          };
          tx.oncomplete = () => (released ? db.close() : attempt());
        };
        attempt();
      };
    });
  });

  const cdp: CDPSession = await s.ext.context.newCDPSession(control);
  let stops = 0;
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${s.ext.extensionId}/`)) {
        if (v.runningStatus === 'stopped') stops++;
      }
    }
  });
  await cdp.send('ServiceWorker.enable');

  const building = computeInWorker('rebuild').catch((error: unknown) => String(error));
  const place = await control.evaluate(() => window.__holding!);
  const stopped = Date.now();
  await cdp.send('ServiceWorker.stopAllWorkers');
  // The evaluation in the stopped worker never gets its answer.
  expect(await building).toMatch(/restarted|closed|destroyed/i);
  await expect.poll(() => stops, { timeout: 30_000 }).toBeGreaterThan(0);
  await control.evaluate(() => window.__release!());

  // Stopped mid-build: the place held is still the one stored, with links left after it.
  const left = await readDb(control, place.after!);
  expect(left.place).toEqual({ id: 'graph-build', ...place });
  expect(left.linksAfter).toBeGreaterThan(0);
  expect(left.linksAfter).toBeLessThan(LINKS);

  // The job's watchdog alarm is what wakes a worker to go on.
  const alarm = await control.evaluate(() => chrome.alarms.get('authority'));
  expect(alarm?.scheduledTime).toBeLessThanOrEqual(stopped + WATCHDOG_MS);
  // The same alarm, fired now rather than up to a minute later (an unpacked extension's
  // alarms have no least delay): a new worker starts for it.
  await control.evaluate(() => chrome.alarms.create('authority', { when: Date.now() }));
  await expect
    .poll(() => lastOutcome().catch(() => null), { timeout: 120_000, interval: 1_000 })
    .not.toBeNull();
  const resumed = (await lastOutcome())!;
  // It went on after the stored place: it read exactly the links left there, not all of them.
  expect(resumed).toMatchObject({
    mode: 'full',
    source: 'records',
    resumedBuild: true,
    links: left.linksAfter,
    pages: PAGES,
  });
  const done = await readDb(control, place.after!);
  // Finished: no place left for a later worker to go on from.
  expect(done.place).toBeNull();
  const afterResume = new Map(done.scores);

  // A build in one go, from nothing, gives the same scores.
  const oneGo = await computeInWorker('rebuild');
  expect(oneGo).toMatchObject({ source: 'records', resumedBuild: false, links: LINKS });
  const reference = new Map((await readDb(control, place.after!)).scores);
  expect([...afterResume.keys()].sort()).toEqual([...reference.keys()].sort());
  expect(reference.size).toBe(PAGES + PAGES / 10);
  let worst = 0;
  for (const [key, score] of reference) {
    worst = Math.max(worst, Math.abs(score - afterResume.get(key)!));
  }
  expect(worst).toBeLessThan(1e-6);
}, 300_000);
