import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';
import { FIRST_READ_LOCK } from '../../src/platform/write-gate';

declare global {
  interface Window {
    __letGo?: () => void;
  }
}

/**
 * An extension page (same origin as the worker) holding the first-read lock, as a popup does
 * while it reads (platform/write-gate.ts); `window.__letGo()` in it lets go.
 */
export async function holdingScreen(ext: ExtensionBrowser): Promise<Page> {
  const screen = await ext.context.newPage();
  await screen.goto(ext.extensionUrl('manifest.json'));
  await screen.evaluate(
    (name) =>
      new Promise<void>((held) => {
        void navigator.locks.request(name, { mode: 'shared' }, () => {
          held();
          return new Promise<void>((letGo) => (window.__letGo = letGo));
        });
      }),
    FIRST_READ_LOCK,
  );
  return screen;
}
