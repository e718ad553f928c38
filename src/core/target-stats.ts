import { lastSeenOf, type LinkRecord } from './types';
import { passesAuthority, QUALIFYING_RELS } from './occurrences';
import {
  compareGroupRanks,
  compareLinks,
  isUnfollowed,
  type DomainAuthority,
  type GroupRank,
  type SourceFacts,
} from './summary';

/**
 * Per-target aggregates of the links into one URL, kept for hot targets only (storage/
 * target-stats.ts): what the popup's first render counts and orders its groups by, as
 * core/summary.ts would from every link, without reading them.
 */

/** Stored links into a target from which on it gets an aggregate (and the popup a head). */
export const HOT_TARGET_LINKS = 200;

/**
 * Per source domain: [links, live, followed, authority]; lost links are links minus live. The
 * domain's authority is in tenths (0–1000) as the last computation stored it (setAuthority),
 * absent when it has none: groups of equal counts are shown strongest first
 * (core/summary.ts#compareGroupRanks). Kept in the tally, as an integer, so that the record
 * read for a hot page's first render grows by a few bytes a domain (a map of its own by domain
 * made a record of 2,000 domains a third larger).
 */
export type DomainTally = [links: number, live: number, followed: number, authority?: number];

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
  /**
   * The popup's first rows, kept with the counts so that a hot page's first render is one get:
   * per source domain of the groups shown first (keptDomains), its first links in display
   * order with their linking pages' facts. Always an exact prefix of the group (every link of
   * the group not in it comes after), whole when as long as the group; a kept domain missing
   * here is read from the links (storage/head.ts). Absent on a record of counts only.
   */
  rows?: Record<string, HeadRow[]>;
  /** Set (to `target`, for the by_refill index) while a kept domain has no rows. */
  refill?: string;
}

/** A link as kept for the first render: its record and its linking page's facts (or null). */
export interface HeadRow {
  link: LinkRecord;
  page: SourceFacts | null;
}

/** Links kept per group: the popup shows ROWS_NEEDED, the rest is slack for lost ones. */
export const ROWS_KEPT = 8;
/** A group's rows are kept while they hold this many (the popup's rows per domain), or all. */
export const ROWS_NEEDED = 5;
/** Groups with rows kept: the popup shows 30, in either order (lost links shown or hidden). */
export const GROUPS_KEPT = 40;

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

/**
 * The first `k` of `items` in `compare`'s order, as sort + slice gives them, without sorting
 * them all: a hot page has thousands of referring domains and shows a few dozen.
 */
