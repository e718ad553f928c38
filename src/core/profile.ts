/**
 * The backlink profile of one page: the figures people judge a page's links by (diversity of
 * the referring domains, anchor text classes, where links sit, what is new and what was lost),
 * computed from the links the popup already loaded. Pure: `now` is passed in.
 *
 * What is counted over what:
 * - "live links" (shares, link types, anchor classes): every live link to the page, this site's
 *   own pages included, the same set as the "links to this page" tile;
 * - referring pages, diversity and TLD mix: live links from other sites only, like referring
 *   domains (a site cannot make itself diverse by linking to itself);
 * - new and lost: every link, live or lost, by when it was first seen and when it was lost.
 */
import type { BacklinkSummary, BacklinkView } from './summary';
import type { LinkRegion } from './types';
import { formatPercent, t, tn } from './i18n';
import { DAY_MS, RECENT_DAYS, type ProfileTarget } from './profile-basics';

// The first paint needs these, not the profile, which is built after it (issue 7).
export { DAY_MS, RECENT_DAYS, profileTargetOf, type ProfileTarget } from './profile-basics';

const WEEK_MS = 7 * DAY_MS;
/** Weeks in the new/lost timeline, the current one last. */
export const TIMELINE_WEEKS = 12;
/** "k domains give p% of the links": the smallest k whose links reach this share. */
const CONCENTRATION_SHARE = 0.8;
/** At most this many domains may give 80% of the links for the profile to read as concentrated. */
const CONCENTRATED_DOMAINS = 3;

/**
 * Anchor text classes, tried in this order (the first that fits wins):
 * - `empty`: no words at all (an image without alt, an icon);
 * - `naked-url`: the anchor is a URL or a bare host name ("example.com/page");
 * - `generic`: says nothing about the target: one of GENERIC_ANCHORS ("click here", "read more");
 * - `branded`: names the target's site: its domain label ("coffee-blog" for coffee-blog.test,
 *   also written "Coffee Blog") or the site name the page title ends with ("… | Coffee Blog");
 * - `exact`: its words (stop words left out) are exactly the page's main keywords: those of the
 *   URL's last path segment, or of the page title without its site name;
 * - `partial`: shares at least one keyword with those;
 * - `other`: descriptive words unrelated to the page's keywords.
 * The profile counts image links (LinkRecord.image: an image, with or without alt text, is the
 * whole anchor) as a group of their own, `image`, before these classes: see AnchorGroup.
 */
export type AnchorClass =
  'branded' | 'exact' | 'partial' | 'naked-url' | 'generic' | 'empty' | 'other';

export const ANCHOR_CLASSES: readonly AnchorClass[] = [
  'branded',
  'exact',
  'partial',
  'naked-url',
  'generic',
  'empty',
  'other',
];

/** The anchor groups of the profile: the classes, and image links apart. */
export type AnchorGroup = AnchorClass | 'image';

export const ANCHOR_GROUPS: readonly AnchorGroup[] = [
  'branded',
  'exact',
  'partial',
  'naked-url',
  'generic',
  'image',
  'empty',
  'other',
];

/** Anchors that say nothing about where they lead, compared lower-case without punctuation. */
export const GENERIC_ANCHORS: ReadonlySet<string> = new Set([
  'click here',
  'click',
  'here',
  'this',
  'read more',
  'more',
  'learn more',
  'see more',
  'more info',
  'more information',
  'find out more',
  'continue reading',
  'continue',
  'read',
  'read this',
  'read the article',
  'website',
  'web site',
  'site',
  'this site',
  'this website',
  'visit',
  'visit site',
  'visit website',
  'link',
  'this link',
  'page',
  'this page',
  'article',
  'this article',
  'source',
  'homepage',
  'home',
  'go',
  'go here',
  'details',
  'info',
  'check it out',
  'view',
  'download',
  'via',
]);

/** Words that carry no topic, left out when anchors are compared with keywords. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of to for and or in on at by with from as is are be it its this that these those ' +
    'how what why when where who your my our their his her we you i vs about into'
  ).split(' '),
);

/**
 * Link types by where the link sits on its page (the stored region). Image links are left out:
 * see AnchorClass.
 */
export type LinkType = 'editorial' | 'navigation' | 'aside' | 'comments' | 'other';

export const LINK_TYPES: readonly LinkType[] = [
  'editorial',
  'navigation',
  'aside',
  'comments',
  'other',
];

const TYPE_OF_REGION: Record<LinkRegion, LinkType> = {
  main: 'editorial',
  nav: 'navigation',
  header: 'navigation',
  footer: 'navigation',
  aside: 'aside',
  comments: 'comments',
  other: 'other',
};

