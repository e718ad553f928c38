import { useId, useState } from 'preact/hooks';
import type { FactorPart, LinkQuality } from '../../core/quality';
import { describeQuality, factorName, qualityExplanation } from '../../core/quality-words';
import { t } from '../../core/i18n';

/** "+12 of 25", "−8", "0": a part's points as shown, with a real minus sign. */
function pointsLabel(part: FactorPart): string {
  const sign = part.points > 0 ? '+' : part.points < 0 ? '−' : '';
  const points = `${sign}${Math.abs(part.points)}`;
  return part.max > 0 ? t('quality_points_of', { points, max: part.max }) : points;
}

/** Score bands for the badge's color only; the number and its title carry the meaning. */
const band = (score: number) => (score >= 60 ? 'high' : score >= 30 ? 'mid' : 'low');

interface QualityProps {
  quality: LinkQuality;
  open: boolean;
  onToggle: () => void;
  /** The id of the factor list the badge opens (from useQualityDisclosure). */
  controls: string;
}

/** The score on its row: a button that opens the list of factors behind it. */
export function QualityBadge({ quality, open, onToggle, controls }: QualityProps) {
  return (
    <button
      type="button"
      class={`badge quality quality-${band(quality.score)}`}
      data-quality={quality.score}
      aria-expanded={open}
      aria-controls={controls}
      title={describeQuality(quality)}
      onClick={onToggle}
      // Escape closes what Enter opened; focus stays on the badge.
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.preventDefault();
          onToggle();
        }
      }}
    >
      {t('quality_badge', { score: quality.score })}
    </button>
  );
}

/** Each factor's part in the score, in points and words. */
export function QualityFactors({ quality, id }: { quality: LinkQuality; id: string }) {
  return (
    <div
      class="quality-factors"
      id={id}
      role="region"
      aria-label={t('quality_factors_label', { score: quality.score })}
    >
      <table>
        <caption title={qualityExplanation()}>
          {t('quality_factors_caption', { score: quality.score })}
        </caption>
        <tbody>
          {quality.parts.map((part) => (
            <tr
              key={part.factor}
              data-factor={part.factor}
              data-points={part.points}
              data-known={String(part.known)}
            >
              <th scope="row" class="factor-name">
                {factorName(part.factor)}
              </th>
              <td class="factor-points">{pointsLabel(part)}</td>
              <td class="factor-reason">{part.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Whether a row's factor list is open, the id that ties it to its badge, and the toggle. */
export interface QualityDisclosure {
  open: boolean;
  id: string;
  toggle: () => void;
}

/** One row's disclosure, in a component of its own (LinkRow). */
export function useQualityDisclosure(): QualityDisclosure {
  const [open, setOpen] = useState(false);
  const id = `quality-${useId()}`;
  return { open, id, toggle: () => setOpen((o) => !o) };
}

const NONE_OPEN: ReadonlySet<string> = new Set();

/**
 * The disclosures of a list's rows, kept by the list: its rows are plain calls, not a component
 * each with hooks of its own (the popup renders 150 of them before any is scored). `key`
 * names a row's list open (it stays open when rows before it come or go), `index` its id.
 */
export function useQualityDisclosures(): (key: string, index: number) => QualityDisclosure {
  const [open, setOpen] = useState(NONE_OPEN);
  const base = `quality-${useId()}`;
  return (key, index) => ({
    open: open.has(key),
    id: `${base}-${index}`,
    toggle: () =>
      setOpen((now) => {
        const next = new Set(now);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
  });
}
