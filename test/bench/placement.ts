/**
 * Benchmark: placement accuracy on real pages (issue 6 §1). The 181 saved news and blog pages
 * of scrapinghub/article-extraction-benchmark (test/fixtures/articles; every corpus's pages are
 * imported by its import.ts, not committed, and a corpus without them is skipped) and a second corpus
 * labelled the same way after the classifier was built, a sample of 329 Dragnet pages
 * (test/fixtures/dragnet, imported, not committed) and a fresh sample of Dragnet held out whole
 * (DRAGNET_FRESH, imported with --fresh), and L3S-GN1 in two halves since s14 (test/fixtures/l3s-gn1,
 * imported, not committed, its assessors' "full text" as the article body), and Mozilla
 * Readability's saved test pages since s15 (test/fixtures/readability, its expected.html as the
 * article), and CleanPortalEval and a quarter of CleanEval final since s16
 * (test/fixtures/cleaneval, imported, not committed, their hand-cleaned text), and trafilatura's
 * evaluation set since s17 (test/fixtures/trafilatura, imported, not committed, labelled from its
 * annotators' strings in and outside the main text by its own import.ts), the others' links
 * labelled editorial or not from the ground-truth article text (label.ts). For the links labelled, the precision and recall
 * of "main" for editorial links, of the landmark-only classifier the extension had before (the
 * frozen pre-session extractor, baseline-extract.ts) and of today's regionResolver, on each
 * corpus's development half (tuned on) and held-out half (only measured). Pages are parsed by
 * happy-dom without scripts, as in the unit test.
 */
import { pathToFileURL } from 'node:url';
import { regionResolver } from '../../src/core/extract';
import { regionResolver as landmarkResolver } from './baseline-extract';
import type { LinkRegion } from '../../src/core/types';
import {
  addScore,
  ARTICLES,
  CLEANEVAL,
  CLEANPORTALEVAL,
  DRAGNET,
  DRAGNET_FRESH,
  emptyScore,
  hasPages,
  L3S_GN1,
  openArticle,
  READABILITY,
  precision,
  quarterOf,
  quartersOf,
  readLabels,
  recall,
  scorePage,
  splitOf,
  summarizePages,
  TRAFILATURA,
  TRAFILATURA_STRINGS,
  type Corpus,
  type Score,
  type Split,
} from '../support/articles';
import { heading, info, step } from './measure';

/** Issue 6: at least this precision and recall for editorial links, on the held-out half. */
const TARGET = { precision: 0.9, recall: 0.85 };

type Classifier = [string, () => (el: Element) => LinkRegion];

/**
 * BENCH_BEFORE=<a worktree of another commit>: that commit's regionResolver is scored on the
 * same parsed pages beside today's, so one run prints a change's before and after.
 */
const BEFORE_DIR = process.env.BENCH_BEFORE;
/**
 * PLACEMENT_DEV_ONLY=1: the development halves only, for tuning; the held-out halves (and
 * corpora held out whole) are neither classified nor printed, so they stay unseen until the
 * one reading at the end.
 */
const DEV_ONLY = Boolean(process.env.PLACEMENT_DEV_ONLY);
const ONLY = process.env.PLACEMENT_CORPUS?.toLowerCase();

const CLASSIFIERS: Classifier[] = [['landmarks only (before issue 6)', landmarkResolver]];
/** Today's classifier, always the last row: the quarters, folds and target read it. */
const NOW: Classifier = ['regionResolver (placement.ts)', regionResolver];

