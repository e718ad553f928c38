import { computed, signal, type Signal } from '@preact/signals';
import {
  summarizeBacklinks,
  summarizeSite,
  type BacklinkSummary,
  type BacklinkView,
  type SiteSummary,
} from '../core/summary';
import type { LinkRecord, PageRecord, Settings } from '../core/types';
import type { PageProfile } from '../core/profile';
import { profileTargetOf, type ProfileTarget } from '../core/profile-basics';
import type { LinkQuality, QualityScores } from '../core/quality';
import type { RedirectChain } from '../core/redirects';
import {
  foldChoices,
  withFold,
  type FoldChoice,
  type FoldGroup,
  type VariantCount,
} from '../core/variants';
import {
  loadAuthority,
  loadPages,
  loadSiteLinks,
  loadSiteStats,
  loadVariants,
  SITE_LINK_LIMIT,
  type BacklinkReport,
  type Folds,
} from '../storage/queries';
import type { AuthorityView } from '../core/authority-view';
import { FLAG_KINDS, type FlagCounts } from '../core/flag-counts';
import { HOT_SITE_LINKS } from '../core/site-stats';
import { getDb } from '../platform/db-connection';
import { hotByHint } from '../storage/hot-targets';
import { canonicalizeUrl } from '../core/url';
import { holdRecording } from '../platform/write-gate';
import type { FlagView } from '../storage/flags';
// Scoring, flags and relevance: their code is loaded after the first render (ui/later.ts).
import { loadFlags, loadLater, loadRelevance, startFlagReads } from './later';
import {
  loadRiskLine,
  RISK_SUMMARY_MIN_LINKS,
  viewOfRiskLine,
  type RiskLine,
} from '../storage/risk-line';
import { loadSettings } from '../platform/settings-store';
import { send } from '../platform/messaging';
import { updateSettings } from '../platform/settings-store';
import { loadOutreach, loadReferrals, outreachWanted, referralState } from './referral-model';
import {
  LOCAL_PROVENANCE,
  mergeProvenance,
  type MergedLinks,
  type ProvenancedLinks,
} from '../core/provenance';
import type { LookupKind } from '../core/index-protocol';
import type { BacklinkDb } from '../storage/db';
import { loadLocalReport } from '../sources/local';
import type { SourceResult, SourceTotals } from '../sources/types';
import type { ProviderMetric } from '../sources/providers/types';
import { t, tn, type MessageKey } from '../core/i18n';
import { loadFirstState, prepareHead } from './head-state';

export type ReportState =
  | { status: 'loading' }
  | { status: 'unsupported'; url: string }
  | { status: 'error'; message: string }
  | {
      status: 'ready';
      url: string;
      page: PageRecord | null;
      summary: BacklinkSummary;
      /**
       * Figures and charts of the page's backlink profile, as of when the report was read; null
       * in the first render of a hot page (`head`), which has not read every link, and until
       * the profile's code is in (addProfile).
       */
      profile: PageProfile | null;
      /** Where this URL itself redirects. */
      redirect: RedirectChain | null;
      variants: VariantCount[];
      folded: FoldGroup[];
      /** The fold and unfold buttons to offer. */
      choices: FoldChoice[];
      /** Set when this is the whole site's report (links from other sites into any of its pages). */
      site?: { domain: string; complete: boolean };
      /**
       * Set in the first render of a hot page (ui/head-state.ts): `summary.groups` holds the
       * groups shown only; these are the counts of all groups, until the full read.
       */
      head?: { groups: number; liveGroups: number };
    };

/** The report of the page itself, or of its whole site (registrable domain). */
export type Scope = 'page' | 'site';

export interface Notice {
  text: string;
  error?: boolean;
}

export const reportState = signal<ReportState>({ status: 'loading' });
/** Links into the page's whole site: loaded after the page's own report, null until then. */
export const siteState = signal<SiteSummary | null>(null);
/** Stored authority of the page, its domain and its sources: loaded after the report. */
export const authorityState = signal<AuthorityView | null>(null);
/** Which report is shown: the page's (default) or its whole site's. */
export const scopeState = signal<Scope>('page');
/** The whole site's report, built when first asked for (null until then). */
export const siteReportState = signal<ReportState | null>(null);
/** The report shown under the current scope. */
export const shownReport = computed<ReportState>(() =>
  scopeState.value === 'site' && siteReportState.value ? siteReportState.value : reportState.value,
);
/** Links into a site as loadSiteLinks reads them. */
type SiteLinks = { domain: string; links: LinkRecord[]; complete: boolean };
/**
 * The site's links for the site's report and the flags: read once, when first wanted (the site
 * line comes from the site's aggregate), by the load that found the site.
 */
