// @vitest-environment happy-dom
import { afterEach, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { Report } from '../../src/ui/components/Report';
import { showFirstView } from '../../src/ui/first-view';
import { reportState, type ReportState } from '../../src/ui/state';
import { summarizeBacklinks } from '../../src/core/summary';
import {
  cutSummary,
  FIRST_VIEW_ROWS,
  FIRST_VIEW_VERSION,
  foldsKeyOf,
  POPUP_ROWS,
  type FirstViewEntry,
} from '../../src/core/first-view';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { makeLink } from './helpers';

// state.ts imports the polyfill, which refuses to load outside an extension: nothing here calls it.
vi.mock('webextension-polyfill', () => ({ default: {} }));

// The tab's entry holds the popup's first viewport only (FIRST_VIEW_ROWS groups), the popup
// shows POPUP_ROWS.domains: the "N more referring domains" line must not count the groups the
// entry left out (found in review: "+36 more" under the entry, then "+10" from the own read).

const TARGET = 'https://t.com/page';
afterEach(() => {
  document.body.innerHTML = '';
  reportState.value = { status: 'loading' };
});

function moreLine(state: ReportState): string | null {
  const root = document.createElement('div');
  document.body.append(root);
  render(
    <Report
      state={state}
      site={null}
      perDomainLimit={POPUP_ROWS.perDomain}
      domainLimit={POPUP_ROWS.domains}
      firstDomains={FIRST_VIEW_ROWS.domains}
      siteTopTargets={0}
      onFold={() => {}}
      notice={null}
    />,
    root,
  );
  return root.querySelector('.more')?.textContent ?? null;
}

it('shows no "more domains" line while the cut entry is shown, and the own read\'s after', async () => {
  const links = Array.from({ length: 40 }, (_, i) => makeLink(`https://s${i}.com/`, TARGET));
  const whole = summarizeBacklinks(links, {});
  const base = { url: TARGET, page: null, redirect: null, variants: [], folded: [] };
  const entry: FirstViewEntry = {
    v: FIRST_VIEW_VERSION,
    url: TARGET,
    folds: foldsKeyOf(TARGET, {}),
    targets: [TARGET],
    builtAt: Date.now(),
    state: { ...base, ...cutSummary(whole, FIRST_VIEW_ROWS) },
  };
  reportState.value = { status: 'loading' };
  const shown = await showFirstView(
    Promise.resolve(entry),
    Promise.resolve(TARGET),
    Promise.resolve(DEFAULT_SETTINGS),
    null,
  );
  expect(shown).toBe(true);
  expect(moreLine(reportState.value)).toBeNull();
  const own: ReportState = {
    status: 'ready',
    ...base,
    summary: whole,
    profile: null,
    choices: [],
  };
  expect(moreLine(own)).toMatch(/10/);
});
