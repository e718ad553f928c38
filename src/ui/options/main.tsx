import { render } from 'preact';
import { signal } from '@preact/signals';
import { normalizeSitePattern } from '../../core/settings';
import { DEFAULT_SETTINGS, type RetentionMonths, type Settings } from '../../core/types';
import { clearAll, forgetSite } from '../../storage/records';
import { getDb } from '../../platform/db-connection';
import { loadSettings, updateSettings } from '../../platform/settings-store';
import { cancelImport, exportFile, importFile, transfer } from './transfer-model';
import { TransferProgress } from '../components/TransferProgress';
import { send } from '../../platform/messaging';
import { runAction, type Notice } from '../notice';
import { HostName } from '../components/HostName';
import { RelatedPages } from '../components/Outreach';
import { StoragePanel } from '../components/StoragePanel';
import { describeRetention } from '../../core/retention';
import { pruneNow, refreshStorage, storageStats } from './storage-model';
import { storageAlert } from '../storage-alert';
import { RemoteIndexSection } from '../components/RemoteIndex';
import { EngineImportSection } from '../components/EngineImport';
import { clearEngineData, forgetEngineData } from '../engine-import-model';
import { ProvidersSection } from '../components/Providers';
import '../styles.css';

const settings = signal<Settings>(DEFAULT_SETTINGS);
const siteInput = signal('');
const notice = signal<Notice | null>(null);
const counts = signal<{ pages: number; links: number } | null>(null);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

async function refreshCounts() {
  const db = await getDb();
  counts.value = { pages: await db.count('pages'), links: await db.count('links') };
  await refreshStorage();
}

async function setRetention(months: RetentionMonths) {
  await runAction(
    notice,
    async () => {
      await update({ ...settings.value, retentionMonths: months });
      return months === 'forever'
        ? 'Every page will be kept.'
        : `Pages not visited again in ${describeRetention(months)} will be deleted once a day.`;
    },
    'Could not change how long pages are kept',
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
    'Could not delete expired pages',
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

async function removeRelated(url: string) {
  settings.value = await updateSettings((current) => ({
    ...current,
    relatedPages: current.relatedPages.filter((u) => u !== url),
  }));
  notice.value = { text: `${url} is no longer a related page.` };
}

async function addSite(e: Event) {
  e.preventDefault();
  const site = normalizeSitePattern(siteInput.value);
  if (!site) {
    notice.value = { text: `“${siteInput.value}” is not a site name or address.`, error: true };
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
      const deleted = forgotten
        ? ` Deleted ${plural(forgotten, 'page')} already stored from it.`
        : '';
      await dataChanged();
      return `${site} and its subdomains will not be recorded.${deleted}`;
    },
    'Could not exclude the site',
  );
}

/** After a change to stored data: fresh counts here, fresh badges everywhere. */
async function dataChanged() {
  await refreshCounts();
  await send({ type: 'data/changed' }).catch(() => undefined);
}

async function onClear() {
  if (!confirm('Delete every stored page, link and referral visit? This cannot be undone.')) return;
  await runAction(
    notice,
    async () => {
      await clearAll(await getDb());
      await clearEngineData();
      await dataChanged();
      return 'All stored data was deleted.';
    },
    'Could not delete the data',
  );
}

async function onExport(kind: 'json' | 'csv') {
  await runAction(notice, () => exportFile(kind), 'Export failed');
}

async function onImport(e: Event) {
  const input = e.currentTarget as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  try {
    await runAction(notice, () => importFile(file), 'Import failed');
  } finally {
    // Even a cancelled or failed import may have stored some batches.
    await dataChanged();
  }
}

function Options() {
  const s = settings.value;
  const busy = transfer.value !== null;
  return (
    <>
      <h1>Backlink Lens settings</h1>
      {notice.value && (
        <p id="notice" class={notice.value.error ? 'error' : ''} role="status">
          {notice.value.text}
        </p>
      )}
      <fieldset>
        <legend>Recording</legend>
        <label>
          <input
            id="paused"
            type="checkbox"
            checked={s.paused}
            onChange={(e) => void update({ ...s, paused: e.currentTarget.checked })}
          />{' '}
          Pause recording (pages you visit are not read or stored)
        </label>
        <p>Private (incognito) windows are never recorded: the extension does not run in them.</p>
      </fieldset>
      <fieldset>
        <legend>Excluded sites</legend>
        <p>Pages on these sites and their subdomains are never recorded.</p>
        <ul class="site-list" id="excluded-sites">
          {s.excludedSites.map((site) => (
            <li key={site} data-site={site}>
              <HostName host={site} />
              <button
                onClick={() =>
                  void update({ ...s, excludedSites: s.excludedSites.filter((x) => x !== site) })
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={(e) => void addSite(e)}>
          <input
            id="site-input"
            placeholder="example.com"
            value={siteInput.value}
            onInput={(e) => (siteInput.value = e.currentTarget.value)}
          />{' '}
          <button id="add-site" type="submit">
            Exclude site
          </button>
        </form>
      </fieldset>
      <fieldset>
        <legend>Related and competitor pages</legend>
        <p>
          Marked from a page's full report. The report lists the sites that link to two or more of
          them but not to the page you look at.
        </p>
        <div id="related-pages">
          <RelatedPages pages={s.relatedPages} onRemove={(url) => void removeRelated(url)} />
        </div>
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
        <legend>Your data</legend>
        <p id="counts">
          {counts.value
            ? `${plural(counts.value.pages, 'page')} and ${plural(counts.value.links, 'link')} stored on this machine.`
            : '…'}
        </p>
        <div class="actions">
          <button id="export-json" disabled={busy} onClick={() => void onExport('json')}>
            Export JSON
          </button>
          <button id="export-csv" disabled={busy} onClick={() => void onExport('csv')}>
            Export CSV
          </button>
          <label>
            Import JSON{' '}
            <input
              id="import"
              type="file"
              accept=".json,application/json"
              disabled={busy}
              onChange={(e) => void onImport(e)}
            />
          </label>
          <button id="clear" disabled={busy} onClick={() => void onClear()}>
            Clear all data
          </button>
        </div>
        {transfer.value && <TransferProgress transfer={transfer.value} onCancel={cancelImport} />}
      </fieldset>
    </>
  );
}

render(<Options />, document.getElementById('app')!);
void loadSettings().then((s) => (settings.value = s));
void refreshCounts();
