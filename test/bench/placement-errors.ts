/**
 * Error analysis of the placement classifier on the development halves only (never the
 * held-out halves, which stay a score): for every labelled link the classifier gets wrong, the
 * region it gave, where the link sits (its heading, its block, the nearest named ancestors)
 * and a cause guessed from that, counted per page and per corpus. Run with
 * `npx tsx test/bench/placement-errors.ts [articles|dragnet|l3s|readability|trafilatura|portal|cleaneval]
 * [--links]`.
 */
import { placementResolver } from '../../src/core/placement';
import {
  ARTICLES,
  CLEANEVAL,
  CLEANPORTALEVAL,
  DRAGNET,
  emptyScore,
  hasPages,
  L3S_GN1,
  openArticle,
  READABILITY,
  precision,
  readLabels,
  recall,
  addScore,
  summarizePages,
  TRAFILATURA,
  type Corpus,
  type Score,
} from '../support/articles';

/** Why a link is wrong, guessed from where it sits; "classifier" when nothing else explains it. */
type Cause =
  | 'title or heading'
  | 'byline or meta'
  | 'related or teaser list'
  | 'comments'
  | 'caption or credit'
  | 'classifier';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function namesUp(el: Element, depth = 6): string {
  const out: string[] = [];
  for (let e = el.parentElement; e && out.length < depth; e = e.parentElement) {
    const id = e.id ? `#${e.id}` : '';
    const cls = (e.getAttribute('class') ?? '').trim().split(/\s+/).slice(0, 2).join('.');
    if (
      id ||
      cls ||
      /^(main|article|aside|nav|header|footer|section|li|ul|h\d|p)$/.test(e.localName)
    ) {
      out.push(`${e.localName}${id}${cls ? `.${cls}` : ''}`);
    }
  }
  return out.join(' < ');
}

function causeOf(link: Element, region: string): Cause {
  const chain = namesUp(link, 12).toLowerCase();
  if (link.closest('h1, h2, h3, h4, h5, h6') || /title|headline/.test(chain)) {
    return 'title or heading';
  }
  if (region === 'comments' || /comment/.test(chain)) return 'comments';
  if (/byline|author|meta|posted|date|tag|categor|info/.test(chain)) return 'byline or meta';
  if (/related|teaser|recent|popular|more|list|widget/.test(chain) || link.closest('li')) {
    return 'related or teaser list';
  }
  if (link.closest('figcaption') || /caption|credit/.test(chain)) return 'caption or credit';
  return 'classifier';
}

interface PageResult {
  hash: string;
  url: string;
  score: Score;
  fn: Map<Cause, number>;
  fp: Map<Cause, number>;
}

async function analyse(corpus: Corpus, showLinks: boolean): Promise<PageResult[]> {
  const labels = readLabels(corpus);
  const results: PageResult[] = [];
  for (const [hash, page] of Object.entries(labels.pages)) {
    if (page.split !== 'dev') continue;
    const { doc, close } = openArticle(hash, page.url, corpus);
    const regionOf = placementResolver();
    const links = doc.links;
    const score = emptyScore();
    const fn = new Map<Cause, number>();
    const fp = new Map<Cause, number>();
    const lines: string[] = [];
    for (const i of page.editorial) {
      const link = links[i]!;
      const region = regionOf(link);
      if (region === 'main') score.truePositive++;
      else {
        score.falseNegative++;
        const cause = causeOf(link, region);
        fn.set(cause, (fn.get(cause) ?? 0) + 1);
        lines.push(
          `  FN ${region.padEnd(8)} ${cause.padEnd(22)} "${(link.textContent ?? '').trim().slice(0, 40)}" ${namesUp(link)}`,
        );
      }
    }
    for (const i of page.boilerplate) {
      const link = links[i]!;
      if (regionOf(link) !== 'main') continue;
      score.falsePositive++;
      const cause = causeOf(link, 'main');
      fp.set(cause, (fp.get(cause) ?? 0) + 1);
      lines.push(
        `  FP main     ${cause.padEnd(22)} "${(link.textContent ?? '').trim().slice(0, 40)}" ${namesUp(link)}`,
      );
    }
    close();
    // happy-dom closes a window asynchronously: without a yield every parsed page stays.
    await new Promise((resolve) => setImmediate(resolve));
    results.push({ hash, url: page.name ?? page.url, score, fn, fp });
    if (showLinks && lines.length) {
      console.log(
        `${hash.slice(0, 8)} ${page.name ?? page.url} tp ${score.truePositive} fp ${score.falsePositive} fn ${score.falseNegative}`,
      );
      for (const l of lines) console.log(l);
    }
  }
  return results;
}

function summarize(corpus: Corpus, results: PageResult[]): void {
  const total = emptyScore();
  for (const r of results) addScore(total, r.score);
  const fn = new Map<Cause, number>();
  const fp = new Map<Cause, number>();
  for (const r of results) {
    for (const [c, n] of r.fn) fn.set(c, (fn.get(c) ?? 0) + n);
    for (const [c, n] of r.fp) fp.set(c, (fp.get(c) ?? 0) + n);
  }
  const summary = summarizePages(results.map((r) => r.score));
  const worst = results[summary.worst]!;
  const { rest, pageAveraged } = summary;
  console.log(`\n${corpus.name}, development half: ${results.length} pages`);
  console.log(
    `  pooled: precision ${pct(precision(total))}, recall ${pct(recall(total))} (tp ${total.truePositive} fp ${total.falsePositive} fn ${total.falseNegative})`,
  );
  console.log(
    `  without the page of most misses (${worst.url}, fn ${worst.score.falseNegative}): precision ${pct(precision(rest))}, recall ${pct(recall(rest))}`,
  );
  console.log(
    `  page-averaged: precision ${pct(pageAveraged.precision)} over ${pageAveraged.pages} pages, recall ${pct(pageAveraged.recall)} over ${pageAveraged.pagesWithEditorial} pages`,
  );
  console.log(
    `  missed editorial links by cause: ${[...fn]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  wrong "main" by cause: ${[...fp]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
  );
}

// By the names the usage line gives: "articles" did not match the corpus's own name before.
const CORPORA: Record<string, Corpus> = {
  articles: ARTICLES,
  dragnet: DRAGNET,
  l3s: L3S_GN1,
  readability: READABILITY,
  trafilatura: TRAFILATURA,
  portal: CLEANPORTALEVAL,
  cleaneval: CLEANEVAL,
};
const which = process.argv.slice(2).find((a) => !a.startsWith('--'));
const showLinks = process.argv.includes('--links');
for (const [key, corpus] of Object.entries(CORPORA)) {
  if (which && which !== key) continue;
  if (!hasPages(corpus)) continue;
  summarize(corpus, await analyse(corpus, showLinks));
}
