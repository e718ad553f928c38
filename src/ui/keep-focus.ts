const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Keep keyboard focus in place when `control` (a Remove button) goes away with its row: call
 * it before the removal, and what it returns once the removal is done. If focus fell to the
 * page's body, it goes to whatever control now stands where `control` stood among its
 * section's controls (the next row's, or the last one left), so the person tabbing through a
 * list goes on from there, not from the top of the page.
 */
export function keepFocusPlace(control: HTMLElement): () => void {
  const box = control.closest('fieldset, section, form, main') ?? document.body;
  const index = [...box.querySelectorAll(FOCUSABLE)].indexOf(control);
  // After the render the removal causes: Preact renders a signal's change in a later microtask.
  return () =>
    void setTimeout(() => {
      // Lost: on the body (browsers), or still on the removed control (happy-dom).
      const active = document.activeElement;
      const kept = active !== null && active !== document.body && active.isConnected;
      if (kept || !box.isConnected || index < 0) return;
      const all = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
      all[Math.min(index, all.length - 1)]?.focus();
    });
}
