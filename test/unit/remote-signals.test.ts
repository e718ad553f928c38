import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSitewide } from '../../src/core/flags';
import { LOCAL_PROVENANCE, mergeProvenance } from '../../src/core/provenance';
import { summarizeBacklinks } from '../../src/core/summary';
import type { LinkRecord } from '../../src/core/types';
import type { BacklinkDb } from '../../src/storage/db';
import { loadFlags } from '../../src/storage/flags';
import { closeTestDbs, makeLink, makePage, openTestDb, T0 } from './helpers';

/**
 * The profile's signals over a page's links merged from this browser and a remote index
 * (src/ui/state.ts: mergeRemote, flagMerged): a link known to both counts once, and a flag can
 * come from links only the index knows.
 */
let db: BacklinkDb;
beforeEach(async () => void (db = await openTestDb()));
afterEach(() => closeTestDbs());

const TARGET = 'https://shop.com/widgets';
const target = { url: TARGET, domain: 'shop.com', title: 'Widgets' };
const footer = (n: number) =>
  makeLink(`https://blog.com/posts/${n}`, TARGET, { anchor: 'Widgets', region: 'footer' });

// This browser visited two of blog.com's pages; the index knows five, those two among them.
const local: LinkRecord[] = [footer(1), footer(2)];
const remote: LinkRecord[] = [1, 2, 3, 4, 5].map(footer);

async function flagsOf(links: readonly LinkRecord[]) {
  const pages = [makePage('https://blog.com/posts/1'), makePage('https://blog.com/posts/2')];
  const tx = db.transaction(['pages', 'links'], 'readwrite');
  await Promise.all([
    ...pages.map((p) => tx.objectStore('pages').put(p)),
    ...local.map((l) => tx.objectStore('links').put(l)),
    tx.done,
  ]);
  const sources = Object.fromEntries(pages.map((p) => [p.url, p]));
  return loadFlags(db, target, links, sources, [], T0);
}

describe('signals over local and remote links', () => {
  const merged = mergeProvenance([
    { name: LOCAL_PROVENANCE, links: local },
    { name: 'Team index', links: remote },
  ]);

  it('counts a link known to both once', () => {
    expect(merged.links).toHaveLength(5);
    expect(summarizeBacklinks(merged.links, {}).live).toBe(5);
  });

  it('raises the sitewide flag that only the remote links reach, with each link once', async () => {
    const before = await flagsOf(local);
    expect(before.flags.filter((f) => f.kind === 'sitewide')).toEqual([]);
    const after = await flagsOf(merged.links);
    const sitewide = after.flags.filter((f) => f.kind === 'sitewide');
    expect(sitewide.map((f) => f.domain)).toEqual(['blog.com']);
    expect(sitewide[0]!.evidence).toHaveLength(5);
    expect([...after.byLink.keys()]).toHaveLength(5);
    // Five pages known, two of them visited here: the wording says so, not "of the 2 you visited".
    expect(sitewide[0]!.summary).toContain(
      '5 pages known to your sources (2 of them visited by you)',
    );
  });

  it('does not call three remote pages of an unvisited site a share of the whole site', () => {
    // Three of five local pages would be most of the site; three pages the index names are not:
    // how many pages the site has is unknown.
    const three = [1, 2, 3].map(footer);
    const input = { target, links: three, sources: {}, now: T0 };
    expect(findSitewide(input)).toEqual([]);
    const visited = Object.fromEntries(three.map((l) => [l.source, makePage(l.source)]));
    const localInput = { ...input, sources: visited, domainPages: { 'blog.com': 4 } };
    expect(findSitewide(localInput).map((f) => f.domain)).toEqual(['blog.com']);
  });
});
