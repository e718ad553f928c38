import { DEFAULT_EXTRACT_OPTIONS, isLinkElement, linkReader } from '../core/extract';
import type { ClickKind, LinkClick } from '../core/referrals';

/**
 * What a click on a link means for a referral: a plain left click (or Enter on a focused
 * link, which the browser turns into a click), a left click with a modifier (ctrl/cmd: new
 * tab, shift: new window), a middle click (auxclick, button 1: new tab), or a context menu
 * (the user may choose "open in new tab"). Anything else (right-button auxclick) is not one.
 */
export function clickKind(event: MouseEvent): ClickKind | null {
  if (event.type === 'contextmenu') return 'menu';
  if (event.type === 'auxclick') return event.button === 1 ? 'middle' : null;
  if (event.type !== 'click' || event.button !== 0) return null;
  return event.ctrlKey || event.metaKey || event.shiftKey || event.altKey ? 'modified' : 'click';
}

/** The link element an event went through, inside open shadow trees too. */
function linkOf(event: Event): Element | null {
  for (const target of event.composedPath()) {
    // The path ends with the document and the window, which are no elements.
    const node = target as Node;
    if (node.nodeType === 1 && isLinkElement(node)) return node;
  }
  return null;
}

const EVENTS = ['click', 'auxclick', 'contextmenu'] as const;

/**
 * Note clicks on links in `doc` and report each with the link's href and anchor, read the way
 * extraction reads them, so the worker can match the stored link. Only clicks the browser
 * vouches for (isTrusted): a page calling a.click() to navigate is not the user following a
 * link. Listeners are passive and in the capture phase of the window, before page scripts can
 * stop the event. Returns a function that removes them.
 */
export function watchClicks(
  doc: Document,
  win: Window,
  report: (click: LinkClick) => void,
): () => void {
  const onEvent = (event: Event) => {
    if (!event.isTrusted) return;
    const kind = clickKind(event as MouseEvent);
    const el = kind && linkOf(event);
    if (!kind || !el) return;
    // A reader per click: the document's URL and base may have changed (single-page apps).
    const link = linkReader(doc, DEFAULT_EXTRACT_OPTIONS).read(el);
    if (link) report({ page: doc.URL, href: link.href, anchor: link.anchor, kind });
  };
  const options = { capture: true, passive: true } as const;
  for (const type of EVENTS) win.addEventListener(type, onEvent, options);
  return () => {
    for (const type of EVENTS) win.removeEventListener(type, onEvent, options);
  };
}
