import type { LinkRecord } from './types';
import { passesAuthority, QUALIFYING_RELS } from './occurrences';

/**
 * Per-target aggregates of the links into one URL, kept for hot targets only (storage/
 * target-stats.ts): what the popup's first render counts and orders its groups by, as
 * core/summary.ts would from every link, without reading them.
 */

/** Stored links into a target from which on it gets an aggregate (and the popup a head). */
export const HOT_TARGET_LINKS = 200;

/** Per source domain: [links, live, followed]; lost links are links minus live. */
export type DomainTally = [links: number, live: number, followed: number];

export interface TargetStats {
  target: string;
  /** The target's registrable domain, as its links say ('' with none): what internal means. */
  targetDomain: string;
  /** Links stored into the target, live or lost (self-links left out). */
  links: number;
  live: number;
  /** Live links carrying each qualifying rel (summary.relCounts). */
  rels: Record<(typeof QUALIFYING_RELS)[number], number>;
  domains: Record<string, DomainTally>;
}

/** What a link contributes: its record, and whether its source page says robots nofollow. */
export interface Counted {
  link: LinkRecord;
  pageNofollow: boolean;
}

export function emptyStats(target: string): TargetStats {
  return {
    target,
    targetDomain: '',
    links: 0,
    live: 0,
    rels: { nofollow: 0, sponsored: 0, ugc: 0 },
    domains: {},
  };
}

/**
 * Add (sign 1) or take away (sign -1) one link of the target, counted as summarizeBacklinks
 * counts it: live when not lost, followed when live and passing authority. A domain left with
 * no link is dropped, so a recount and a maintained record are equal.
 */
export function tallyLink(stats: TargetStats, { link, pageNofollow }: Counted, sign: 1 | -1): void {
  if (link.target !== stats.target || link.source === link.target) return;
  const live = link.lostAt === null ? sign : 0;
  const followed = live !== 0 && !pageNofollow && passesAuthority(link.rel) ? sign : 0;
  const tally = (stats.domains[link.sourceDomain] ??= [0, 0, 0]);
  tally[0] += sign;
  tally[1] += live;
  tally[2] += followed;
  if (tally[0] === 0) delete stats.domains[link.sourceDomain];
  stats.links += sign;
  stats.targetDomain = stats.links === 0 ? '' : link.targetDomain;
  stats.live += live;
  if (live !== 0)
    for (const rel of QUALIFYING_RELS) if (link.rel.includes(rel)) stats.rels[rel] += live;
}

/** The aggregate of a target recomputed from its links (a build, or a check of one). */
export function statsOf(target: string, links: Iterable<Counted>): TargetStats {
  const stats = emptyStats(target);
  for (const counted of links) tallyLink(stats, counted, 1);
  return stats;
}

/**
 * Bring the aggregates in `stats` (by target) from the links `before` a write to those
 * `after` it: every link of either side into a target with an aggregate is taken away as it
 * was and added as it is. Returns the targets whose aggregate changed.
 */
export function applyChange(
  stats: ReadonlyMap<string, TargetStats>,
  before: Iterable<Counted>,
  after: Iterable<Counted>,
): Set<string> {
  const changed = new Set<string>();
  const apply = (items: Iterable<Counted>, sign: 1 | -1) => {
    for (const counted of items) {
      const record = stats.get(counted.link.target);
      if (!record) continue;
      tallyLink(record, counted, sign);
      changed.add(record.target);
    }
  };
  apply(before, -1);
  apply(after, 1);
  return changed;
}