async function loadClassifiers(): Promise<void> {
  if (CLASSIFIERS.includes(NOW)) return;
  if (BEFORE_DIR) {
    const module = (await import(pathToFileURL(`${BEFORE_DIR}/src/core/extract.ts`).href)) as {
      regionResolver: () => (el: Element) => LinkRegion;
    };
    CLASSIFIERS.push(['regionResolver of BENCH_BEFORE', module.regionResolver]);
  }
  CLASSIFIERS.push(NOW);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

const FOLDS = 5;
const RESAMPLES = 2000;

/**
 * The 2.5th and 97.5th percentiles of precision and recall over pages drawn with replacement
 * (a seeded generator, so the bench prints the same interval for the same scores).
 */
export function pageBootstrap(pages: readonly Score[]): {
  precision: [number, number];
  recall: [number, number];
} {
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: enough for resampling, and the same draws every run.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const precisions: number[] = [];
  const recalls: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    const s = emptyScore();
    for (let i = 0; i < pages.length; i++) addScore(s, pages[Math.floor(random() * pages.length)]!);
    precisions.push(precision(s));
    recalls.push(recall(s));
  }
  const bounds = (xs: number[]): [number, number] => {
    xs.sort((a, b) => a - b);
    return [xs[Math.floor(xs.length * 0.025)]!, xs[Math.ceil(xs.length * 0.975) - 1]!];
  };
  return { precision: bounds(precisions), recall: bounds(recalls) };
}

/**
 * Landmark tags (and roles) turned into plain <div>s, attributes and children kept: the page
 * as a site without semantic markup would serve it. The links, and so the labels, stay.
 */
export function stripLandmarks(doc: Document): void {
  for (const el of Array.from(doc.querySelectorAll('[role]'))) el.removeAttribute('role');
  const tags = 'main, article, section, nav, aside, header, footer';
  for (const el of Array.from(doc.querySelectorAll(tags))) {
    const div = doc.createElement('div');
    for (const a of Array.from(el.attributes)) div.setAttribute(a.name, a.value);
    while (el.firstChild) div.appendChild(el.firstChild);
    el.replaceWith(div);
  }
}

