// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { render } from 'preact';
import { ViaBadge } from '../../src/ui/components/ViaBadge';

function shown(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  render(node, root);
  return root.firstElementChild as HTMLElement;
}

describe('ViaBadge', () => {
  it('shows a single hop by its status', () => {
    const badge = shown(
      <ViaBadge
        via={{ kind: 'redirect', status: 301, next: 'https://x.test/new', hops: 1 }}
        target="https://x.test/old"
      />,
    );
    expect(badge.textContent).toBe('via 301');
    expect(badge.dataset).toMatchObject({
      via: 'redirect',
      viaStatus: '301',
      viaUrl: 'https://x.test/new',
    });
  });

  it("shows a chain by its first hop's status and where it pointed", () => {
    const badge = shown(
      <ViaBadge
        via={{ kind: 'redirect', status: 302, next: 'https://x.test/mid', hops: 2 }}
        target="https://x.test/old"
      />,
    );
    expect(badge.textContent).toBe('via 302 → https://x.test/mid');
    expect(badge.title).toContain('2 hops');
  });

  it('shows a folded variant by its URL', () => {
    const badge = shown(
      <ViaBadge
        via={{ kind: 'variant', kinds: ['www', 'slash'] }}
        target="https://www.x.test/p/"
      />,
    );
    expect(badge.textContent).toBe('via variant https://www.x.test/p/');
    expect(badge.dataset).toMatchObject({ via: 'variant', viaUrl: 'https://www.x.test/p/' });
  });
});
