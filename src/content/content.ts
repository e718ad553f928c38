import { watchPage } from './watcher';
import { send } from '../platform/messaging';

// Runs in every frame at document_idle (see manifest): a frame's links belong to its own
// document. Frames too small to be seen (trackers, hidden helpers) are left alone.
if (window === window.top || window.innerWidth * window.innerHeight > 1) {
  watchPage(document, window, {
    snapshot: (snapshot) => send({ type: 'page/snapshot', snapshot }),
    delta: (delta) => send({ type: 'page/links', delta }),
  });
}
