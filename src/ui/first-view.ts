import { effect } from '@preact/signals';
import { checkFirstView, decodeFirstView, type FirstViewEntry } from '../core/first-view';
import type { Settings } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import { foldChoices } from '../core/variants';
import { reportState, type ReportState } from './state';

/**
 * Show the worker's first view of the page (background/first-view.ts) while the popup's own
 * read waits for IndexedDB: when it is of `url`, with the user's folds, and fresh. It holds
 * the groups and counts the own read shows (core/first-view.ts#FIRST_VIEW_ROWS): the popup
 * renders those of its first viewport, then the others in the next task (ui/popup/main.tsx).
 * Rendered by the same components as a hot page's head, so the read that replaces it changes
 * no layout.
 * Provisional: `data-first-view="entry"` on `root` while it is shown. Resolves to whether it
 * was shown; the usual read goes on either way.
 */
export async function showFirstView(
  entry: Promise<unknown> | undefined,
  url: Promise<string | undefined>,
  settings: Promise<Settings>,
  root: HTMLElement | null,
): Promise<boolean> {
  if (!entry) return false;
  const [raw, shown, { folds }] = await Promise.all([entry, url, settings]);
  const stored = decodeFirstView(raw);
  const canonical = shown ? canonicalizeUrl(shown) : null;
  if (!canonical || checkFirstView(stored, canonical, folds, Date.now()) !== null) return false;
  // The popup's own read came first: it is newer.
  if (reportState.value.status !== 'loading') return false;
  const { state } = stored as FirstViewEntry;
  const provisional: ReportState = {
    status: 'ready',
    ...state,
    profile: null,
    choices: foldChoices(state.url, state.variants, state.folded),
  };
  reportState.value = provisional;
  performance.mark('bl:first-view');
  const stop = effect(() => {
    if (reportState.value === provisional) {
      root?.setAttribute('data-first-view', 'entry');
      return;
    }
    root?.removeAttribute('data-first-view');
    // Dropped after this run: the first read replaced the entry, and nothing sets it again.
    queueMicrotask(() => stop());
  });
  return true;
}
