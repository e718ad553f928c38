import type { RedirectChain } from '../../core/redirects';

/** A report in the same view (popup or report page) for another URL. */
const reportHref = (url: string) => `?url=${encodeURIComponent(url)}`;

/** Says that the address asked about redirects elsewhere, or is caught in a loop. */
export function RedirectNote({ url, chain }: { url: string; chain: RedirectChain }) {
  const statuses = chain.steps.map((s) => s.status).join(' → ');
  if (chain.loop) {
    return (
      <p class="redirect-note" data-redirect-loop="true">
        This address is in a redirect loop: {[url, ...chain.steps.map((s) => s.url)].join(' → ')} (
        {statuses}). Browsers stop with an error; links to it reach no page.
      </p>
    );
  }
  const final = chain.steps.at(-1)!.url;
  return (
    <p class="redirect-note" data-redirect-to={final}>
      This address redirects to{' '}
      <a href={reportHref(final)} data-report-link>
        {final}
      </a>{' '}
      ({statuses}
      {chain.bounded && ', and on: more hops than are followed'}). Links to it count for that page.
    </p>
  );
}
