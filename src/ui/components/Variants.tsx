import type { FoldChoice, VariantCount, VariantKind } from '../../core/variants';
import type { Notice } from '../state';
import { SafeLink } from './SafeLink';
import { t, tn, type MessageKey } from '../../core/i18n';

const KIND_LABELS: Record<VariantKind, MessageKey> = {
  scheme: 'variant_kind_scheme',
  www: 'variant_kind_www',
  slash: 'variant_kind_slash',
  query: 'variant_kind_query',
};

function choiceLabel({ group, folded, moves }: FoldChoice): string {
  if (group === 'address') return folded ? t('variant_unfold') : tn('variant_fold', moves);
  return folded ? t('variant_query_unfold') : tn('variant_query_fold', moves);
}

/** Scope of each fold, said next to the button: what one click changes. */
const SCOPE: Record<FoldChoice['group'], MessageKey> = {
  address: 'variant_scope_address',
  query: 'variant_scope_query',
};

export interface VariantsProps {
  variants: readonly VariantCount[];
  choices: readonly FoldChoice[];
  notice: Notice | null;
  onChoose: (choice: FoldChoice) => void;
}

/**
 * Stored link targets that are the same page but for scheme, www, trailing slash or query, each
 * with its own count, and the buttons that count them as this page (or apart again).
 */
export function Variants({ variants, choices, notice, onChoose }: VariantsProps) {
  if (variants.length === 0 && !notice) return null;
  return (
    <section class="variants" data-variants>
      <h2>{t('variants_heading')}</h2>
      <ul>
        {variants.map((v) => (
          <li
            key={v.url}
            data-variant={v.url}
            data-kinds={v.kinds.join(' ')}
            data-links={v.links}
            data-folded={String(v.folded)}
          >
            <SafeLink href={v.url} />{' '}
            {v.kinds.map((k) => (
              <span class="badge kind" data-kind={k} key={k}>
                {t(KIND_LABELS[k])}
              </span>
            ))}{' '}
            <span class="count">{tn('variant_links', v.links)}</span>
            {v.folded && <span class="badge followed">{t('variant_folded')}</span>}
          </li>
        ))}
      </ul>
      {choices.map((c) => (
        <div class="fold" key={c.group}>
          <button
            data-fold={c.group}
            data-action={c.folded ? 'unfold' : 'fold'}
            onClick={() => onChoose(c)}
          >
            {choiceLabel(c)}
          </button>{' '}
          <span class="scope">{t(SCOPE[c.group])}</span>
        </div>
      ))}
      {notice && (
        <p class={`notice${notice.error ? ' error' : ''}`} role="status">
          {notice.text}
        </p>
      )}
    </section>
  );
}
