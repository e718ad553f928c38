import { useSignal } from '@preact/signals';
import { countLabel } from '../../core/format';
import { MAX_RELATED_PAGES } from '../../core/settings';
import type { OutreachDomain } from '../../core/outreach';
import type { Notice, OutreachView } from '../referral-model';
import { HostName } from './HostName';
import { SafeLink } from './SafeLink';

/** One domain of a hint list, each linking page with the page of ours (or a rival's) it links to. */
function DomainHints({ domains, kind }: { domains: readonly OutreachDomain[]; kind: string }) {
  return (
    <ul>
      {domains.map((d) => (
        <li key={d.domain} data-outreach={kind} data-domain={d.domain} data-targets={d.targets}>
          <HostName host={d.domain} />{' '}
          <span class="count">{countLabel(d.targets, 'page', 'pages')}</span>
          <ul>
            {d.pages.map((p) => (
              <li key={p.target} data-source={p.source} data-target={p.target}>
                open <SafeLink href={p.source} /> → links to <SafeLink href={p.target} />
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

export interface RelatedPagesProps {
  pages: readonly string[];
  onRemove: (url: string) => void;
}

/** The related or competitor pages the user marked, each removable (report and options). */
export function RelatedPages({ pages, onRemove }: RelatedPagesProps) {
  if (pages.length === 0) return <p class="empty">No related pages marked yet.</p>;
  return (
    <ul class="related-pages">
      {pages.map((url) => (
        <li key={url} data-related={url}>
          <SafeLink href={url} />{' '}
          <button aria-label={`Remove ${url} from the related pages`} onClick={() => onRemove(url)}>
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

export interface OutreachProps {
  view: OutreachView;
  notice: Notice | null;
  /** Mark (on) or unmark a page as related or a competitor. */
  onMark: (url: string, on: boolean) => void;
}

/**
 * Outreach hints: referring domains of the site that do not link to this page, and the link
 * intersect of the related pages the user marked, each with the page to open; and the controls
 * that mark related pages.
 */
export function Outreach({ view, notice, onMark }: OutreachProps) {
  const input = useSignal('');
  const marked = view.related.includes(view.url);
  return (
    <section class="outreach" data-outreach-for={view.url}>
      <h2 title="Sites that already link to your other pages, counted from the pages you visited.">
        Sites linking to this site but not to this page
      </h2>
      {view.site.length === 0 ? (
        <p class="empty">None known: every site seen linking to this site also links here.</p>
      ) : (
        <DomainHints domains={view.site} kind="site" />
      )}
      <h2 title="Domains that link to two or more of the related pages you marked, and not to this page: they may link here too.">
        Link intersect: sites linking to related pages but not to this one
      </h2>
      {view.intersect.length === 0 ? (
        <p class="empty">
          {view.related.filter((u) => u !== view.url).length < 2
            ? 'Mark two or more related or competitor pages to see the sites linking to several of them.'
            : 'None known: no site seen linking to two related pages is missing here.'}
        </p>
      ) : (
        <DomainHints domains={view.intersect} kind="intersect" />
      )}
      <h3>
        Related or competitor pages ({view.related.length} of at most {MAX_RELATED_PAGES})
      </h3>
      <RelatedPages pages={view.related} onRemove={(url) => onMark(url, false)} />
      <button data-mark-related={marked ? 'off' : 'on'} onClick={() => onMark(view.url, !marked)}>
        {marked ? 'Unmark this page as related' : 'Mark this page as related or a competitor'}
      </button>
      <form
        class="mark-related"
        onSubmit={(e) => {
          e.preventDefault();
          onMark(input.value, true);
          input.value = '';
        }}
      >
        <label>
          Add a related page{' '}
          <input
            id="related-input"
            placeholder="https://competitor.example/page"
            value={input.value}
            onInput={(e) => (input.value = e.currentTarget.value)}
          />
        </label>{' '}
        <button type="submit" id="add-related">
          Add
        </button>
      </form>
      {notice && (
        <p class={`notice${notice.error ? ' error' : ''}`} role="status" data-outreach-notice>
          {notice.text}
        </p>
      )}
    </section>
  );
}
