import { keepFocusPlace } from '../keep-focus';
import { useEffect } from 'preact/hooks';
import { formatDate, formatNumber, t } from '../../core/i18n';
import { ConfirmedSiteLine } from './ConfirmedSites';
import {
  describeImport,
  engineImports,
  engineNotice,
  engineTarget,
  importEngineFiles,
  loadEngineImports,
  removeImport,
} from '../engine-import-model';
import type { EngineImportRecord } from '../../storage/engine-links';

/** How many of a top-linking-sites import's sites are named in its row. */
const SITES_SHOWN = 5;

/** One import: what it holds, for which site, when; its top linking sites as counted figures. */
function ImportRow({ record }: { record: EngineImportRecord }) {
  return (
    <li data-engine-import={record.id} data-engine={record.engine} data-kind={record.kind}>
      <span class="engine-import-what">
        {t('engine_import_row', {
          what: describeImport(record),
          site: record.site,
          date: formatDate(record.importedAt),
          file: record.fileName,
        })}
      </span>{' '}
      <button
        onClick={(e) => {
          const refocus = keepFocusPlace(e.currentTarget);
          void removeImport(record).then(refocus);
        }}
      >
        {t('engine_import_remove')}
      </button>
      {record.sites.length > 0 && (
        <ul class="engine-sites">
          {record.sites.slice(0, SITES_SHOWN).map((s) => (
            <ConfirmedSiteLine key={s.domain} engine={record.engine} site={s} />
          ))}
          {record.sites.length > SITES_SHOWN && (
            <li>
              {t('engine_sites_more', { count: formatNumber(record.sites.length - SITES_SHOWN) })}
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

/**
 * The options page's import of Google Search Console's and Bing Webmaster Tools' link exports:
 * choose files, read the outcome in words, remove an import.
 */
export function EngineImportSection() {
  useEffect(() => {
    void loadEngineImports().catch((error: unknown) => {
      engineNotice.value = { text: String(error), error: true };
    });
  }, []);
  const notice = engineNotice.value;
  return (
    <fieldset id="engine-import">
      <legend>{t('engine_import_legend')}</legend>
      <p>{t('engine_import_intro')}</p>
      <p>
        <label for="engine-target">{t('engine_import_target')}</label>{' '}
        <input
          id="engine-target"
          placeholder={t('engine_import_target_placeholder')}
          value={engineTarget.value}
          onInput={(e) => (engineTarget.value = e.currentTarget.value)}
        />
      </p>
      <label>
        {t('engine_import_choose')}{' '}
        <input
          id="engine-file"
          type="file"
          multiple
          accept=".csv,text/csv"
          onChange={(e) => {
            const input = e.currentTarget;
            const files = [...(input.files ?? [])];
            input.value = '';
            void importEngineFiles(files);
          }}
        />
      </label>
      {notice && (
        <p id="engine-notice" class={notice.error ? 'error' : ''} role="status">
          {notice.text}
        </p>
      )}
      {engineImports.value.length === 0 ? (
        <p id="engine-imports-none">{t('engine_import_none')}</p>
      ) : (
        <ul id="engine-imports">
          {engineImports.value.map((r) => (
            <ImportRow key={r.id} record={r} />
          ))}
        </ul>
      )}
    </fieldset>
  );
}
