import { keepFocusPlace } from '../keep-focus';
import { keepRoomForTopBar } from '../sticky-room';
import { markPageLanguage } from '../page-language';
import { render } from 'preact';
import { signal } from '@preact/signals';
import { isAddressSite, siteToExclude } from '../../core/settings';
import { DEFAULT_SETTINGS, type RetentionMonths, type Settings } from '../../core/types';
import { clearAll, forgetSite } from '../../storage/records';
import { getDb } from '../../platform/db-connection';
import { loadSettings, updateSettings } from '../../platform/settings-store';
import { cancelTransfer, exportFile, importFile, transfer } from './transfer-model';
import { TransferProgress } from '../components/TransferProgress';
import { send } from '../../platform/messaging';
import { removeLeftoverScratchFiles } from '../../platform/scratch-files';
import { runAction, type Notice } from '../notice';
import { HostName } from '../components/HostName';
import { RelatedPageForm, RelatedPages } from '../components/Outreach';
import { saveRelatedPage } from '../related-pages';
import { StoragePanel } from '../components/StoragePanel';
import { describeRetention } from '../../core/retention';
import { pruneNow, refreshStorage, storageStats } from './storage-model';
import { storageAlert } from '../storage-alert';
import { RemoteIndexSection } from '../components/RemoteIndex';
import { EngineImportSection } from '../components/EngineImport';
import { clearEngineData, forgetEngineData } from '../engine-import-model';
import { ProvidersSection } from '../components/Providers';
import { t, tn } from '../../core/i18n';
import '../styles.css';

const settings = signal<Settings>(DEFAULT_SETTINGS);
const siteInput = signal('');
const notice = signal<Notice | null>(null);

async function setRetention(months: RetentionMonths) {
  await runAction(
    notice,
    async () => {
      await update({ ...settings.value, retentionMonths: months });
      return months === 'forever'
        ? t('options_retention_forever')
        : t('options_retention_set', { span: describeRetention(months) });
    },
    t('options_retention_failed'),
  );
}

async function onPrune() {
  await runAction(
    notice,
    async () => {
      const text = await pruneNow(settings.value.retentionMonths);
      await dataChanged();
      return text;
    },
    t('options_prune_failed'),
  );
}

async function update(next: Settings) {
  // Folds are made in the popup, maybe while this page is open: keep the stored ones.
  settings.value = await updateSettings((current) => ({
    ...next,
    folds: current.folds,
    // Marked on the report page, maybe while this page is open: the stored list wins.
    relatedPages: current.relatedPages,
  }));
}

/**
 * Mark (on) or unmark a related page here, as on a report page: the message of a refusal (not a
 * web address, the list full) is the notice itself.
 */
async function markRelated(input: string, on: boolean) {
  try {
    const saved = await saveRelatedPage(input, on);
    settings.value = saved.settings;
    const url = saved.url;
    notice.value = { text: on ? t('related_marked', { url }) : t('related_removed', { url }) };
  } catch (error) {
    notice.value = { text: error instanceof Error ? error.message : String(error), error: true };
  }
}

async function addSite(e: Event) {
  e.preventDefault();
  const site = siteToExclude(siteInput.value);
  if (!site) {
    notice.value = {
      text: siteInput.value.trim()
        ? t('options_site_invalid', { input: siteInput.value })
        : t('options_site_missing'),
      error: true,
    };
    return;
  }
  await runAction(
    notice,
    async () => {
      await update({ ...settings.value, excludedSites: [...settings.value.excludedSites, site] });
      siteInput.value = '';
      // Excluding a site also forgets what was recorded there before.
      const forgotten = await forgetSite(await getDb(), site);
      await forgetEngineData(site);
      const deleted = forgotten ? ` ${tn('options_site_forgotten', forgotten)}` : '';
      await dataChanged();
      const excluded = isAddressSite(site)
        ? 'options_site_excluded_address'
        : 'options_site_excluded';
      return t(excluded, { site }) + deleted;
    },
    t('options_site_failed'),
  );
}

async function setPaused(paused: boolean) {
  await runAction(
    notice,
    async () => {
      await update({ ...settings.value, paused });
      return paused ? t('options_paused') : t('options_resumed');
    },
    t('options_pause_failed'),
  );
}

/** Take a site off the excluded list; what excluding it deleted does not come back. */
async function includeSite(site: string) {
  await runAction(
    notice,
    async () => {
      const excludedSites = settings.value.excludedSites.filter((x) => x !== site);
      await update({ ...settings.value, excludedSites });
      return t('options_site_included', { site });
    },
    t('options_site_include_failed'),
  );
}

