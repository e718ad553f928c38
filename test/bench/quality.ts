/**
 * Benchmark: per-link quality scores (core/quality.ts) for a page with 5,000 inbound links, the
 * budget of issue 6 (scores appear within 300 ms after the popup's first render). The baseline
 * is what the popup already pays before its first render for the same links: building the
 * summary (summarizeBacklinks) and the profile (summarizeProfile). Scoring runs after that
 * render, from the loaded summary plus authority (and relevance when it exists); each score is
 * worked out when first read, so rows are timed with every score read (a table sorted by score)
 * and without (the popup, which reads its few rows'). Then the popup in Chromium: the time from
 * its first rendered list to its first quality badge, and to the stored authority's read, after
 * which the badges are scored again.
 *
 * Direct entry: `npx tsx test/bench/quality.ts`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, DIST_DIR, launchWithExtension } from '../support/browser';
import { startSiteServer } from '../support/site-server';
import { POPUP } from '../support/extension-pages';
import { seed } from './popup';
import { summarizeBacklinks, type BacklinkSummary } from '../../src/core/summary';
import {
  describeAnchorTarget,
  profileTargetOf,
  summarizeProfile,
  type AnchorTarget,
} from '../../src/core/profile';
import { scoreBacklinks } from '../../src/core/quality';
import type { AuthorityView } from '../../src/core/authority-view';
import { linkKey, type LinkRecord, type PageRecord } from '../../src/core/types';
import { linkGraph, linkRecord, pageRecord, T0 } from './fixtures';
import {
  check,
  collect,
  heading,
  info,
  measure,
  median,
  pick,
  printTable,
  seededRandom,
  step,
  type Timing,
} from './measure';

const BACKLINKS = 5000;
const BUDGET_MS = 300;
const TARGET = 'https://www.hot-target.com/pour-over-guide';
const ANCHORS = [
  'pour-over guide',
  'click here',
  'Hot Target',
  'hot-target.com',
  '',
  'brewing notes',
];

interface Corpus {
  links: LinkRecord[];
  sources: Record<string, PageRecord>;
  authority: AuthorityView;
  relevance: Map<string, number | null>;
}

/**
 * 5,000 linking pages on sites with 1 to 8 pages each (so some are sitewide), 10 to 2,000
 * outbound links a page, the anchors of real profiles; nine in ten pages and sites scored,
 * relevance known for two links in three.
 */
function generateCorpus(seed: number): Corpus {
  const random = seededRandom(seed);
  const links: LinkRecord[] = [];
  const sources: Record<string, PageRecord> = {};
  const authority: AuthorityView = {
    computedAt: T0,
    page: 40,
    domain: 30,
    sources: {},
    sourceDomains: {},
  };
  let site = 0;
  while (links.length < BACKLINKS) {
    site++;
    const pages = 1 + Math.floor(random() * 8);
    for (let p = 0; p < pages && links.length < BACKLINKS; p++) {
      const page = pageRecord(`https://www.source${site}.com/post/${p}`, {
        outboundCount: 10 + Math.floor(random() ** 3 * 2000),
        robotsNofollow: random() < 0.03,
        robotsNoindex: random() < 0.03,
      });
      sources[page.url] = page;
      links.push(linkRecord(page, TARGET, random, { anchor: pick(random, ANCHORS) }));
      if (random() < 0.9) authority.sources[page.url] = random() * 100;
    }
    if (random() < 0.9) authority.sourceDomains![`source${site}.com`] = random() * 100;
  }
  const relevance = new Map(links.map((l) => [linkKey(l), random() < 0.67 ? random() : null]));
  return { links, sources, authority, relevance };
}

