// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import { RedirectNote } from '../../src/ui/components/RedirectNote';

function shown(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  render(node, root);
  return root.firstElementChild as HTMLElement;
}

const A = 'https://a.test/';
const B = 'https://b.test/';
const C = 'https://c.test/';

describe('RedirectNote', () => {
  it("says where the address ends up, linking to that page's report", () => {
    const note = shown(
      <RedirectNote
        url={A}
        chain={{
          steps: [
            { url: B, status: 301 },
            { url: C, status: 308 },
          ],
          loop: false,
          bounded: false,
        }}
      />,
    );
    expect(note.dataset.redirectTo).toBe(C);
    expect(note.textContent).toBe(
      `This address redirects to ${C} (301 → 308). Links to it count for that page.`,
    );
    expect(note.querySelector('a')!.getAttribute('href')).toBe(`?url=${encodeURIComponent(C)}`);
  });

  it('states a loop with the whole circle', () => {
    const note = shown(
      <RedirectNote
        url={A}
        chain={{
          steps: [
            { url: B, status: 302 },
            { url: A, status: 301 },
          ],
          loop: true,
          bounded: false,
        }}
      />,
    );
    expect(note.dataset.redirectLoop).toBe('true');
    expect(note.dataset.redirectTo).toBeUndefined();
    expect(note.textContent).toContain(`redirect loop: ${A} → ${B} → ${A} (302 → 301)`);
  });

  it('says when the chain goes on past the hops followed', () => {
    const note = shown(
      <RedirectNote
        url={A}
        chain={{ steps: [{ url: B, status: 301 }], loop: false, bounded: true }}
      />,
    );
    expect(note.textContent).toContain('more hops than are followed');
  });
});
