// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'preact/test-utils';
import { useState } from 'preact/hooks';
import { RelatedPages } from '../../src/ui/components/Outreach';
import { mount } from '../support/mount';

afterEach(() => {
  document.body.innerHTML = '';
});

const PAGES = ['https://a.test/', 'https://b.test/', 'https://c.test/'];

/**
 * The related pages list, each Remove taking its page away after a store's round trip. With
 * `around`, as in the report: a link per page above it (the link intersect, which shrinks with
 * the page) and the add form's controls after it.
 */
function List({ pages: first = PAGES, around = false }: { pages?: string[]; around?: boolean }) {
  const [pages, setPages] = useState(first);
  return (
    <section>
      {around && (
        <ul>
          {pages.map((url) => (
            <li key={url}>
              <a href={`${url}linker`}>linker</a>
            </li>
          ))}
        </ul>
      )}
      <RelatedPages
        pages={pages}
        onRemove={async (url) => {
          await new Promise((r) => setTimeout(r, 5));
          setPages((now) => now.filter((u) => u !== url));
        }}
      />
      {around && <input id="add-related" />}
    </section>
  );
}

// Not in act(): it would hold the removal's render until it ends, after the focus was placed.
// Polled, not a fixed wait: on a busy machine the removal's round trip and render take longer.
const settled = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });
const settle = () => new Promise((r) => setTimeout(r, 30));
const removeOf = (root: HTMLElement, url: string) =>
  root.querySelector<HTMLButtonElement>(`[data-related="${url}"] button`)!;

describe('a Remove button that takes its row away', () => {
  it('leaves focus on the next row, then the last one left, not on the page body', async () => {
    let root!: HTMLElement;
    await act(() => {
      root = mount(<List />);
    });
    const b = removeOf(root, PAGES[1]!);
    b.focus();
    b.click();
    // Where b's button stood among the section's controls: c's.
    await settled(() => expect(document.activeElement).toBe(removeOf(root, PAGES[2]!)));
    expect(root.querySelector(`[data-related="${PAGES[1]}"]`)).toBeNull();

    removeOf(root, PAGES[2]!).click();
    await settled(() => expect(document.activeElement).toBe(removeOf(root, PAGES[0]!)));
  });

  it('counts in its list: controls above it that went with the row do not move focus', async () => {
    let root!: HTMLElement;
    await act(() => {
      root = mount(<List around />);
    });
    removeOf(root, PAGES[1]!).focus();
    removeOf(root, PAGES[1]!).click();
    // Counted in the section, the link above that went too put it on the add form's input.
    await settled(() => expect(document.activeElement).toBe(removeOf(root, PAGES[2]!)));
  });

  it('with no row left, goes on to the first control after the list', async () => {
    let root!: HTMLElement;
    await act(() => {
      root = mount(
        <>
          <input id="before" />
          <fieldset>
            <List pages={[PAGES[0]!]} />
          </fieldset>
          <fieldset>
            <select id="next" />
          </fieldset>
        </>,
      );
    });
    removeOf(root, PAGES[0]!).focus();
    removeOf(root, PAGES[0]!).click();
    await settled(() => expect(document.activeElement?.id).toBe('next'));
    // The list is now a line saying none are marked, and the section holds no control.
    expect(root.querySelector('.empty')).not.toBeNull();
  });

  it('leaves focus alone when something else took it meanwhile', async () => {
    let root!: HTMLElement;
    await act(() => {
      root = mount(
        <>
          <List />
          <input id="elsewhere" />
        </>,
      );
    });
    const b = removeOf(root, PAGES[1]!);
    b.focus();
    b.click();
    root.querySelector<HTMLInputElement>('#elsewhere')!.focus();
    await settled(() => expect(root.querySelector(`[data-related="${PAGES[1]}"]`)).toBeNull());
    await settle();
    expect(document.activeElement?.id).toBe('elsewhere');
  });
});
