// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { Report } from '../../src/ui/components/Report';
import { summarizeBacklinks } from '../../src/core/summary';
import { LinkTable } from '../../src/ui/components/LinkTable';
import { DEFAULT_TABLE_VIEW, tableRowsOf, type TableView } from '../../src/core/table';
import { makeLink } from './helpers';

const TARGET = 'https://t.com/page';

afterEach(() => {
  document.body.innerHTML = '';
});

/** The popup's first render of a hot page: the shown groups only, the others counted. */
function renderHead(
  shownDomains: number,
  groups: number,
  liveGroups: number,
  domainLimit = 2,
): HTMLElement {
  const links = Array.from({ length: shownDomains }, (_, i) =>
    makeLink(`https://s${i}.com/`, TARGET),
  );
  const root = document.createElement('div');
  document.body.append(root);
  render(
    <Report
      state={{
        status: 'ready',
        url: TARGET,
        page: null,
        summary: summarizeBacklinks(links, {}),
        profile: null,
        redirect: null,
        variants: [],
        folded: [],
        choices: [],
        head: { groups, liveGroups },
      }}
      site={null}
      perDomainLimit={5}
      domainLimit={domainLimit}
      siteTopTargets={0}
      onFold={() => {}}
      notice={null}
    />,
    root,
  );
  return root;
}

describe('Report of a head (storage/head.ts)', () => {
  it('names the groups not read as more domains, and leaves the profile for the full read', () => {
    const root = renderHead(2, 40, 31);
    expect(root.querySelectorAll('.group')).toHaveLength(2);
    expect(root.querySelector('.groups + .more')?.textContent).toContain('38');
    expect(root.querySelector('.profile')).toBeNull();
  });

  it('on the report page, which lists every domain, names those not read yet as more', () => {
    const root = renderHead(3, 40, 31, Infinity);
    expect(root.querySelectorAll('.group')).toHaveLength(3);
    expect(root.querySelector('.groups + .more')?.textContent).toContain('37');
  });
});

/** A table of three rows whose scores rise against their order; `head`: the first of 500. */
function renderTable(view: TableView, head: boolean): HTMLElement {
  const links = [0, 1, 2].map((i) => makeLink(`https://s${i}.com/`, TARGET));
  const views = summarizeBacklinks(links, {}).groups.flatMap((g) => g.links);
  const rows = tableRowsOf(views, { score: (l) => 10 * Number(/s(\d)/.exec(l.source)![1]) });
  const root = document.createElement('div');
  document.body.append(root);
  render(
    <LinkTable
      url={TARGET}
      scope="page"
      rows={rows}
      view={view}
      onView={() => {}}
      flagKinds={[]}
      now={Date.now()}
      head={head ? { total: 500 } : null}
    />,
    root,
  );
  return root;
}

const sources = (root: HTMLElement) =>
  [...root.querySelectorAll('tr.table-link')].map((r) => r.getAttribute('data-source'));

describe('LinkTable of a head', () => {
  it('shows the first rows in the order given, says they are the first, and offers no export', () => {
    const root = renderTable(DEFAULT_TABLE_VIEW, true);
    expect(sources(root)).toEqual(['https://s0.com/', 'https://s1.com/', 'https://s2.com/']);
    expect(root.querySelector('[data-table-head]')?.getAttribute('data-table-head')).toBe('500');
    expect(root.querySelector('.table-count')?.textContent).toBe(
      "The first 3 of 500 links, in the report's order. Sorting, filters and saving take in every link once all are read.",
    );
    expect(root.querySelector('[data-export]')).toBeNull();
  });

  it('the whole table sorts the same rows by score', () => {
    const root = renderTable(DEFAULT_TABLE_VIEW, false);
    expect(sources(root)).toEqual(['https://s2.com/', 'https://s1.com/', 'https://s0.com/']);
    expect(root.querySelector('[data-table-head]')).toBeNull();
  });

  it.each<[string, Partial<TableView>]>([
    ['a filter', { status: 'lost' }],
    ['another order', { sort: 'domain', descending: false }],
  ])('with %s, shows no rows but that every link is being read', (_what, change) => {
    const root = renderTable({ ...DEFAULT_TABLE_VIEW, ...change }, true);
    expect(sources(root)).toEqual([]);
    expect(root.querySelector('.table-count')?.textContent).toBe(
      'Reading all 500 links for this view…',
    );
  });
});