let loadedSite: (() => Promise<SiteLinks | null>) | null = null;

/** Where a remote source stands for the report shown: asking, answered, or failed (in words). */
export type RemoteStatus =
  | { id: string; status: 'loading' }
  | {
      id: string;
      status: 'answered';
      name: string;
      links: number;
      totals?: SourceTotals;
      /** A service's own figures (DR, DA, TF…), shown by ProviderMetrics. */
      metrics?: readonly ProviderMetric[];
    }
  | { id: string; status: 'failed'; name: string; message: string };

/** The remote sources the user turned on, for the page's report; empty when none is. */
export const remoteState = signal<readonly RemoteStatus[]>([]);
/**
 * Who knows each link of the page's report (core/types#linkKey → "this browser", index
 * names): null until a remote source answered, so a local-only popup is unchanged.
 */
export const provenanceState = signal<ReadonlyMap<string, readonly string[]> | null>(null);
/** The same for the whole site's report: its links into any page of the site ('domain'). */
export const siteProvenanceState = signal<ReadonlyMap<string, readonly string[]> | null>(null);
/** The remote sources' outcome for the whole site's report. */
export const siteRemoteState = signal<readonly RemoteStatus[]>([]);
/** Who knows each link of the report shown (the page's or the whole site's). */
export const shownProvenance = computed(() =>
  scopeState.value === 'site' && siteReportState.value
    ? siteProvenanceState.value
    : provenanceState.value,
);

/** Risk flags of the page's links, or why they could not be read. */
export type FlagsState = { status: 'ready'; view: FlagView } | { status: 'error'; message: string };
/** Risk flags: computed after the report, authority and site view, null until then. */
export const flagsState = signal<FlagsState | null>(null);
/** The load (generation) whose flags were computed and shown: a stored line must not replace them. */
let flagsComputed = 0;
/** The outcome of the last action the user started in the report (folding variants). */
export const notice = signal<Notice | null>(null);
/** Relevance of the report's links (linkKey → 0–1, null not known): null until it is computed. */
export const relevanceState = signal<ReadonlyMap<string, number | null> | null>(null);
/**
 * Quality of the report's links (core/quality.ts): null until the first scoring, which runs
 * after the list is shown, and again when authority or relevance arrives.
 */
export const qualityState = signal<QualityScores | null>(null);

/** The quality of one link of the report shown; undefined until it is scored. */
export const qualityOf = (link: BacklinkView): LinkQuality | undefined =>
  qualityState.value?.of(link);

/**
 * Score the shown report's links (the page's or the site's) from what is loaded so far: what is
 * missing counts as not known yet.
 */
export function scoreReport(): Promise<void> {
  if (shownReport.value.status !== 'ready') return Promise.resolve();
  // The scoring's code comes after the first render: what is shown once it is in is scored.
  return loadLater().then(
    ({ scoreBacklinks, describeAnchorTarget }) => {
      const state = shownReport.value;
      if (state.status !== 'ready') return;
      const target = profileTargetOf(state.url, state.page, state.summary);
      qualityState.value = scoreBacklinks(state.summary, {
        authority: authorityState.value,
        relevance: relevanceState.value,
        anchorTarget: describeAnchorTarget(target),
      });
    },
    // Scores are an extra: the rows stand without them, as when authority cannot be read.
    (error: unknown) => console.error('Backlink Lens could not load the scoring:', error),
  );
}

/** Take the relevance of the report's links (as loaded for it) and score them again. */
export function setRelevance(relevance: ReadonlyMap<string, number | null>): void {
  relevanceState.value = relevance;
  scoreReport();
}

/** The page's summary: its profile follows (addProfile). */
const summarizeReport = (report: BacklinkReport): BacklinkSummary =>
  summarizeBacklinks(
    report.links,
    report.sources,
    { via: report.via, domain: report.page?.domain ?? null },
    report.domainAuthority,
  );

/**
 * Build the profile of the report in `shown` once its code is in: core/profile comes with the
 * later chunk (fetched while the first read is served), not before the first paint (issue 7).
 * Until then the report keeps the profile it had, if any; one whose links changed meanwhile
 * has its own call.
 */
function addProfile(shown: Signal<ReportState | null>, target: ProfileTarget): void {
  const state = shown.value;
  if (state?.status !== 'ready') return;
  const { summary } = state;
  loadLater().then(
    ({ summarizeProfile }) => {
      const now = shown.value;
      if (now?.status !== 'ready' || now.summary !== summary) return;
      shown.value = { ...now, profile: summarizeProfile(summary, target, Date.now()) };
    },
    // The profile is an extra: the rows stand without it, as without scores.
    (error: unknown) => console.error('Backlink Lens could not load the profile:', error),
  );
}

