/**
 * The article-extraction-benchmark pages (test/fixtures/articles): real saved news and blog
 * pages with their ground-truth article text, and our labels of their links (editorial or
 * not, made by label.ts). Shared by the labelling script, the placement benchmark and the
 * placement unit test, so all three parse the pages the same way (happy-dom, no scripts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Window } from 'happy-dom';

// From a path, not new URL(): under happy-dom's test environment URL is the page's.
export const ARTICLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/articles/');
export const LABELS_FILE = `${ARTICLES_DIR}labels.json.gz`;

export interface GroundTruth {
  url: string;
  articleBody: string;
}

export type Split = 'dev' | 'held-out';

/** Links of one page, by their index in document.links, that got a label (others are dropped). */
export interface PageLabels {
  url: string;
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

export function readGroundTruth(): Record<string, GroundTruth> {
  const json = gunzipSync(readFileSync(`${ARTICLES_DIR}ground-truth.json.gz`)).toString('utf8');
  return JSON.parse(json) as Record<string, GroundTruth>;
}

export function readLabels(): LabelFile {
  return JSON.parse(gunzipSync(readFileSync(LABELS_FILE)).toString('utf8')) as LabelFile;
}

/** Hashes of the saved pages, sorted. */
export function articleHashes(): string[] {
  return readdirSync(`${ARTICLES_DIR}html`)
    .filter((f) => f.endsWith('.html.gz'))
    .map((f) => f.slice(0, -'.html.gz'.length))
    .sort();
}

/** The page's bytes decoded with the charset it declares (UTF-8 when it declares none). */
export function readArticleHtml(hash: string): string {
  const bytes = gunzipSync(readFileSync(`${ARTICLES_DIR}html/${hash}.html.gz`));
  const head = bytes.subarray(0, 4096).toString('latin1');
  const declared = /<meta[^>]+charset=["']?\s*([\w-]+)/i.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A parsed page (scripts, styles and frames not loaded). Close the window when done. */
export function openArticle(hash: string, url: string): { doc: Document; close: () => void } {
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
  doc.write(readArticleHtml(hash));
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
