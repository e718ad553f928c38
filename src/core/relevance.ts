/**
 * Relevance of a link: how close the topic of the linking page, and of the words around the
 * link, is to the topic of the page it links to. TF-IDF cosine similarity over the terms the
 * content script captured (core/capture.ts), with document frequencies from the pages stored
 * on this machine (storage/term-stats.ts). Pure.
 */
import type { PageTerms } from './types';
import { countTerms } from './terms';

/** Document frequencies of terms over the stored pages that have terms. */
export interface TermStats {
  /** Pages counted (those with terms). */
  pages: number;
  /** Pages each term occurs in; a term not listed is taken to occur in one page. */
  df: ReadonlyMap<string, number>;
}

export const NO_TERM_STATS: TermStats = { pages: 0, df: new Map() };

/**
 * Share of the words around the link in the linking side's vector, against its page's terms:
 * more than half, since they say what this link is about, where the page may cover many
 * topics. (Both parts are unit vectors before they are mixed.)
 */
export const CONTEXT_SHARE = 0.6;

/**
 * Inverse document frequency, smoothed so that it stays positive and a term of every page
 * still counts a little: 1 + ln((1 + N) / (1 + df)), df capped at N (a stale table may say
 * more), and 1 for a term the table leaves out. With no stats at all every term weighs the
 * same and relevance is the plain cosine of the term frequencies.
 */
export function idf(stats: TermStats, term: string): number {
  const df = Math.min(stats.df.get(term) ?? 1, stats.pages);
  return 1 + Math.log((1 + stats.pages) / (1 + df));
}

/** Sublinear term frequency: a word said ten times is not ten times the topic. */
const tf = (weight: number) => (weight >= 1 ? 1 + Math.log(weight) : weight);

type Vector = Map<string, number>;

/** The unit TF-IDF vector of term weights; null when there is nothing to compare. */
export function tfidfVector(
  weights: Iterable<readonly [string, number]>,
  stats: TermStats,
): Vector | null {
  const v: Vector = new Map();
  let norm = 0;
  for (const [term, weight] of weights) {
    if (!(weight > 0)) continue;
    const x = tf(weight) * idf(stats, term);
    v.set(term, x);
    norm += x * x;
  }
  if (norm === 0) return null;
  const length = Math.sqrt(norm);
  for (const [term, x] of v) v.set(term, x / length);
  return v;
}

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, x] of small) sum += x * (large.get(term) ?? 0);
  return sum;
}

/**
 * Cosine of the linking side, s = (1 - a)·p + a·c with a = CONTEXT_SHARE (p, c unit vectors of
 * the page and the context; either alone when the other is empty), with the unit target t:
 * (s·t) / |s|, where s·t = (1 - a)(p·t) + a(c·t) and |s|² = (1 - a)² + a² + 2a(1 - a)(p·c).
 * Expanded so that no mixed vector is built per link. 0..1; null when either side has no
 * terms: unknown, never 0.
 */
function cosine(
  page: { vector: Vector; toTarget: number } | null,
  context: Vector | null,
  target: Vector,
): number | null {
  if (!page && !context) return null;
  if (!context) return clamp(page!.toTarget);
  if (!page) return clamp(dot(context, target));
  const a = CONTEXT_SHARE;
  const along = (1 - a) * page.toTarget + a * dot(context, target);
  const length = Math.sqrt((1 - a) ** 2 + a ** 2 + 2 * a * (1 - a) * dot(context, page.vector));
  return clamp(along / length);
}

// Rounding can put a perfect match a hair over 1.
const clamp = (x: number) => Math.min(1, Math.max(0, x));

const entries = (terms: PageTerms | undefined) =>
  terms ? Object.entries(terms).filter(([, w]) => typeof w === 'number') : [];

/**
 * The relevance of one link: its source page's terms and the words around it, against the
 * target page's terms. 0..1, or null when unknown.
 */
export function linkRelevance(
  source: PageTerms | undefined,
  context: string | undefined,
  target: PageTerms | undefined,
  stats: TermStats = NO_TERM_STATS,
): number | null {
  return relevanceTo(target, stats)(source, context);
}

/**
 * A scorer for many links into one target: the target's vector is built once, and each source
 * page's once (by the identity of its terms object), so 5,000 links cost 5,000 small dot
 * products.
 */
export function relevanceTo(
  target: PageTerms | undefined,
  stats: TermStats = NO_TERM_STATS,
): (source: PageTerms | undefined, context: string | undefined) => number | null {
  const targetVector = tfidfVector(entries(target), stats);
  const pages = new WeakMap<PageTerms, { vector: Vector; toTarget: number } | null>();
  const pageOf = (source: PageTerms) => {
    if (!pages.has(source)) {
      const vector = targetVector && tfidfVector(entries(source), stats);
      pages.set(source, vector ? { vector, toTarget: dot(vector, targetVector!) } : null);
    }
    return pages.get(source)!;
  };
  return (source, context) => {
    if (!targetVector) return null;
    const words = context ? tfidfVector(countTerms(context), stats) : null;
    return cosine(source ? pageOf(source) : null, words, targetVector);
  };
}