/**
 * Bumped by each loadReport. The popup loads again on fold and unfold while the first load may
 * still be reading authority, referrals or flags: a read that ends after a newer load began is
 * dropped, or the older link set's flags and scores would land on the newer list.
 */
let generation = 0;

/** An extra of the report (site links, referrals) could not be read: the list stands, said so. */
function noteMissing(what: MessageKey, error: unknown): void {
  console.error(`Backlink Lens could not read an extra (${what}):`, error);
  notice.value = { text: t(what, { message: messageOf(error) }), error: true };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Rows a screen shows at first: so many referring domains, so many links of each. */
export interface ShownRows {
  domains: number;
  perDomain: number;
}

/** The popup's rows (showRows); null: every row counts as shown (the report page's table). */
let shownRows: ShownRows | null = null;

/** Say which rows the screen shows first: their sources' authority is read before the others'. */
export function showRows(rows: ShownRows): void {
  shownRows = rows;
}

/** The report page's table: how many rows it shows first (null: no table). */
let tableRows: number | null = null;

/** Say that the screen is a table showing `rows` rows first: a hot page's come from its head. */
export function showTableRows(rows: number): void {
  tableRows = rows;
}

interface AuthorityKeys {
  sources: string[];
  domains: string[];
}

/**
 * The linking pages and domains of the rows shown (the first `shown.domains` groups, their
 * first `shown.perDomain` links, and as many live ones for when lost links are hidden), and
 * those of every other row. With no `shown`, every row is shown.
 */
export function splitByShown(
  summary: BacklinkSummary,
  shown: ShownRows | null,
): [AuthorityKeys, AuthorityKeys] {
  const groups = shown ? summary.groups.slice(0, shown.domains) : summary.groups;
  const rowsOf = (links: BacklinkView[]) =>
    shown
      ? [
          ...links.slice(0, shown.perDomain),
          ...links.filter((l) => l.lostAt === null).slice(0, shown.perDomain),
        ]
      : links;
  const sources = new Set(groups.flatMap((g) => rowsOf(g.links)).map((l) => l.source));
  const domains = new Set(groups.map((g) => g.domain));
  const others = summary.groups.flatMap((g) => g.links).map((l) => l.source);
  return [
    { sources: [...sources], domains: [...domains] },
    {
      sources: [...new Set(others)].filter((u) => !sources.has(u)),
      domains: summary.groups.map((g) => g.domain).filter((d) => !domains.has(d)),
    },
  ];
}

/** Add scores read later (other rows, the site's pages) to those shown: the first read wins. */
function addAuthority(more: AuthorityView): void {
  const now = authorityState.value;
  if (!now) return;
  authorityState.value = {
    ...now,
    sources: { ...more.sources, ...now.sources },
    sourceDomains: { ...more.sourceDomains, ...now.sourceDomains },
  };
}

/**
 * Opened on the whole site (?scope=site): until the site's links are read, its report is
 * loading; the page's report under the site switch would pass for the site's.
 */
function markSiteLoading(): void {
  if (scopeState.value === 'site' && !siteReportState.value) {
    siteReportState.value = { status: 'loading' };
  }
}

/** Whether two risk lines count the same flags of each kind. */
const sameCounts = (a: FlagCounts, b: FlagCounts): boolean =>
  a.risks === b.risks && FLAG_KINDS.every((k) => (a.kinds[k] ?? 0) === (b.kinds[k] ?? 0));

/**
 * The target's domain as profileTargetOf will find it, before the summary is built: its page's,
 * else that of a link straight to it (not through a redirect or variant), else its host.
 */
function targetDomainOf(report: BacklinkReport): string {
  const direct = report.links.find((l) => report.via[l.target] === undefined);
  return report.page?.domain ?? direct?.targetDomain ?? new URL(report.url).hostname;
}

/**
 * The page's stored risk line (storage/risk-summary.ts), one get beside the head's read: shown
 * as soon as it is read, with its age when stale, unless the flags of this load are in already.
 * A line that cannot be read is only the slower way: the flags are computed all the same.
 */
function showStoredRisk(
  db: BacklinkDb,
  url: string,
  folds: Folds,
  mine: number,
  current: () => boolean,
): Promise<RiskLine | null> {
  return loadRiskLine(db, url, folds)
    .then((line) => {
      if (line && current() && flagsComputed !== mine) {
        flagsState.value = { status: 'ready', view: viewOfRiskLine(line) };
      }
      return line;
    })
    .catch(() => null);
}

/**
 * Ask the worker to build the aggregates of these pages and of their site (background/badge.ts
 * #onBuildStats) for the next screen. An optimisation: when it fails, that screen reads more.
 */
function askStatsBuild(targets: string[]): void {
  void Promise.resolve()
    .then(() => send({ type: 'stats/build', targets }))
    .catch(() => undefined);
}

/**
 * After a page's flags had to be computed from every link: ask the worker to store its line
 * for the next popup. An optimisation: when it fails, the next popup computes again.
 */
function askRiskBuild(report: BacklinkReport, stored: RiskLine | null): void {
  if (stored?.current || report.links.length < RISK_SUMMARY_MIN_LINKS) return;
  void Promise.resolve()
    .then(() => send({ type: 'risk/build', url: report.url }))
    .catch(() => undefined);
}

/**
 * A step of the load on the page's performance timeline ("bl:" + name): which path it took
 * (a hot page's head first or not) and when each read ended, for test/bench/quality.ts.
 */
const markStep = (name: string): void => void performance.mark(`bl:${name}`);

/** Longest the full read waits for the authority of a hot page's shown rows (ms). */
export const HEAD_AUTHORITY_WAIT_MS = 250;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once what is rendered now is painted (a page not shown paints no frame: 100 ms). */
const afterPaint = (): Promise<void> =>
  typeof requestAnimationFrame === 'function'
    ? Promise.race([
        new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r))),
        delay(100),
      ])
    : delay(0);

