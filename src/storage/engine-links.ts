/**
 * The search engines' own link data the user imported (core/engine-exports.ts): one record per
 * imported file in `engine-imports`, its links in `engine-links`. Kept apart from the links this
 * browser recorded: an engine's links are its word, shown beside ours as "confirmed by", and an
 * import can be removed whole without touching what the browser saw.
 *
 * Only types are imported from core/engine-exports: the popup reads through this file and must
 * not load the Public Suffix List the parser needs.
 */
import type {
  ConfirmedPage,
  ConfirmedSite,
  Engine,
  EngineExportKind,
  EngineImport,
} from '../core/engine-exports';
import type { LinkRecord } from '../core/types';
import { hostOf } from '../core/url';
import type { BacklinkDb } from './db';
import { abortQuietly } from './requests';

/** One imported export file: which engine, which site (property), when, and what it held. */
export interface EngineImportRecord {
  /** A digest of the engine, kind, site and file text: the same file imported again is the same id. */
  id: string;
  engine: Engine;
  kind: EngineExportKind;
  /** The property the export is for: a registrable domain (coffee-blog.example). */
  site: string;
  fileName: string;
  importedAt: number;
  /** How many links went to `engine-links` (the links themselves are there). */
  links: number;
  /** GSC "Top linking sites": domains and counts, never URLs. */
  sites: ConfirmedSite[];
  /** GSC "Top linked pages": the site's pages and counts. */
  pages: ConfirmedPage[];
  skipped: number;
}

/** A link an engine confirmed, under the import it came from. */
export interface EngineLinkRecord extends LinkRecord {
  importId: string;
  engine: Engine;
}

/** What an import is called by: its parsed content and where it came from. */
export interface EngineImportInput {
  parsed: EngineImport;
  site: string;
  fileName: string;
  /** The file's text, for the id: re-importing it replaces the record rather than adding one. */
  text: string;
  now?: number;
}

