import type { Via } from '../../core/summary';

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
        title={`Counted as this page by your choice (differs by ${via.kinds.join(', ')})`}
      >
        via variant {target}
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
      title={`${target} redirects (${via.status}) to ${via.next}${chain ? `, ${via.hops} hops to this page` : ''}`}
    >
      via {via.status}
      {chain && ` → ${via.next}`}
    </span>
  );
}