export interface Diversity {
  /** 1 minus the Herfindahl index of live external links per referring domain (0 to 1). */
  index: number;
  /** The fewest domains that give 80% of the links, and the share they actually give. */
  topDomains: number;
  topShare: number;
  reading: 'none' | 'single' | 'concentrated' | 'diverse';
}

export interface WeekCounts {
  /** Start of the week (ms, excluded: a week is (start, start + 7 days]); the last ends at `now`. */
  start: number;
  new: number;
  lost: number;
}

export interface PageProfile {
  live: number;
  /** Pages on other sites with a live link here. */
  referringPages: number;
  /** Shares of live links, null when there is none. */
  followedShare: number | null;
  editorialShare: number | null;
  /** Links first seen, and links lost, in the last RECENT_DAYS days. */
  newRecent: number;
  lostRecent: number;
  timeline: WeekCounts[];
  diversity: Diversity;
  /** TLDs of the referring domains, most domains first. */
  tlds: Array<{ tld: string; domains: number }>;
  /** Referring domains under a country-code TLD (isCountryCode), of all tlds' domains. */
  countryCodeDomains: number;
  linkTypes: Record<LinkType, number>;
  anchors: Record<AnchorGroup, number>;
}

/** Lower-case words of a text: letters and digits only, punctuation dropped. */
function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Topic words: stop words left out, a plural "s" dropped so "guides" meets "guide". */
function keywordsOf(text: string): string[] {
  return wordsOf(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/** Letters and digits only: "Coffee-Blog", "coffee blog" and "coffeeblog" all read the same. */
function compact(text: string): string {
  return wordsOf(text).join('');
}

const TITLE_SEPARATOR = /\s+[|–—·:-]\s+/;
/** A URL, or a host with a TLD that starts with a letter (so "v2.0" is not a host). */
const NAKED_URL =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}[\p{L}\p{N}-]*(?::\d+)?(?:[/?#]\S*)?$/iu;

/** What an anchor is compared with, worked out once per page. */
export interface AnchorTarget {
  /** Compact brand names: the domain label, and the title's site name if it has one. */
  brands: string[];
  /** Keyword sets that count as an exact match (slug, title), and all keywords together. */
  exact: string[][];
  keywords: ReadonlySet<string>;
}

/** The brand names and main keywords of a target page. */
export function describeAnchorTarget(target: ProfileTarget): AnchorTarget {
  // The registrable domain's first label is the brand ("example" of example.co.uk): no Public
  // Suffix List needed, the domain was already cut at the suffix where it was computed.
  const brands = [compact(target.domain.split('.')[0] ?? '')];
  const parts = target.title.split(TITLE_SEPARATOR);
  // "Brewing guide | Coffee Blog": the last part names the site, the first the page.
  if (parts.length > 1) brands.push(compact(parts.at(-1)!));
  let slug = '';
  try {
    const segments = new URL(target.url).pathname.split('/').filter(Boolean);
    slug = decodeURIComponent(segments.at(-1) ?? '').replace(/\.[a-z0-9]{2,5}$/i, '');
  } catch {
    // Not a URL or a broken escape: no keywords from the path.
  }
  const exact = [keywordsOf(slug), keywordsOf(parts[0] ?? '')].filter((k) => k.length > 0);
  return {
    // Very short names ("a", "io") would match inside unrelated words.
    brands: brands.filter((b) => b.length >= 3),
    exact,
    keywords: new Set(exact.flat()),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((w) => setB.has(w));
}

/** The class of one anchor text; see AnchorClass for the definitions and their order. */
export function classifyAnchor(anchor: string, target: AnchorTarget): AnchorClass {
  const text = anchor.trim();
  if (wordsOf(text).length === 0) return 'empty';
  if (!/\s/.test(text) && NAKED_URL.test(text)) return 'naked-url';
  if (GENERIC_ANCHORS.has(wordsOf(text).join(' '))) return 'generic';
  const compactText = compact(text);
  if (target.brands.some((b) => compactText.includes(b))) return 'branded';
  const keywords = keywordsOf(text);
  if (target.exact.some((k) => sameSet(k, keywords))) return 'exact';
  if (keywords.some((w) => target.keywords.has(w))) return 'partial';
  return 'other';
}

/** The link type of a stored region; see LinkType. */
export function linkTypeOf(region: LinkRegion): LinkType {
  return TYPE_OF_REGION[region];
}

/** The TLD of a registrable domain: its last label. */
export function tldOf(domain: string): string {
  return domain.split('.').at(-1) ?? domain;
}

/**
 * Whether a TLD is a country's or territory's: IANA gives every two-letter ASCII TLD to one
 * (ISO 3166-1 codes, and a few such as .uk, .eu, .ac). Internationalized ones (xn--) are not
 * told apart from generic names here: they count as generic.
 */
export function isCountryCode(tld: string): boolean {
  return /^[a-z]{2}$/.test(tld);
}

/** Diversity of links per domain: 1 minus the Herfindahl index, and how concentrated they are. */
export function measureDiversity(linksPerDomain: readonly number[]): Diversity {
  const counts = linksPerDomain.filter((n) => n > 0).sort((a, b) => b - a);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return { index: 0, topDomains: 0, topShare: 0, reading: 'none' };
  const herfindahl = counts.reduce((sum, n) => sum + (n / total) ** 2, 0);
  let topDomains = 0;
  let top = 0;
  while (top / total < CONCENTRATION_SHARE) top += counts[topDomains++]!;
  const reading =
    counts.length === 1
      ? 'single'
      : topDomains <= CONCENTRATED_DOMAINS
        ? 'concentrated'
        : 'diverse';
  return { index: 1 - herfindahl, topDomains, topShare: top / total, reading };
}

/** The diversity reading in one line of plain words. */
export function describeDiversity(diversity: Diversity): string {
  const { topDomains, topShare } = diversity;
  switch (diversity.reading) {
    case 'none':
      return t('profile_diversity_none');
    case 'single':
      return t('profile_diversity_single');
    case 'concentrated':
      return tn('profile_diversity_concentrated', topDomains, {
        share: formatPercent(topShare),
      });
    case 'diverse':
      return t('profile_diversity_diverse');
  }
}

function within(time: number | null, now: number, span: number): time is number {
  return time !== null && time > now - span && time <= now;
}

/** New and lost links per week over the last TIMELINE_WEEKS weeks, oldest first. */
export function weeklyTimeline(links: readonly BacklinkView[], now: number): WeekCounts[] {
  const weeks = Array.from({ length: TIMELINE_WEEKS }, (_, i) => ({
    start: now - (TIMELINE_WEEKS - i) * WEEK_MS,
    new: 0,
    lost: 0,
  }));
  const weekOf = (t: number) => TIMELINE_WEEKS - 1 - Math.floor((now - t) / WEEK_MS);
  for (const link of links) {
    if (within(link.firstSeen, now, TIMELINE_WEEKS * WEEK_MS)) weeks[weekOf(link.firstSeen)]!.new++;
    if (within(link.lostAt, now, TIMELINE_WEEKS * WEEK_MS)) weeks[weekOf(link.lostAt)]!.lost++;
  }
  return weeks;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Build the profile of a page from its summarized links (live and lost). */
export function summarizeProfile(
  summary: BacklinkSummary,
  target: ProfileTarget,
  now: number,
): PageProfile {
  const all = summary.groups.flatMap((g) => g.links);
  const anchorTarget = describeAnchorTarget(target);
  const anchors = zeroes(ANCHOR_GROUPS);
  const linkTypes = zeroes(LINK_TYPES);
  const referringPages = new Set<string>();
  const perDomain: number[] = [];
  const tldDomains = new Map<string, number>();
  let editorial = 0;
  for (const group of summary.groups) {
    const live = group.links.filter((l) => l.lostAt === null);
    for (const link of live) {
      anchors[link.image ? 'image' : classifyAnchor(link.anchor, anchorTarget)]++;
      linkTypes[linkTypeOf(link.region)]++;
      if (link.region === 'main') editorial++;
      if (!group.internal) referringPages.add(link.source);
    }
    if (group.internal || live.length === 0) continue;
    perDomain.push(live.length);
    const tld = tldOf(group.domain);
    tldDomains.set(tld, (tldDomains.get(tld) ?? 0) + 1);
  }
  const share = (n: number) => (summary.live > 0 ? n / summary.live : null);
  return {
    live: summary.live,
    referringPages: referringPages.size,
    followedShare: share(summary.followed),
    editorialShare: share(editorial),
    newRecent: all.filter((l) => within(l.firstSeen, now, RECENT_DAYS * DAY_MS)).length,
    lostRecent: all.filter((l) => within(l.lostAt, now, RECENT_DAYS * DAY_MS)).length,
    timeline: weeklyTimeline(all, now),
    diversity: measureDiversity(perDomain),
    tlds: [...tldDomains]
      .map(([tld, domains]) => ({ tld, domains }))
      .sort((a, b) => b.domains - a.domains || a.tld.localeCompare(b.tld)),
    countryCodeDomains: [...tldDomains].reduce(
      (n, [tld, d]) => n + (isCountryCode(tld) ? d : 0),
      0,
    ),
    linkTypes,
    anchors,
  };
}