/**
 * Read the backlinks of one URL straight from IndexedDB: no worker round trip. `settings`: the
 * settings as a screen's entry began reading them, before it knew the URL (the popup asks the
 * active tab first); read here when not given.
 */
export async function loadReport(url: string, settings?: Promise<Settings>): Promise<void> {
  // Recording waits while the screen reads (bounded): see platform/write-gate.ts.
  const letRecordingGo = holdRecording();
  const mine = ++generation;
  const current = () => mine === generation;
  try {
    // The settings once for the whole load: the head, the full read and the stored risk line
    // each need the folds, the outreach hints the related pages. Read side by side with the
    // connection's opening.
    const [db, { folds, relatedPages }] = await Promise.all([getDb(), settings ?? loadSettings()]);
    const storedRisk = showStoredRisk(db, url, folds, mine, current);
    // Another page's scores and relevance must not show on this one's links.
    const forgetOtherPage = (shown: string | undefined) => {
      const previous = reportState.value;
      if (previous.status !== 'ready' || previous.url !== shown) {
        relevanceState.value = null;
        qualityState.value = null;
      }
    };
    // Set once the full read's authority is shown: the head's, if later, must not replace it.
    let fullAuthority = false;
    // The rows a hot page shows first (the popup's groups, the table's first rows), from its
    // aggregates; the full read follows. A page without aggregates is read whole at once, in
    // the same transaction. A first read that fails is only a slower first render: the full
    // read says what is wrong.
    const headRows = shownRows ?? (tableRows !== null ? { domains: 0, rows: tableRows } : null);
    const firstRead = headRows ? loadFirstState(db, url, folds, headRows).catch(() => null) : null;
    // The scoring's code is fetched while IndexedDB serves a first read of rounds (a page with
    // no aggregate): the quality badges need it right after the rows. A page the hint names hot
    // is read in one get, whose answer the fetch held back (its preload's link elements: 5.5 ms
    // of the main thread between the get and its answer, 100k hot popup, s23): fetched by its
    // first scoring, once its rows are painted.
    if (!headRows || !hotByHint(db, canonicalizeUrl(url) ?? url)) {
      loadLater().catch(() => undefined); // a failed fetch is tried again by scoreReport
    }
    const first = await firstRead;
    const head = first && 'head' in first ? first.head : null;
    markStep(head ? 'head-read' : 'head-none');
    if (!current()) return;
    if (head?.status === 'ready') {
      forgetOtherPage(head.url);
      markSiteLoading();
      // The shown rows' authority (and the page's, in the header) is asked for once they are
      // painted, and the full read waits for it: asked beside the full read, its answer came
      // after thousands of the full read's (test/bench/quality.ts prints the steps).
      const [shown] = splitByShown(head.summary, shownRows);
      // A request per linking page (182 for the popup's 30 groups, 240 for the table's 200 rows)
      // queued before the render held the rows back (18-138 ms, loaded; the popup's with its
      // tab's entry shown, s16: 1.3 s from the entry to its 30 groups at 1M). The report table
      // paints twice: its first screen, then the rest of its first page (ui/after-paint.ts);
      // asked between the two, the requests and their answers held those rows back (boot-hot:
      // 250 requests before the 200th row, 8). The popup asks after one paint: its groups below
      // the fold render in the task after its first commit (ui/after-paint.ts#useNextTask),
      // most often before that paint.
      reportState.value = head;
      await afterPaint();
      if (!shownRows) await afterPaint();
      if (!current()) return;
      const authorityShown = loadAuthority(
        db,
        head.url,
        head.page?.domain ?? null,
        shown.sources,
        shown.domains,
      )
        .then((authority) => {
          markStep('head-authority-read');
          if (!current() || fullAuthority) return;
          authorityState.value = authority;
          scoreReport();
        })
        .catch(() => undefined); // the full read's extras read it again
      // The rows are on screen: the full read that follows need not hold recording back.
      letRecordingGo();
      // Their scores need no other link: scored at once, and again with their authority.
      setTimeout(scoreReport, 0);
      // A while at most: the authority job storing its scores holds the read back.
      await Promise.race([authorityShown, delay(HEAD_AUTHORITY_WAIT_MS)]);
      if (!current()) return;
    }
    const report = first && 'report' in first ? first.report : await loadLocalReport(url, folds);
    markStep('full-read');
    if (!current()) return;
    // A current stored line is the risk line (read long before this): the flags, which mark
    // the rows, then wait their turn after the authority and site reads.
    const stored = await storedRisk;
    if (report) askRiskBuild(report, stored);
    // The flags' reads before the summary is built and rendered: the risk line waits on them.
    const earlyFlags =
      report && !stored?.current
        ? startFlagReads(db, targetDomainOf(report), report.links, report.sources)
        : undefined;
    // Where a first popup's risk line waits (test/bench/quality.ts): the full read, these, counts.
    void earlyFlags?.reads.then(
      () => markStep('flag-reads'),
      () => undefined,
    );
    forgetOtherPage(report?.url);
    markSiteLoading();
    const full = report && summarizeReport(report);
    reportState.value =
      report && full
        ? {
            status: 'ready',
            url: report.url,
            page: report.page,
            summary: full,
            profile: null,
            redirect: report.redirect,
            variants: report.variants,
            folded: report.folded,
            choices: foldChoices(report.url, report.variants, report.folded),
          }
        : { status: 'unsupported', url };
    if (report && full) addProfile(reportState, profileTargetOf(report.url, report.page, full));
    // Read in full: the worker builds what the next popup of a hot page needs to read less.
    if (report && headRows && !head) prepareHead(report);
    // Variants the first read left out, read beside the extras (a fold's notice waits for them).
    const variantsShown =
      report && first && 'report' in first && first.variantsLater
        ? showVariantsLater(db, report, current)
        : null;
    // Scores come from the background job's last run; the list does not wait for them.
    if (report) {
      // Link quality at once after the list is rendered (Preact renders on a microtask, this
      // runs on the next task), authority counted as not known yet until it is read.
      setTimeout(scoreReport, 0);
    }
    // The page's extras (authority, relevance, visits) and its neighbourhood (the whole site,
    // flags, outreach) are read side by side after the list, each shown when it arrives.
    const pageExtras = async (report: BacklinkReport, summary: BacklinkSummary): Promise<void> => {
      // A page never visited has no record: its domain is on the links to it.
      const domain =
        report.page?.domain ??
        report.links.find((l) => l.target === report.url)?.targetDomain ??
        null;
      // The rows on screen first: thousands of keyed reads would hold their scores back.
      const [first, rest] = splitByShown(summary, shownRows);
      // A hot page's rows have their authority from the head: the flags' reads go first.
      if (head?.status === 'ready') await earlyFlags?.reads.catch(() => undefined);
      if (!current()) return;
      // Scores are an extra: if they cannot be read, the report stands without them.
      const authority = await loadAuthority(
        db,
        report.url,
        domain,
        first.sources,
        first.domains,
      ).catch(() => null);
      markStep('full-authority-read');
      if (!current()) return;
      fullAuthority = true;
      authorityState.value = authority;
      // Again, with authority, and with relevance once the pages' terms are compared.
      scoreReport();
      // The source pages were read with the report: only the target's terms are read again.
      const relevance = await loadRelevance(db, report.url, report.links, {
        ...report.sources,
        ...(report.page ? { [report.url]: report.page } : {}),
      }).catch(() => null);
      if (!current()) return;
      if (relevance) setRelevance(relevance);
      // Visits sent by links, an extra too: the list stands without them.
      const referrals = await loadReferrals(db, report).catch((error: unknown) => {
        if (current()) noteMissing('missing_referrals', error);
        return null;
      });
      if (!current()) return;
      referralState.value = referrals;
      // The other rows' authority last (a table sorted by score, lost links shown or hidden).
      if (authority && rest.sources.length + rest.domains.length > 0) {
        const more = await loadAuthority(db, report.url, null, rest.sources, rest.domains).catch(
          () => null,
        );
        if (!current()) return;
        if (more) addAuthority(more);
        scoreReport();
      }
    };
    const neighbourhood = async (summary: BacklinkSummary | null): Promise<void> => {
      // The site-wide view can be large (a popular site): it must not delay the page's own list.
      // An extra as well: without it there is no site switch, and the flags are read all the same.
      // Its links are read once, when first wanted: the site's report, flags that need the
      // site's bursts, outreach; the site line reads the site's aggregate, not its links.
      let siteLinksRead: Promise<SiteLinks | null> | null = null;
      const siteLinks = (): Promise<SiteLinks | null> => {
        if (siteLinksRead) return siteLinksRead;
        siteLinksRead = loadSiteLinks(db, url, SITE_LINK_LIMIT, report?.links ?? []);
        // Each reader handles a failure its own way; this copy must not be an unhandled one.
        siteLinksRead.catch((error: unknown) => {
          if (current()) noteMissing('missing_site_links', error);
        });
        return siteLinksRead;
      };
      // Asked after the flags' own reads, which the risk line waits on (one queue serves both).
      const siteRead = report
        ? Promise.resolve(earlyFlags?.reads.catch(() => undefined))
            .then(() => loadSiteStats(db, url))
            .catch(() => null) // then from its links, as a site without an aggregate
            .then(async (stats) => {
              if (stats) return stats;
              const site = await siteLinks().catch(() => null);
              // Many links and no aggregate yet: the worker builds it for the next screen.
              if (site && site.links.length >= HOT_SITE_LINKS) askStatsBuild([report.url]);
              return site && summarizeSite(site.domain, site.links, 10, site.complete);
            })
        : Promise.resolve(null);
      // Flags are shown for a page with links only (Report.tsx); they read the neighbourhood
      // of the page's links while the site's line is read, not after.
      const target = report && summary && report.links.length > 0 ? report : null;
      const flagTarget = target && profileTargetOf(target.url, target.page, summary!);
      // Their reads once: a second computation (with the site's bursts, below) uses them again.
      const flagReads =
        flagTarget &&
        (earlyFlags?.domain === flagTarget.domain
          ? earlyFlags
          : startFlagReads(db, flagTarget.domain, target!.links, target!.sources));
      const flagsOf = (site: PromiseLike<LinkRecord[] | undefined>) =>
        loadFlags(
          db,
          flagTarget!,
          target!.links,
          target!.sources,
          site,
          Date.now(),
          // The page's own flags first: the risk line need not wait for the whole site. A
          // current stored line says all these would: kept until the flags are whole.
          stored?.current
            ? undefined
            : (view) => {
                if (!current()) return;
                flagsComputed = mine;
                flagsState.value = { status: 'ready', view };
              },
          flagReads ?? undefined,
        );
      // Without the site's bursts if its links cannot be read (noted by siteLinks).
      const withSite = () =>
        flagsOf(
          siteLinks().then(
            (site) => site?.links,
            () => undefined,
          ),
        );
      // A current stored line counted the site's bursts: the site's links are read only if it
      // says there are some the page's own links do not make (the counts then differ).
      const flagsRead = target
        ? (stored?.current
            ? flagsOf(Promise.resolve(undefined)).then((view) =>
                sameCounts(view.counts, stored.counts) ? view : withSite(),
              )
            : withSite()
          ).then(
            (view): FlagsState => ({ status: 'ready', view }),
            (error: unknown): FlagsState => ({ status: 'error', message: String(error) }),
          )
        : null;
      const site = await siteRead;
      if (!current()) return;
      loadedSite = site && siteLinks;
      if (site) siteState.value = site;
      // Rebuilt in place when shown, so a reload (fold, unfold) does not flash the page's report.
      if (site && scopeState.value === 'site') await loadSiteReport();
      else siteReportState.value = null;
      if (!current()) return;
      if (flagsRead) {
        const flags = await flagsRead;
        if (!current()) return;
        flagsComputed = mine;
        flagsState.value = flags;
      }
      // Outreach hints are an extra of the report page: the list stands without them, said so.
      if (report) {
        // Its site hints need the site's links: read for the report page, not the popup.
        const forOutreach = site && outreachWanted() ? await siteLinks().catch(() => null) : null;
        if (!current()) return;
        await loadOutreach(db, report, forOutreach, relatedPages, current).catch(
          (error: unknown) => {
            if (current()) noteMissing('missing_outreach', error);
          },
        );
      }
    };
    const ready = reportState.value;
    const summary = ready.status === 'ready' ? ready.summary : null;
    const [, , merged] = await Promise.all([
      report && summary && pageExtras(report, summary),
      neighbourhood(summary),
      report ? mergeRemote(report, current) : null,
      variantsShown,
    ]);
    // Flags over every link once the local ones are shown: never before, so neither the
    // first render nor the risk line waits on a remote source.
    if (report && merged && current()) await flagMerged(db, report, merged, current);
  } catch (error) {
    if (current()) reportState.value = { status: 'error', message: String(error) };
  } finally {
    letRecordingGo();
  }
}

