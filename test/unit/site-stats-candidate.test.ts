import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BacklinkDb } from '../../src/storage/db';
import { recordPage } from '../../src/storage/records';
import { ensureSiteStats } from '../../src/storage/site-stats';
import { loadSiteLinks, loadSiteStats } from '../../src/storage/queries';
import { summarizeSite } from '../../src/core/summary';
import { at, closeTestDbs, makeSnapshot, openTestDb } from './helpers';

// Review s17: the site line from the aggregate must be the one loadSiteLinks gives (the site
// of the page), also for a host under a public suffix (s3.amazonaws.com, github.io) whose
// parent suffix is itself the targetDomain of other links.

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

const PAGE = 'https://bucket.s3.amazonaws.com/index.html';

async function seed(): Promise<void> {
  // 250 path-style links: their targetDomain is the suffix itself, s3.amazonaws.com.
  const many = Array.from({ length: 250 }, (_, i) => `https://s3.amazonaws.com/pub/f${i}.pdf`);
  await recordPage(db, makeSnapshot('https://blog.example.org/files', many), at(1));
  // One link into the page's own site, bucket.s3.amazonaws.com.
  await recordPage(db, makeSnapshot('https://news.example.net/', [PAGE]), at(2));
}

const expected = async () => {
  const site = (await loadSiteLinks(db, PAGE))!;
  return summarizeSite(site.domain, site.links, 10, site.complete);
};

it("the worker's build for a tab builds the aggregate of the tab's site, not of a parent suffix", async () => {
  await seed();
  // What refreshTabBadge does for the tab (background/site-stats.ts).
  await ensureSiteStats(db, PAGE);
  const shown = await loadSiteStats(db, PAGE);
  // Null (read from the links) or the bucket's line: never another site's counts.
  if (shown) expect(shown).toEqual(await expected());
  expect(shown?.domain ?? 'bucket.s3.amazonaws.com').toBe('bucket.s3.amazonaws.com');
});

it("the popup's site line is not a parent suffix's aggregate", async () => {
  await seed();
  // Built legitimately, for a tab on the suffix's own pages.
  expect(await ensureSiteStats(db, 'https://s3.amazonaws.com/pub/f1.pdf')).toBe('s3.amazonaws.com');
  const shown = await loadSiteStats(db, PAGE);
  if (shown) expect(shown).toEqual(await expected());
  expect(shown?.domain ?? 'bucket.s3.amazonaws.com').toBe('bucket.s3.amazonaws.com');
});