export function firstInOrder<T>(
  items: readonly T[],
  k: number,
  compare: (a: T, b: T) => number,
): T[] {
  if (k <= 0) return [];
  if (items.length <= k * 4) return [...items].sort(compare).slice(0, k);
  const best: T[] = [];
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]!) >= 0) continue;
    // Binary search for the place after every item that sorts before or with it (stable).
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(best[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The ranks of a target's groups as its popup alone orders them (internal: its own site). */
function ranksOf(stats: TargetStats): GroupRank[] {
  return Object.entries(stats.domains).map(([domain, tally]) => ({
    domain,
    internal: domain === stats.targetDomain,
    live: tally[1],
    followed: tally[2],
    size: tally[0],
    authority: authorityOfTally(tally),
  }));
}

/** A tally's kept authority on the 0–100 scale, if it has one. */
const authorityOfTally = (tally: Readonly<DomainTally>): number | undefined =>
  tally[3] === undefined ? undefined : tally[3] / 10;

/**
 * One domain's authority as authorityOfTargets gives it, without a map of every domain: a hot
 * page's first render ranks 2,000 domains at 1M and shows a few dozen (storage/head.ts).
 */
export function authorityOfDomain(
  records: ReadonlyArray<TargetStats | null | undefined>,
  domain: string,
): number | undefined {
  for (const record of records) {
    if (!record || !Object.hasOwn(record.domains, domain)) continue;
    const authority = authorityOfTally(record.domains[domain]!);
    if (authority !== undefined) return authority;
  }
  return undefined;
}

/**
 * The domain authority kept with the aggregates of a page's targets, the first target's where
 * several keep one (each is of the same computation but for a refresh under way).
 */
export function authorityOfTargets(
  records: Iterable<TargetStats | null | undefined>,
): DomainAuthority {
  const merged: Record<string, number> = {};
  for (const record of records) {
    for (const [domain, tally] of Object.entries(record?.domains ?? {})) {
      const authority = authorityOfTally(tally);
      if (authority !== undefined && !Object.hasOwn(merged, domain)) merged[domain] = authority;
    }
  }
  return merged;
}

/**
 * Keep in the tallies of `stats` the authority `scores` (0–100) give its source domains, to a
 * tenth (those without one keep none): a computation moves most scores a little, and a hot
 * target's record is put again only when one moved past that. Returns whether anything changed.
 */
export function setAuthority(stats: TargetStats, scores: ReadonlyMap<string, number>): boolean {
  let changed = false;
  for (const [domain, tally] of Object.entries(stats.domains)) {
    const score = scores.get(domain);
    const next = score === undefined ? undefined : Math.round(score * 10);
    if (tally[3] === next) continue;
    changed = true;
    if (next === undefined) tally.splice(3);
    else tally[3] = next;
  }
  return changed;
}

/**
 * The domains whose rows are kept: the first GROUPS_KEPT groups, and the first GROUPS_KEPT
 * with a live link (shown when lost links are hidden).
 */
export function keptDomains(stats: TargetStats): Set<string> {
  const ranks = ranksOf(stats);
  return new Set(
    [
      ...firstInOrder(ranks, GROUPS_KEPT, compareGroupRanks),
      ...firstInOrder(
        ranks.filter((r) => r.live > 0),
        GROUPS_KEPT,
        compareGroupRanks,
      ),
    ].map((r) => r.domain),
  );
}

/** A row as summarizeBacklinks orders it: by its link's last sighting, its page's included. */
const viewOf = ({ link, page }: HeadRow) => ({
  ...link,
  lastSeen: lastSeenOf(link, page?.lastSeen),
  unfollowed: isUnfollowed(link, page),
});

const compareRows = (a: HeadRow, b: HeadRow) => compareLinks(viewOf(a), viewOf(b));

/** A group's rows to keep from every one of its links (a build): the first ROWS_KEPT. */
export function firstRows(group: readonly HeadRow[]): HeadRow[] {
  return [...group].sort(compareRows).slice(0, ROWS_KEPT);
}

/** Whether `rows` may be kept for a group of `size` links: enough for the popup, or all. */
const usable = (rows: readonly HeadRow[], size: number) =>
  size > 0 && rows.length >= Math.min(ROWS_NEEDED, size);

/** Mark the record for a refill while a kept domain has no rows, unmark it once none lacks. */
export function markRefill(
  stats: TargetStats,
  kept: ReadonlySet<string> = keptDomains(stats),
): void {
  const rows = stats.rows ?? {};
  for (const domain of Object.keys(rows)) if (!kept.has(domain)) delete rows[domain];
  if ([...kept].some((d) => !rows[d])) stats.refill = stats.target;
  else delete stats.refill;
}

/**
 * Bring a record's rows (its counts already adjusted, applyChange) from the links of one
 * linking page `before` a write to its links `after` it, with its facts as written. Only that
 * page's links and facts changed, so the rest of a group keeps its order: a group's kept rows
 * less the page's, merged with the page's new ones, stay exact up to the last row kept (past
 * it, a link never read may come first), or whole if the group was. A group left with too few
 * rows is dropped (read from the links, refilled later: markRefill).
 */
export function adjustRows(
  stats: TargetStats,
  before: readonly LinkRecord[],
  after: readonly HeadRow[],
): void {
  const rows = stats.rows;
  if (!rows) return;
  const mine = (l: LinkRecord) => l.target === stats.target && l.source !== l.target;
  const was = before.filter(mine);
  const now = after.filter((r) => mine(r.link));
  const rewritten = new Set([...was, ...now.map((r) => r.link)].map((l) => l.source));
  const kept = keptDomains(stats);
  for (const domain of new Set([...was, ...now.map((r) => r.link)].map((l) => l.sourceDomain))) {
    const size = stats.domains[domain]?.[0] ?? 0;
    const added = now.filter((r) => r.link.sourceDomain === domain);
    const sizeBefore = size - added.length + was.filter((l) => l.sourceDomain === domain).length;
    const old = rows[domain];
    let next: HeadRow[] = [];
    if (old) {
      const others = old.filter((r) => !rewritten.has(r.link.source));
      const all = [...others, ...added].sort(compareRows);
      const exact =
        old.length === sizeBefore ? all.length : all.indexOf(others[others.length - 1]!) + 1;
      next = all.slice(0, Math.min(exact, ROWS_KEPT));
    } else if (added.length === size && kept.has(domain)) {
      next = firstRows(added); // the page's links are the whole group
    }
    if (usable(next, size)) rows[domain] = next;
    else delete rows[domain];
  }
  markRefill(stats, kept);
}

/**
 * What a write of one linking page can change in a record, as a string to compare: its totals,
 * the tallies and kept rows of the page's domains (adjustRows touches no other group), and the
 * refill mark; which domains are kept follows from the tallies. Equal before and after a
 * write, the record is as it was and need not be put again: a revisit of a page whose links
 * are not among the kept rows (most of a hot target's linking pages) leaves it alone.
 */
export function stateOf(stats: TargetStats, domains: Iterable<string>): string {
  const groups = [...domains].map((d) => [d, stats.domains[d] ?? null, stats.rows?.[d] ?? null]);
  const { links, live, rels, targetDomain, refill } = stats;
  return JSON.stringify([links, live, rels, targetDomain, refill ?? null, groups]);
}
