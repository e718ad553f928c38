import { render, type ComponentChild } from 'preact';

/** Render `node` into a fresh element of the document's body (component tests, happy-dom). */
export function mount(node: ComponentChild): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return root;
}