/** Scores of every classifier on every page of the corpus's label file, per split. */
export async function scoreArticles(
  filter: (hash: string) => boolean = () => true,
  prepare: (doc: Document) => void = () => {},
  corpus: Corpus = ARTICLES,
): Promise<{
  scores: Map<string, Record<Split, Score>>;
  pages: Record<Split, number>;
  perPage: Array<{ hash: string; url: string; split: Split; scores: Score[] }>;
}> {
  const labels = readLabels(corpus);
  const scores = new Map(
    CLASSIFIERS.map(([name]) => [name, { dev: emptyScore(), 'held-out': emptyScore() }]),
  );
  const pages = { dev: 0, 'held-out': 0 };
  const perPage: Array<{ hash: string; url: string; split: Split; scores: Score[] }> = [];
  for (const [hash, page] of Object.entries(labels.pages)) {
    if (!filter(hash) || (DEV_ONLY && page.split !== 'dev')) continue;
    const { doc, close } = openArticle(hash, page.url, corpus);
    prepare(doc);
    pages[page.split]++;
    const row: Score[] = [];
    for (const [name, make] of CLASSIFIERS) {
      const regionOf = make();
      const s = scorePage(doc, page, (el) => regionOf(el) === 'main');
      addScore(scores.get(name)![page.split], s);
      row.push(s);
    }
    // Readability's pages share one address: their name says which page it is.
    perPage.push({ hash, url: page.name ?? page.url, split: page.split, scores: row });
    close();
    // happy-dom closes a window asynchronously: a loop that never yields keeps every page it
    // parsed, and trafilatura's 990 pages ran the bench out of memory (the s20 start log).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { scores, pages, perPage };
}

export async function runPlacement(): Promise<void> {
  heading(
    'placement',
    'Editorial links on real saved pages, 181 of scrapinghub/article-extraction-benchmark and 329\n' +
      'of Dragnet (labelled after the classifier was built), and a fresh Dragnet sample held out whole\n' +
      '(hash ends in 4–7, measured once), L3S-GN1 (its full text; halves since s14) and 94 of\n' +
      "Mozilla Readability's test pages (its expected.html; since s15), CleanPortalEval's 71 and\n" +
      "171 of CleanEval final (hand-cleaned text; since s16), trafilatura's evaluation set (the\n" +
      "links its annotators' strings reach; since s17):\n" +
      'precision and recall of region "main",\n' +
      'landmark-only classifier (before) vs regionResolver (now).\n' +
      `Target on each held-out half: precision ≥ ${pct(TARGET.precision)}, recall ≥ ${pct(TARGET.recall)}.`,
  );
  await loadClassifiers();
  if (BEFORE_DIR) info(`BENCH_BEFORE: ${BEFORE_DIR}'s regionResolver on the same pages`);
  if (DEV_ONLY) info('PLACEMENT_DEV_ONLY: development halves only, held-out pages not classified');
  for (const corpus of [
    ARTICLES,
    DRAGNET,
    DRAGNET_FRESH,
    L3S_GN1,
    READABILITY,
    CLEANPORTALEVAL,
    CLEANEVAL,
    TRAFILATURA,
    TRAFILATURA_STRINGS,
  ]) {
    if (DEV_ONLY && corpus.heldOutOnly) continue;
    // PLACEMENT_CORPUS=<part of a name>: one corpus, so corpora can be read in parallel runs.
    if (ONLY && !corpus.name.toLowerCase().includes(ONLY)) continue;
    await reportCorpus(corpus);
  }
}

/** The table, the robustness lines and the target line of one corpus. */
async function reportCorpus(corpus: Corpus): Promise<void> {
  if (!hasPages(corpus)) {
    info(`${corpus.name}: skipped, its pages are not imported (its fixtures' README.md)`);
    return;
  }
  const { scores, pages, perPage } = await step(
    `${corpus.name}: parse and classify every page`,
    () => scoreArticles(undefined, undefined, corpus),
  );
  const splits: Split[] = ['dev', 'held-out'];
  const labelled = (s: Score) => `${s.truePositive + s.falseNegative} editorial`;
  console.log(
    `   ${corpus.name}\n   ${'classifier'.padEnd(34)} ${'split'.padEnd(9)} ${'pages'.padStart(5)} ${'precision'.padStart(9)} ${'recall'.padStart(7)}   ${'95% interval (pages resampled)'.padEnd(30)}   labelled`,
  );
  CLASSIFIERS.forEach(([name], c) => {
    for (const split of splits) {
      // A sample held out whole (DRAGNET_FRESH) has no development half to print.
      if (pages[split] === 0) continue;
      const s = scores.get(name)![split];
      const i = pageBootstrap(perPage.filter((p) => p.split === split).map((p) => p.scores[c]!));
      const range = `P ${pct(i.precision[0])}–${pct(i.precision[1])}, R ${pct(i.recall[0])}–${pct(i.recall[1])}`;
      console.log(
        `   ${name.padEnd(34)} ${split.padEnd(9)} ${String(pages[split]).padStart(5)} ${pct(precision(s)).padStart(9)} ${pct(recall(s)).padStart(7)}   ${range.padEnd(30)}   ${labelled(s)}, ${s.falsePositive} false "main"`,
      );
    }
  });
  // Per page, for tuning: the development half only, so the held-out half stays a score.
  if (process.env.PLACEMENT_PAGES) {
    for (const p of perPage) {
      const s = p.scores.at(-1)!;
      if (p.split !== 'dev' || s.falsePositive + s.falseNegative === 0) continue;
      info(
        `${p.hash.slice(0, 8)} tp ${s.truePositive} fp ${s.falsePositive} fn ${s.falseNegative} ${p.url}`,
      );
    }
  }
  // Tuning: nothing of the held-out half is read below, since none was classified.
  if (DEV_ONLY) return;
  // Robustness: the held-out pages in four quarters (by the hash's first digit, quarterOf), and
  // how much of their misses one page holds; a score, not examples to tune on.
  const now = (p: (typeof perPage)[number]) => p.scores.at(-1)!;
  const heldOutPages = perPage.filter((p) => p.split === 'held-out');
  for (const quarter of quartersOf(corpus.heldOutOnly)) {
    const s = emptyScore();
    const pagesIn = heldOutPages.filter((p) => quarterOf(p.hash, corpus.heldOutOnly) === quarter);
    for (const p of pagesIn) addScore(s, now(p));
    info(
      `held-out quarter ${quarter}: ${pagesIn.length} pages, precision ${pct(precision(s))}, recall ${pct(recall(s))} (${labelled(s)})`,
    );
  }
  // Robustness, rules fixed: five folds over all pages by the hash's second digit (not the one
  // that splits dev from held-out), a second half/half split by that digit, and a 95% interval
  // for the held-out half from resampling its pages (a page's links are not independent).
  const scoreOf = (rows: typeof perPage) => {
    const s = emptyScore();
    for (const p of rows) addScore(s, now(p));
    return s;
  };
  const second = (p: (typeof perPage)[number]) => parseInt(p.hash[1]!, 16);
  for (let fold = 0; fold < FOLDS; fold++) {
    const rows = perPage.filter((p) => second(p) % FOLDS === fold);
    const s = scoreOf(rows);
    info(
      `fold ${fold + 1} of ${FOLDS} (all pages): ${rows.length} pages, precision ${pct(precision(s))}, recall ${pct(recall(s))} (${labelled(s)})`,
    );
  }
  for (const [name, half] of [
    ['second split, half A', (p: (typeof perPage)[number]) => second(p) < 8],
    ['second split, half B', (p: (typeof perPage)[number]) => second(p) >= 8],
  ] as const) {
    const rows = perPage.filter(half);
    const s = scoreOf(rows);
    info(
      `${name}: ${rows.length} pages, precision ${pct(precision(s))}, recall ${pct(recall(s))} (${labelled(s)})`,
    );
  }
  const interval = pageBootstrap(heldOutPages.map(now));
  info(
    `held-out, 95% interval over resampled pages: precision ${pct(interval.precision[0])}–${pct(interval.precision[1])}, ` +
      `recall ${pct(interval.recall[0])}–${pct(interval.recall[1])}`,
  );
  // So that one page does not decide: the held-out pages without the one of most misses, and
  // each page counted once (summarizePages).
  const { worst, rest, pageAveraged } = summarizePages(heldOutPages.map(now));
  const allMissed = heldOutPages.reduce((n, p) => n + now(p).falseNegative, 0);
  info(
    `held-out: one page holds ${now(heldOutPages[worst]!).falseNegative} of the ${allMissed} editorial links not called main`,
  );
  info(
    `held-out without that page: precision ${pct(precision(rest))}, recall ${pct(recall(rest))} (${labelled(rest)})`,
  );
  info(
    `held-out, page-averaged: precision ${pct(pageAveraged.precision)} over ${pageAveraged.pages} pages, ` +
      `recall ${pct(pageAveraged.recall)} over ${pageAveraged.pagesWithEditorial} pages`,
  );
  // A robustness check on the development half only: the same pages without their landmark
  // tags, as a site that names its content by class alone serves them. Slow (every dev page
  // parsed again), so on request.
  if (process.env.PLACEMENT_STRESS) {
    const stripped = await scoreArticles((hash) => splitOf(hash) === 'dev', stripLandmarks, corpus);
    const s = stripped.scores.get(CLASSIFIERS.at(-1)![0])!.dev;
    info(
      `dev half with landmark tags turned into <div>s: precision ${pct(precision(s))}, recall ${pct(recall(s))} (${labelled(s)})`,
    );
  }
  const heldOut = scores.get(CLASSIFIERS.at(-1)![0])!['held-out'];
  // A target, not a correctness check of what was measured: reported, never failing the run.
  const reached = precision(heldOut) >= TARGET.precision && recall(heldOut) >= TARGET.recall;
  info(
    `${corpus.name}: target on the held-out half: ${reached ? 'reached' : 'NOT reached'} ` +
      `(precision ${pct(precision(heldOut))}, recall ${pct(recall(heldOut))})`,
  );
}
