import browser from 'webextension-polyfill';
import { watchPage } from './watcher';
import { watchClicks } from './clicks';
import { whenSeeable } from './frame-size';
import { send } from '../platform/messaging';

// Runs in every frame at document_idle (see manifest): a frame's links belong to its own
// document. Frames too small to be seen (trackers, hidden helpers) are left alone.
whenSeeable(window, () => {
  watchPage(document, window, {
    snapshot: (snapshot, visit) => send({ type: 'page/snapshot', snapshot, visit }),
    delta: (delta) => send({ type: 'page/links', delta }),
    // After an update or reload of the extension, this old copy's runtime has no id.
    connected: () => Boolean(browser.runtime?.id),
  });
  const stopClicks = watchClicks(document, window, (click) => {
    if (!browser.runtime?.id) return stopClicks();
    // The worker may refuse (paused, excluded) or be gone: a referral is only a hint.
    send({ type: 'referral/click', click }).catch(() => undefined);
  });
});
