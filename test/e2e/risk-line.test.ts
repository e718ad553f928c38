import { beforeAll, describe, expect, test } from 'vitest';
import { useExtensionSession } from '../support/session';
import { mainPage, RISK_TARGET as TARGET, serveExchangePair } from '../support/risk-pages';
import { browse, POPUP, waitForLinks } from '../support/extension-pages';
import { RISK_SUMMARY_MIN_LINKS } from '../../src/storage/risk-line';

/**
 * The popup's risk line from its stored summary (storage/risk-summary.ts) for a page with as
 * many links as a hot page has: an exchange pair (partner.test links to the target from one
 * page, many times over; the shop links back), then a second pair that changes the line.
 */
const s = useExtensionSession();
const LINE = '[data-risk-count]:not([data-site-pending])';

/** Open the popup until its line is the stored, current one; returns its risk count. */
async function storedLine(): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await s.page.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(TARGET)}`));
    // Shown from the store until the flags computed for the rows replace it: watched for while
    // the page loads, not looked at once (a quick computation may replace it first).
    const stored = await s.page
      .waitForSelector(`${LINE}[data-risk-stored="current"]`, { timeout: 3_000 })
      .catch(() => null);
    if (stored) return (await stored.getAttribute('data-risk-count'))!;
    if (Date.now() > deadline) throw new Error('the risk line was never stored');
    await s.page.waitForTimeout(1_000);
  }
}

beforeAll(async () => {
  serveExchangePair(s.server);
  await browse(s.ext, s.page, [TARGET, 'http://partner.test/', 'http://shop.test/friends']);
  await waitForLinks(s.ext, s.page, TARGET, (l) => l.length === RISK_SUMMARY_MIN_LINKS);
});

describe('the stored risk line', () => {
  test('is built after the first popup, shown by the next, and follows a changed pair', async () => {
    // The first popup computes the line from every link (nothing stored yet), then asks.
    expect(Number(await storedLine())).toBeGreaterThan(0);
    expect(await s.page.locator('.risk-summary').innerText()).toMatch(
      /reciprocal links with 1 site/,
    );
    // A second exchange: the line stored is stale, shown with its age until the new one is in.
    s.server.setPage('other.test', '/', mainPage('Other', `<a href="${TARGET}">widgets</a>`));
    s.server.setPage(
      'shop.test',
      '/friends',
      mainPage(
        'Friends',
        '<a href="http://partner.test/">P</a> <a href="http://other.test/">O</a>',
      ),
    );
    await browse(s.ext, s.page, ['http://other.test/', 'http://shop.test/friends']);
    await s.page.goto(s.ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(TARGET)}`));
    const line = s.page.locator('[data-risk-count]');
    await line.waitFor();
    // Stale when the stored one is shown first; the computed line may already have replaced it,
    // even between two reads: its mark and its words are read at once.
    const [first, text] = await line.evaluate((el: HTMLElement) => [
      el.getAttribute('data-risk-stored'),
      el.innerText,
    ]);
    if (first === 'stale') expect(text).toMatch(/links changed since/);
    await s.page.waitForSelector(`${LINE}:not([data-risk-stored])`);
    expect(await s.page.locator('.risk-summary').innerText()).toMatch(
      /reciprocal links with 2 sites/,
    );
    // The worker stores the new line: the next popup reads it.
    await storedLine();
    expect(await s.page.locator('.risk-summary').innerText()).toMatch(
      /reciprocal links with 2 sites/,
    );
  });
});