/** SHA-256 (Web Crypto, in the browser and in Node) of what makes two imports the same one. */
async function importIdOf(input: EngineImportInput): Promise<string> {
  const { parsed, site, text } = input;
  const data = new TextEncoder().encode(`${parsed.engine}\n${parsed.kind}\n${site}\n${text}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Store one parsed export in one transaction: the import record and all its links land
 * together or not at all. The same file again replaces its own record and links (same keys),
 * so it adds nothing. Returns the stored record, and whether it was there before.
 */
export async function writeEngineImport(
  db: BacklinkDb,
  input: EngineImportInput,
): Promise<{ record: EngineImportRecord; existed: boolean }> {
  const { parsed } = input;
  const record: EngineImportRecord = {
    id: await importIdOf(input),
    engine: parsed.engine,
    kind: parsed.kind,
    site: input.site,
    fileName: input.fileName,
    importedAt: input.now ?? Date.now(),
    links: parsed.links.length,
    sites: parsed.sites,
    pages: parsed.pages,
    skipped: parsed.skipped,
  };
  const tx = db.transaction(['engine-imports', 'engine-links'], 'readwrite');
  let existed = false;
  // Every put is queued in one go, in the try: a put with a bad key throws at once rather than
  // rejecting, and either way the transaction is aborted, so nothing of a half-written import
  // stays.
  const writes: Promise<unknown>[] = [];
  try {
    const imports = tx.objectStore('engine-imports');
    writes.push(
      imports.getKey(record.id).then((key) => (existed = key !== undefined)),
      imports.put(record),
    );
    const links = tx.objectStore('engine-links');
    for (const link of parsed.links) {
      writes.push(links.put({ ...link, importId: record.id, engine: parsed.engine }));
    }
    await Promise.all([...writes, tx.done]);
  } catch (error) {
    abortQuietly(tx, writes);
    throw error;
  }
  return { record, existed };
}

/** Every import, newest first, for the options page's list. */
export async function listEngineImports(db: BacklinkDb): Promise<EngineImportRecord[]> {
  const all = await db.getAll('engine-imports');
  return all.sort((a, b) => b.importedAt - a.importedAt);
}

/** Remove one import and its links together. */
export async function removeEngineImport(db: BacklinkDb, id: string): Promise<void> {
  const tx = db.transaction(['engine-imports', 'engine-links'], 'readwrite');
  const links = tx.objectStore('engine-links');
  const keys = await links.index('by_import').getAllKeys(id);
  await Promise.all([
    tx.objectStore('engine-imports').delete(id),
    ...keys.map((key) => links.delete(key)),
    tx.done,
  ]);
}

/** Everything imported from the engines: part of "Clear all data". */
export async function clearEngineLinks(db: BacklinkDb): Promise<void> {
  const tx = db.transaction(['engine-imports', 'engine-links'], 'readwrite');
  await Promise.all([
    tx.objectStore('engine-imports').clear(),
    tx.objectStore('engine-links').clear(),
    tx.done,
  ]);
}

const isOnSite = (host: string, site: string) => host === site || host.endsWith(`.${site}`);

/**
 * Forget a site (a hostname, its subdomains included) in the engines' data too: every
 * confirmed link from or to it, its rows among the top linking sites and linked pages, and the
 * imports made for it. Returns how many links were removed.
 */
export async function forgetEngineSite(db: BacklinkDb, site: string): Promise<number> {
  const tx = db.transaction(['engine-imports', 'engine-links'], 'readwrite');
  const imports = tx.objectStore('engine-imports');
  const writes: Promise<unknown>[] = [];
  let removed = 0;
  // Links are read whole: an engine's export is at most a few hundred thousand rows, and a
  // site is forgotten rarely.
  let cursor = await tx.objectStore('engine-links').openCursor();
  while (cursor) {
    const { source, target } = cursor.value;
    if (isOnSite(hostOf(source), site) || isOnSite(hostOf(target), site)) {
      writes.push(cursor.delete());
      removed++;
    }
    cursor = await cursor.continue();
  }
  for (const record of await imports.getAll()) {
    if (isOnSite(record.site, site)) {
      writes.push(imports.delete(record.id));
      continue;
    }
    const sites = record.sites.filter((s) => !isOnSite(s.domain, site));
    const pages = record.pages.filter((p) => !isOnSite(hostOf(p.url), site));
    if (sites.length !== record.sites.length || pages.length !== record.pages.length) {
      writes.push(imports.put({ ...record, sites, pages }));
    }
  }
  await Promise.all([...writes, tx.done]);
  return removed;
}

/**
 * One engine's confirmed links into a page (canonical URL), or into any page of its site; null
 * when nothing of that engine was imported for the page's site.
 */
export async function loadEngineLinks(
  db: BacklinkDb,
  engine: Engine,
  kind: 'url' | 'domain',
  url: string,
): Promise<LinkRecord[] | null> {
  const tx = db.transaction(['engine-imports', 'engine-links'], 'readonly');
  const host = hostOf(url);
  const imports = (await tx.objectStore('engine-imports').getAll()).filter(
    (r) => r.engine === engine && isOnSite(host, r.site),
  );
  // Nothing of this engine imported for this site: the source is off there, not "no links",
  // so the popup of every other site stays as it was.
  if (imports.length === 0) return null;
  const links = tx.objectStore('engine-links');
  let found: EngineLinkRecord[];
  if (kind === 'url') {
    found = (await links.index('by_target').getAll(url)).filter((l) => l.engine === engine);
  } else {
    const ids = imports.map((r) => r.id);
    found = (await Promise.all(ids.map((id) => links.index('by_import').getAll(id)))).flat();
  }
  // The engine's word on a link, not which file said it: stored fields only.
  return found.map(({ importId: _id, engine: _engine, ...link }) => link);
}

/** The site's top linking sites as an engine counted them, from its latest import for the site. */
export async function loadConfirmedSites(
  db: BacklinkDb,
  engine: Engine,
  host: string,
): Promise<ConfirmedSite[]> {
  const imports = await listEngineImports(db);
  const latest = imports.find(
    (r) => r.engine === engine && r.kind === 'gsc-top-linking-sites' && isOnSite(host, r.site),
  );
  return latest?.sites ?? [];
}

/**
 * How many search-engine exports are imported: one key count, so that a popup on a machine
 * without any (the common case) never reads the engines' links.
 */
export function countEngineImports(db: BacklinkDb): Promise<number> {
  return db.count('engine-imports');
}
