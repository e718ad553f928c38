import { formatNumber, t } from '../../core/i18n';
import type { ProviderMetric } from '../../sources/providers/types';
import type { RemoteStatus } from '../state';

/** "DR 47/100", "OPR rank 812,344", "TTF 21 (Computers/Internet)": the service's own names. */
export function metricText(metric: ProviderMetric): string {
  const value = formatNumber(metric.value);
  const figure =
    metric.max === undefined
      ? t('provider_metric', { name: metric.name, value })
      : t('provider_metric_of', { name: metric.name, value, max: formatNumber(metric.max) });
  return metric.topic ? t('provider_metric_topic', { figure, topic: metric.topic }) : figure;
}

/**
 * The figures each answering service gave for the page and its site, one line per service,
 * labelled with its name beside our own authority line: DR is Ahrefs', DA is Moz's, and no
 * figure is passed off as another's or as ours.
 */
export function ProviderMetrics({ statuses }: { statuses: readonly RemoteStatus[] }) {
  const lines = statuses.flatMap((s) =>
    s.status === 'answered' && s.metrics?.length ? [{ ...s, metrics: s.metrics }] : [],
  );
  if (lines.length === 0) return null;
  return (
    <div class="provider-metrics">
      {lines.map((line) => (
        <p
          key={line.id}
          class="authority"
          data-provider-metrics={line.id}
          title={t('provider_metrics_title', { name: line.name })}
        >
          <span class="authority-name">{t('provider_metrics_from', { name: line.name })}</span>
          {line.metrics.map((m) => (
            <span
              key={`${m.subject} ${m.name}`}
              class="authority-figure"
              data-metric={m.name}
              data-metric-subject={m.subject}
              data-value={m.value}
              title={t(`provider_metric_subject_${m.subject}`, { name: m.name, service: m.source })}
            >
              {metricText(m)}
            </span>
          ))}
        </p>
      ))}
    </div>
  );
}
