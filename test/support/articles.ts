/**
 * Corpora of real saved pages with ground-truth main text, and our labels of their links
 * (editorial or not, made by test/fixtures/articles/label.ts): the article-extraction-benchmark
 * pages (test/fixtures/articles), samples of the Dragnet pages (test/fixtures/dragnet), of
 * L3S-GN1 (test/fixtures/l3s-gn1), and Mozilla Readability's test pages
 * (test/fixtures/readability, labelled by its own label.ts), and CleanPortalEval and CleanEval
 * (test/fixtures/cleaneval), and trafilatura's evaluation set (test/fixtures/trafilatura).
 * Shared by the labelling scripts, the placement benchmark and the placement unit test, so all
 * of them parse the pages the same way (happy-dom, no scripts).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Window } from 'happy-dom';

// From a path, not new URL(): under happy-dom's test environment URL is the page's.
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/');

/** Where a corpus keeps its saved pages, their ground truth and our labels. */
export interface Corpus {
  name: string;
  /** html/<hash>.html.gz and ground-truth.json.gz. */
  pagesDir: string;
  labelsFile: string;
  /** Every page held out, none to tune on (a sample measured once). */
  heldOutOnly?: boolean;
  /** Pages read as UTF-8 whatever charset they declare (as the corpus's own tests read them). */
  utf8?: boolean;
}

/**
 * The pages of every corpus here are imported, not committed (each fixtures folder's
 * README.md): import.ts writes them into a folder git ignores; only the labels are ours.
 */
export const ARTICLES: Corpus = {
  name: 'article-extraction-benchmark',
  pagesDir: `${FIXTURES}articles/pages/`,
  labelsFile: `${FIXTURES}articles/labels.json.gz`,
};

/** A sample of Dragnet's pages (test/fixtures/dragnet/README.md). */
export const DRAGNET: Corpus = {
  name: 'dragnet',
  pagesDir: `${FIXTURES}dragnet/pages/`,
  labelsFile: `${FIXTURES}dragnet/labels.json.gz`,
};

/**
 * A second Dragnet sample, outside the first, chosen by hash before any look and measured once
 * (test/fixtures/dragnet/README.md): its pages in fresh/, git-ignored, like pages/.
 */
export const DRAGNET_FRESH: Corpus = {
  name: 'dragnet, fresh sample',
  pagesDir: `${FIXTURES}dragnet/fresh/`,
  labelsFile: `${FIXTURES}dragnet/fresh-labels.json.gz`,
  heldOutOnly: true,
};

/**
 * L3S-GN1's pages are not committed either (test/fixtures/l3s-gn1/README.md, research use
 * only): split by hash into a development and a held-out half since s14, as the others.
 */
export const L3S_GN1: Corpus = {
  name: 'L3S-GN1',
  pagesDir: `${FIXTURES}l3s-gn1/pages/`,
  labelsFile: `${FIXTURES}l3s-gn1/labels.json.gz`,
};

/**
 * Mozilla Readability's test pages (test/fixtures/readability); the ground truth is each page's
 * expected.html, the article Readability's maintainers accept (since s15).
 */
export const READABILITY: Corpus = {
  name: 'readability',
  pagesDir: `${FIXTURES}readability/pages/`,
  labelsFile: `${FIXTURES}readability/labels.json.gz`,
  utf8: true,
};

/**
 * CleanPortalEval (news portals, 2013) and a quarter of CleanEval's final test set (2007 web
 * pages), each page's gold text cleaned by hand (test/fixtures/cleaneval, since s16): not
 * committed, import.ts writes portal/ and final/ (git ignores both); split by hash as the others.
 */
export const CLEANPORTALEVAL: Corpus = {
  name: 'CleanPortalEval',
  pagesDir: `${FIXTURES}cleaneval/portal/`,
  labelsFile: `${FIXTURES}cleaneval/portal-labels.json.gz`,
};

export const CLEANEVAL: Corpus = {
  name: 'CleanEval final',
  pagesDir: `${FIXTURES}cleaneval/final/`,
  labelsFile: `${FIXTURES}cleaneval/final-labels.json.gz`,
};

/**
 * Trafilatura's evaluation set (test/fixtures/trafilatura, since s17): pages of 2012–2024 whose
 * annotators wrote strings in and outside the main text, so only the links those reach get a
 * label; not committed, import.ts writes pages/ (git ignores it); split by hash as the others.
 * Labelled twice: the links in the paragraphs that hold a main-text string, and (STRINGS) only
 * the links in the strings themselves, fewer and closer to what the annotators wrote.
 */
export const TRAFILATURA: Corpus = {
  name: 'trafilatura eval, blocks',
  pagesDir: `${FIXTURES}trafilatura/pages/`,
  labelsFile: `${FIXTURES}trafilatura/labels.json.gz`,
};

export const TRAFILATURA_STRINGS: Corpus = {
  name: 'trafilatura eval, strings',
  pagesDir: `${FIXTURES}trafilatura/pages/`,
  labelsFile: `${FIXTURES}trafilatura/strings-labels.json.gz`,
};

/** Whether the corpus's saved pages are on this machine (imported by its import.ts). */
export const hasPages = (corpus: Corpus) => existsSync(`${corpus.pagesDir}html`);

export interface GroundTruth {
  url: string;
  articleBody: string;
}

export type Split = 'dev' | 'held-out';

/** Links of one page, by their index in document.links, that got a label (others are dropped). */
export interface PageLabels {
  url: string;
  /** The page's name where the corpus has one and every page shares an address (readability). */
  name?: string;
  split: Split;
  /** document.links.length as parsed when labelling: a different parse makes indices wrong. */
  links: number;
  editorial: number[];
  boilerplate: number[];
}

