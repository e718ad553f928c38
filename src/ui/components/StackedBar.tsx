import { formatNumber, tn, type PluralKey } from '../../core/i18n';

/**
 * One horizontal bar split into parts, drawn as inline SVG (no chart library), with a legend
 * that is also its text alternative: the SVG is hidden from screen readers, the legend is not.
 */
export interface BarPart {
  key: string;
  label: string;
  count: number;
}

export interface StackedBarProps {
  /** Names the data-* hook of each part, e.g. "anchor-class" → data-anchor-class="branded". */
  hook: string;
  parts: readonly BarPart[];
  /** What is counted, said after each count for screen readers. */
  unit: PluralKey;
}

const WIDTH = 100;

export function StackedBar({ hook, parts, unit }: StackedBarProps) {
  const total = parts.reduce((sum, p) => sum + p.count, 0);
  let x = 0;
  return (
    <div class="stacked-bar">
      {total > 0 && (
        <svg
          viewBox={`0 0 ${WIDTH} 8`}
          preserveAspectRatio="none"
          width="100%"
          height="10"
          aria-hidden="true"
        >
          {parts
            .filter((p) => p.count > 0)
            .map((p) => {
              const width = (p.count / total) * WIDTH;
              const rect = (
                <rect key={p.key} class={`part-${p.key}`} x={x} y={0} width={width} height={8} />
              );
              x += width;
              return rect;
            })}
        </svg>
      )}
      <ul class="legend">
        {parts.map((p) => (
          <li key={p.key} {...{ [`data-${hook}`]: p.key }} data-count={p.count}>
            <span class={`swatch part-${p.key}`} aria-hidden="true" />
            {p.label} <span class="count">{formatNumber(p.count)}</span>
            <span class="visually-hidden"> {tn(unit, p.count)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
