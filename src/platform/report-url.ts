import browser from 'webextension-polyfill';
import { shareableUrl } from '../core/url';

export const REPORT_PAGE = 'src/ui/report/index.html';

/**
 * The full report page for one URL, named by its canonical form: a tab's address may carry a
 * session id or token, which the report's own address (history, restored tabs) must not keep.
 */
export function reportPageUrl(targetUrl: string): string {
  const url = shareableUrl(targetUrl);
  return `${browser.runtime.getURL(REPORT_PAGE)}?url=${encodeURIComponent(url)}`;
}