export async function runQuality(): Promise<void> {
  heading(
    'quality',
    `Quality scores for ${BACKLINKS.toLocaleString('en')} inbound links of one page (budget: ${BUDGET_MS} ms ` +
      'after the first render),\nagainst building the summary and profile the popup renders first.',
  );
  const corpus = await step('generate the links (untimed)', () => generateCorpus(6));
  const summarize = (): BacklinkSummary => summarizeBacklinks(corpus.links, corpus.sources);
  const summary = summarize();
  const target = profileTargetOf(TARGET, null, summary);
  const anchorTarget: AnchorTarget = describeAnchorTarget(target);
  const score = (withRelevance: boolean) =>
    scoreBacklinks(summary, {
      authority: corpus.authority,
      relevance: withRelevance ? corpus.relevance : null,
      anchorTarget,
    });
  /** Every score read, as a table sorted by score does (a popup reads only its rows'). */
  const scoreAll = (withRelevance: boolean) => {
    let sum = 0;
    for (const q of score(withRelevance).byKey().values()) sum += q.score;
    return sum;
  };

  // The first scoring in a fresh process, before the JIT has seen the code: what a popup pays.
  const start = performance.now();
  const first = score(true).byKey();
  for (const q of first.values()) void q.score;
  info(
    `first scoring of every link in this process (cold): ${(performance.now() - start).toFixed(1)} ms`,
  );
  check('every link scored', first.size === BACKLINKS, `${first.size} scores`);
  const scores = [...first.values()].map((q) => q.score);
  check(
    'scores within 0–100, parts summing to each',
    [...first.values()].every(
      (q) =>
        q.score >= 0 && q.score <= 100 && q.parts.reduce((a, p) => a + p.points, 0) === q.score,
    ),
    `min ${Math.min(...scores)}, max ${Math.max(...scores)}`,
  );

  const rows = [
    await measure('summary + profile (before the first render)', () =>
      summarizeProfile(summarize(), target, T0 + 90 * 86_400_000),
    ),
    await measure('popup: the 150 rows it shows (30 sites × 5)', () => {
      const scores = score(true);
      let sum = 0;
      for (const group of summary.groups.slice(0, 30)) {
        for (const link of group.links.slice(0, 5)) sum += scores.of(link).score;
      }
      return sum;
    }),
    await measure('every score read: authority, relevance not known', () => scoreAll(false)),
    await measure('every score read: authority and relevance', () => scoreAll(true)),
  ];
  printTable(rows, rows[0]!);
  // Said, not checked: timings never fail the run.
  const all = Math.max(...rows.slice(2).map((r) => r.median));
  info(
    `the popup's rows: median ${rows[1]!.median.toFixed(1)} ms; every score read (a table sorted ` +
      `by score): up to ${all.toFixed(1)} ms (budget ${BUDGET_MS} ms)`,
  );
  await runQualityInChromium();
}

declare global {
  interface Window {
    __benchReport?: number;
    __benchScores?: number;
    __benchAuthority?: number;
    __benchRisk?: number;
    __benchSiteFlags?: number;
  }
}

/**
 * Installed before the popup's scripts: when the list is first rendered, and when the first
 * quality badge appears (scores come after the list). Plain JavaScript text, as in popup.ts.
 */
const WATCH_SCORES = `(() => {
  const observer = new MutationObserver(() => {
    if (window.__benchReport === undefined && document.querySelector('.report .group')) {
      window.__benchReport = performance.now();
    }
    if (window.__benchReport === undefined) return;
    if (window.__benchScores === undefined && document.querySelector('[data-quality]')) {
      window.__benchScores = performance.now();
    }
    if (window.__benchAuthority === undefined && document.querySelector('header.target .authority')) {
      window.__benchAuthority = performance.now();
    }
    if (window.__benchRisk === undefined && document.querySelector('[data-risk-count]')) {
      window.__benchRisk = performance.now();
    }
    if (
      window.__benchSiteFlags === undefined &&
      document.querySelector('[data-risk-count]:not([data-site-pending])')
    ) {
      window.__benchSiteFlags = performance.now();
    }
    if (
      window.__benchScores !== undefined &&
      window.__benchAuthority !== undefined &&
      window.__benchSiteFlags !== undefined
    ) {
      observer.disconnect();
    }
  });
  // Attributes too: the risk line drops data-site-pending in place when the site's bursts are in.
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

/** A store the popup is timed in: a page with BACKLINKS inbound links among `links` in all. */
interface StoreSize {
  name: string;
  /** Linking pages, and links on each (the first BACKLINKS of them link to the page). */
  sources: number;
  linksPerPage: number;
  targets: number;
}

/** The small store, always timed: the baseline of the large one. */
const SMALL: StoreSize = { name: '20,000 links', sources: 5_000, linksPerPage: 4, targets: 2_000 };
/** A year of heavy browsing (issue 6 and 7 budgets): timed under BENCH_SCALE=1m only. */
const LARGE: StoreSize = {
  name: '1,000,000 links',
  sources: 25_000,
  linksPerPage: 40,
  targets: 100_000,
};

interface PopupTimes {
  firstRender: Timing;
  scores: Timing;
  withAuthority: Timing;
  risks: Timing;
  siteFlags: Timing;
}

/**
 * The same in the built extension in Chromium: a store recorded through the worker's write
 * path with a page that has 5,000 backlinks (authority not computed: at a million links the job
 * would take longer than the benchmark, and a missing score costs the same read); the time from the popup's
 * first rendered list to its first quality badge, to the stored authority's read (the badges
 * scored again) and to its risk line (flags), against the time to that first render; in the
 * small store, and with BENCH_SCALE=1m also in a store of 1,000,000 links.
 */
async function runQualityInChromium(): Promise<void> {
  if (!existsSync(CHROMIUM) || !existsSync(join(DIST_DIR, 'manifest.json'))) {
    info(`Chromium part skipped: run npm run build (needs ${CHROMIUM} and dist/manifest.json)`);
    return;
  }
  const large = process.env.BENCH_SCALE === '1m';
  if (!large) info('the 1,000,000-link store is timed with BENCH_SCALE=1m (seeding takes minutes)');
  const small = await timePopupIn(SMALL);
  if (!large) return;
  const big = await timePopupIn(LARGE);
  heading('quality at scale', `The popup in a store of ${LARGE.name} against ${SMALL.name}.`);
  const rows = (t: PopupTimes, size: StoreSize) =>
    rowsOf(t).map((r) => ({
      ...r,
      name: `${size.name}: ${r.name}`,
    }));
  printTable([...rows(small, SMALL), ...rows(big, LARGE)], small.firstRender);
  info(
    `first render at ${LARGE.name}: ${(big.firstRender.median / small.firstRender.median).toFixed(2)}x ` +
      `the ${SMALL.name} store's (budget 1.5x)`,
  );
}

