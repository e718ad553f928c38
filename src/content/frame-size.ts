/** Width × height a frame needs to be read: a tracker or hidden helper frame has 1 × 1 or none. */
const SEEABLE_AREA = 1;

/**
 * Run `start` once the document in `win` can be seen: at once in the top frame or in a frame
 * with room, else once the frame is given room (its window's resize), never for a frame that
 * stays too small to be seen. Measured once at document_idle, a frame of another site (another
 * process) measured 0 × 0 on a busy machine: its size comes from the embedding page's layout,
 * which can arrive after the frame's document is idle, and its links were never read.
 */
export function whenSeeable(win: Window, start: () => void): void {
  const seeable = () => win === win.top || win.innerWidth * win.innerHeight > SEEABLE_AREA;
  if (seeable()) return start();
  const onResize = () => {
    if (!seeable()) return;
    win.removeEventListener('resize', onResize);
    start();
  };
  win.addEventListener('resize', onResize);
}
