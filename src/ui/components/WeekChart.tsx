import type { WeekCounts } from '../../core/profile';
import { countLabel } from '../../core/format';

/**
 * New (up) and lost (down) links per week as paired SVG columns, the current week last. The
 * picture is hidden from screen readers; a visually hidden table gives the same numbers.
 */
export function WeekChart({ weeks }: { weeks: readonly WeekCounts[] }) {
  const peak = Math.max(1, ...weeks.map((w) => Math.max(w.new, w.lost)));
  const half = 20;
  const step = 10;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return (
    <div class="week-chart">
      <svg
        viewBox={`0 0 ${weeks.length * step} ${half * 2}`}
        width="100%"
        height="40"
        preserveAspectRatio="none"
        aria-hidden="true"
      >
        <line x1={0} x2={weeks.length * step} y1={half} y2={half} class="axis" />
        {weeks.map((w, i) => (
          <g key={w.start}>
            <title>{`Week from ${day(w.start)}: ${w.new} new, ${w.lost} lost`}</title>
            <rect
              class="new"
              x={i * step + 1}
              width={step - 2}
              y={half - (w.new / peak) * half}
              height={(w.new / peak) * half}
            />
            <rect
              class="lost"
              x={i * step + 1}
              width={step - 2}
              y={half}
              height={(w.lost / peak) * half}
            />
          </g>
        ))}
      </svg>
      <table class="visually-hidden">
        <caption>New and lost links per week, the last {weeks.length} weeks</caption>
        <thead>
          <tr>
            <th scope="col">Week from</th>
            <th scope="col">New</th>
            <th scope="col">Lost</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.start} data-week={day(w.start)} data-new={w.new} data-lost={w.lost}>
              <th scope="row">{day(w.start)}</th>
              <td>{countLabel(w.new, 'new link', 'new links')}</td>
              <td>{countLabel(w.lost, 'lost link', 'lost links')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
