import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEngineExport } from '../../src/core/engine-exports';
import type { BacklinkDb } from '../../src/storage/db';
import {
  clearEngineLinks,
  forgetEngineSite,
  listEngineImports,
  loadConfirmedSites,
  loadEngineLinks,
  removeEngineImport,
  writeEngineImport,
} from '../../src/storage/engine-links';
import { closeTestDbs, openTestDb } from './helpers';

const NOW = Date.UTC(2026, 10, 26);
const PAGE = 'https://coffee-blog.example/brewing-guide';
const file = (path: string) =>
  readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8');

let db: BacklinkDb;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDbs());

/** Read a fixture as the options page does and store it. */
async function importFixture(path: string, target?: string, now = NOW) {
  const text = file(path);
  const { parsed, site } = readEngineExport(text, { now, ...(target ? { target } : {}) });
  return writeEngineImport(db, { parsed, site, fileName: path, text, now });
}

const sourcesOf = (links: { source: string }[] | null) => links?.map((l) => l.source).sort();

describe('the engine stores', () => {
  it('key imports by id and links by import, source, target and anchor', () => {
    const tx = db.transaction(['engine-imports', 'engine-links']);
    expect(tx.objectStore('engine-imports').keyPath).toBe('id');
    const links = tx.objectStore('engine-links');
    expect(links.keyPath).toEqual(['importId', 'source', 'target', 'anchor']);
    expect([...links.indexNames].sort()).toEqual(['by_import', 'by_target']);
  });
});

describe('writeEngineImport', () => {
  it('stores the import (engine, site, when) and its links, read back by page', async () => {
    const { record, existed } = await importFixture('bing/backlinks.csv');
    expect(existed).toBe(false);
    expect(record).toMatchObject({
      engine: 'bing',
      kind: 'bing-backlinks',
      site: 'coffee-blog.example',
      fileName: 'bing/backlinks.csv',
      importedAt: NOW,
      links: 2,
      skipped: 1,
    });
    expect(await listEngineImports(db)).toEqual([record]);
    const links = await loadEngineLinks(db, 'bing', 'url', PAGE);
    expect(sourcesOf(links)).toEqual([
      'https://forum.example/t/grinders/812',
      'https://news-daily.example/2026/11/best-coffee',
    ]);
    // The stored bookkeeping is not part of the link the popup merges.
    expect(links![0]).not.toHaveProperty('importId');
    expect(links![0]).not.toHaveProperty('engine');
  });

  it('adds nothing when the same file is imported again', async () => {
    await importFixture('bing/backlinks.csv');
    const again = await importFixture('bing/backlinks.csv', undefined, NOW + 1000);
    expect(again.existed).toBe(true);
    expect(await db.count('engine-imports')).toBe(1);
    expect(await db.count('engine-links')).toBe(2);
  });

  it('keeps each engine to its own links, and is off for an engine never imported', async () => {
    await importFixture('gsc/latest-links.csv', PAGE);
    expect(sourcesOf(await loadEngineLinks(db, 'google', 'url', PAGE))).toHaveLength(3);
    expect(await loadEngineLinks(db, 'bing', 'url', PAGE)).toBeNull();
    await importFixture('bing/backlinks.csv');
    expect(await loadEngineLinks(db, 'bing', 'url', PAGE)).toHaveLength(2);
    expect(await loadEngineLinks(db, 'google', 'url', 'https://coffee-blog.example/')).toEqual([]);
    // Another site than the one imported for: off there, not "no links".
    expect(await loadEngineLinks(db, 'google', 'url', 'https://other.example/a')).toBeNull();
  });

  it('reads the links into any page of the site for a site lookup', async () => {
    await importFixture('gsc/sample-links.csv', 'https://coffee-blog.example/');
    await importFixture('gsc/latest-links.csv', PAGE);
    const site = await loadEngineLinks(db, 'google', 'domain', 'https://www.coffee-blog.example/x');
    expect(site).toHaveLength(5);
    expect(await loadEngineLinks(db, 'google', 'domain', 'https://other.example/')).toBeNull();
  });

  it('writes nothing when a link cannot be stored (one transaction)', async () => {
    const text = file('bing/backlinks.csv');
    const { parsed, site } = readEngineExport(text, { now: NOW });
    // An anchor that is not a valid key part: the second put fails, the first must not stay.
    const broken = {
      ...parsed,
      links: [parsed.links[0]!, { ...parsed.links[1]!, anchor: null as unknown as string }],
    };
    await expect(
      writeEngineImport(db, { parsed: broken, site, fileName: 'x.csv', text, now: NOW }),
    ).rejects.toThrow();
    expect(await db.count('engine-imports')).toBe(0);
    expect(await db.count('engine-links')).toBe(0);
  });
});

describe('removing engine data', () => {
  it('removeEngineImport takes one import and only its links', async () => {
    const google = await importFixture('gsc/latest-links.csv', PAGE);
    await importFixture('bing/backlinks.csv');
    await removeEngineImport(db, google.record.id);
    expect((await listEngineImports(db)).map((r) => r.engine)).toEqual(['bing']);
    expect(await loadEngineLinks(db, 'google', 'url', PAGE)).toBeNull();
    expect(await loadEngineLinks(db, 'bing', 'url', PAGE)).toHaveLength(2);
  });

  it('clearEngineLinks empties both stores', async () => {
    await importFixture('gsc/latest-links.csv', PAGE);
    await importFixture('gsc/top-linking-sites.csv', 'coffee-blog.example');
    await clearEngineLinks(db);
    expect(await db.count('engine-imports')).toBe(0);
    expect(await db.count('engine-links')).toBe(0);
  });

  it('forgetEngineSite removes links from or to the site and its counted rows', async () => {
    await importFixture('gsc/latest-links.csv', PAGE);
    await importFixture('gsc/top-linking-sites.csv', 'coffee-blog.example');
    expect(await forgetEngineSite(db, 'forum.example')).toBe(1);
    expect(sourcesOf(await loadEngineLinks(db, 'google', 'url', PAGE))).toEqual([
      'http://old-reviews.example/espresso',
      'https://news-daily.example/2026/11/best-coffee',
    ]);
    const sites = await loadConfirmedSites(db, 'google', 'coffee-blog.example');
    expect(sites.map((s) => s.domain)).toEqual(['news-daily.example', 'example.co.uk']);
    // The site the imports are for: every import of it goes, with its links.
    expect(await forgetEngineSite(db, 'coffee-blog.example')).toBe(2);
    expect(await db.count('engine-imports')).toBe(0);
    expect(await db.count('engine-links')).toBe(0);
  });
});

describe('loadConfirmedSites', () => {
  it("gives the latest top-linking-sites import's counts for the site, no URLs", async () => {
    await importFixture('gsc/top-linking-sites.csv', 'https://coffee-blog.example/');
    expect(await loadConfirmedSites(db, 'google', 'www.coffee-blog.example')).toEqual([
      { domain: 'news-daily.example', linkingPages: 1204, targetPages: 12 },
      { domain: 'forum.example', linkingPages: 87, targetPages: 3 },
      { domain: 'example.co.uk', linkingPages: 5, targetPages: 1 },
    ]);
    expect(await loadConfirmedSites(db, 'google', 'other.example')).toEqual([]);
  });
});
