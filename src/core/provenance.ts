import { linkKey, type LinkRecord } from './types';

/** The provenance of a link the user's own browsing recorded. */
export const LOCAL_PROVENANCE = 'this browser';

/** The links one source of backlinks knows for a page, under the name shown for it. */
export interface ProvenancedLinks {
  /** Shown on each link: "this browser", or a remote index's name. */
  name: string;
  links: readonly LinkRecord[];
}

export interface MergedLinks {
  /** Every distinct link once, as the first source that knows it recorded it. */
  links: LinkRecord[];
  /** Who knows each link (core/types#linkKey of the kept record), in the order asked. */
  provenance: ReadonlyMap<string, readonly string[]>;
}

const pairOf = (l: Pick<LinkRecord, 'source' | 'target'>) => `${l.source}\n${l.target}`;

/**
 * Merge the answers of several sources, first answer first (the local cache, then the others),
 * so that a link known to two sources counts once. A later source's link is the same link as
 * an earlier one with the same source, target and anchor; failing that, as one with the same
 * source and target not already matched in this answer: an index may trim or cut anchor text
 * differently, and a page linking twice with other words is still two links. The kept record
 * is the earlier source's, which the user's own browsing saw; the later source's name is added.
 * Links must already be canonical (source and target), as both sources store them.
 */
export function mergeProvenance(answers: readonly ProvenancedLinks[]): MergedLinks {
  const links: LinkRecord[] = [];
  const provenance = new Map<string, string[]>();
  const byKey = new Map<string, LinkRecord>();
  const byPair = new Map<string, LinkRecord[]>();
  for (const answer of answers) {
    const matched = new Set<LinkRecord>();
    const claim = (kept: LinkRecord) => {
      matched.add(kept);
      const names = provenance.get(linkKey(kept))!;
      if (!names.includes(answer.name)) names.push(answer.name);
    };
    // Exact matches first, so a loose match cannot take the record an exact one needs.
    const loose: LinkRecord[] = [];
    for (const link of answer.links) {
      const kept = byKey.get(linkKey(link));
      if (kept && !matched.has(kept)) claim(kept);
      else if (!kept) loose.push(link);
      // else: the same link twice in one answer; counted once.
    }
    for (const link of loose) {
      const kept = byPair.get(pairOf(link))?.find((k) => !matched.has(k));
      if (kept) {
        claim(kept);
        continue;
      }
      const key = linkKey(link);
      if (byKey.has(key)) continue;
      byKey.set(key, link);
      byPair.set(pairOf(link), [...(byPair.get(pairOf(link)) ?? []), link]);
      provenance.set(key, [answer.name]);
      links.push(link);
      // Not a match for another link of the same answer: that is a second link.
      matched.add(link);
    }
  }
  return { links, provenance };
}
