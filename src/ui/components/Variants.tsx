import type { FoldChoice, VariantCount, VariantKind } from '../../core/variants';
import type { Notice } from '../state';
import { SafeLink } from './SafeLink';

const KIND_LABELS: Record<VariantKind, string> = {
  scheme: 'http/https',
  www: 'www',
  slash: 'trailing slash',
  query: 'query string',
};

function choiceLabel({ group, folded, moves }: FoldChoice): string {
  const what = group === 'address' ? 'variant' : 'query-string variant';
  if (folded) return `Count ${what}s apart again`;
  return moves === 1
    ? `Count this ${what} as this page`
    : `Count these ${moves} ${what}s as this page`;
}

/** Scope of each fold, said next to the button: what one click changes. */
const SCOPE: Record<FoldChoice['group'], string> = {
  address: 'http/https, www and trailing slash, for every page of this site',
  query: 'other query strings of this page only',
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
      <h2>Other addresses of this page</h2>
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
                {KIND_LABELS[k]}
              </span>
            ))}{' '}
            <span class="count">
              {v.links} link{v.links === 1 ? '' : 's'}
            </span>
            {v.folded && <span class="badge followed">counted as this page</span>}
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
          <span class="scope">{SCOPE[c.group]}</span>
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
