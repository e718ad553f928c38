// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { Variants } from '../../src/ui/components/Variants';
import type { FoldChoice, VariantCount } from '../../src/core/variants';

const VARIANTS: VariantCount[] = [
  { url: 'http://www.x.test/page/', kinds: ['www', 'slash'], links: 2, folded: true },
  { url: 'http://x.test/page?ref=1', kinds: ['query'], links: 1, folded: false },
];

function shown(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  render(node, root);
  return root;
}

describe('Variants', () => {
  it('lists each variant with its kinds, count and whether it is counted as the page', () => {
    const root = shown(
      <Variants variants={VARIANTS} choices={[]} notice={null} onChoose={() => {}} />,
    );
    const rows = [...root.querySelectorAll('li[data-variant]')].map((li) => [
      li.getAttribute('data-variant'),
      li.getAttribute('data-kinds'),
      li.getAttribute('data-links'),
      li.getAttribute('data-folded'),
      li.querySelector('.count')!.textContent,
    ]);
    expect(rows).toEqual([
      ['http://www.x.test/page/', 'www slash', '2', 'true', '2 links'],
      ['http://x.test/page?ref=1', 'query', '1', 'false', '1 link'],
    ]);
  });

  it('offers one button per fold choice and hands the choice back', () => {
    const onChoose = vi.fn();
    const choices: FoldChoice[] = [
      { group: 'address', folded: true, moves: 1 },
      { group: 'query', folded: false, moves: 1 },
    ];
    const root = shown(
      <Variants variants={VARIANTS} choices={choices} notice={null} onChoose={onChoose} />,
    );
    const buttons = [...root.querySelectorAll('button')];
    expect(buttons.map((b) => [b.dataset.fold, b.dataset.action, b.textContent])).toEqual([
      ['address', 'unfold', 'Count variants apart again'],
      ['query', 'fold', 'Count this query-string variant as this page'],
    ]);
    buttons[1]!.click();
    expect(onChoose).toHaveBeenCalledWith(choices[1]);
  });

  it('shows nothing without variants, and the notice of the last action', () => {
    expect(
      shown(<Variants variants={[]} choices={[]} notice={null} onChoose={() => {}} />).innerHTML,
    ).toBe('');
    const root = shown(
      <Variants
        variants={[]}
        choices={[]}
        notice={{ text: 'Could not', error: true }}
        onChoose={() => {}}
      />,
    );
    expect(root.querySelector('[role="status"]')!.className).toBe('notice error');
  });
});
