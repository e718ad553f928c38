/** Room kept above a control scrolled into view, so its focus ring shows below the bar too. */
const GAP_PX = 8;

let watching: ResizeObserver | null = null;

/**
 * Keep the page's top scroll padding as tall as a bar stuck to its top (the settings' notice),
 * so that a control focused or scrolled into view stops below the bar, not under it: without
 * it, Tab reached controls hidden under the notice while the page was scrolled. Browsers honour
 * scroll-padding when they scroll to focus or to an anchor
 * (https://drafts.csswg.org/css-scroll-snap-1/#scroll-padding). A Preact ref callback: called
 * with the bar when it is shown and with null when it goes. The bar's height follows its text
 * (a long notice takes two lines in a narrow window), hence the observer.
 */
export function keepRoomForTopBar(bar: HTMLElement | null): void {
  const root = document.documentElement;
  watching?.disconnect();
  watching = null;
  if (!bar) {
    root.style.scrollPaddingTop = '';
    return;
  }
  watching = new ResizeObserver(() => {
    root.style.scrollPaddingTop = `${Math.ceil(bar.getBoundingClientRect().height) + GAP_PX}px`;
  });
  watching.observe(bar);
}
