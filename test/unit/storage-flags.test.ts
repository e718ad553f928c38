import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import {
  loadFlags,
  readFlagInputs,
  startFlagReads,
  type EarlyReads,
  type FlagView,
} from '../../src/storage/flags';
import { loadBacklinks, readPages } from '../../src/storage/queries';
import type { LinkRecord, PageRecord } from '../../src/core/types';
import { closeTestDbs, DAY, makeLink, makePage, openTestDb, T0 } from './helpers';

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const TARGET = 'https://shop.com/widgets';

async function store(pages: PageRecord[], links: LinkRecord[]) {
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  await Promise.all([
    ...pages.map((p) => tx.objectStore('pages').put(p)),
    ...links.map((l) => tx.objectStore('links').put(l)),
    tx.done,
  ]);
}

/**
 * x, y and z link to the target and to each other both ways (a farm); the shop links back to x
 * (an exchange); w links to x one way; an unrelated site links to x too; hub.com's page links
 * to 120 domains.
 */
async function storeNeighbourhood() {
  const farm = ['x.com', 'y.com', 'z.com'];
  const links: LinkRecord[] = farm.map((d) => makeLink(`https://${d}/`, TARGET));
  for (const a of farm) {
    for (const b of farm) if (a !== b) links.push(makeLink(`https://blog.${a}/`, `https://${b}/`));
  }
  links.push(makeLink('https://shop.com/partners', 'https://x.com/'));
  links.push(makeLink('https://w.com/', TARGET), makeLink('https://w.com/', 'https://x.com/'));
  links.push(makeLink('https://unrelated.com/', 'https://x.com/'));
  // A lost link between two referring domains is not read as a live one.
  links.push(makeLink('https://w.com/old', 'https://y.com/', { lostAt: T0 }));
  const hub = 'https://hub.com/links';
  links.push(makeLink(hub, TARGET));
  for (let i = 0; i < 120; i++) links.push(makeLink(hub, `https://site${i}.com/`));
  const pages = [
    ...['x.com', 'y.com', 'z.com', 'w.com'].map((d) => makePage(`https://${d}/`)),
    makePage('https://x.com/about'),
    makePage(hub, { outboundCount: 121 }),
  ];
  await store(pages, links);
}

/** `pages` visited pages of a domain, the first `linking` of them linking to the target. */
async function storeLinkingPages(domain: string, pages: number, linking: number) {
  const all = Array.from({ length: pages }, (_, i) => makePage(`https://${domain}/${i}`));
  await store(
    all,
    all.slice(0, linking).map((p) => makeLink(p.url, TARGET, { region: 'footer' })),
  );
}

const SHOP = { url: TARGET, domain: 'shop.com', title: 'Widgets' };
const NOW = T0 + 90 * DAY;

