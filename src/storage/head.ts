import type { LinkRecord } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import { redirectChainFrom } from '../core/redirects';
import {
  compareGroupRanks,
  summarizeBacklinks,
  type BacklinkSummary,
  type GroupRank,
  type SourceFacts,
} from '../core/summary';
import {
  authorityOfDomain,
  firstInOrder,
  HOT_TARGET_LINKS,
  statsOf,
  tallyLink,
  type TargetStats,
} from '../core/target-stats';
import { firstLinksOf, getAllLinks, oldStoreDrained, oldStoreKnown } from './link-keys';
import type { BacklinkDb } from './db';
import {
  findTargets,
  readHopsFrom,
  readPages,
  readReport,
  type BacklinkReport,
  type Folds,
  type ReadTx,
} from './queries';
import { hotByHint } from './hot-targets';
import { answered, getMany } from './requests';
import { isTied } from './ties';

/**
 * The popup's first render for a hot page (issue 7, item 1): its counts from the targets'
 * aggregates (storage/target-stats.ts), and only the rows of the groups it shows, kept with
 * the aggregate (one get for a page of one URL) or read by [target, source domain].
 * Everything is as loadBacklinks + summarizeBacklinks would show first: the same counts, the
 * same groups in the same order, each whole or (HeadRows.perDomain) its first links.
 */
export interface BacklinkHead extends Omit<BacklinkReport, 'links' | 'sources'> {
  /** Exact counts; `groups` holds the shown groups only, each whole. */
  summary: BacklinkSummary;
  /** Referring domains in all, and those with a live link (lost links hidden). */
  groups: number;
  liveGroups: number;
}

export { firstInOrder };

/**
 * A page's own links read with a first read's first round, at most (see readFirst). Most pages
 * have a few inbound links; a hot page reads these for nothing: at the hot threshold (200) its
 * head read went from 15–21 to 41–44 ms (quiet storage-scale 100k), so far fewer.
 */
const FIRST_ROUND_LINKS = 50;
/**
 * As many for a page its screen was told is cold (storage/hot-targets.ts): below the hot
 * threshold it is read whole in that round (a cold page of 157 links at 1M took a round more
 * for the rest), and a hint gone wrong reads no more than this for nothing.
 */
const TOLD_COLD_LINKS = HOT_TARGET_LINKS;

/** Groups a screen shows first (ui/state#ShownRows). */
export interface HeadRows {
  domains: number;
  /**
   * Links shown per group (the popup's): each shown group then holds its first ones only, with
   * its `size`, read from the rows kept with the aggregate. Without it, groups are whole.
   */
  perDomain?: number;
  /**
   * Rows a table shows first (the report page): the groups in order until they hold this many
   * links, lost ones too, since the table's rows are the groups' links one after another.
   */
  rows?: number;
}

/** A target's aggregate, counted from its links when it has none stored (a cold target). */
interface Counted {
  target: string;
  stats: TargetStats;
  /** Its links when they were read in full (no aggregate stored), self-links left out. */
  links: LinkRecord[] | null;
  /** The record as stored (its counts before self-links are taken out, and its rows). */
  stored: TargetStats | null;
}

/**
 * The head of the report of `rawUrl`, or null when none of the URLs that count for it has an
 * aggregate (a cold page: loadBacklinks reads it whole, as fast). One read-only transaction.
 */
export async function loadHead(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds,
  rows: HeadRows,
): Promise<BacklinkHead | null> {
  const first = await readFirst(db, rawUrl, folds, rows, false);
  return first?.kind === 'head' ? first.head : null;
}

/**
 * A screen's first read: a hot page's head, or the whole report (null: not a web page). Either
 * lists the page's variants only when the user folded some (they count then); else its
 * `variants` are empty and `variantsLater` says to list them with loadVariants once the rows
 * are shown (a hot page's full read lists them).
 */
export type FirstRead =
  | { kind: 'head'; head: BacklinkHead }
  | { kind: 'report'; report: BacklinkReport | null; variantsLater: boolean };

/**
 * The popup's first read of `rawUrl` in one read-only transaction: the head when a URL that
 * counts for the page has an aggregate, else the whole report as loadBacklinks reads it (but
 * for its variants, see FirstRead). A
 * cold page (no aggregate) is then read in one transaction, not two (issue 7: one round
 * trip): its links are asked once its aggregate is known to be missing, not with the first
 * round, which would read a hot page's links for nothing.
 */
