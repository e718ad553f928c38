import { keepFocusPlace } from '../keep-focus';
import { fittedPlaceholder } from '../placeholder';
import { useSignal } from '@preact/signals';
import { t, tn } from '../../core/i18n';
import { richText } from '../rich-text';
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
          <HostName host={d.domain} /> <span class="count">{tn('outreach_pages', d.targets)}</span>
          <ul>
            {d.pages.map((p) => (
              <li key={p.target} data-source={p.source} data-target={p.target}>
                {richText('outreach_open', {
                  source: <SafeLink href={p.source} />,
                  target: <SafeLink href={p.target} />,
                })}
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
  onRemove: (url: string) => void | Promise<void>;
}

/** The related or competitor pages the user marked, each removable (report and options). */
export function RelatedPages({ pages, onRemove }: RelatedPagesProps) {
  if (pages.length === 0) return <p class="empty">{t('related_none')}</p>;
  return (
    <ul class="related-pages">
      {pages.map((url) => (
        <li key={url} data-related={url}>
          <SafeLink href={url} />{' '}
          <button
            aria-label={t('related_remove_label', { url })}
            onClick={(e) => {
              const refocus = keepFocusPlace(e.currentTarget);
              void Promise.resolve(onRemove(url)).then(refocus);
            }}
          >
            {t('related_remove')}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A form that marks the page typed in as related (report and options). */
export function RelatedPageForm({ onAdd }: { onAdd: (input: string) => void | Promise<void> }) {
  const input = useSignal('');
  return (
    <form
      class="mark-related"
      onSubmit={(e) => {
        e.preventDefault();
        void onAdd(input.value);
        input.value = '';
      }}
    >
      <label>
        {t('related_add_label')}{' '}
        <input
          id="related-input"
          {...fittedPlaceholder(t('related_add_placeholder'))}
          value={input.value}
          onInput={(e) => (input.value = e.currentTarget.value)}
        />
      </label>{' '}
      <button type="submit" id="add-related">
        {t('related_add')}
      </button>
    </form>
  );
}

export interface OutreachProps {
  view: OutreachView;
  notice: Notice | null;
  /** Mark (on) or unmark a page as related or a competitor. */
  onMark: (url: string, on: boolean) => void | Promise<void>;
}

/**
 * Outreach hints: referring domains of the site that do not link to this page, and the link
 * intersect of the related pages the user marked, each with the page to open; and the controls
 * that mark related pages.
 */
export function Outreach({ view, notice, onMark }: OutreachProps) {
  const marked = view.related.includes(view.url);
  return (
    <section class="outreach" data-outreach-for={view.url}>
      <h2 title={t('outreach_site_title')}>{t('outreach_site_heading')}</h2>
      {view.site.length === 0 ? (
        <p class="empty">{t('outreach_site_none')}</p>
      ) : (
        <DomainHints domains={view.site} kind="site" />
      )}
      <h2 title={t('outreach_intersect_title')}>{t('outreach_intersect_heading')}</h2>
      {view.intersect.length === 0 ? (
        <p class="empty">
          {view.related.filter((u) => u !== view.url).length < 2
            ? t('outreach_intersect_mark_more')
            : t('outreach_intersect_none')}
        </p>
      ) : (
        <DomainHints domains={view.intersect} kind="intersect" />
      )}
      <h3>{t('related_heading', { count: view.related.length, max: MAX_RELATED_PAGES })}</h3>
      <RelatedPages pages={view.related} onRemove={(url) => onMark(url, false)} />
      <button data-mark-related={marked ? 'off' : 'on'} onClick={() => onMark(view.url, !marked)}>
        {marked ? t('related_unmark') : t('related_mark')}
      </button>
      <RelatedPageForm onAdd={(url) => onMark(url, true)} />
      {notice && (
        <p class={`notice${notice.error ? ' error' : ''}`} role="status" data-outreach-notice>
          {notice.text}
        </p>
      )}
    </section>
  );
}