describe('reads for the flags', () => {
  test('links between referring domains and the target site, page counts, hub domains', async () => {
    await storeNeighbourhood();
    // q.com links from three of its six visited pages: its pages are counted (the others link
    // from too few pages to be sitewide, and are not).
    await storeLinkingPages('q.com', 6, 3);
    const report = (await loadBacklinks(db, TARGET))!;
    const reads = await readFlagInputs(db, 'shop.com', report.links, report.sources);
    const pairs = reads.crossLinks.map((l) => `${l.source} > ${l.target}`).sort();
    expect(pairs).toEqual([
      'https://blog.x.com/ > https://y.com/',
      'https://blog.x.com/ > https://z.com/',
      'https://blog.y.com/ > https://x.com/',
      'https://blog.y.com/ > https://z.com/',
      'https://blog.z.com/ > https://x.com/',
      'https://blog.z.com/ > https://y.com/',
      'https://shop.com/partners > https://x.com/',
      'https://w.com/ > https://x.com/',
    ]);
    expect(reads.domainPages).toEqual({ 'q.com': 6 });
    expect(reads.outDomains).toEqual({ 'https://hub.com/links': 121 });
    expect(reads.complete).toBe(true);
  });

  test('the flags of a stored page', async () => {
    await storeNeighbourhood();
    const report = (await loadBacklinks(db, TARGET))!;
    const target = { url: TARGET, domain: 'shop.com', title: 'Widgets' };
    const view = await loadFlags(db, target, report.links, report.sources, undefined, T0);
    const kinds = view.flags.map((f) => [f.kind, f.domain ?? f.domains?.join(' ')]);
    expect(kinds).toEqual([
      ['reciprocal', 'x.com'],
      ['link-farm', 'x.com y.com z.com'],
      ['link-hub', 'hub.com'],
    ]);
  });

  test("the page's flags first while the site's links are still read, then with the site's bursts", async () => {
    await storeNeighbourhood();
    const report = (await loadBacklinks(db, TARGET))!;
    const target = { url: TARGET, domain: 'shop.com', title: 'Widgets' };
    // Ten new links to another page of the site this week: a burst of the site only.
    const now = T0 + 90 * DAY;
    const elsewhere = Array.from({ length: 10 }, (_, i) =>
      makeLink(`https://new${i}.com/`, 'https://shop.com/other', { firstSeen: now - DAY }),
    );
    let site!: (links: LinkRecord[]) => void;
    const siteLinks = new Promise<LinkRecord[]>((resolve) => (site = resolve));
    const early: FlagView[] = [];
    const loaded = loadFlags(db, target, report.links, report.sources, siteLinks, now, (v) =>
      early.push(v),
    );
    // The counts first (the risk line), then the page's flags built, both before the site's.
    await vi.waitFor(() => expect(early).toHaveLength(2));
    const [counted, built] = early as [FlagView, FlagView];
    expect(counted).toMatchObject({ building: true, sitePending: true, flags: [] });
    expect(built.building).toBeUndefined();
    expect(built.sitePending).toBe(true);
    expect(counted.counts).toEqual(built.counts);
    expect(built.flags.some((f) => f.kind === 'burst')).toBe(false);
    site([...report.links, ...elsewhere]);
    const view = await loaded;
    expect(view.sitePending).toBeUndefined();
    expect(view.flags.filter((f) => f.kind === 'burst').map((f) => f.burst?.scope)).toEqual([
      'site',
    ]);
    expect(view.risks).toBe(built.risks + 1);
    expect(view.counts.risks).toBe(view.risks);
    // The site's links already there: the counts with its bursts, then the flags.
    early.length = 0;
    const ready = await loadFlags(db, target, report.links, report.sources, [], now, (v) =>
      early.push(v),
    );
    expect(early).toHaveLength(1);
    expect(early[0]).toMatchObject({ building: true, counts: ready.counts });
    expect(ready.risks).toBe(built.risks);
  });

  test('with no one to show the counts first to (a current stored line), the flags in the same task, equal', async () => {
    await storeNeighbourhood();
    const report = (await loadBacklinks(db, TARGET))!;
    const now = T0 + 90 * DAY;
    const elsewhere = Array.from({ length: 10 }, (_, i) =>
      makeLink(`https://new${i}.com/`, 'https://shop.com/other', { firstSeen: now - DAY }),
    );
    const site = [...report.links, ...elsewhere];
    const reads = await readFlagInputs(db, 'shop.com', report.links, report.sources);
    const early = { domain: 'shop.com', reads: Promise.resolve(reads) };
    const flagsOf = (onEarly?: (view: FlagView) => void) =>
      loadFlags(db, SHOP, report.links, report.sources, site, now, onEarly, early);
    const counted = await flagsOf(() => {});
    // A task queued before: the flags no longer wait behind it (nor behind others queued then).
    let taskRan = false;
    setTimeout(() => (taskRan = true));
    const view = await flagsOf();
    expect(taskRan).toBe(false);
    expect(view).toEqual(counted);
    expect(view.flags.filter((f) => f.kind === 'burst').map((f) => f.burst?.scope)).toEqual([
      'site',
    ]);
  });

  test("flags read ahead of the summary equal those read after it, on the target's domain only", async () => {
    await storeNeighbourhood();
    // q.com links from four of its seven pages (sitewide): its pages are counted from the
    // sources' read, not by a count of their own.
    await storeLinkingPages('q.com', 7, 4);
    const report = (await loadBacklinks(db, TARGET))!;
    const flagsWith = (early?: EarlyReads) =>
      loadFlags(db, SHOP, report.links, report.sources, [], NOW, () => {}, early);
    const full = await flagsWith();
    const early = startFlagReads(db, 'shop.com', report.links, report.sources);
    expect(await flagsWith(early)).toEqual(full);
    expect(full.flags.find((f) => f.kind === 'sitewide')?.summary).toContain('7');
    // Read for another domain (the target was guessed wrong): read again for the right one.
    const wrong = startFlagReads(db, 'x.com', report.links, report.sources);
    expect(await flagsWith(wrong)).toEqual(full);
    expect(await wrong.reads).not.toEqual(await early.reads);
  });

  test('flags over sources read one get each equal those over sources read by domain', async () => {
    await storeNeighbourhood();
    await storeLinkingPages('q.com', 6, 3);
    const report = (await loadBacklinks(db, TARGET))!;
    const byKey = await readPages(db.transaction('pages').store, [
      ...new Set(report.links.map((l) => l.source)),
    ]);
    expect(report.sources).toEqual(byKey);
    const [byDomain, counted] = await Promise.all([
      readFlagInputs(db, 'shop.com', report.links, report.sources),
      readFlagInputs(db, 'shop.com', report.links, byKey),
    ]);
    expect(byDomain).toEqual(counted);
    expect(await loadFlags(db, SHOP, report.links, report.sources, [], NOW)).toEqual(
      await loadFlags(db, SHOP, report.links, byKey, [], NOW),
    );
  });

  test('a page nobody links to reads nothing', async () => {
    const reads = await readFlagInputs(db, 'shop.com', [], {});
    expect(reads).toEqual({ crossLinks: [], domainPages: {}, outDomains: {}, complete: true });
  });
});
