import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';

export interface ShownLink {
  source: string;
  anchor: string;
  rel: string[];
  region: string;
  lost: boolean;
  /** Other regions the link stands in on its page ("also in"), and other rels it carries. */
  alsoIn?: string[];
  alsoRel?: string[];
  /** How many times it appears on its page, when more than once. */
  occurrences?: number;
}

/**
 * A report that finished loading (its list with every row rendered: the popup's groups after its
 * first viewport's come in a task of their own, or its empty state), or a final status message.
 */
const SETTLED = '.report:not(:has([data-rows-pending])), .status:not(.loading)';

export const POPUP = 'src/ui/popup/index.html';
export const REPORT = 'src/ui/report/index.html';
export const OPTIONS = 'src/ui/options/index.html';

/** The worker's count of page loads handled, by outcome ('recorded', 'excluded', …). */
export async function activity(ext: ExtensionBrowser): Promise<Record<string, number>> {
  return ext.worker.evaluate(() => ({
    ...(globalThis as unknown as { backlinkLens: { activity: Record<string, number> } })
      .backlinkLens.activity,
  }));
}

/** The worker's count of redirect hops the browser followed, by outcome ('recorded', …). */
export async function redirectActivity(ext: ExtensionBrowser): Promise<Record<string, number>> {
  return ext.worker.evaluate(() => ({
    ...(globalThis as unknown as { backlinkLens: { redirects: Record<string, number> } })
      .backlinkLens.redirects,
  }));
}

/** Page loads the extension handled, whatever their outcome, from `activity`'s counts. */
export const handled = (counts: Record<string, number>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Visit pages as a user would (`visit`), staying on each until the extension has handled what
 * its content script sent (`activity`: the worker's counts in Chromium, the background page's
 * in Firefox). A user who leaves before document_idle is not recorded either.
 */
export async function browseWith(
  visit: (url: string) => Promise<unknown>,
  activityOf: () => Promise<Record<string, number>>,
  urls: readonly string[],
): Promise<void> {
  for (const url of urls) {
    const before = handled(await activityOf());
    await visit(url);
    const deadline = Date.now() + 10_000;
    while (handled(await activityOf()) <= before) {
      if (Date.now() > deadline) throw new Error(`the extension never handled ${url}`);
      await sleep(50);
    }
  }
}

/** browseWith in Chromium, in the tab `page`. */
export function browse(ext: ExtensionBrowser, page: Page, urls: readonly string[]): Promise<void> {
  return browseWith(
    (url) => page.goto(url, { waitUntil: 'load' }),
    () => activity(ext),
    urls,
  );
}

/**
 * What reading a rendered page needs, which Playwright's page (Chromium) and Puppeteer's
 * (Firefox) both offer: the same readers serve both suites.
 */
export interface PageReader {
  waitForSelector(selector: string): Promise<unknown>;
  $$eval<R>(selector: string, read: (elements: Element[]) => R): Promise<R>;
}

/** What a rendered report (popup or full page) shows, read from its DOM. */
export async function shownLinks(page: PageReader): Promise<ShownLink[]> {
  await page.waitForSelector(SETTLED);
  return page.$$eval('li.link', (items) =>
    items.map((li) => ({
      source: li.getAttribute('data-source') ?? '',
      anchor: li.querySelector('.anchor')?.getAttribute('data-anchor') ?? '',
      rel: Array.from(li.querySelectorAll('[data-rel]')).map((b) => b.getAttribute('data-rel')!),
      region: li.querySelector('[data-region]')?.getAttribute('data-region') ?? '',
      lost: li.classList.contains('lost'),
      // Only present on repeated links, so exact comparisons of single links stay short.
      ...Object.fromEntries(
        [
          ['alsoIn', li.querySelector('[data-also-in]')?.getAttribute('data-also-in')?.split(' ')],
          [
            'alsoRel',
            li.querySelector('[data-also-rel]')?.getAttribute('data-also-rel')?.split(' '),
          ],
          [
            'occurrences',
            li.querySelector('[data-occurrences]') &&
              Number(li.querySelector('[data-occurrences]')!.getAttribute('data-occurrences')),
          ],
        ].filter(([, v]) => v),
      ),
    })),
  );
}

/** On the full report page, show the links grouped by referring domain (the popup's list). */
export async function listByDomain(page: Page): Promise<void> {
  await page.waitForSelector(SETTLED);
  await page.click('[data-list="domains"]');
  await page.waitForSelector('.groups');
}

export async function stat(page: PageReader, name: string): Promise<number> {
  await page.waitForSelector(`[data-stat="${name}"] .value`);
  // The number as data, not as shown: shown, it is grouped the UI language's way ("1,234").
  const [value] = await page.$$eval(`[data-stat="${name}"] .value`, (els) =>
    els.map((el) => el.getAttribute('data-value')),
  );
  return Number(value);
}

/** Open the popup page for a URL (the popup takes ?url= in place of the active tab). */
export async function openPopupFor(ext: ExtensionBrowser, page: Page, url: string): Promise<void> {
  await page.goto(ext.extensionUrl(`${POPUP}?url=${encodeURIComponent(url)}`));
  await page.waitForSelector(SETTLED);
}

/**
 * Links of the popup for a URL, opened by `open` and read from `page`, re-read until `until`
 * holds (recording is asynchronous).
 */
export async function waitForLinksWith(
  open: (url: string) => Promise<void>,
  page: PageReader,
  url: string,
  until: (links: ShownLink[]) => boolean,
  timeoutMs = 10_000,
): Promise<ShownLink[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await open(url);
    const links = await shownLinks(page);
    if (until(links) || Date.now() > deadline) return links;
    await sleep(150);
  }
}

/** waitForLinksWith in Chromium, the popup opened in the tab `page`. */
export function waitForLinks(
  ext: ExtensionBrowser,
  page: Page,
  url: string,
  until: (links: ShownLink[]) => boolean,
  timeoutMs = 10_000,
): Promise<ShownLink[]> {
  return waitForLinksWith((u) => openPopupFor(ext, page, u), page, url, until, timeoutMs);
}

export function sortLinks(links: ShownLink[]): ShownLink[] {
  return [...links].sort((a, b) =>
    `${a.source}|${a.anchor}`.localeCompare(`${b.source}|${b.anchor}`),
  );
}

/** The badge text the worker set for the tab showing `url`. */
export async function badgeFor(ext: ExtensionBrowser, url: string): Promise<string> {
  return ext.worker.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((t) => t.url === u);
    if (tab?.id === undefined) throw new Error(`no tab shows ${u}`);
    return chrome.action.getBadgeText({ tabId: tab.id });
  }, url);
}

/** Who knows each listed link, by its linking page: "this browser|Team index", or none. */
export function shownProvenance(page: Page): Promise<Record<string, string | null | undefined>> {
  return page.$$eval('li.link', (items) =>
    Object.fromEntries(
      items.map((li) => [
        li.getAttribute('data-source'),
        li.querySelector('[data-provenance]')?.getAttribute('data-provenance'),
      ]),
    ),
  );
}
