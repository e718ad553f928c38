import { beforeAll, describe, expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { RISK_TARGET as TARGET, serveExchangePair } from '../support/risk-pages';
import { browse, POPUP } from '../support/extension-pages';
import type { WorkerHooks } from '../../src/background/worker';

/**
 * A hot page's risk line built by the worker before any popup asked for it (background/
 * risk-job.ts#noteHotPage): the page is shown in a tab, its badge counts enough links, and once
 * recording is quiet the line is stored; the page's first popup reads it.
 */
const s = useExtensionSession();

const risks = () =>
  s.ext.worker.evaluate(() => ({
    ...(globalThis as unknown as { backlinkLens: WorkerHooks }).backlinkLens.risks,
  }));

declare global {
  interface Window {
    /** The first risk line the popup showed: whether it was the stored, current one. */
    __firstRiskLine?: string | null;
  }
}

/** Installed before the popup's scripts: the stored mark of the first risk line shown. */
const WATCH_RISK = `(() => {
  const observer = new MutationObserver(() => {
    const line = document.querySelector('[data-risk-count]');
    if (!line) return;
    window.__firstRiskLine = line.getAttribute('data-risk-stored');
    observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

beforeAll(async () => {
  serveExchangePair(s.server);
  // Recorded once the worker has handled each page; no popup opened (it would ask for the line).
  await browse(s.ext, s.page, ['http://partner.test/', 'http://shop.test/friends']);
});

describe('a hot page shown in a tab', () => {
  test('has its risk line built in the background, which its first popup reads', async () => {
    expect(await risks()).toMatchObject({ asked: 0, noted: 0, built: 0 });
    // The page in a tab: its badge counts its links, and the worker queues its line.
    await browse(s.ext, s.page, [TARGET]);
    const deadline = Date.now() + 30_000;
    while ((await risks()).built === 0) {
      if (Date.now() > deadline) throw new Error('the worker never built the risk line');
      await s.page.waitForTimeout(250);
    }
    expect(await risks()).toMatchObject({ asked: 0, noted: 1, built: 1, failed: 0 });

    // The first popup of the page: its first risk line is the stored, current one, and it asks
    // for no build.
    await s.page.addInitScript({ content: WATCH_RISK });
    await s.page.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(TARGET)}`));
    await s.page.waitForFunction(() => window.__firstRiskLine !== undefined);
    expect(await s.page.evaluate(() => window.__firstRiskLine)).toBe('current');
    // The flags computed for the rows (the line without its stored mark) say the same.
    await s.page.waitForSelector(
      '[data-risk-count]:not([data-site-pending]):not([data-risk-stored])',
    );
    expect(await s.page.locator('.risk-summary').innerText()).toMatch(
      /reciprocal links with 1 site/,
    );
    expect((await risks()).asked).toBe(0);
  });
});