/** One remote source's outcome as shown; null for a source the user has not turned on. */
function remoteStatusOf(id: string, result: SourceResult): RemoteStatus | null {
  switch (result.status) {
    case 'off':
      return null;
    case 'failed':
      return { id, status: 'failed', name: result.name, message: result.message };
    case 'answered':
      return {
        id,
        status: 'answered',
        name: result.answer.name,
        links: result.answer.links.length,
        totals: result.answer.totals,
        metrics: result.answer.metrics,
      };
  }
}

/** How long a remote source may take before its "asking" line shows. */
const ASKING_LINE_DELAY = 250;

/**
 * Ask the other sources (the remote index) about a page ('url') or its whole site ('domain')
 * while the local links are shown, and merge each answer as it arrives: every link once, with
 * who knows it. `show` takes the merged links after each answer; `statuses` says where each
 * source stands, one line each. A source that fails leaves the links as they were.
 * Resolves to the last merge, or null when no source answered.
 */
async function mergeSources(
  kind: LookupKind,
  url: string,
  local: readonly LinkRecord[],
  current: () => boolean,
  statuses: Signal<readonly RemoteStatus[]>,
  show: (merged: MergedLinks) => void,
): Promise<MergedLinks | null> {
  // Only the sources that are on: one read of the switches, not a message to each. Loaded after
  // the first render: the remote index's protocol brings the Public Suffix List (250 KB).
  const { remoteSources } = await import('../sources/registry');
  const sources = await remoteSources();
  if (!current()) return null;
  // A source that is off says so at once; one still asking after a moment gets its line, so the
  // sources a person never turned on never flash "asking".
  const pending = new Set(sources.map((s) => s.id));
  statuses.value = [];
  const asking = setTimeout(() => {
    if (!current()) return;
    statuses.value = [
      ...statuses.value,
      ...[...pending].map((id) => ({ id, status: 'loading' as const })),
    ];
  }, ASKING_LINE_DELAY);
  const answers: ProvenancedLinks[] = [{ name: LOCAL_PROVENANCE, links: local }];
  let merged: MergedLinks | null = null;
  try {
    await Promise.all(
      sources.map(async (source) => {
        const result = await source.lookup(kind, url);
        pending.delete(source.id);
        if (!current()) return;
        const status = remoteStatusOf(source.id, result);
        statuses.value = [
          ...statuses.value.filter((s) => s.id !== source.id),
          ...(status ? [status] : []),
        ];
        if (result.status !== 'answered') return;
        answers.push(result.answer);
        merged = mergeProvenance(answers);
        show(merged);
      }),
    );
  } finally {
    clearTimeout(asking);
  }
  return merged;
}

