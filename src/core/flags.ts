/**
 * Manipulation and risk flags of a page's backlinks (issue 6 §3), each with the links or pages
 * behind it. Flags are risks to look at, never verdicts: every summary says what was seen, not
 * what it proves. Pure: storage/flags.ts reads the inputs, `now` is passed in.
 *
 * What each flag reads:
 * - the page's inbound links and their source pages (what the popup already loaded);
 * - `crossLinks`: live links between the referring domains and the target's own domain, not
 *   inbound to the page (reciprocal links, link farms);
 * - `outDomains`: distinct domains linked from a source page with very many links (link hubs);
 * - `domainPages`: how many pages of each referring domain were visited (sitewide links);
 * - `siteLinks`: links into the target's whole site (site bursts), when loaded.
 */
import type { LinkRecord, LinkRegion, PageRecord } from './types';
import { linkKey } from './types';
import { passesAuthority } from './occurrences';
import { classifyAnchor, describeAnchorTarget, type ProfileTarget } from './profile';
import { formatDate, formatDecimal, formatPercent, t, tn, type MessageKey } from './i18n';
import {
  burstTimes,
  detectBursts,
  FLAG_KINDS,
  spamRuleLabel,
  SPAM_RULES,
  type BurstWindow,
  type FlagCounts,
  type FlagKind,
  type RiskSummary,
  type SpamRule,
} from './flag-counts';

// The kinds, counts and names live in core/flag-counts.ts (what a first render needs); they
// are flags' vocabulary all the same, so they are exported from here too.
export * from './flag-counts';

/** 'risk': worth a look. 'note': seen and fine as it is (a declared sponsored link). */
export type FlagSeverity = 'risk' | 'note';

/** One link (or one page, when target is empty) that a flag rests on. */
export interface FlagEvidence {
  source: string;
  target: string;
  anchor?: string;
  region?: LinkRegion;
  regions?: LinkRegion[];
  rel?: string[];
  firstSeen?: number;
  /** Why this link is listed, in plain words ("'sponsored' in the words around the link"). */
  note?: string;
  /** linkKey of the link when it is one of the page's own inbound links. */
  key?: string;
}

/** One spam rule on one referring domain: fired, not fired, or unknown (nothing to read it from). */
export interface SpamRuleResult {
  rule: SpamRule;
  fired: boolean | null;
  /** What was seen, in plain words. */
  detail: string;
  /** The linking pages it fired on. */
  pages: string[];
}

export interface DomainSpam {
  domain: string;
  rules: SpamRuleResult[];
  fired: number;
  unknown: number;
}

export interface Flag {
  kind: FlagKind;
  severity: FlagSeverity;
  /** The referring domain the flag is about, when it is about one. */
  domain?: string;
  /** Domains of a link farm. */
  domains?: string[];
  /** One sentence in plain words. */
  summary: string;
  evidence: FlagEvidence[];
  rules?: SpamRuleResult[];
  burst?: BurstWindow;
  /** Evidence left out of the list after MAX_EVIDENCE (set by findFlags). */
  more?: number;
}

export interface FlagInput {
  target: ProfileTarget;
  /** The page's inbound links, live and lost, as the report loaded them. */
  links: readonly LinkRecord[];
  sources: Readonly<Record<string, PageRecord>>;
  crossLinks?: readonly LinkRecord[];
  outDomains?: Readonly<Record<string, number>>;
  domainPages?: Readonly<Record<string, number>>;
  siteLinks?: readonly LinkRecord[];
  now: number;
}

export interface FlagReport {
  flags: Flag[];
  /** Flag kinds per inbound link, by linkKey: for filtering tables and marking rows. */
  byLink: Map<string, FlagKind[]>;
  /** Flags of severity 'risk'. */
  risks: number;
  /** The spam rules of every referring domain, flagged or not. */
  spam: DomainSpam[];
}

// ---- thresholds -------------------------------------------------------------------------

/**
 * A page linking to this many distinct other domains is a link hub (directory, link farm
 * page, spun "resources" list): an editorial article links to a handful, a long resource page
 * to a few dozen; past a hundred there is no editorial choice left to each link.
 */
export const MANY_OUT_DOMAINS = 100;
/** A domain linking from this many of its pages links sitewide (footer, nav, blogroll). */
export const SITEWIDE_MIN_PAGES = 5;
/**
 * Or from more than this share of its pages the user visited, once there are at least
 * SITEWIDE_MIN_SHARED_PAGES of them: two pages out of two is too little to say "every page".
 */
