/**
 * Marking related or competitor pages (for the link intersect), from a report page or the
 * settings: one rule for both, so an address typed in either is checked and capped alike.
 */
import { MAX_RELATED_PAGES, withRelatedPage } from '../core/settings';
import type { Settings } from '../core/types';
import { canonicalizeUrl } from '../core/url';
import { t } from '../core/i18n';
import { updateSettings } from '../platform/settings-store';

/**
 * Mark (on) or unmark the page at `input` in the stored settings; the page's canonical address
 * and the settings saved, or an Error whose message is written for the user.
 */
export async function saveRelatedPage(
  input: string,
  on: boolean,
): Promise<{ url: string; settings: Settings }> {
  const typed = input.trim();
  // Nothing typed read as "“” is not a web address": ask for one, as the settings do.
  if (!typed) throw new Error(t('related_missing'));
  const url = canonicalizeUrl(typed);
  if (!url) throw new Error(t('related_invalid', { input }));
  const settings = await updateSettings((s) => {
    if (on && !s.relatedPages.includes(url) && s.relatedPages.length >= MAX_RELATED_PAGES) {
      throw new Error(t('related_limit', { max: MAX_RELATED_PAGES }));
    }
    return { ...s, relatedPages: withRelatedPage(s.relatedPages, url, on) ?? s.relatedPages };
  });
  return { url, settings };
}