export async function loadFirstRead(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds,
  rows: HeadRows,
): Promise<FirstRead> {
  return (
    (await readFirst(db, rawUrl, folds, rows, true)) ?? {
      kind: 'report',
      report: null,
      variantsLater: false,
    }
  );
}

/** loadHead, and with `whole` loadFirstRead (null: no head, or not a web page). */
async function readFirst(
  db: BacklinkDb,
  rawUrl: string,
  folds: Folds,
  rows: HeadRows,
  whole: boolean,
): Promise<FirstRead | null> {
  const url = canonicalizeUrl(rawUrl);
  if (!url) return null;
  const tx = db.transaction(
    ['pages', 'links', 'links-v1', 'redirects', 'target-stats', 'ties'],
    'readonly',
  );
  // Whether the old link store is empty, asked first in this transaction when the screen's
  // connection does not know: the link reads wait for that answer, the other reads do not.
  const probed = !oldStoreDrained(db);
  const linksKnown = oldStoreKnown(tx);
  // Whether the page has an aggregate, as its screen was told (undefined: not told).
  const hot = hotByHint(db, url);
  // The same transaction has the stores findTargets reads, and one more.
  const readTx = tx as unknown as ReadTx;
  const statsStore = tx.objectStore('target-stats');
  const pages = tx.objectStore('pages');
  // A URL without ties (storage/ties.ts) has no alias and no redirect at either end: its
  // lookups are one key read, where by_canonical, by_to and by_from took three.
  const tied = isTied(tx.objectStore('ties'), url);
  // Variants only when some are folded: a cold page's lookup of them cost 15 requests of its
  // 27 (a count per address, 8 addresses), a raw read of its rows 9 in all.
  const [found, [own, hopsFrom, early]] = await findTargets(
    readTx,
    url,
    folds,
    false,
    () => {
      const ownStats = statsStore.get(url);
      const firstLinks = () =>
        firstLinksOf(tx, url, hot === false ? TOLD_COLD_LINKS : FIRST_ROUND_LINKS);
      return Promise.all([
        ownStats,
        tied.then((t) => (t ? readHopsFrom(readTx, url) : [])),
        // A page below the hot threshold has no aggregate: a page with few links has them read
        // with the first round, whole (fewer than asked for), and a cold read is then two
        // rounds, as a raw read of its rows; one with more reads the rest only when it has no
        // aggregate (firstLinksOf). When the old store is asked about first, its answer comes
        // with the aggregate's: the links wait for both, and a hot page (an aggregate) reads
        // none, one round where it took two (its first rows, issue 7).
        // With a hint of the pages that have one (storage/hot-targets.ts), a page it names
        // cold reads its links with the first round on a new connection too (both stores while
        // the old one's answer is out: never wrong), and one it names hot reads none on any.
        !whole
          ? null
          : hot === false
            ? firstLinks()
            : hot || probed
              ? Promise.all([ownStats, linksKnown]).then(([stats]) => (stats ? null : firstLinks()))
              : linksKnown.then(firstLinks),
      ]);
    },
    { linksKnown, tied },
  );
  /** The URL's own links: those of the first round when it read them all, else the rest too. */
  const ownLinks = async () => early?.links ?? (await early!.rest!());
  const { targets: order, ...report } = found;
  const stored = [own, ...(order.length > 1 ? await getMany(statsStore, order.slice(1)) : [])];
  if (!stored.some(Boolean)) {
    if (!whole) return null;
    // No aggregate: the whole report in this transaction, not read again in one of its own.
    const links = await ownLinks();
    const full = await readReport(readTx, found, links, hopsFrom);
    // Given once its answers are in, as a hot page's head: not after the commit.
    answered(tx);
    return { kind: 'report', report: full, variantsLater: found.folded.length === 0 };
  }

  // A link from one of the targets to another is a self-link of the page: loadBacklinks drops
  // it, so it is taken out of the aggregates too (only with several targets: a page's own
  // links to itself are never stored).
  const merged = new Set(order);
  const [cold, selves] = await Promise.all([
    Promise.all(
      order.map((t, i) =>
        stored[i] ? null : i === 0 && early ? ownLinks() : getAllLinks(tx, 'by_target', t),
      ),
    ),
    order.length > 1
      ? Promise.all(order.map((s) => getAllLinks(tx, 'by_source', s))).then((all) =>
          all.flat().filter((l) => merged.has(l.target)),
        )
      : [],
  ]);
  const coldLinks = cold.flatMap((l) => l ?? []).filter((l) => !merged.has(l.source));
  const sources = await readPages(pages, [
    ...new Set([...coldLinks, ...selves].map((l) => l.source)),
  ]);
  const nofollow = (l: LinkRecord) => Boolean(sources[l.source]?.robotsNofollow);
  const counted: Counted[] = order.map((target, i) => {
    const kept = stored[i];
    if (!kept) {
      const mine = coldLinks.filter((l) => l.target === target);
      const tallies = mine.map((link) => ({ link, pageNofollow: nofollow(link) }));
      return { target, stats: statsOf(target, tallies), links: mine, stored: null };
    }
    // Copied only when changed: a hot target's record holds thousands of domains.
    const stats = selves.length > 0 ? structuredClone(kept) : kept;
    for (const link of selves) tallyLink(stats, { link, pageNofollow: nofollow(link) }, -1);
    return { target, stats, links: null, stored: kept };
  });

  const domain = report.page?.domain ?? null;
  // As loadBacklinks reads them: from the records as stored (self-links change no score). Asked
  // per domain: a map of them all was a pass over a hot page's 2,000 for the few dozen shown.
  const authorityIn = (d: string) => authorityOfDomain(stored, d);
  const { summary, ranks } = countAll(counted, report.via, domain, authorityIn);
  const shown = shownDomains(ranks, rows);
  // The rows are of the groups shown: their scores are all the summary ranks them by.
  const authority: Record<string, number> = {};
  for (const d of shown) {
    const score = authorityIn(d);
    if (score !== undefined) authority[d] = score;
  }
  const byDomain = {
    getAll: (key: [string, string]) => getAllLinks(tx, 'by_target_source_domain', key),
  };
  const { links: rowLinks, facts } = await readRows(byDomain, counted, shown, merged, rows);
  const rowSources = await readPages(
    pages,
    [...new Set(rowLinks.map((l) => l.source))].filter((s) => !sources[s] && !facts.has(s)),
  );
  answered(tx);
  const groups = summarizeBacklinks(
    rowLinks,
    { ...Object.fromEntries(facts), ...sources, ...rowSources },
    { via: report.via, domain },
    authority,
  ).groups;
  const head: BacklinkHead = {
    ...report,
    redirect: redirectChainFrom(url, hopsFrom),
    summary: { ...summary, groups: cutGroups(groups, ranks, rows.perDomain) },
    groups: ranks.length,
    liveGroups: ranks.filter((r) => r.live > 0).length,
  };
  return { kind: 'head', head };
}

