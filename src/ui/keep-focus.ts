const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const controlsIn = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];

/**
 * Keep keyboard focus in place when `control` (a Remove button) goes away with its row: call
 * it before the removal, and what it returns once the removal is done. If focus fell to the
 * page's body, it goes to whatever control now stands where `control` stood among its list's
 * controls (the next row's, or the last one left), so the person tabbing through a list goes
 * on from there, not from the top of the page. Counted in the list, not its section: a removal
 * can change controls above it too (the report's link intersect shrinks with a related page).
 * With no row left, to the first control after the list (a section may hold nothing else).
 */
export function keepFocusPlace(control: HTMLElement): () => void {
  const list =
    control.closest('ul, ol') ?? control.closest('fieldset, section, form, main') ?? document.body;
  const index = controlsIn(list).indexOf(control);
  // Where the list stands, to find what follows it when it is replaced (by an "empty" line).
  const place = list.parentElement ?? document.body;
  // After the render the removal causes: Preact renders a signal's change in a later microtask.
  return () =>
    void setTimeout(() => {
      // Lost: on the body (browsers), or still on the removed control (happy-dom).
      const active = document.activeElement;
      const kept = active !== null && active !== document.body && active.isConnected;
      if (kept || index < 0) return;
      const left = list.isConnected ? controlsIn(list) : [];
      if (left.length > 0) {
        left[Math.min(index, left.length - 1)]!.focus();
        return;
      }
      // The first control after the list, or after where it stood (its descendants count).
      const from = list.isConnected ? list : place;
      if (!from.isConnected) return;
      const follows = (el: HTMLElement) =>
        (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      const all = controlsIn(document);
      (all.find(follows) ?? all.at(-1))?.focus();
    });
}