export const SITEWIDE_SHARE = 0.5;
export const SITEWIDE_MIN_SHARED_PAGES = 3;
/**
 * Exact-match anchors above this share of links from other sites: the industry rule of thumb
 * (Ahrefs, Moz and the post-Penguin case studies) puts a natural profile's exact-match share
 * under 20-30%; 25% is the middle of that band.
 */
export const EXACT_ANCHOR_SHARE = 0.25;
/** Fewer links than this are too few for a share to mean anything. */
export const EXACT_ANCHOR_MIN_LINKS = 10;
/** A referring domain is flagged for spam signals when at least this many rules fire. */
export const SPAM_RULES_TO_FLAG = 3;
/** "Very many outbound links" on one page: past a few hundred, each link passes next to nothing. */
export const MANY_OUTBOUND_LINKS = 200;
/** Thin text: fewer words than a short article (Moz and Google's quality raters' "thin content"). */
export const THIN_TEXT_WORDS = 150;
/** A title shorter than this says nothing about the page. */
export const SHORT_TITLE_CHARS = 10;
/** A meta description shorter than this (search engines show about 150 characters). */
export const SHORT_DESCRIPTION_CHARS = 50;
/** More hyphens or digits than this in the domain's name (before its TLD). */
export const DOMAIN_MAX_HYPHENS = 1;
export const DOMAIN_MAX_DIGITS = 2;
/**
 * TLDs often abused, from the Spamhaus Project's "The World's Most Abused TLDs" rankings
 * (https://www.spamhaus.org/statistics/tlds/), kept short to the names that appeared there
 * repeatedly in 2021-2024; review when the ranking moves.
 */
export const ABUSED_TLDS: ReadonlySet<string> = new Set([
  'tk',
  'ml',
  'ga',
  'cf',
  'gq',
  'top',
  'xyz',
  'buzz',
  'icu',
  'cyou',
  'sbs',
  'cfd',
  'rest',
  'bar',
  'click',
  'work',
  'fit',
  'loan',
]);
/** Words that tell a paid placement, matched as whole words, in the link's context or anchor. */
const PAID_WORDS =
  /\b(sponsored|sponsor|partners?|partnership|advertisement|advertorial|ad|ads|paid|affiliate|promoted)\b/i;

/**
 * Evidence shown per flag: a sitewide link from 3,000 pages need not list them all. The per-link
 * index still holds every link (findFlags caps after indexing).
 */
export const MAX_EVIDENCE = 50;

// ---- helpers ----------------------------------------------------------------------------

const isLive = (l: LinkRecord) => l.lostAt === null;

