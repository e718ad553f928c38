// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { StoragePanel, type StoragePanelProps } from '../../src/ui/components/StoragePanel';
import { at, DAY } from './helpers';

function panel(overrides: Partial<StoragePanelProps> = {}): HTMLElement {
  const root = document.createElement('div');
  render(
    <StoragePanel
      stats={{ pages: 1200, links: 45_000, usage: 3 * 1024 * 1024, quota: 100 * 1024 ** 3 }}
      retention={12}
      alert={null}
      now={at(0)}
      onRetention={() => {}}
      onPrune={() => {}}
      {...overrides}
    />,
    root,
  );
  return root;
}

describe('StoragePanel', () => {
  it('shows the counts and the space used with data hooks', () => {
    const root = panel();
    const counts = root.querySelector<HTMLElement>('#storage-counts')!;
    expect(counts.textContent).toBe('1,200 pages and 45,000 links stored.');
    expect(counts.dataset.links).toBe('45000');
    expect(root.querySelector('#storage-usage')!.textContent).toBe(
      '3.0 MB used on disk, of 100 GB the browser allows (<1%).',
    );
    expect(root.querySelector('#storage-alert, .storage-alert')).toBeNull();
  });

  it('offers the retention choices with the current one selected, and reports a change', () => {
    const onRetention = vi.fn();
    const root = panel({ retention: 24, onRetention });
    const select = root.querySelector<HTMLSelectElement>('#retention')!;
    expect([...select.options].map((o) => o.value)).toEqual([
      '3',
      '6',
      '12',
      '24',
      '60',
      'forever',
    ]);
    expect(select.value).toBe('24');
    select.value = 'forever';
    select.dispatchEvent(new Event('change'));
    expect(onRetention).toHaveBeenCalledWith('forever');
    select.value = '6';
    select.dispatchEvent(new Event('change'));
    expect(onRetention).toHaveBeenLastCalledWith(6);
  });

  it('prunes on click, and has nothing to prune when pages are kept forever', () => {
    const onPrune = vi.fn();
    panel({ onPrune }).querySelector<HTMLButtonElement>('#prune-now')!.click();
    expect(onPrune).toHaveBeenCalledOnce();
    const forever = panel({ retention: 'forever' });
    expect(forever.querySelector<HTMLButtonElement>('#prune-now')!.disabled).toBe(true);
  });

  it('shows a current storage alert and hides an old one', () => {
    const alert = { kind: 'pruned' as const, at: at(0), removed: 40 };
    expect(panel({ alert }).querySelector('.storage-alert')?.textContent).toMatch(/40 pages/);
    expect(panel({ alert, now: at(0) + 30 * DAY }).querySelector('.storage-alert')).toBeNull();
  });

  it('says so while counting', () => {
    expect(panel({ stats: null }).textContent).toContain('Counting…');
  });
});
