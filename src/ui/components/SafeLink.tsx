import type { ComponentChildren } from 'preact';
import { isHttpUrl } from '../../core/url';

/** Stored URLs come from web pages: only http(s) ones become clickable. */
export function SafeLink({ href, children }: { href: string; children?: ComponentChildren }) {
  if (!isHttpUrl(href)) return <span class="url">{children ?? href}</span>;
  return (
    <a class="url" href={href} target="_blank" rel="noopener noreferrer" title={href}>
      {children ?? href}
    </a>
  );
}
