import { t } from '../core/i18n';

/**
 * Name the page's language as the one its messages are in: the pages are written with
 * lang="en", and a screen reader read the German ones with an English voice. The messages'
 * own tag, not the browser's language, which may have no messages of its own (English then).
 */
export function markPageLanguage(): void {
  document.documentElement.lang = t('page_language');
}
