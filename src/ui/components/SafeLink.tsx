import type { ComponentChildren } from 'preact';
import { displayHttpUrl } from '../../core/idn';

/**
 * Stored URLs come from web pages: only http(s) ones become clickable. Without children the
 * URL is shown as an address bar shows it; the title keeps the exact, encoded address.
 */
export function SafeLink({ href, children }: { href: string; children?: ComponentChildren }) {
  return safeLink(href, children);
}

/**
 * SafeLink's markup as a plain call: a list renders one per row, and a component instance
 * for each (its vnode, hooks state and diff) cost more than the link itself.
 */
export function safeLink(href: string, children?: ComponentChildren) {
  // One parse for both the check and the text (kept: a row shows its source URL again).
  const shown = displayHttpUrl(href);
  if (shown === null) return <span class="url">{children ?? href}</span>;
  return (
    <a class="url" href={href} target="_blank" rel="noopener noreferrer" title={href}>
      {children ?? shown}
    </a>
  );
}
