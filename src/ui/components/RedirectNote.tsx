import type { RedirectChain } from '../../core/redirects';
import { t } from '../../core/i18n';
import { richText } from '../rich-text';

/** A report in the same view (popup or report page) for another URL. */
const reportHref = (url: string) => `?url=${encodeURIComponent(url)}`;

/** Says that the address asked about redirects elsewhere, or is caught in a loop. */
export function RedirectNote({ url, chain }: { url: string; chain: RedirectChain }) {
  const statuses = chain.steps.map((s) => s.status).join(' → ');
  if (chain.loop) {
    return (
      <p class="redirect-note" data-redirect-loop="true">
        {t('redirect_loop', {
          chain: [url, ...chain.steps.map((s) => s.url)].join(' → '),
          statuses,
        })}
      </p>
    );
  }
  const final = chain.steps.at(-1)!.url;
  const link = (
    <a href={reportHref(final)} data-report-link>
      {final}
    </a>
  );
  return (
    <p class="redirect-note" data-redirect-to={final}>
      {richText(chain.bounded ? 'redirect_to_bounded' : 'redirect_to', {
        link,
        statuses: statuses,
      })}
    </p>
  );
}
