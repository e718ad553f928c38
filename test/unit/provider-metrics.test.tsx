// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '../support/mount';
import { metricText, ProviderMetrics } from '../../src/ui/components/ProviderMetrics';
import type { RemoteStatus } from '../../src/ui/state';

afterEach(() => {
  document.body.innerHTML = '';
});

const majestic: RemoteStatus = {
  id: 'provider:majestic',
  status: 'answered',
  name: 'Majestic',
  links: 0,
  metrics: [
    { source: 'Majestic', name: 'TF', value: 34, max: 100, subject: 'url' },
    {
      source: 'Majestic',
      name: 'TTF',
      value: 21,
      max: 100,
      subject: 'domain',
      topic: 'Computers/Internet',
    },
  ],
};

describe('metricText', () => {
  it('keeps the service names, with the scale, rank or topic', () => {
    expect(
      metricText({ source: 'Ahrefs', name: 'DR', value: 47, max: 100, subject: 'domain' }),
    ).toBe('DR 47/100');
    expect(
      metricText({ source: 'Open PageRank', name: 'OPR rank', value: 812344, subject: 'domain' }),
    ).toBe('OPR rank 812,344');
    expect(
      metricText(majestic.status === 'answered' ? majestic.metrics![1]! : (null as never)),
    ).toBe('TTF 21/100 (Computers/Internet)');
  });
});

describe('ProviderMetrics', () => {
  it('one line per service that gave figures, labelled with it; nothing for the others', () => {
    const root = mount(
      <ProviderMetrics
        statuses={[
          { id: 'remote-index', status: 'answered', name: 'Team index', links: 3 },
          { id: 'provider:ahrefs', status: 'loading' },
          { id: 'provider:moz', status: 'failed', name: 'Moz', message: 'down' },
          majestic,
        ]}
      />,
    );
    const lines = root.querySelectorAll('[data-provider-metrics]');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.getAttribute('data-provider-metrics')).toBe('provider:majestic');
    expect(lines[0]!.textContent).toBe('Majestic:TF 34/100TTF 21/100 (Computers/Internet)');
    const figures = [...lines[0]!.querySelectorAll('[data-metric]')].map((el) => [
      el.getAttribute('data-metric'),
      el.getAttribute('data-metric-subject'),
      el.getAttribute('data-value'),
      el.getAttribute('title'),
    ]);
    expect(figures).toEqual([
      ['TF', 'url', '34', 'TF of this page, by Majestic'],
      ['TTF', 'domain', '21', 'TTF of this site, by Majestic'],
    ]);
  });

  it('renders nothing before any service answered with figures', () => {
    const root = mount(
      <ProviderMetrics statuses={[{ id: 'provider:ahrefs', status: 'loading' }]} />,
    );
    expect(root.innerHTML).toBe('');
  });
});
