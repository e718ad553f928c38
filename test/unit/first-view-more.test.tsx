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

// The tab's entry holds every group the popup shows (FIRST_VIEW_ROWS): rendered from it, the
// popup shows its 30 groups and the "N more referring domains" line the own read shows, so
// nothing below the first viewport waits for the own read (s17's entry held 4 groups and
// showed no line until the own read came).

const TARGET = 'https://t.com/page';
afterEach(() => {
  document.body.innerHTML = '';
  reportState.value = { status: 'loading' };
});

/** The popup's list rendered from `state`: its groups and "more" line. */
async function rendered(state: ReportState): Promise<{ groups: number; more: string | null }> {
  const root = document.createElement('div');
  document.body.append(root);
  render(
    <Report
      state={state}
      site={null}
      perDomainLimit={POPUP_ROWS.perDomain}
      domainLimit={POPUP_ROWS.domains}
      siteTopTargets={0}
      onFold={() => {}}
      notice={null}
    />,
    root,
  );
  return {
    groups: root.querySelectorAll('.group').length,
    more: root.querySelector('.more')?.textContent ?? null,
  };
}

it('renders all the groups and the "more domains" line of the own read from the entry', async () => {
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
  const fromEntry = await rendered(reportState.value);
  const own: ReportState = {
    status: 'ready',
    ...base,
    summary: whole,
    profile: null,
    choices: [],
  };
  const fromOwn = await rendered(own);
  expect(fromOwn).toEqual({ groups: POPUP_ROWS.domains, more: expect.stringMatching(/10/) });
  expect(fromEntry).toEqual(fromOwn);
});