/**
 * The page's report with the other sources merged in (mergeSources): counts, profile and
 * quality over every link once. Flags follow when the local ones are done (flagMerged).
 */
async function mergeRemote(
  report: BacklinkReport,
  current: () => boolean,
): Promise<MergedLinks | null> {
  provenanceState.value = null;
  return mergeSources('url', report.url, report.links, current, remoteState, (merged) => {
    const state = reportState.value;
    if (state.status !== 'ready') return;
    const summary = summarizeReport({ ...report, links: merged.links });
    reportState.value = { ...state, summary };
    addProfile(reportState, profileTargetOf(report.url, report.page, summary));
    provenanceState.value = merged.provenance;
    scoreReport();
  });
}

/**
 * The page's flags over its merged links: a remote link counts like a local one, once. Its
 * source page is not stored here, so what the flags read of source pages (robots nofollow,
 * outbound links, pages visited) is not known for it and flags nothing by itself.
 */
async function flagMerged(
  db: BacklinkDb,
  report: BacklinkReport,
  merged: MergedLinks,
  current: () => boolean,
): Promise<void> {
  const state = reportState.value;
  if (state.status !== 'ready') return;
  const flags = await loadFlags(
    db,
    profileTargetOf(report.url, report.page, state.summary),
    merged.links,
    report.sources,
    loadedSite
      ? loadedSite().then(
          (site) => site?.links,
          () => undefined,
        )
      : undefined,
    Date.now(),
  ).then(
    (view): FlagsState => ({ status: 'ready', view }),
    (error: unknown): FlagsState => ({ status: 'error', message: String(error) }),
  );
  if (current()) flagsState.value = flags;
}

