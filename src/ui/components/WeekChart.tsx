import type { WeekCounts } from '../../core/profile';
import { formatDate, t, tn } from '../../core/i18n';

/**
 * New (up) and lost (down) links per week as paired SVG columns, the current week last. The
 * picture is hidden from screen readers; a visually hidden table gives the same numbers. It is
 * hidden by a box around it: Firefox draws a table's caption outside the table's own clip.
 */
export function WeekChart({ weeks }: { weeks: readonly WeekCounts[] }) {
  const most = Math.max(0, ...weeks.map((w) => Math.max(w.new, w.lost)));
  const peak = Math.max(1, most);
  const half = 20;
  const step = 10;
  // The hook tests read; people read the local day, their language's way (ISO is UTC's day).
  const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
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
            <title>{t('week_title', { day: formatDate(w.start), new: w.new, lost: w.lost })}</title>
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
      {/* What the colours and heights mean, for the eye: bars alone left both to guess. The
          table below says the same to a screen reader. */}
      <ul class="legend" aria-hidden="true" data-week-legend>
        <li>
          <span class="swatch week-new" />
          {t('week_new')}
        </li>
        <li>
          <span class="swatch week-lost" />
          {t('week_lost')}
        </li>
        {most > 0 && <li>{tn('week_peak', most)}</li>}
      </ul>
      <div class="visually-hidden">
        <table>
          <caption>{t('week_caption', { weeks: weeks.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('week_from')}</th>
              <th scope="col">{t('week_new')}</th>
              <th scope="col">{t('week_lost')}</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.start} data-week={isoDay(w.start)} data-new={w.new} data-lost={w.lost}>
                <th scope="row">{formatDate(w.start)}</th>
                <td>{tn('week_new_links', w.new)}</td>
                <td>{tn('week_lost_links', w.lost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