const rowsOf = (t: PopupTimes): Timing[] => [
  t.firstRender,
  t.scores,
  t.withAuthority,
  t.risks,
  t.siteFlags,
];

/**
 * The first popup of a page computes its risk line from every link and asks the worker to store
 * it (storage/risk-summary.ts); the popups timed after read that line. Open the popup until its
 * line says it is the stored, current one (a minute at most).
 */
async function storeRiskLine(
  ext: Awaited<ReturnType<typeof launchWithExtension>>,
  url: string,
): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const page = await ext.context.newPage();
    try {
      await page.goto(ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(url)}`));
      const line = page.locator('[data-risk-count]:not([data-site-pending])');
      await line.waitFor({ timeout: 30_000 });
      if ((await line.getAttribute('data-risk-stored')) === 'current') return;
    } finally {
      await page.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  info('the risk line was not stored within a minute: the popups timed computed it');
}

/** Seed a fresh browser with a store of `size`, then time the popup for its hot page. */
async function timePopupIn(size: StoreSize): Promise<PopupTimes> {
  heading(`quality (Chromium, ${size.name})`, 'The popup for a page with 5,000 inbound links.');
  const graph = await step('generate the links (untimed)', () =>
    linkGraph({ seed: 5_000, perDomain: 5, hotBacklinks: BACKLINKS, ...size }),
  );
  const server = await startSiteServer();
  // A second try: on a busy machine the worker can take longer than the launch waits for.
  const launch = () => launchWithExtension({ sitePort: server.port });
  const ext = await step('launch Chromium with the extension (untimed)', () =>
    launch().catch(launch),
  );
  try {
    let reported = 0;
    const stored = await step(
      `record ${graph.pages.length} pages and ${graph.links.length} links (untimed)`,
      () =>
        seed(ext, graph, (links) => {
          // A long seeding says how far it got, every 100,000 links.
          if (links - reported < 100_000) return;
          reported = links;
          info(`${links.toLocaleString('en')} links recorded`);
        }),
    );
    check(
      'store seeded',
      stored.pages === graph.pages.length && stored.links === graph.links.length,
      `${stored.pages} pages, ${stored.links} links`,
    );
    const open = async () => {
      const page = await ext.context.newPage();
      try {
        await page.addInitScript({ content: WATCH_SCORES });
        await page.goto(ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(graph.hot)}`), {
          waitUntil: 'commit',
        });
        await page.waitForFunction(
          () =>
            window.__benchScores !== undefined &&
            window.__benchAuthority !== undefined &&
            window.__benchSiteFlags !== undefined,
          null,
          { timeout: 60_000 },
        );
        return await page.evaluate(() => ({
          report: window.__benchReport!,
          scores: window.__benchScores!,
          authority: window.__benchAuthority!,
          risk: window.__benchRisk!,
          siteFlags: window.__benchSiteFlags!,
        }));
      } finally {
        await page.close();
      }
    };
    await step('the first popup, and its risk line stored by the worker (untimed)', () =>
      storeRiskLine(ext, graph.hot),
    );
    // One popup gives all four marks: interleaving rows would only reopen it more often.
    const marks: Array<Awaited<ReturnType<typeof open>>> = [];
    const firstRender = await collect('popup: first rendered list (from navigation)', async () => {
      const at = await open();
      marks.push(at);
      return at.report;
    });
    const since = (name: string, of: (at: (typeof marks)[number]) => number): Timing => {
      const samples = marks.slice(-firstRender.samples.length).map((at) => of(at) - at.report);
      return { name, samples, median: median(samples) };
    };
    const times: PopupTimes = {
      firstRender,
      scores: since('popup: first render to quality badges', (at) => at.scores),
      withAuthority: since(
        'popup: first render to stored authority read (badges rescored)',
        (at) => at.authority,
      ),
      risks: since('popup: first render to the risk line (flags read)', (at) => at.risk),
      siteFlags: since(
        "popup: first render to the site's bursts in it (site links read)",
        (at) => at.siteFlags,
      ),
    };
    printTable(rowsOf(times), firstRender);
    info(
      `after the first render: authority ${times.withAuthority.median.toFixed(0)} ms, ` +
        `flags ${times.risks.median.toFixed(0)} ms (budget ${BUDGET_MS} ms each)`,
    );
    return times;
  } finally {
    await ext.close();
    await server.close();
  }
}

// Direct entry: `npx tsx test/bench/quality.ts`; run.ts imports it without running it twice.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runQuality();