export interface LabelFile {
  source: string;
  rule: string;
  pages: Record<string, PageLabels>;
}

/** Half the pages to tune on, half only to measure on: by the first hex digit of the hash. */
export function splitOf(hash: string): Split {
  return parseInt(hash[0]!, 16) < 8 ? 'dev' : 'held-out';
}

/**
 * The quarter of a corpus's held-out pages a page is in, by the first hex digit of its hash:
 * 8–9, a–b, c–d, e–f for a held-out half (splitOf), 0–3, 4–7, 8–b, c–f for a corpus held out
 * whole, so every held-out page is in one quarter.
 */
export function quarterOf(hash: string, heldOutOnly = false): string {
  const digit = parseInt(hash[0]!, 16);
  const first = heldOutOnly ? digit & ~3 : 8 + ((digit - 8) & ~1);
  const last = first + (heldOutOnly ? 3 : 1);
  return `${first.toString(16)}–${last.toString(16)}`;
}

/** The four quarter names quarterOf gives, in order. */
export const quartersOf = (heldOutOnly = false): string[] =>
  (heldOutOnly ? ['0', '4', '8', 'c'] : ['8', 'a', 'c', 'e']).map((d) => quarterOf(d, heldOutOnly));

export function readGroundTruth(corpus = ARTICLES): Record<string, GroundTruth> {
  const json = gunzipSync(readFileSync(`${corpus.pagesDir}ground-truth.json.gz`)).toString('utf8');
  return JSON.parse(json) as Record<string, GroundTruth>;
}

export function readLabels(corpus = ARTICLES): LabelFile {
  return JSON.parse(gunzipSync(readFileSync(corpus.labelsFile)).toString('utf8')) as LabelFile;
}

/** Hashes of the saved pages, sorted. */
export function articleHashes(corpus = ARTICLES): string[] {
  return readdirSync(`${corpus.pagesDir}html`)
    .filter((f) => f.endsWith('.html.gz'))
    .map((f) => f.slice(0, -'.html.gz'.length))
    .sort();
}

/**
 * The page's bytes decoded with the charset it declares (UTF-8 when it declares none, or when
 * the corpus says so).
 */
export function readArticleHtml(hash: string, corpus = ARTICLES): string {
  const bytes = gunzipSync(readFileSync(`${corpus.pagesDir}html/${hash}.html.gz`));
  if (corpus.utf8) return new TextDecoder('utf-8').decode(bytes);
  const head = bytes.subarray(0, 4096).toString('latin1');
  const declared = /<meta[^>]+charset=["']?\s*([\w-]+)/i.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A parsed page (scripts, styles and frames not loaded). Close the window when done. */
export function openArticle(
  hash: string,
  url: string,
  corpus = ARTICLES,
): { doc: Document; close: () => void } {
  return parseHtml(readArticleHtml(hash, corpus), url);
}

/** HTML parsed as openArticle parses a saved page (an import reads its ground truth so too). */
export function parseHtml(html: string, url: string): { doc: Document; close: () => void } {
  const window = new Window({
    url,
    settings: {
      disableJavaScriptEvaluation: true,
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      disableIframePageLoading: true,
      disableComputedStyleRendering: true,
      handleDisabledFileLoadingAsSuccess: true,
      navigation: { disableMainFrameNavigation: true, disableChildFrameNavigation: true },
    },
  });
  const doc = window.document as unknown as Document;
  doc.write(html);
  return { doc, close: () => void window.happyDOM.close() };
}

/** Precision and recall of "main" for the editorial links, over labelled links. */
export interface Score {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
}

export const emptyScore = (): Score => ({ truePositive: 0, falsePositive: 0, falseNegative: 0 });

export function addScore(into: Score, s: Score): void {
  into.truePositive += s.truePositive;
  into.falsePositive += s.falsePositive;
  into.falseNegative += s.falseNegative;
}

export const precision = (s: Score) => s.truePositive / (s.truePositive + s.falsePositive || 1);
export const recall = (s: Score) => s.truePositive / (s.truePositive + s.falseNegative || 1);

/**
 * How much one page decides a pooled score: the page of most editorial links not called main
 * (the first of them), the pooled score without it, and each page counted once (precision over
 * the pages with a link called main, recall over the pages with an editorial link).
 */
export function summarizePages(pages: readonly Score[]): {
  worst: number;
  rest: Score;
  pageAveraged: { precision: number; pages: number; recall: number; pagesWithEditorial: number };
} {
  let worst = 0;
  for (let i = 1; i < pages.length; i++) {
    if (pages[i]!.falseNegative > pages[worst]!.falseNegative) worst = i;
  }
  const rest = emptyScore();
  for (let i = 0; i < pages.length; i++) if (i !== worst) addScore(rest, pages[i]!);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const called = pages.filter((s) => s.truePositive + s.falsePositive > 0);
  const withEditorial = pages.filter((s) => s.truePositive + s.falseNegative > 0);
  return {
    worst,
    rest,
    pageAveraged: {
      precision: mean(called.map(precision)),
      pages: called.length,
      recall: mean(withEditorial.map(recall)),
      pagesWithEditorial: withEditorial.length,
    },
  };
}

/** Score a page's labelled links given a predicate "labelled main" over link elements. */
export function scorePage(
  doc: Document,
  labels: PageLabels,
  isMain: (el: Element) => boolean,
): Score {
  const links = doc.links;
  if (links.length !== labels.links) {
    throw new Error(`${labels.url}: ${links.length} links parsed, ${labels.links} when labelled`);
  }
  const score = emptyScore();
  for (const i of labels.editorial) {
    if (isMain(links[i]!)) score.truePositive++;
    else score.falseNegative++;
  }
  for (const i of labels.boilerplate) if (isMain(links[i]!)) score.falsePositive++;
  return score;
}
