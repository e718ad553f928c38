import { describe, expect, it } from 'vitest';
import { LOCAL_PROVENANCE, mergeProvenance } from '../../src/core/provenance';
import { summarizeBacklinks } from '../../src/core/summary';
import { linkKey } from '../../src/core/types';
import { makeLink } from './helpers';

const TARGET = 'https://target.com/page';
const INDEX = 'Team index';

describe('mergeProvenance', () => {
  const local = [
    makeLink('https://a.com/1', TARGET, { anchor: 'brewing' }),
    makeLink('https://b.com/', TARGET, { anchor: 'coffee' }),
  ];
  const remote = [
    // The same link as the local one: counted once, known to both.
    makeLink('https://a.com/1', TARGET, { anchor: 'brewing' }),
    // Same page and target, the index cut the anchor differently: still the same link.
    makeLink('https://b.com/', TARGET, { anchor: 'coffee ' }),
    // Links the user never saw.
    makeLink('https://c.com/x', TARGET, { anchor: 'guide' }),
    makeLink('https://c.com/y', TARGET, { anchor: 'guide', rel: ['nofollow'] }),
  ];
  const merged = mergeProvenance([
    { name: LOCAL_PROVENANCE, links: local },
    { name: INDEX, links: remote },
  ]);

  it('keeps every distinct link once, local records first', () => {
    expect(merged.links.map((l) => `${l.source} ${l.anchor}`)).toEqual([
      'https://a.com/1 brewing',
      'https://b.com/ coffee',
      'https://c.com/x guide',
      'https://c.com/y guide',
    ]);
  });

  it('marks who knows each link', () => {
    const of = (i: number) => merged.provenance.get(linkKey(merged.links[i]!));
    expect(of(0)).toEqual([LOCAL_PROVENANCE, INDEX]);
    expect(of(1)).toEqual([LOCAL_PROVENANCE, INDEX]);
    expect(of(2)).toEqual([INDEX]);
    expect(of(3)).toEqual([INDEX]);
  });

  it('feeds the summary so that counts include both sources without double counting', () => {
    const summary = summarizeBacklinks(merged.links, {});
    expect(summary.live).toBe(4);
    expect(summary.referringDomains).toBe(3);
    expect(summary.relCounts.nofollow).toBe(1);
  });

  it('keeps two links of one page with other words as two, even if only one is known locally', () => {
    const both = mergeProvenance([
      { name: LOCAL_PROVENANCE, links: [makeLink('https://a.com/1', TARGET, { anchor: 'one' })] },
      {
        name: INDEX,
        links: [
          makeLink('https://a.com/1', TARGET, { anchor: 'two' }),
          makeLink('https://a.com/1', TARGET, { anchor: 'one' }),
        ],
      },
    ]);
    // The exact match claims the local record; "two" is a second link, not a copy of "one".
    expect(both.links.map((l) => l.anchor)).toEqual(['one', 'two']);
    expect(both.provenance.get(linkKey(both.links[0]!))).toEqual([LOCAL_PROVENANCE, INDEX]);
    expect(both.provenance.get(linkKey(both.links[1]!))).toEqual([INDEX]);
  });

  it('counts a link repeated within one answer once', () => {
    const link = makeLink('https://c.com/x', TARGET);
    const once = mergeProvenance([{ name: INDEX, links: [link, { ...link }] }]);
    expect(once.links).toHaveLength(1);
    expect(once.provenance.get(linkKey(link))).toEqual([INDEX]);
  });

  it('shows the local links alone when no other source answered', () => {
    const alone = mergeProvenance([{ name: LOCAL_PROVENANCE, links: local }]);
    expect(alone.links).toEqual(local);
    expect([...alone.provenance.values()]).toEqual([[LOCAL_PROVENANCE], [LOCAL_PROVENANCE]]);
  });
});
