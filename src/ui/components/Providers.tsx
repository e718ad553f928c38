import { keepFocusPlace } from '../keep-focus';
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
        onClick={(e) => {
          const refocus = keepFocusPlace(e.currentTarget);
          void removeProvider(config.id).then(refocus);
        }}
      >
        {t('provider_remove')}
      </button>
    </li>
  );
}

/** A key or secret: typed hidden, never filled in by the browser. */
function CredentialField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <p>
      <label for={props.id}>{props.label}</label>{' '}
      <input
        id={props.id}
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </p>
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
      <CredentialField
        id="provider-key"
        label={t(`provider_key_label_${need}`)}
        value={keyInput.value}
        onInput={(value) => (keyInput.value = value)}
      />
      {need !== 'none' && (
        <CredentialField
          id="provider-secret"
          label={t(`provider_secret_label_${need}`)}
          value={secretInput.value}
          onInput={(value) => (secretInput.value = value)}
        />
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
  // The model says a failed read in the section's notice.
  useEffect(() => void loadProvidersSection(), []);
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
