import browser from 'webextension-polyfill';

export const REPORT_PAGE = 'src/ui/report/index.html';

/** The full report page for one URL. */
export function reportPageUrl(targetUrl: string): string {
  return `${browser.runtime.getURL(REPORT_PAGE)}?url=${encodeURIComponent(targetUrl)}`;
}
