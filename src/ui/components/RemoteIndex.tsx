import { keepFocusPlace } from '../keep-focus';
import { fittedPlaceholder } from '../placeholder';
import { choosePrefixLength, expectedBucketSize } from '../../core/index-protocol';
import {
  MAX_DECOYS,
  MAX_K,
  MIN_K,
  type RemoteIndexSettings,
} from '../../core/remote-index-settings';
import { useEffect } from 'preact/hooks';
import { REMOTE_CACHE_TTL } from '../../storage/remote-cache';
import { Contribute } from './Contribute';
import {
  addIndex,
  loadRemoteIndexSection,
  refreshInfo,
  remoteIndex,
  remoteNotice,
  removeIndex,
  setDecoys,
  setEnabled,
  setK,
  tokenInput,
  urlInput,
} from '../remote-index-model';

import { formatDateTime, formatNumber as number, t, tn, uiLanguage } from '../../core/i18n';

/** Loopback addresses never cross a network: http is fine there, nowhere else. */
const isPlainHttp = (url: string) =>
  url.startsWith('http:') && !/^http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/.test(url);

/** What the index is, and in plain words what it sees of the user. */
function IndexInfoView({ index }: { index: RemoteIndexSettings }) {
  const { info } = index;
  const length = choosePrefixLength(info, index.k);
  const bucket = expectedBucketSize(info, length);
  const bucketText =
    bucket >= 10
      ? number(Math.round(bucket))
      : bucket.toLocaleString(uiLanguage(), { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return (
    <div id="remote-index-info" data-index-name={info.name} data-prefix-length={length}>
      <p>
        <strong>{info.name}</strong> {t('remote_at')} <code>{index.url}</code>
        {t('remote_sizes', {
          pages: tn('count_pages', info.keys.urls),
          sites: tn('remote_sites', info.keys.domains),
          links: tn('count_links', info.links),
        })}
        {info.updatedAt
          ? t('remote_updated', { time: formatDateTime(Date.parse(info.updatedAt)) })
          : ''}
        .
      </p>
      <p class="explain">{t('remote_sees', { length, bucket: bucketText })}</p>
      {bucket < index.k && (
        <p class="error" data-small-index>
          {t('remote_small', { k: number(index.k) })}
        </p>
      )}
      {isPlainHttp(index.url) && (
        <p class="error" data-plain-http>
          {index.token ? t('remote_plain_http_token') : t('remote_plain_http')}
        </p>
      )}
      <p>
        {info.contributions ? t('remote_contributions_accepted') : t('remote_contributions_none')}
      </p>
    </div>
  );
}

function Configured({ index }: { index: RemoteIndexSettings }) {
  return (
    <>
      <IndexInfoView index={index} />
      <label>
        <input
          id="remote-index-enabled"
          type="checkbox"
          checked={index.enabled}
          onChange={(e) => void setEnabled(e.currentTarget.checked)}
        />{' '}
        {t('remote_enabled_label')}
      </label>
      <Contribute index={index} />
      <p>
        <label>
          {t('remote_k_before')}{' '}
          <input
            id="remote-index-k"
            type="number"
            min={MIN_K}
            max={MAX_K}
            value={index.k}
            onChange={(e) => void setK(e.currentTarget.valueAsNumber)}
          />{' '}
          {t('remote_k_after')}
        </label>
      </p>
      <p>
        <label>
          {t('remote_decoys_before')}{' '}
          <input
            id="remote-index-decoys"
            type="number"
            min={0}
            max={MAX_DECOYS}
            value={index.decoys}
            onChange={(e) => void setDecoys(e.currentTarget.valueAsNumber)}
          />{' '}
          {t('remote_decoys_after')}
        </label>
      </p>
      <div class="actions">
        <button id="remote-index-refresh" onClick={() => void refreshInfo()}>
          {t('remote_refresh')}
        </button>
        <button
          id="remote-index-remove"
          onClick={(e) => {
            const refocus = keepFocusPlace(e.currentTarget);
            void removeIndex().then(refocus);
          }}
        >
          {t('remote_remove')}
        </button>
      </div>
    </>
  );
}

function AddForm() {
  return (
    <>
      <p>{t('remote_off')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addIndex();
        }}
      >
        <input
          id="remote-index-url"
          {...fittedPlaceholder('https://index.example.org')}
          aria-label={t('remote_url_label')}
          value={urlInput.value}
          onInput={(e) => (urlInput.value = e.currentTarget.value)}
        />{' '}
        <input
          id="remote-index-token"
          type="password"
          {...fittedPlaceholder(t('remote_token_placeholder'))}
          aria-label={t('remote_token_label')}
          autocomplete="off"
          value={tokenInput.value}
          onInput={(e) => (tokenInput.value = e.currentTarget.value)}
        />{' '}
        <button id="remote-index-add" type="submit">
          {t('remote_add')}
        </button>
      </form>
    </>
  );
}

/** The options page's "Remote index" section: off until the user adds one. */
export function RemoteIndexSection() {
  const index = remoteIndex.value;
  const notice = remoteNotice.value;
  useEffect(() => {
    loadRemoteIndexSection().catch((error: unknown) => {
      remoteNotice.value = {
        text: t('remote_settings_error', { message: String(error) }),
        error: true,
      };
    });
  }, []);
  return (
    <fieldset id="remote-index">
      <legend>{t('remote_legend')}</legend>
      {notice && (
        <p id="remote-index-notice" class={notice.error ? 'error' : ''} role="status">
          {notice.text}
        </p>
      )}
      {index ? <Configured index={index} /> : <AddForm />}
      {index && <p class="note">{tn('remote_cache_note', REMOTE_CACHE_TTL / 3_600_000)}</p>}
    </fieldset>
  );
}
