import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';

/**
 * Stop the extension's service worker over CDP (from `page`'s session), as Chromium stops an
 * idle one, and wait until it is stopped. Its module state goes with it: the next event starts
 * a worker afresh. Playwright keeps the same Worker object across the restart (its DevTools
 * target survives; a new execution context comes), so `ext.worker` reaches the new one.
 */
export async function stopServiceWorker(
  ext: ExtensionBrowser,
  page: Page,
  timeoutMs = 30_000,
): Promise<void> {
  const cdp = await ext.context.newCDPSession(page);
  let stops = 0;
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${ext.extensionId}/`)) {
        if (v.runningStatus === 'stopped') stops++;
      }
    }
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  const deadline = Date.now() + timeoutMs;
  while (stops === 0) {
    if (Date.now() > deadline) throw new Error('the service worker did not stop');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await cdp.detach();
}