function evidenceOf(link: LinkRecord, own: boolean, note?: string): FlagEvidence {
  return {
    source: link.source,
    target: link.target,
    anchor: link.anchor,
    region: link.region,
    regions: link.regions,
    rel: link.rel,
    firstSeen: link.firstSeen,
    ...(note ? { note } : {}),
    ...(own ? { key: linkKey(link) } : {}),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Live inbound links from other sites, and grouped by referring domain: every detector reads
 * them, so they are found once per input (countFlags and findFlags each run them all).
 */
const external = new WeakMap<
  FlagInput,
  { links: LinkRecord[]; byDomain: Map<string, LinkRecord[]> }
>();

function externalOf(input: FlagInput): {
  links: LinkRecord[];
  byDomain: Map<string, LinkRecord[]>;
} {
  let found = external.get(input);
  if (!found) {
    const links = input.links.filter((l) => isLive(l) && l.sourceDomain !== input.target.domain);
    found = { links, byDomain: groupBy(links, (l) => l.sourceDomain) };
    external.set(input, found);
  }
  return found;
}

const externalLinks = (input: FlagInput): LinkRecord[] => externalOf(input).links;

/** A link passes authority: no qualifying rel, and its page is not robots nofollow. */
function isFollowed(link: LinkRecord, sources: FlagInput['sources']): boolean {
  return passesAuthority(link.rel) && !sources[link.source]?.robotsNofollow;
}

// ---- reciprocal links -------------------------------------------------------------------

/** Referring domains the target's site links back to, with the links each way. */
function reciprocalPairs(input: FlagInput): Array<[string, LinkRecord[], LinkRecord[]]> {
  const target = input.target.domain;
  const inbound = externalOf(input).byDomain;
  const back = groupBy(
    (input.crossLinks ?? []).filter(
      (l) => isLive(l) && l.sourceDomain === target && inbound.has(l.targetDomain),
    ),
    (l) => l.targetDomain,
  );
  return [...back].map(([domain, backLinks]) => [domain, inbound.get(domain)!, backLinks]);
}

/** A referring domain the target's site links back to: one flag per domain. */
export function findReciprocal(input: FlagInput): Flag[] {
  const target = input.target.domain;
  return reciprocalPairs(input).map(([domain, inbound, backLinks]) => {
    const here = inbound.map((l) => evidenceOf(l, true, t('flag_note_links_here', { domain })));
    const there = backLinks.map((l) =>
      evidenceOf(l, false, t('flag_note_links_back', { domain: target })),
    );
    return {
      kind: 'reciprocal',
      severity: 'risk',
      domain,
      summary: tn('flag_reciprocal', backLinks.length, { domain, site: target }),
      // One pair first, so a cut list still shows both ways.
      evidence: [here[0]!, ...there, ...here.slice(1)],
    };
  });
}

// ---- link farms -------------------------------------------------------------------------

/** Maximal cliques of at least `min` nodes (Bron–Kerbosch with a pivot), largest first. */
export function findCliques(
  adjacency: ReadonlyMap<string, ReadonlySet<string>>,
  min = 3,
): string[][] {
  const cliques: string[][] = [];
  const expand = (r: string[], p: Set<string>, x: Set<string>) => {
    if (p.size === 0 && x.size === 0) {
      if (r.length >= min) cliques.push([...r].sort());
      return;
    }
    // A clique of r plus all of p would still be too small: nothing to find here.
    if (r.length + p.size < min) return;
    let pivot = '';
    let most = -1;
    for (const u of [...p, ...x]) {
      const n = [...p].filter((v) => adjacency.get(u)?.has(v)).length;
      if (n > most) [pivot, most] = [u, n];
    }
    for (const v of [...p].filter((v) => !adjacency.get(pivot)?.has(v))) {
      const near = adjacency.get(v) ?? new Set<string>();
      expand(
        [...r, v],
        new Set([...p].filter((u) => near.has(u))),
        new Set([...x].filter((u) => near.has(u))),
      );
      p.delete(v);
      x.add(v);
    }
  };
  // Only nodes with at least min - 1 neighbours among such nodes can be in a clique of `min`:
  // peeling the rest first keeps a large sparse graph of referring domains cheap.
  const alive = new Set(adjacency.keys());
  for (let peeled = true; peeled;) {
    peeled = false;
    for (const v of alive) {
      const degree = [...(adjacency.get(v) ?? [])].filter((u) => alive.has(u)).length;
      if (degree < min - 1) {
        alive.delete(v);
        peeled = true;
      }
    }
  }
  expand([], alive, new Set());
  return cliques.sort((a, b) => b.length - a.length || a.join().localeCompare(b.join()));
}

/** Link farms reported at most: overlapping cliques of one network say the same thing. */
export const MAX_FARMS = 5;

interface Farms {
  external: LinkRecord[];
  /** One example link per ordered pair of domains ("from\nto"), for the evidence. */
  pair: Map<string, { link: LinkRecord; own: boolean }>;
  cliques: string[][];
}

/** The cliques of domains that all link both ways, at most MAX_FARMS (see findLinkFarms). */
function farmCliques(input: FlagInput): Farms {
  const target = input.target.domain;
  const external = externalLinks(input);
  const nodes = new Set([target, ...external.map((l) => l.sourceDomain)]);
  const pair = new Map<string, { link: LinkRecord; own: boolean }>();
  const add = (from: string, to: string, link: LinkRecord, own: boolean) => {
    const key = `${from}\n${to}`;
    if (from !== to && nodes.has(from) && nodes.has(to) && !pair.has(key)) {
      pair.set(key, { link, own });
    }
  };
  // An inbound link counts for the page's domain even when it points at a redirect or variant;
  // the first link of each domain is its example.
  for (const [domain, links] of externalOf(input).byDomain) add(domain, target, links[0]!, true);
  for (const l of input.crossLinks ?? []) {
    if (isLive(l)) add(l.sourceDomain, l.targetDomain, l, false);
  }
  const adjacency = new Map<string, Set<string>>();
  for (const key of pair.keys()) {
    const [from, to] = key.split('\n') as [string, string];
    if (!pair.has(`${to}\n${from}`)) continue;
    if (!adjacency.has(from)) adjacency.set(from, new Set());
    adjacency.get(from)!.add(to);
  }
  return { external, pair, cliques: findCliques(adjacency).slice(0, MAX_FARMS) };
}

/**
 * Groups of three or more domains, among the referring domains and the target's own, that all
 * link to each other both ways ("cross-link": one-way links between news sites are common,
 * every pair linking both ways is not).
 */
export function findLinkFarms(input: FlagInput): Flag[] {
  const target = input.target.domain;
  const { external, pair, cliques } = farmCliques(input);
  return cliques.map((domains) => {
    const evidence: FlagEvidence[] = [];
    for (const from of domains) {
      for (const to of domains) {
        const found = to === target ? undefined : pair.get(`${from}\n${to}`);
        if (found) {
          evidence.push(evidenceOf(found.link, found.own, t('flag_note_links_to', { from, to })));
        }
      }
    }
    // Every link of the circle to this page, so each can be found (and filtered) by its flag.
    for (const l of external) {
      if (domains.includes(l.sourceDomain)) {
        evidence.push(
          evidenceOf(l, true, t('flag_note_links_to_page', { domain: l.sourceDomain })),
        );
      }
    }
    const withTarget = domains.includes(target);
    return {
      kind: 'link-farm' as const,
      severity: 'risk' as const,
      domains,
      summary: t(withTarget ? 'flag_link_farm_with_site' : 'flag_link_farm', {
        count: domains.length,
        list: domains.join(', '),
      }),
      evidence,
    };
  });
}

/** The links from source pages that link to very many other domains, by referring domain. */
function hubGroups(input: FlagInput): Map<string, LinkRecord[]> {
  const out = input.outDomains ?? {};
  const hubs = externalLinks(input).filter((l) => (out[l.source] ?? 0) >= MANY_OUT_DOMAINS);
  return groupBy(hubs, (l) => l.sourceDomain);
}

/** Source pages that link to very many other domains: one flag per referring domain. */
export function findLinkHubs(input: FlagInput): Flag[] {
  const out = input.outDomains ?? {};
  return [...hubGroups(input)].map(([domain, links]) => {
    const most = Math.max(...links.map((l) => out[l.source]!));
    return {
      kind: 'link-hub',
      severity: 'risk',
      domain,
      summary: tn('flag_link_hub', new Set(links.map((l) => l.source)).size, { domain, most }),
      evidence: links.map((l) =>
        evidenceOf(l, true, t('flag_note_hub', { count: out[l.source]! })),
      ),
    };
  });
}

// ---- sitewide links ---------------------------------------------------------------------

const REGION_WORDS: Record<LinkRegion, MessageKey> = {
  main: 'flag_region_main',
  nav: 'flag_region_nav',
  header: 'flag_region_header',
  footer: 'flag_region_footer',
  aside: 'flag_region_aside',
  comments: 'flag_region_comments',
  other: 'flag_region_other',
};

interface Sitewide {
  domain: string;
  links: LinkRecord[];
  /** Its pages that link here (any source), those of them this browser stored, its pages visited. */
  pages: number;
  local: number;
  visited: number;
}

/** Referring domains that link from many of their pages (see findSitewide). */
function sitewideDomains(input: FlagInput): Sitewide[] {
  const found: Sitewide[] = [];
  for (const [domain, links] of externalOf(input).byDomain) {
    const pages = new Set(links.map((l) => l.source)).size;
    // The share is known only over pages this browser stored: a remote source names a site's
    // linking pages, never how many pages the site has.
    const local = new Set(links.filter((l) => input.sources[l.source]).map((l) => l.source)).size;
    const visited = Math.max(local, input.domainPages?.[domain] ?? local);
    const byShare = local >= SITEWIDE_MIN_SHARED_PAGES && local / visited > SITEWIDE_SHARE;
    if (pages >= SITEWIDE_MIN_PAGES || byShare) {
      found.push({ domain, links, pages, local, visited });
    }
  }
  return found;
}

/** One domain linking from many of its pages (footer, nav, blogroll): one flag per domain. */
export function findSitewide(input: FlagInput): Flag[] {
  return sitewideDomains(input).map(({ domain, links, pages, local, visited }) => {
    const regions = groupBy(links, (l) => l.region);
    const [mostly] = [...regions].sort((a, b) => b[1].length - a[1].length)[0]!;
    const region = t(REGION_WORDS[mostly as LinkRegion]);
    return {
      kind: 'sitewide',
      severity: 'risk',
      domain,
      summary:
        local === pages
          ? tn('flag_sitewide', pages, { domain, visited, region })
          : tn('flag_sitewide_known', pages, { domain, local, region }),
      evidence: links.map((l) => evidenceOf(l, true)),
    };
  });
}

// ---- paid links -------------------------------------------------------------------------

/** The paid-placement word around a link or in its anchor, if any. */
export function paidWording(link: Pick<LinkRecord, 'anchor' | 'context'>): string | null {
  const match = PAID_WORDS.exec(link.context ?? '') ?? PAID_WORDS.exec(link.anchor);
  return match ? match[1]!.toLowerCase() : null;
}

/** A followed link with paid wording: the word, and whether it is in the context (else the anchor). */
interface Undeclared {
  link: LinkRecord;
  word: string | null;
  inContext: boolean;
}

/** Paid-link signals by referring domain: undeclared (followed) and declared (rel=sponsored). */
function paidGroups(input: FlagInput): {
  undeclared: Map<string, Undeclared[]>;
  declared: Map<string, LinkRecord[]>;
} {
  const external = externalLinks(input);
  const undeclared: Undeclared[] = [];
  for (const link of external) {
    if (link.rel.includes('sponsored') || !isFollowed(link, input.sources)) continue;
    const word = paidWording(link);
    if (word) {
      const inContext = link.context !== undefined && PAID_WORDS.test(link.context);
      undeclared.push({ link, word, inContext });
    } else if (link.rels.includes('sponsored')) {
      undeclared.push({ link, word: null, inContext: false });
    }
  }
  return {
    undeclared: groupBy(undeclared, (u) => u.link.sourceDomain),
    declared: groupBy(
      external.filter((l) => l.rel.includes('sponsored')),
      (l) => l.sourceDomain,
    ),
  };
}

/** Why an undeclared paid link is listed, in words. */
function paidNote({ word, inContext }: Undeclared): string {
  if (word === null) return t('flag_note_paid_elsewhere');
  return t(inContext ? 'flag_note_paid_context' : 'flag_note_paid_anchor', { word });
}

/**
 * Paid-link signals per referring domain: rel=sponsored is declared (a note: that is how a
 * paid link should be marked); paid wording on a link that is still followed is not (a risk).
 */
export function findPaidLinks(input: FlagInput): Flag[] {
  const { undeclared, declared } = paidGroups(input);
  const flags: Flag[] = [];
  for (const [domain, items] of undeclared) {
    flags.push({
      kind: 'paid-undeclared',
      severity: 'risk',
      domain,
      summary: tn('flag_paid_undeclared', items.length, { domain }),
      evidence: items.map((u) => evidenceOf(u.link, true, paidNote(u))),
    });
  }
  for (const [domain, links] of declared) {
    flags.push({
      kind: 'paid-declared',
      severity: 'note',
      domain,
      summary: tn('flag_paid_declared', links.length, { domain }),
      evidence: links.map((l) => evidenceOf(l, true, 'rel="sponsored"')),
    });
  }
  return flags;
}

// ---- anchors ----------------------------------------------------------------------------

/** The exact-match anchors among links from other sites, when their share is unnatural. */
function overOptimized(
  input: FlagInput,
): { exact: LinkRecord[]; external: LinkRecord[]; share: number } | null {
  const external = externalLinks(input);
  if (external.length < EXACT_ANCHOR_MIN_LINKS) return null;
  const anchorTarget = describeAnchorTarget(input.target);
  // Many links share an anchor: classify each text once.
  const classes = new Map<string, boolean>();
  const isExact = (anchor: string) => {
    let exact = classes.get(anchor);
    if (exact === undefined) {
      exact = classifyAnchor(anchor, anchorTarget) === 'exact';
      classes.set(anchor, exact);
    }
    return exact;
  };
  const exact = external.filter((l) => isExact(l.anchor));
  const share = exact.length / external.length;
  return share > EXACT_ANCHOR_SHARE ? { exact, external, share } : null;
}

/** An unnatural share of exact-match anchors among links from other sites. */
export function findAnchorOverOptimization(input: FlagInput): Flag[] {
  const found = overOptimized(input);
  if (!found) return [];
  const { exact, external, share } = found;
  return [
    {
      kind: 'anchor-over-optimization',
      severity: 'risk',
      summary: t('flag_anchor_over', {
        share: formatPercent(share),
        exact: exact.length,
        total: external.length,
        limit: formatPercent(EXACT_ANCHOR_SHARE),
      }),
      evidence: exact.map((l) => evidenceOf(l, true, t('flag_note_exact_anchor'))),
    },
  ];
}

// ---- bursts -----------------------------------------------------------------------------

type Window = Omit<BurstWindow, 'scope'>;

function burstFlags(
  scope: BurstWindow['scope'],
  windows: readonly Window[],
  links: readonly LinkRecord[],
  own: boolean,
): Flag[] {
  return windows.map((b) => ({
    kind: 'burst',
    severity: 'risk',
    burst: { scope, ...b },
    summary: tn(scope === 'page' ? 'flag_burst_page' : 'flag_burst_site', b.baselineWeeks, {
      links: b.count,
      // Days and rate as the UI language writes them; an ISO day was UTC's, not the reader's.
      from: formatDate(b.start),
      to: formatDate(b.end),
      weekly: formatDecimal(b.baselineWeekly, 1),
    }),
    evidence: links
      .filter((l) => l.firstSeen > b.start && l.firstSeen <= b.end)
      .map((l) => evidenceOf(l, own)),
  }));
}

const fromOtherSites = (input: FlagInput) => (l: LinkRecord) =>
  l.sourceDomain !== input.target.domain;

/**
 * Windows of new links to the site (its links from other sites, when given), but those made of
 * the page's links only: `page`, the page's own windows, already says them.
 */
function siteBurstsOf(input: FlagInput, page: readonly Window[]): Window[] {
  if (!input.siteLinks) return [];
  const site = detectBursts(input.siteLinks.filter(fromOtherSites(input)), input.now);
  return site.filter((s) => !page.some((p) => p.start === s.start && p.count >= s.count));
}

/** The site's burst flags (see siteBurstsOf), beside the page's own burst flags. */
function findSiteBursts(input: FlagInput, page: readonly Flag[]): Flag[] {
  if (!input.siteLinks) return [];
  const windows = siteBurstsOf(
    input,
    page.map((f) => f.burst!),
  );
  return burstFlags('site', windows, input.siteLinks.filter(fromOtherSites(input)), false);
}

/**
 * Bursts of new links from other sites to the page, and to its site when site links are given;
 * a site burst made of this page's links only is the page's burst again, and left out.
 */
export function findBursts(input: FlagInput): Flag[] {
  const links = input.links.filter(fromOtherSites(input));
  const page = burstFlags('page', detectBursts(links, input.now), links, true);
  return [...page, ...findSiteBursts(input, page)];
}

// ---- spam signals -----------------------------------------------------------------------

/** The domain's name without its TLD ("cheap-seo-4u" of cheap-seo-4u.co.uk keeps "cheap-seo-4u"). */
const nameOf = (domain: string) => domain.split('.')[0] ?? domain;

function rule(
  rule: SpamRule,
  fired: boolean | null,
  detail: string,
  pages: string[] = [],
): SpamRuleResult {
  return { rule, fired, detail, pages };
}

/** Pages where a known page-level test holds; unknown when no page carries what it reads. */
function onAnyPage(
  pages: readonly PageRecord[],
  test: (page: PageRecord) => boolean | null,
): { fired: boolean | null; pages: string[] } {
  const known = pages.filter((p) => test(p) !== null);
  if (known.length === 0) return { fired: null, pages: [] };
  const hits = known.filter((p) => test(p)).map((p) => p.url);
  return { fired: hits.length > 0, pages: hits };
}

/**
 * The spam rules of one referring domain, read from its linking pages. Domain-level rules read
 * the domain and URLs; page-level rules read PageSignals (absent on old records: unknown) and
 * the title and outbound count. Site traits (favicon, contact/about) fire when none of the
 * pages has them; page traits (thin text, short title…) when any page shows them.
 */
export function spamSignalsOf(
  domain: string,
  pages: readonly PageRecord[],
  worded = true,
): DomainSpam {
  // Counting flags first (countFlags) needs which rules fire, not what each says.
  const say = (words: () => string) => (worded ? words() : '');
  const name = nameOf(domain);
  const hyphens = (name.match(/-/g) ?? []).length;
  const digits = (name.match(/\d/g) ?? []).length;
  const tld = domain.split('.').at(-1) ?? '';
  const https = pages.some((p) => p.url.startsWith('https:'));
  const withSignals = pages.filter((p) => p.signals);
  const site = (has: (p: PageRecord) => boolean) =>
    withSignals.length === 0 ? null : !withSignals.some(has);
  const many = onAnyPage(pages, (p) => p.outboundCount >= MANY_OUTBOUND_LINKS);
  const thin = onAnyPage(pages, (p) => (p.signals ? p.signals.words < THIN_TEXT_WORDS : null));
  const title = onAnyPage(pages, (p) => p.title.trim().length < SHORT_TITLE_CHARS);
  const description = onAnyPage(pages, (p) =>
    p.signals ? p.signals.descriptionLength < SHORT_DESCRIPTION_CHARS : null,
  );
  const rules = [
    rule(
      'no-https',
      pages.length === 0 ? null : !https,
      say(() => t(https ? 'spam_detail_https' : 'spam_detail_http')),
    ),
    rule(
      'domain-name',
      hyphens > DOMAIN_MAX_HYPHENS || digits > DOMAIN_MAX_DIGITS,
      say(() =>
        t('spam_detail_domain', {
          hyphens: tn('spam_hyphens', hyphens),
          digits: tn('spam_digits', digits),
          name,
        }),
      ),
    ),
    rule(
      'abused-tld',
      ABUSED_TLDS.has(tld),
      say(() => t(ABUSED_TLDS.has(tld) ? 'spam_detail_tld_abused' : 'spam_detail_tld', { tld })),
    ),
    rule(
      'no-favicon',
      site((p) => p.signals!.favicon),
      say(() => t('spam_detail_favicon')),
    ),
    rule(
      'no-contact-about',
      site((p) => p.signals!.contactLinked || p.signals!.aboutLinked),
      say(() => t('spam_detail_contact')),
    ),
    rule(
      'many-outbound',
      many.fired,
      say(() => t('spam_detail_outbound', { count: MANY_OUTBOUND_LINKS })),
      many.pages,
    ),
    rule(
      'thin-text',
      thin.fired,
      say(() => t('spam_detail_thin', { count: THIN_TEXT_WORDS })),
      thin.pages,
    ),
    rule(
      'short-title',
      title.fired,
      say(() => t('spam_detail_title', { count: SHORT_TITLE_CHARS })),
      title.pages,
    ),
    rule(
      'short-description',
      description.fired,
      say(() => t('spam_detail_description', { count: SHORT_DESCRIPTION_CHARS })),
      description.pages,
    ),
  ];
  return {
    domain,
    rules,
    fired: rules.filter((r) => r.fired === true).length,
    unknown: rules.filter((r) => r.fired === null).length,
  };
}

/** Each referring domain with its links here and its linking pages that were read. */
function linkingSites(input: FlagInput): Array<[string, LinkRecord[], PageRecord[]]> {
  return [...externalOf(input).byDomain].map(([domain, links]) => [
    domain,
    links,
    [...new Set(links.map((l) => l.source))]
      .map((url) => input.sources[url])
      .filter((p): p is PageRecord => p !== undefined),
  ]);
}

function spamFlags(input: FlagInput): { flags: Flag[]; spam: DomainSpam[] } {
  const spam: DomainSpam[] = [];
  const flags: Flag[] = [];
  for (const [domain, links, pages] of linkingSites(input)) {
    const result = spamSignalsOf(domain, pages);
    spam.push(result);
    if (result.fired < SPAM_RULES_TO_FLAG) continue;
    const names = result.rules.filter((r) => r.fired).map((r) => spamRuleLabel(r.rule));
    flags.push({
      kind: 'spam-signals',
      severity: 'risk',
      domain,
      rules: result.rules,
      summary: t(result.unknown > 0 ? 'flag_spam_unknown' : 'flag_spam', {
        domain,
        fired: result.fired,
        total: SPAM_RULES.length,
        names: names.join(', '),
        unknown: result.unknown,
      }),
      evidence: links.map((l) => evidenceOf(l, true)),
    });
  }
  spam.sort((a, b) => b.fired - a.fired || a.domain.localeCompare(b.domain));
  return { flags, spam };
}

// ---- all together -----------------------------------------------------------------------

/** Every flag of a page, with the per-link index and the per-domain spam rules. */
export function findFlags(input: FlagInput): FlagReport {
  const spam = spamFlags(input);
  const flags = [
    ...findReciprocal(input),
    ...findLinkFarms(input),
    ...findLinkHubs(input),
    ...findSitewide(input),
    ...findPaidLinks(input),
    ...findAnchorOverOptimization(input),
    ...findBursts(input),
    ...spam.flags,
  ];
  return reportOf(flags, spam.spam);
}

/** The counts of flags already found (findFlags, addSiteFlags). */
export function countsOf(flags: readonly Pick<Flag, 'kind' | 'severity'>[]): FlagCounts {
  const kinds: Partial<Record<FlagKind, number>> = {};
  for (const f of flags) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  return { kinds, risks: flags.filter((f) => f.severity === 'risk').length };
}

/** The counts findFlags would give, found by the same detectors without building the flags. */
export function countFlags(input: FlagInput): FlagCounts {
  const paid = paidGroups(input);
  const spammy = linkingSites(input).filter(
    ([domain, , pages]) => spamSignalsOf(domain, pages, false).fired >= SPAM_RULES_TO_FLAG,
  );
  const pageBursts = detectBursts(input.links.filter(fromOtherSites(input)), input.now);
  const kinds: Partial<Record<FlagKind, number>> = {
    reciprocal: reciprocalPairs(input).length,
    'link-farm': farmCliques(input).cliques.length,
    'link-hub': hubGroups(input).size,
    sitewide: sitewideDomains(input).length,
    'paid-undeclared': paid.undeclared.size,
    'paid-declared': paid.declared.size,
    'anchor-over-optimization': overOptimized(input) ? 1 : 0,
    burst: pageBursts.length + siteBurstsOf(input, pageBursts).length,
    'spam-signals': spammy.length,
  };
  for (const kind of FLAG_KINDS) if (kinds[kind] === 0) delete kinds[kind];
  const all = Object.values(kinds).reduce((a, n) => a + n, 0);
  return { kinds, risks: all - (kinds['paid-declared'] ?? 0) };
}

/**
 * The report of findFlags with the site's links (`siteLinks`), from one found without them: the
 * site's bursts added where findFlags lists them. What the page's flags need is read long before
 * the whole site's links, so its one-line summary need not wait for them.
 */
export function addSiteFlags(report: FlagReport, input: FlagInput): FlagReport {
  const bursts = report.flags.filter((f) => f.kind === 'burst');
  const site = capEvidence(findSiteBursts(input, bursts));
  if (site.length === 0) return report;
  const at = report.flags.findIndex((f) => f.kind === 'spam-signals');
  const flags = [...report.flags];
  flags.splice(at < 0 ? flags.length : at, 0, ...site);
  return { ...report, flags, risks: report.risks + site.length };
}

/** Flags with their evidence cut to MAX_EVIDENCE, and how many were left out. */
function capEvidence(flags: readonly Flag[]): Flag[] {
  return flags.map((f) =>
    f.evidence.length <= MAX_EVIDENCE
      ? f
      : {
          ...f,
          evidence: f.evidence.slice(0, MAX_EVIDENCE),
          more: f.evidence.length - MAX_EVIDENCE,
        },
  );
}

/** The per-link index, the count of risks and the capped evidence of a page's flags. */
function reportOf(flags: readonly Flag[], spam: DomainSpam[]): FlagReport {
  const byLink = new Map<string, FlagKind[]>();
  for (const flag of flags) {
    for (const e of flag.evidence) {
      if (!e.key) continue;
      const kinds = byLink.get(e.key) ?? [];
      if (!kinds.includes(flag.kind)) kinds.push(flag.kind);
      byLink.set(e.key, kinds);
    }
  }
  return {
    flags: capEvidence(flags),
    byLink,
    risks: flags.filter((f) => f.severity === 'risk').length,
    spam,
  };
}

/** The stored risk line of `input` (see RiskSummary), as findFlags would count it. */
export function summarizeRisk(input: FlagInput, complete: boolean): RiskSummary {
  const { kinds } = countFlags(input);
  delete kinds.burst;
  const external = (links: readonly LinkRecord[]) => links.filter(fromOtherSites(input));
  return {
    kinds,
    complete,
    firstSeen: {
      page: burstTimes(external(input.links), input.now),
      site: input.siteLinks ? burstTimes(external(input.siteLinks), input.now) : null,
    },
  };
}

/**
 * What a stored risk line rests on, as keys a write is matched against: 'p:<domain>' for the
 * domains whose pages' writes change an input (the target's own, every linking domain: their
 * pages, page counts, outbound links and links to each other), 't:<domain>' for the domains
 * whose inbound links are read (the target's site, and the domains of its redirects and
 * variants). A write by a page of another domain, linking elsewhere, changes nothing here.
 */
export function riskWatchOf(input: FlagInput): string[] {
  const pages = new Set([input.target.domain]);
  const targets = new Set([input.target.domain]);
  for (const l of input.links) {
    pages.add(l.sourceDomain);
    targets.add(l.targetDomain);
  }
  return [...[...pages].map((d) => `p:${d}`), ...[...targets].map((d) => `t:${d}`)];
}
