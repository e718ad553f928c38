// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'preact/test-utils';
import { useState } from 'preact/hooks';
import { RelatedPages } from '../../src/ui/components/Outreach';
import { mount } from '../support/mount';

afterEach(() => {
  document.body.innerHTML = '';
});

const PAGES = ['https://a.test/', 'https://b.test/', 'https://c.test/'];

/** The related pages list, each Remove taking its page away after a store's round trip. */
function List() {
  const [pages, setPages] = useState(PAGES);
  return (
    <section>
      <RelatedPages
        pages={pages}
        onRemove={async (url) => {
          await new Promise((r) => setTimeout(r, 5));
          setPages((now) => now.filter((u) => u !== url));
        }}
      />
    </section>
  );
}

// Not in act(): it would hold the removal's render until it ends, after the focus was placed.
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
    await settle();
    expect(root.querySelector(`[data-related="${PAGES[1]}"]`)).toBeNull();
    // Where b's button stood among the section's controls: c's.
    expect(document.activeElement).toBe(removeOf(root, PAGES[2]!));

    removeOf(root, PAGES[2]!).click();
    await settle();
    expect(document.activeElement).toBe(removeOf(root, PAGES[0]!));
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
    await settle();
    expect(document.activeElement?.id).toBe('elsewhere');
  });
});
