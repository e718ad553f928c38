import { useEffect } from 'preact/hooks';
import { t } from '../../core/i18n';
import { PROVIDER_IDS, PROVIDER_NAMES, type ProviderId } from '../../sources/providers/ids';
import { SECRET_NEED, type ProviderConfig } from '../../sources/providers/settings';
import {
  addProvider,
  chosenProvider,
  configuredProviders,
  keyInput,
  loadProvidersSection,
  providersNotice,
  removeProvider,
  secretInput,
  setProviderEnabled,
  testProvider,
} from '../providers-model';

/** One added provider: on or off, test its key again, remove it. Its key is never shown. */
function Configured({ config }: { config: ProviderConfig }) {
  const name = PROVIDER_NAMES[config.id];
  return (
    <li data-provider={config.id} data-enabled={String(config.enabled)}>
      <strong>{name}</strong>{' '}
      <label>
        <input
          id={`provider-enabled-${config.id}`}
          type="checkbox"
          checked={config.enabled}
          onChange={(e) => void setProviderEnabled(config.id, e.currentTarget.checked)}
        />{' '}
        {t('provider_enabled')}
      </label>{' '}
      <button
        id={`provider-test-${config.id}`}
        aria-label={t('provider_test_label', { name })}
        onClick={() => void testProvider(config.id)}
      >
        {t('provider_test')}
      </button>{' '}
      <button
        id={`provider-remove-${config.id}`}
        aria-label={t('provider_remove_label', { name })}
        onClick={() => void removeProvider(config.id)}
      >
        {t('provider_remove')}
      </button>
    </li>
  );
}

/** Choose a service, paste its key (and the second part where it has one), add it. */
function AddForm() {
  const need = SECRET_NEED[chosenProvider.value];
  return (
    <form
      id="provider-add-form"
      onSubmit={(e) => {
        e.preventDefault();
        void addProvider();
      }}
    >
      <p>
        <label for="provider-choice">{t('provider_choice')}</label>{' '}
        <select
          id="provider-choice"
          value={chosenProvider.value}
          onChange={(e) => (chosenProvider.value = e.currentTarget.value as ProviderId)}
        >
          {PROVIDER_IDS.map((id) => (
            <option key={id} value={id}>
              {PROVIDER_NAMES[id]}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="provider-key">{t(`provider_key_label_${need}`)}</label>{' '}
        <input
          id="provider-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={keyInput.value}
          onInput={(e) => (keyInput.value = e.currentTarget.value)}
        />
      </p>
      {need !== 'none' && (
        <p>
          <label for="provider-secret">{t(`provider_secret_label_${need}`)}</label>{' '}
          <input
            id="provider-secret"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={secretInput.value}
            onInput={(e) => (secretInput.value = e.currentTarget.value)}
          />
        </p>
      )}
      <button id="provider-add" type="submit">
        {t('provider_add')}
      </button>
    </form>
  );
}

/** The options page's "Backlink data services" section: none until the user adds a key. */
export function ProvidersSection() {
  const notice = providersNotice.value;
  const configured = configuredProviders.value;
  useEffect(() => {
    loadProvidersSection().catch((error: unknown) => {
      providersNotice.value = {
        text: t('provider_load_failed', { why: String(error) }),
        error: true,
      };
    });
  }, []);
  return (
    <fieldset id="providers">
      <legend>{t('providers_legend')}</legend>
      <p class="explain">{t('providers_explain')}</p>
      <p class="explain" id="providers-privacy">
        {t('providers_privacy')}
      </p>
      {notice && (
        <p
          id="providers-notice"
          class={notice.error ? 'error' : ''}
          data-provider-notice={notice.provider ?? ''}
          role="status"
        >
          {notice.text}
        </p>
      )}
      {configured.length > 0 && (
        <ul id="provider-list">
          {configured.map((c) => (
            <Configured key={c.id} config={c} />
          ))}
        </ul>
      )}
      <AddForm />
    </fieldset>
  );
}