/** After a change to stored data: fresh counts here, fresh badges everywhere. */
async function dataChanged() {
  await refreshStorage();
  await send({ type: 'data/changed' }).catch(() => undefined);
}

async function onClear() {
  if (!confirm(t('options_clear_confirm'))) return;
  await runAction(
    notice,
    async () => {
      await clearAll(await getDb());
      // The marked related pages live in the settings, and go with the data too.
      settings.value = await updateSettings((current) => ({ ...current, relatedPages: [] }));
      await clearEngineData();
      await dataChanged();
      return t('options_cleared');
    },
    t('options_clear_failed'),
  );
}

async function onExport(kind: 'json' | 'csv') {
  await runAction(notice, () => exportFile(kind), t('options_export_failed'));
}

async function onImport(e: Event) {
  const input = e.currentTarget as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  try {
    await runAction(notice, () => importFile(file), t('options_import_failed'));
  } finally {
    // Even a cancelled or failed import may have stored some batches, and marked pages.
    settings.value = await loadSettings();
    await dataChanged();
  }
}

function Options() {
  const s = settings.value;
  const busy = transfer.value !== null;
  return (
    <>
      <h1>{t('options_title')}</h1>
      {notice.value && (
        <p
          id="notice"
          class={notice.value.error ? 'error' : ''}
          role="status"
          ref={keepRoomForTopBar}
        >
          {notice.value.text}
        </p>
      )}
      <fieldset>
        <legend>{t('options_recording')}</legend>
        <label>
          <input
            id="paused"
            type="checkbox"
            checked={s.paused}
            onChange={(e) => void setPaused(e.currentTarget.checked)}
          />{' '}
          {t('options_pause')}
        </label>
        <p>{t('options_incognito')}</p>
      </fieldset>
      <fieldset>
        <legend>{t('options_excluded')}</legend>
        <p>{t('options_excluded_explain')}</p>
        <ul class="site-list" id="excluded-sites">
          {s.excludedSites.map((site) => (
            <li key={site} data-site={site}>
              <HostName host={site} />
              <button
                aria-label={t('options_site_remove_label', { site })}
                onClick={(e) => {
                  const refocus = keepFocusPlace(e.currentTarget);
                  void includeSite(site).then(refocus);
                }}
              >
                {t('options_remove')}
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={(e) => void addSite(e)}>
          <input
            id="site-input"
            placeholder={t('options_site_placeholder')}
            aria-label={t('options_site_label')}
            value={siteInput.value}
            onInput={(e) => (siteInput.value = e.currentTarget.value)}
          />{' '}
          <button id="add-site" type="submit">
            {t('options_exclude_site')}
          </button>
        </form>
      </fieldset>
      <fieldset>
        <legend>{t('options_related')}</legend>
        <p>{t('options_related_explain')}</p>
        <div id="related-pages">
          <RelatedPages pages={s.relatedPages} onRemove={(url) => markRelated(url, false)} />
        </div>
        <RelatedPageForm onAdd={(input) => markRelated(input, true)} />
      </fieldset>
      <StoragePanel
        stats={storageStats.value}
        retention={s.retentionMonths}
        alert={storageAlert.value}
        now={Date.now()}
        onRetention={(months) => void setRetention(months)}
        onPrune={() => void onPrune()}
      />
      <RemoteIndexSection />
      <EngineImportSection />
      <ProvidersSection />
      <fieldset>
        <legend>{t('options_data')}</legend>
        {/* The storage panel's counts: each store is counted once per refresh. */}
        <p id="counts">
          {storageStats.value
            ? tn('options_counts', storageStats.value.pages, {
                links: tn('count_links', storageStats.value.links),
              })
            : '…'}
        </p>
        <div class="actions">
          <button id="export-json" disabled={busy} onClick={() => void onExport('json')}>
            {t('export_json')}
          </button>
          <button id="export-csv" disabled={busy} onClick={() => void onExport('csv')}>
            {t('export_csv')}
          </button>
          <label>
            {t('options_import')}{' '}
            <input
              id="import"
              type="file"
              accept=".json,application/json"
              disabled={busy}
              onChange={(e) => void onImport(e)}
            />
          </label>
          <button id="clear" disabled={busy} onClick={() => void onClear()}>
            {t('options_clear')}
          </button>
        </div>
        {transfer.value && <TransferProgress transfer={transfer.value} onCancel={cancelTransfer} />}
      </fieldset>
    </>
  );
}

markPageLanguage();
render(<Options />, document.getElementById('app')!);
void loadSettings().then((s) => (settings.value = s));
void refreshStorage();
// What an export left on disk when its page closed early; a failure only waits for next time.
void removeLeftoverScratchFiles().catch(() => undefined);
