import type { Scope } from '../state';
import { HostName } from './HostName';

/** Choose between the page's own report and its whole site's (links into any of its pages). */
export function ScopeSwitch(props: {
  scope: Scope;
  domain: string;
  onScope: (scope: Scope) => void;
}) {
  return (
    <div class="scope-switch" role="group" aria-label="Links to">
      <button
        type="button"
        data-scope="page"
        aria-pressed={props.scope === 'page'}
        onClick={() => props.onScope('page')}
      >
        This page
      </button>
      <button
        type="button"
        data-scope="site"
        aria-pressed={props.scope === 'site'}
        title="Links from other sites into any page of this site (registrable domain)."
        onClick={() => props.onScope('site')}
      >
        Whole site <HostName host={props.domain} />
      </button>
    </div>
  );
}
