import browser, { type Menus, type Tabs } from 'webextension-polyfill';
import { isHttpUrl } from '../core/url';
import { reportPageUrl } from '../platform/report-url';
import { t } from '../core/i18n';

export const MENU_PAGE = 'find-links-to-page';
export const MENU_LINK = 'find-links-to-link';
const WEB_PAGES = ['http://*/*', 'https://*/*'];

export async function createMenus(): Promise<void> {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({
    id: MENU_PAGE,
    title: t('menu_find_links'),
    contexts: ['page'],
    documentUrlPatterns: WEB_PAGES,
  });
  browser.contextMenus.create({
    id: MENU_LINK,
    title: t('menu_find_links'),
    contexts: ['link'],
    targetUrlPatterns: WEB_PAGES,
  });
}

/** Which URL a menu click asks about: the link's target, or the page itself. */
export function menuTargetUrl(info: Menus.OnClickData, tab?: Tabs.Tab): string | null {
  const url = info.menuItemId === MENU_LINK ? info.linkUrl : (info.pageUrl ?? tab?.url);
  return url && isHttpUrl(url) ? url : null;
}

/** Open the full report for the clicked page or link, next to the current tab. */
export async function onMenuClick(info: Menus.OnClickData, tab?: Tabs.Tab): Promise<void> {
  const url = menuTargetUrl(info, tab);
  if (!url) return;
  await browser.tabs.create({
    url: reportPageUrl(url),
    ...(tab?.index !== undefined ? { index: tab.index + 1 } : {}),
    ...(tab?.windowId !== undefined ? { windowId: tab.windowId } : {}),
  });
}