/**
 * The variants of a page its first read left out (storage/head.ts, FirstRead): read after its
 * rows are shown, with their fold buttons. An extra: without them the report stands.
 */
async function showVariantsLater(
  db: BacklinkDb,
  report: BacklinkReport,
  current: () => boolean,
): Promise<void> {
  // Asked once the rows are rendered (Preact renders on a microtask), not before.
  await delay(0);
  const variants = current() ? await loadVariants(db, report).catch(() => null) : null;
  const state = reportState.value;
  if (!variants || !current() || state.status !== 'ready' || state.url !== report.url) return;
  const choices = foldChoices(report.url, variants, report.folded);
  reportState.value = { ...state, variants, choices };
}

/**
 * Count a group of the page's variants as the page (on) or apart again (off), remembered for the
 * site in settings, then show the report again. Ends in a notice either way.
 */
export async function setFold(choice: FoldChoice): Promise<void> {
  const state = reportState.value;
  if (state.status !== 'ready') return;
  const { group, moves: affected } = choice;
  const on = !choice.folded;
  try {
    await updateSettings((s) => ({ ...s, folds: withFold(s.folds, state.url, group, on) }));
    await loadReport(state.url);
    notice.value = { text: tn(on ? 'fold_on' : 'fold_off', affected) };
  } catch (error) {
    notice.value = { text: t('fold_failed', { message: String(error) }), error: true };
  }
}

