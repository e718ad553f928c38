import type { Via } from '../../core/summary';
import { t } from '../../core/i18n';

/**
 * How a link to another URL counts for this page: its target redirects here ("via 301", with
 * the first hop's destination when it is a chain), or is a variant the user folded in.
 */
export function ViaBadge({ via, target }: { via: Via; target: string }) {
  if (via.kind === 'variant') {
    return (
      <span
        class="badge via"
        data-via="variant"
        data-via-url={target}
        title={t('via_variant_title', { kinds: via.kinds.join(', ') })}
      >
        {t('via_variant', { url: target })}
      </span>
    );
  }
  const chain = via.hops > 1;
  return (
    <span
      class="badge via"
      data-via="redirect"
      data-via-status={via.status}
      data-via-url={via.next}
      title={t(chain ? 'via_redirect_chain_title' : 'via_redirect_title', {
        url: target,
        status: via.status,
        next: via.next,
        hops: via.hops,
      })}
    >
      {t('via_redirect', { status: via.status })}
      {chain && ` → ${via.next}`}
    </span>
  );
}
