import { describe, expect, it } from 'vitest';
import { signal } from '@preact/signals';
import { messageOf, runAction, type Notice } from '../../src/ui/notice';
import { ImportError } from '../../src/core/transfer';

describe('runAction', () => {
  it('shows what a successful action says', async () => {
    const notice = signal<Notice | null>(null);
    await runAction(notice, () => Promise.resolve('Saved 3 links.'), 'Export failed');
    expect(notice.value).toEqual({ text: 'Saved 3 links.' });
  });

  it('turns a thrown error into an error notice instead of an uncaught rejection', async () => {
    const notice = signal<Notice | null>(null);
    await runAction(
      notice,
      () => Promise.resolve().then(() => new Date(1e20).toISOString()),
      'Export failed',
    );
    expect(notice.value).toEqual({ text: 'Export failed: Invalid time value', error: true });
  });

  it('shows an ImportError as it is worded, and anything thrown that is not an Error', async () => {
    const notice = signal<Notice | null>(null);
    await runAction(notice, () => Promise.reject(new ImportError('The file is not JSON.')), 'x');
    expect(notice.value).toEqual({ text: 'The file is not JSON.', error: true });
    expect(messageOf('quota', 'Import failed')).toBe('Import failed: quota');
  });
});