/**
 * With `perDomain`, each group cut to its first links, its counts and order from the ranks
 * (its links read are only a prefix of it); whole groups are as summarizeBacklinks made them.
 */
function cutGroups(
  groups: BacklinkSummary['groups'],
  ranks: readonly GroupRank[],
  perDomain: number | undefined,
): BacklinkSummary['groups'] {
  if (perDomain === undefined) return groups;
  const rankOf = new Map(ranks.map((r) => [r.domain, r]));
  return groups
    .map((g) => {
      const { internal, live, followed, size } = rankOf.get(g.domain)!;
      return { ...g, internal, live, followed, size, links: g.links.slice(0, perDomain) };
    })
    .sort((a, b) => compareGroupRanks(rankOf.get(a.domain)!, rankOf.get(b.domain)!));
}

/**
 * The summary's counts over every target's aggregate, and each referring domain's rank (in no
 * order: shownDomains picks the first few), as summarizeBacklinks counts them link by link: a
 * domain's group is internal as its first link is (the targets in order), a link internal when
 * from the page's own site.
 */
function countAll(
  counted: readonly Counted[],
  via: BacklinkReport['via'],
  domain: string | null,
  authorityOf: (domain: string) => number | undefined,
): { summary: Omit<BacklinkSummary, 'groups'>; ranks: GroupRank[] } {
  const ranks = new Map<string, GroupRank>();
  const external = new Set<string>();
  const summary = {
    live: 0,
    lost: 0,
    referringDomains: 0,
    internal: 0,
    followed: 0,
    viaRedirect: 0,
    relCounts: { nofollow: 0, sponsored: 0, ugc: 0 },
  };
  for (const { target, stats } of counted) {
    const how = via[target] ?? null;
    const home = (how && domain) || stats.targetDomain;
    // One pass over the tallies, with no array of entries: thousands for a hot page.
    const { domains } = stats;
    for (const source in domains) {
      const [links, live, followed] = domains[source]!;
      summary.followed += followed;
      const isInternal = source === home;
      let rank = ranks.get(source);
      if (!rank) {
        rank = {
          domain: source,
          internal: isInternal,
          live: 0,
          followed: 0,
          size: 0,
          authority: authorityOf(source),
        };
        ranks.set(source, rank);
      }
      rank.size += links;
      rank.live += live;
      rank.followed += followed;
      if (isInternal) summary.internal += live;
      else if (live > 0) external.add(source);
    }
    summary.live += stats.live;
    summary.lost += stats.links - stats.live;
    if (how?.kind === 'redirect') summary.viaRedirect += stats.live;
    for (const rel of Object.keys(summary.relCounts) as Array<keyof TargetStats['rels']>) {
      summary.relCounts[rel] += stats.rels[rel];
    }
  }
  summary.referringDomains = external.size;
  return { summary, ranks: [...ranks.values()] };
}