/** Show a site's report from links into it from other sites, summarized and profiled like a page's. */
function showSiteReport(
  site: { domain: string; complete: boolean },
  links: readonly LinkRecord[],
  sources: Readonly<Record<string, PageRecord>>,
): void {
  const home = `https://${site.domain}/`;
  siteReportState.value = {
    status: 'ready',
    url: home,
    page: null,
    summary: summarizeBacklinks([...links], sources),
    profile: null,
    redirect: null,
    variants: [],
    folded: [],
    choices: [],
    site: { domain: site.domain, complete: site.complete },
  };
  addProfile(siteReportState, { url: home, domain: site.domain, title: '' });
}

/**
 * The whole site's report: every live or lost link from another site into any of its pages,
 * summarized and profiled like a page's. Built from the links loadReport already read, then
 * the remote sources' links into the site (kind 'domain') merged in as they answer.
 */
async function loadSiteReport(): Promise<void> {
  const read = loadedSite;
  if (!read) return;
  const mine = generation;
  const current = () => mine === generation && loadedSite === read;
  try {
    const [db, site] = await Promise.all([getDb(), read()]);
    if (!current()) return;
    // No link into the site left (its aggregate outlived them): the page's report stays.
    if (!site) {
      siteReportState.value = null;
      return;
    }
    const links = site.links.filter((l) => l.sourceDomain !== l.targetDomain);
    const sources = await loadPages(db, [...new Set(links.map((l) => l.source))]);
    showSiteReport(site, links, sources);
    siteProvenanceState.value = null;
    // Not awaited: the site's own links and their scores do not wait on a remote source.
    mergeSources('domain', `https://${site.domain}/`, links, current, siteRemoteState, (m) => {
      if (siteReportState.value?.status !== 'ready') return;
      const external = m.links.filter((l) => l.sourceDomain !== l.targetDomain);
      showSiteReport(site, external, sources);
      siteProvenanceState.value = m.provenance;
      scoreReport();
    }).catch((error: unknown) => noteMissing('missing_site_remote', error));
    // The page's authority read covered only the page's sources: the site's other linking
    // pages would show no authority and score as if none had been computed.
    const known = authorityState.value;
    const missing = [...new Set(links.map((l) => l.source))].filter((u) => !known?.sources[u]);
    const missingDomains = [...new Set(links.map((l) => l.sourceDomain))].filter(
      (d) => !known?.sourceDomains?.[d],
    );
    if (missing.length + missingDomains.length > 0) {
      const home = `https://${site.domain}/`;
      const more = await loadAuthority(db, home, null, missing, missingDomains).catch(() => null);
      if (more) addAuthority(more);
    }
    // Scored here, not only by showScope: a report opened on the site builds it in loadReport.
    scoreReport();
  } catch (error) {
    siteReportState.value = { status: 'error', message: String(error) };
  }
}

/** Show the page's report or its whole site's, building the site's the first time. */
export async function showScope(scope: Scope): Promise<void> {
  scopeState.value = scope;
  if (scope === 'site' && !siteReportState.value) await loadSiteReport();
  scoreReport();
}
