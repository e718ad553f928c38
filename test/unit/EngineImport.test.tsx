// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import type { BacklinkDb } from '../../src/storage/db';
import { loadEngineLinks, type EngineImportRecord } from '../../src/storage/engine-links';
import { closeTestDbs, openTestDb } from './helpers';

vi.mock('webextension-polyfill', async () => ({
  default: (await import('./fake-browser')).fakeBrowser,
}));
let db: BacklinkDb;
vi.mock('../../src/platform/db-connection', () => ({ getDb: async () => db }));

const {
  describeImport,
  engineImports,
  engineNotice,
  engineTarget,
  importEngineFiles,
  removeImport,
} = await import('../../src/ui/engine-import-model');
const { EngineImportSection } = await import('../../src/ui/components/EngineImport');
const { ConfirmedSites } = await import('../../src/ui/components/ConfirmedSites');
const { confirmedSites, loadConfirmedSitesFor } =
  await import('../../src/ui/confirmed-sites-model');

beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => {
  document.body.innerHTML = '';
  engineImports.value = [];
  engineNotice.value = null;
  engineTarget.value = '';
  closeTestDbs();
});

// Paths from the project root: under happy-dom, import.meta.url is not a file URL.
const fixture = (path: string) =>
  new File(
    [readFileSync(join(process.cwd(), 'test/fixtures/providers', path), 'utf8')],
    path.split('/').pop()!,
  );
const PAGE = 'https://coffee-blog.example/brewing-guide';

const RECORD: EngineImportRecord = {
  id: 'a1',
  engine: 'google',
  kind: 'gsc-top-linking-sites',
  site: 'coffee-blog.example',
  fileName: 'top-linking-sites.csv',
  importedAt: Date.UTC(2026, 10, 26),
  links: 0,
  sites: [
    { domain: 'news-daily.example', linkingPages: 1204, targetPages: 12 },
    { domain: 'forum.example', linkingPages: null, targetPages: null },
  ],
  pages: [],
  skipped: 0,
};

function mount(): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(<EngineImportSection />, root);
  return root;
}

describe('describeImport', () => {
  it('says what an import holds, by kind', () => {
    expect(describeImport({ ...RECORD, kind: 'bing-backlinks', engine: 'bing', links: 1 })).toBe(
      '1 link confirmed by Bing Webmaster Tools',
    );
    expect(describeImport(RECORD)).toBe('2 linking sites counted by Google Search Console');
    expect(describeImport({ ...RECORD, kind: 'gsc-top-linked-pages', pages: [], sites: [] })).toBe(
      '0 linked pages counted by Google Search Console',
    );
  });
});

describe('EngineImportSection', () => {
  it('says nothing was imported yet', () => {
    const root = mount();
    expect(root.querySelector('#engine-imports-none')!.textContent).toBe('Nothing imported yet.');
    expect(root.querySelector('#engine-notice')).toBeNull();
  });

  it('lists an import with its counted sites as figures, never as links', () => {
    engineImports.value = [RECORD];
    const root = mount();
    const row = root.querySelector('[data-engine-import="a1"]')!;
    expect(row.querySelector('.engine-import-what')!.textContent).toMatch(
      /^2 linking sites counted by Google Search Console for coffee-blog\.example, imported .* from top-linking-sites\.csv$/,
    );
    expect([...row.querySelectorAll('[data-confirmed-site]')].map((li) => li.textContent)).toEqual([
      'Confirmed by Google Search Console: 1,204 links from news-daily.example',
      'Confirmed by Google Search Console: links from forum.example',
    ]);
    expect(row.querySelector('a')).toBeNull();
    expect(row.querySelector('button')!.textContent).toBe('Remove');
  });

  it('shows an error notice as one', () => {
    engineNotice.value = { text: 'x.csv was not imported: The file is empty.', error: true };
    const root = mount();
    const notice = root.querySelector('#engine-notice')!;
    expect(notice.className).toBe('error');
    expect(notice.textContent).toBe('x.csv was not imported: The file is empty.');
  });
});

describe('importEngineFiles', () => {
  it('imports each file and says what it imported, for which site', async () => {
    engineTarget.value = 'coffee-blog.example';
    await importEngineFiles([fixture('bing/backlinks.csv'), fixture('gsc/top-linking-sites.csv')]);
    expect(engineNotice.value).toEqual({
      text:
        'Imported 2 links confirmed by Bing Webmaster Tools for coffee-blog.example. ' +
        '1 row could not be read and was left out. ' +
        'Imported 3 linking sites counted by Google Search Console for coffee-blog.example. ' +
        '1 row could not be read and was left out.',
      error: false,
    });
    expect(engineImports.value.map((r) => r.kind).sort()).toEqual([
      'bing-backlinks',
      'gsc-top-linking-sites',
    ]);
    await importEngineFiles([fixture('bing/backlinks.csv')]);
    expect(engineNotice.value!.text).toBe('backlinks.csv was already imported; nothing was added.');
    expect(engineImports.value).toHaveLength(2);
  });

  it("refuses a malformed file with the parser's words and changes nothing", async () => {
    await importEngineFiles([fixture('bing/backlinks.csv')]);
    const before = engineImports.value;
    await importEngineFiles([fixture('gsc/cut-short.csv')]);
    expect(engineNotice.value!.error).toBe(true);
    expect(engineNotice.value!.text).toMatch(/^cut-short\.csv was not imported: .*quoted cell/);
    expect(engineImports.value).toEqual(before);
    expect(await db.count('engine-links')).toBe(2);
  });

  it('removes an import and its links, said so', async () => {
    await importEngineFiles([fixture('bing/backlinks.csv')]);
    await removeImport(engineImports.value[0]!);
    expect(engineNotice.value!.text).toBe(
      'Removed the import of backlinks.csv; its links are no longer shown.',
    );
    expect(engineImports.value).toEqual([]);
    expect(await loadEngineLinks(db, 'bing', 'url', PAGE)).toBeNull();
  });
});

describe('ConfirmedSites (the site view)', () => {
  it("lists the sites Google counted for the site from the user's import, as figures", async () => {
    engineTarget.value = 'coffee-blog.example';
    await importEngineFiles([fixture('gsc/top-linking-sites.csv')]);
    await loadConfirmedSitesFor('coffee-blog.example');
    const root = document.createElement('div');
    document.body.append(root);
    render(<ConfirmedSites domain="coffee-blog.example" />, root);
    expect([...root.querySelectorAll('[data-confirmed-site]')].map((li) => li.textContent)).toEqual(
      [
        'Confirmed by Google Search Console: 1,204 links from news-daily.example',
        'Confirmed by Google Search Console: 87 links from forum.example',
        'Confirmed by Google Search Console: 5 links from example.co.uk',
      ],
    );
    expect(root.querySelector('a')).toBeNull();
  });

  it('shows nothing for a site nothing was imported for', async () => {
    await loadConfirmedSitesFor('other.example');
    expect(confirmedSites.value).toEqual({ domain: 'other.example', sites: [] });
    const root = document.createElement('div');
    document.body.append(root);
    render(<ConfirmedSites domain="other.example" />, root);
    expect(root.innerHTML).toBe('');
  });
});
