/**
 * How a link's quality score reads: the badge's title and the factors' names. Apart from the
 * scoring (core/quality.ts) so that the rows' badge loads without it: scores come after a
 * screen's first render, and the scoring's code with them (issue 7, popup first render).
 */
import { t } from './i18n';
import type { LinkQuality, QualityFactor } from './quality';

/** How the score is made, in one paragraph: shown on hover of the factors' caption. */
export const qualityExplanation = (): string => t('quality_explanation');

/** A factor's name as shown. */
export const factorName = (factor: QualityFactor): string => t(`quality_factor_${factor}`);

/** The badge's hover text: the score, what weighed most either way, and how to see the rest. */
export function describeQuality(quality: LinkQuality): string {
  const best = quality.parts.reduce((a, b) => (b.points > a.points ? b : a));
  const worst = quality.parts.reduce((a, b) => (b.points < a.points ? b : a));
  const most = [
    best.points > 0 &&
      t('quality_most_from', { factor: factorName(best.factor), points: best.points }),
    worst.points < 0 &&
      t('quality_loses_most', { factor: factorName(worst.factor), points: worst.points }),
  ].filter(Boolean);
  return most.length
    ? t('quality_title_detail', { score: quality.score, detail: most.join(', ') })
    : t('quality_title', { score: quality.score });
}
