import { useEffect } from 'preact/hooks';
import { describeContribution, type ContributionState } from '../../core/contribution';
import { formatDateTime, t, tn } from '../../core/i18n';
import type { RemoteIndexSettings } from '../../core/remote-index-settings';
import {
  contributeNotice,
  contributionState,
  setContribute,
  watchContribution,
} from '../contribute-model';
import { messageOf } from '../notice';

/** What was sent, or why the last try failed, in one line; nothing before the first send. */
function StatusLine({ state }: { state: ContributionState }) {
  const status = describeContribution(state);
  const waiting = status.pending > 0 ? ` ${tn('contribute_waiting', status.pending)}` : '';
  switch (status.kind) {
    case 'idle':
      return waiting ? (
        <p id="contribute-status" data-status="idle">
          {t('contribute_status_idle')}
          {waiting}
        </p>
      ) : null;
    case 'sent':
      return (
        <p id="contribute-status" data-status="sent" data-pages={status.pages}>
          {tn('contribute_status_sent', status.pages, {
            links: status.links,
            time: formatDateTime(status.at),
          })}
          {waiting}
        </p>
      );
    case 'failed':
      return (
        <p id="contribute-status" class="error" data-status="failed">
          {t('contribute_status_failed', {
            message: status.message,
            time: formatDateTime(status.retryAt),
          })}
          {waiting}
        </p>
      );
  }
}

/**
 * Contribution to the remote index, in the options page's Remote index section: off by
 * default, offered only by an index that takes contributions, and only with a token.
 */
export function Contribute({ index }: { index: RemoteIndexSettings }) {
  const offered = index.info.contributions;
  // Followed only where contribution is offered; a storage that cannot be read is said so.
  useEffect(() => {
    if (!offered) return;
    const stop = watchContribution().catch((error: unknown) => {
      contributeNotice.value = { text: messageOf(error, t('contribute_read_failed')), error: true };
      return () => {};
    });
    return () => void stop.then((unwatch) => unwatch());
  }, [offered]);
  if (!offered) return null;
  const state = contributionState.value;
  const notice = contributeNotice.value;
  const noToken = index.token === '';
  return (
    <div id="contribute" data-on={String(index.contribute && !noToken)}>
      <label>
        <input
          id="contribute-enabled"
          type="checkbox"
          checked={index.contribute && !noToken}
          disabled={noToken}
          onChange={(e) => void setContribute(e.currentTarget.checked)}
        />{' '}
        {t('contribute_toggle', { name: index.info.name })}
      </label>
      <p class="explain">{t('contribute_explain')}</p>
      {noToken && (
        <p class="note" data-needs-token>
          {t('contribute_needs_token')}
        </p>
      )}
      {notice && (
        <p id="contribute-notice" class={notice.error ? 'error' : ''} role="status">
          {notice.text}
        </p>
      )}
      {state && <StatusLine state={state} />}
    </div>
  );
}
