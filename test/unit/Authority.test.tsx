// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { Authority, SourceAuthority } from '../../src/ui/components/Authority';
import { authorityExplanation } from '../../src/core/authority-view';
import { T0 } from './helpers';

function mount(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return root;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('Authority', () => {
  it('shows the page and domain figures rounded, how fresh they are, and what they mean', () => {
    const root = mount(
      <Authority
        view={{ computedAt: T0 - 5 * 60_000, page: 41.6, domain: 12.2, sources: {} }}
        now={T0}
      />,
    );
    expect(root.querySelector('[data-authority="page"] strong')?.textContent).toBe('42');
    expect(root.querySelector('[data-authority="domain"] strong')?.textContent).toBe('12');
    expect(root.querySelector('[data-authority-freshness]')?.textContent).toBe(
      'computed 5 min ago',
    );
    expect(root.querySelector('.authority')?.getAttribute('title')).toBe(authorityExplanation());
  });

  it('says when nothing was computed yet', () => {
    const root = mount(
      <Authority view={{ computedAt: null, page: null, domain: null, sources: {} }} now={T0} />,
    );
    expect(root.querySelector('[data-authority="page"] strong')?.textContent).toBe('–');
    expect(root.textContent).toContain('not computed yet');
  });
});

describe('SourceAuthority', () => {
  it('shows a linking page’s score, and nothing for an unscored page', () => {
    const root = mount(<SourceAuthority value={7.4} />);
    expect(root.querySelector('[data-source-authority]')?.textContent).toBe('authority 7');
    expect(mount(<SourceAuthority value={undefined} />).innerHTML).toBe('');
  });
});