/**
 * The domains whose groups are shown: the first `domains` in order, and the first `domains`
 * with a live link, which are the ones shown when lost links are hidden; with `rows`, also the
 * groups in order until they hold that many links (each group holds one at least).
 */
function shownDomains(ranks: readonly GroupRank[], { domains, rows = 0 }: HeadRows): Set<string> {
  const first = firstInOrder(ranks, Math.max(domains, rows), compareGroupRanks);
  const live = firstInOrder(
    ranks.filter((r) => r.live > 0),
    domains,
    compareGroupRanks,
  );
  let filled = 0;
  const forRows = first.filter((r) => {
    const wanted = filled < rows;
    filled += r.size;
    return wanted;
  });
  return new Set([...first.slice(0, domains), ...live, ...forRows].map((r) => r.domain));
}

/**
 * Every link of the shown groups that is shown, in the order loadBacklinks reads them (target
 * by target), with the facts of their linking pages where those were kept with them. A group
 * comes from the rows kept with its target's aggregate when they hold it whole, or (with
 * `perDomain`) at least its first `perDomain` links once self-links are left out; else it is
 * read by [target, source domain], or taken from the links already read (no aggregate).
 */
async function readRows(
  byDomain: { getAll(key: [string, string]): Promise<LinkRecord[]> },
  counted: readonly Counted[],
  shown: ReadonlySet<string>,
  merged: ReadonlySet<string>,
  { perDomain }: HeadRows,
): Promise<{ links: LinkRecord[]; facts: Map<string, SourceFacts> }> {
  const facts = new Map<string, SourceFacts>();
  const notSelf = (l: LinkRecord) => !merged.has(l.source);
  const kept = (stored: TargetStats, domain: string): LinkRecord[] | null => {
    const rows = stored.rows?.[domain];
    if (!rows) return null;
    const links = rows.map((r) => r.link).filter(notSelf);
    const whole = rows.length === stored.domains[domain]?.[0];
    if (!whole && (perDomain === undefined || links.length < perDomain)) return null;
    for (const { link, page } of rows) if (page) facts.set(link.source, page);
    return links;
  };
  const perTarget = await Promise.all(
    counted.map(({ target, stats, links: read, stored }) =>
      read
        ? read.filter((l) => shown.has(l.sourceDomain))
        : Promise.all(
            [...shown]
              .filter((d) => Object.hasOwn(stats.domains, d))
              .sort()
              .map(
                (d) =>
                  kept(stored!, d) ??
                  byDomain.getAll([target, d]).then((all) => all.filter(notSelf)),
              ),
          ).then((all) => all.flat()),
    ),
  );
  return { links: perTarget.flat(), facts };
}
