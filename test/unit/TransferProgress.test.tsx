// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { TransferProgress } from '../../src/ui/components/TransferProgress';
import type { Transfer } from '../../src/ui/options/transfer-model';

function shown(transfer: Transfer, onCancel = () => {}): HTMLElement {
  const root = document.createElement('div');
  render(<TransferProgress transfer={transfer} onCancel={onCancel} />, root);
  return root.firstElementChild as HTMLElement;
}

const progress = {
  bytesRead: 300,
  totalBytes: 1000,
  pages: 1200,
  links: 120_000,
  redirects: 0,
  referrals: 0,
  skipped: 0,
  excluded: 0,
  marked: 0,
  markedLeftOut: 0,
  aboutLinks: 400_000,
};

describe('TransferProgress', () => {
  it('shows an import as a bar over the file, the links with an estimate, and a cancel button', () => {
    const onCancel = vi.fn();
    const el = shown({ kind: 'import', progress }, onCancel);
    const bar = el.querySelector('progress')!;
    expect([bar.getAttribute('value'), bar.getAttribute('max')]).toEqual(['300', '1000']);
    expect(el.textContent).toContain(
      'Importing: 1,200 pages and 120,000 of about 400,000 links stored.',
    );
    el.querySelector<HTMLButtonElement>('#cancel-import')!.click();
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('leaves out an estimate that says nothing and counts skipped rows', () => {
    const el = shown({ kind: 'import', progress: { ...progress, aboutLinks: null, skipped: 3 } });
    expect(el.textContent).toContain(
      '1,200 pages and 120,000 links stored, 3 invalid rows skipped.',
    );
  });

  it('shows an export as records written of the total, and a button that cancels it', () => {
    const onCancel = vi.fn();
    const el = shown({ kind: 'export', rows: 4000, total: 10_000 }, onCancel);
    expect(el.textContent).toContain('Exporting: 4,000 of 10,000 records written.');
    expect(el.dataset.kind).toBe('export');
    const button = el.querySelector<HTMLButtonElement>('#cancel-export')!;
    expect(button.textContent).toBe('Cancel export');
    button.click();
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
