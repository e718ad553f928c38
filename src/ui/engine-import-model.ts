import { signal } from '@preact/signals';
import { readEngineExport } from '../core/engine-exports';
import { ENGINE_NAMES } from '../core/engines';
import { tn, t } from '../core/i18n';
import { getDb } from '../platform/db-connection';
import { send } from '../platform/messaging';
import {
  clearEngineLinks,
  forgetEngineSite,
  listEngineImports,
  removeEngineImport,
  writeEngineImport,
  type EngineImportRecord,
} from '../storage/engine-links';
import { runAction, type Notice } from './notice';

/** What was imported (newest first), the typed site, and the section's last notice. */
export const engineImports = signal<readonly EngineImportRecord[]>([]);
export const engineTarget = signal('');
export const engineNotice = signal<Notice | null>(null);

/** Tell the worker (badges) that stored links changed; without a worker there is no one to tell. */
async function dataChanged(): Promise<void> {
  try {
    await send({ type: 'data/changed' });
  } catch {
    // No worker to reach: nothing shows stale counts.
  }
}

export async function loadEngineImports(): Promise<void> {
  engineImports.value = await listEngineImports(await getDb());
}

/** "2 links confirmed by Google Search Console", or the sites or pages an import holds. */
export function describeImport(
  record: Pick<EngineImportRecord, 'engine' | 'kind' | 'links' | 'sites' | 'pages'>,
): string {
  const engine = ENGINE_NAMES[record.engine];
  if (record.kind === 'gsc-top-linking-sites') {
    return tn('engine_count_sites', record.sites.length, { engine });
  }
  if (record.kind === 'gsc-top-linked-pages') {
    return tn('engine_count_pages', record.pages.length, { engine });
  }
  return tn('engine_count_links', record.links, { engine });
}

/**
 * Import each chosen file on its own: one that is refused says why and changes nothing, the
 * others still land. Ends in one notice that names every file's outcome.
 */
export async function importEngineFiles(files: readonly File[]): Promise<void> {
  const lines: string[] = [];
  let failed = false;
  for (const file of files) {
    try {
      lines.push(await importOne(file));
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      lines.push(t('engine_import_failed', { file: file.name, message }));
    }
  }
  await loadEngineImports().catch(() => undefined);
  if (lines.length > 0) engineNotice.value = { text: lines.join(' '), error: failed };
  await dataChanged();
}

async function importOne(file: File): Promise<string> {
  const text = await file.text();
  const { parsed, site } = readEngineExport(text, { target: engineTarget.value });
  const { record, existed } = await writeEngineImport(await getDb(), {
    parsed,
    site,
    fileName: file.name,
    text,
  });
  if (existed) return t('engine_import_again', { file: file.name });
  const skipped = parsed.skipped > 0 ? ` ${tn('engine_import_skipped', parsed.skipped)}` : '';
  return `${t('engine_import_done', { what: describeImport(record), site })}${skipped}`;
}

/** Remove one import and its links, said so. */
export async function removeImport(record: EngineImportRecord): Promise<void> {
  await runAction(
    engineNotice,
    async () => {
      await removeEngineImport(await getDb(), record.id);
      await loadEngineImports();
      await dataChanged();
      return t('engine_import_removed', { file: record.fileName });
    },
    t('engine_import_remove_failed'),
  );
}

/** "Clear all data" covers the engines' links too; the list here then shows none. */
export async function clearEngineData(): Promise<void> {
  await clearEngineLinks(await getDb());
  await loadEngineImports();
}

/** Excluding a site drops the engines' links from or to it as well (storage/engine-links.ts). */
export async function forgetEngineData(site: string): Promise<void> {
  await forgetEngineSite(await getDb(), site);
  await loadEngineImports();
}
