import type { Scope } from '../state';
import { HostName } from './HostName';
import { t } from '../../core/i18n';

/** Choose between the page's own report and its whole site's (links into any of its pages). */
export function ScopeSwitch(props: {
  scope: Scope;
  domain: string;
  onScope: (scope: Scope) => void;
}) {
  return (
    <div class="scope-switch" role="group" aria-label={t('scope_group')}>
      <button
        type="button"
        data-scope="page"
        aria-pressed={props.scope === 'page'}
        onClick={() => props.onScope('page')}
      >
        {t('scope_page')}
      </button>
      <button
        type="button"
        data-scope="site"
        aria-pressed={props.scope === 'site'}
        title={t('scope_site_title')}
        onClick={() => props.onScope('site')}
      >
        {t('scope_site')} <HostName host={props.domain} />
      </button>
    </div>
  );
}
