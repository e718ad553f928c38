// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'preact/test-utils';
import { LinkTable, TABLE_PAGE_SIZE } from '../../src/ui/components/LinkTable';
import { summarizeBacklinks } from '../../src/core/summary';
import { DEFAULT_TABLE_VIEW, tableRowsOf } from '../../src/core/table';
import { makeLink } from './helpers';
import { mount } from '../support/mount';
import type { LinkRecord } from '../../src/core/types';

const TARGET = 'https://t.com/page';

afterEach(() => {
  document.body.innerHTML = '';
});

/** The table of `links` into TARGET, in `view`, mounted. */
async function mountTable(links: LinkRecord[], view = DEFAULT_TABLE_VIEW): Promise<HTMLElement> {
  const rows = tableRowsOf(summarizeBacklinks(links, {}).groups.flatMap((g) => g.links));
  let root!: HTMLElement;
  await act(() => {
    root = mount(
      <LinkTable
        url={TARGET}
        scope="page"
        rows={rows}
        view={view}
        onView={() => {}}
        flagKinds={[]}
        now={Date.now()}
      />,
    );
  });
  return root;
}

describe('LinkTable', () => {
  it('"Show more" moves focus to the first row it showed, the last press too', async () => {
    const total = TABLE_PAGE_SIZE * 2 + 50;
    const root = await mountTable(
      Array.from({ length: total }, (_, i) => makeLink(`https://s${i}.com/`, TARGET)),
    );
    const focusedRow = () => document.activeElement?.closest('tr.table-link');
    const rowAt = (i: number) => root.querySelectorAll('tr.table-link')[i];
    for (const first of [TABLE_PAGE_SIZE, TABLE_PAGE_SIZE * 2]) {
      const more = root.querySelector<HTMLButtonElement>('[data-show-more]')!;
      more.focus();
      await act(() => more.click());
      expect(focusedRow()).toBe(rowAt(first));
    }
    expect(root.querySelectorAll('tr.table-link')).toHaveLength(total);
    expect(root.querySelector('[data-show-more]')).toBeNull();
  });

  it('"Clear filters" leaves focus in the first filter, not on the button it removes', async () => {
    const root = await mountTable(
      [makeLink('https://a.com/', TARGET), makeLink('https://b.com/', TARGET)],
      { ...DEFAULT_TABLE_VIEW, domain: 'a.com' },
    );
    const clear = root.querySelector<HTMLButtonElement>('[data-clear-filters]')!;
    clear.focus();
    await act(() => clear.click());
    expect(document.activeElement).toBe(root.querySelector('input[name="domain"]'));
  });
});
