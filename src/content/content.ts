import { extractPage } from '../core/extract';
import { send } from '../platform/messaging';

// Runs once per page load at document_idle, top frame only (see manifest).
send({ type: 'page/snapshot', snapshot: extractPage(document) }).catch(() => {
  // The extension was reloaded or its worker is gone: nothing to do on this page.
});
