import { describe, expect, it } from 'vitest';
import { summarizeBacklinks, type BacklinkView } from '../../src/core/summary';
import {
  applyTableView,
  DEFAULT_TABLE_VIEW,
  domainNeedle,
  isUnfiltered,
  MAX_FILTER_LENGTH,
  parseTableView,
  rowsToCsv,
  rowsToJson,
  tableRowsOf,
  tableViewQuery,
  type TableView,
} from '../../src/core/table';
import { at, DAY, makeLink, makePage } from './helpers';

const TARGET = 'https://target.com/page';
const NOW = at(100);

function views(): BacklinkView[] {
  const links = [
    makeLink('https://news.com/a', TARGET, {
      anchor: 'Great coffee guide',
      firstSeen: at(95),
      lastSeen: at(99),
    }),
    makeLink('https://news.com/b', TARGET, {
      anchor: 'click here',
      region: 'footer',
      rel: ['nofollow'],
      firstSeen: at(10),
    }),
    makeLink('https://blog.org/x', TARGET, {
      anchor: '=HYPERLINK("http://evil")',
      rel: ['sponsored'],
      firstSeen: at(20),
    }),
    makeLink('https://shop.net/y', TARGET, {
      anchor: 'beans, "fresh"\nroasted',
      region: 'aside',
      firstSeen: at(30),
      lostAt: at(90),
    }),
  ];
  const sources = {
    'https://news.com/a': makePage('https://news.com/a', { title: 'Morning news' }),
  };
  return summarizeBacklinks(links, sources).groups.flatMap((g) => g.links);
}

const SCORES: Record<string, number> = {
  'https://news.com/a': 80,
  'https://news.com/b': 12,
  'https://blog.org/x': 40,
};
const rows = tableRowsOf(views(), {
  score: (l) => SCORES[l.source],
  authority: (l) => (l.source === 'https://news.com/a' ? 54.6 : undefined),
  flags: (l) => (l.source === 'https://blog.org/x' ? ['paid'] : []),
});
const view = (patch: Partial<TableView>): TableView => ({ ...DEFAULT_TABLE_VIEW, ...patch });
const sources = (v: TableView) => applyTableView(rows, v, NOW).map((r) => r.link.source);

describe('table rows', () => {
  it('carries the figures known and marks the rest not known', () => {
    const byUrl = Object.fromEntries(rows.map((r) => [r.link.source, r]));
    expect(byUrl['https://news.com/a']).toMatchObject({ score: 80, authority: 55, flags: [] });
    expect(byUrl['https://shop.net/y']).toMatchObject({ score: null, authority: null });
    expect(byUrl['https://blog.org/x']!.flags).toEqual(['paid']);
  });

  it('carries who knows each link once a remote source answered, nothing before', () => {
    const merged = tableRowsOf(views(), {
      provenance: (l) =>
        l.source === 'https://news.com/a' ? ['this browser', 'Team index'] : undefined,
    });
    expect(merged.find((r) => r.link.source === 'https://news.com/a')!.provenance).toEqual([
      'this browser',
      'Team index',
    ]);
    expect(merged.find((r) => r.link.source === 'https://blog.org/x')).not.toHaveProperty(
      'provenance',
    );
    expect(rows[0]).not.toHaveProperty('provenance');
  });
});

describe('filters', () => {
  it('by part of the linking domain', () => {
    expect(sources(view({ domain: 'news' })).sort()).toEqual([
      'https://news.com/a',
      'https://news.com/b',
    ]);
  });

  it.each([
    'https://news.com/a?x=1',
    'http://user@www.news.com:8080/',
    'www.news.com',
    'WWW.NEWS.COM.',
    'news.com:443',
  ])('by the domain of a pasted address or www name: %j', (domain) => {
    expect(sources(view({ domain: domain.toLowerCase() })).sort()).toEqual([
      'https://news.com/a',
      'https://news.com/b',
    ]);
  });

  it('by digits as typed, not as an IP address', () => {
    expect(domainNeedle('123')).toBe('123');
    expect(domainNeedle('blog1')).toBe('blog1');
  });

  it('by an IDN name as typed, against the punycode kept', () => {
    const idn = tableRowsOf(
      summarizeBacklinks([makeLink('https://café.fr/p', TARGET)], {}).groups.flatMap(
        (g) => g.links,
      ),
    );
    expect(applyTableView(idn, view({ domain: 'café' }), NOW)).toHaveLength(1);
    expect(applyTableView(idn, view({ domain: 'xn--caf' }), NOW)).toHaveLength(1);
  });

  it('by rel: followed, not followed, or one qualifier', () => {
    expect(sources(view({ rel: 'followed' })).sort()).toEqual([
      'https://news.com/a',
      'https://shop.net/y',
    ]);
    expect(sources(view({ rel: 'unfollowed' })).sort()).toEqual([
      'https://blog.org/x',
      'https://news.com/b',
    ]);
    expect(sources(view({ rel: 'sponsored' }))).toEqual(['https://blog.org/x']);
  });

  it('by region, status, flag and minimum score', () => {
    expect(sources(view({ region: 'footer' }))).toEqual(['https://news.com/b']);
    expect(sources(view({ status: 'lost' }))).toEqual(['https://shop.net/y']);
    expect(sources(view({ status: 'live' }))).not.toContain('https://shop.net/y');
    // First seen within the last 30 days.
    expect(sources(view({ status: 'new' }))).toEqual(['https://news.com/a']);
    expect(sources(view({ flag: 'paid' }))).toEqual(['https://blog.org/x']);
    // A link whose score is not known yet is not "at least 30".
    expect(sources(view({ minScore: 30 }))).toEqual(['https://news.com/a', 'https://blog.org/x']);
  });

  it('by every word of a text, in the anchor, the page title or its URL', () => {
    expect(sources(view({ text: 'coffee GUIDE' }))).toEqual(['https://news.com/a']);
    expect(sources(view({ text: 'morning' }))).toEqual(['https://news.com/a']);
    expect(sources(view({ text: 'shop.net' }))).toEqual(['https://shop.net/y']);
    expect(sources(view({ text: 'coffee click' }))).toEqual([]);
  });
});

describe('sorting', () => {
  it('by score, highest first, links without a score last either way', () => {
    expect(sources(view({ sort: 'score', descending: true }))).toEqual([
      'https://news.com/a',
      'https://blog.org/x',
      'https://news.com/b',
      'https://shop.net/y',
    ]);
    expect(sources(view({ sort: 'score', descending: false }))).toEqual([
      'https://news.com/b',
      'https://blog.org/x',
      'https://news.com/a',
      'https://shop.net/y',
    ]);
  });

  it('by domain, anchor and first seen', () => {
    expect(sources(view({ sort: 'domain', descending: false }))[0]).toBe('https://blog.org/x');
    expect(sources(view({ sort: 'firstSeen', descending: true }))[0]).toBe('https://news.com/a');
    expect(sources(view({ sort: 'anchor', descending: false }))).toEqual([
      'https://blog.org/x', // "=hyperlink…" sorts before letters
      'https://shop.net/y',
      'https://news.com/b',
      'https://news.com/a',
    ]);
  });
});

describe('the view in the URL', () => {
  it('round-trips every filter and the order', () => {
    const v = view({
      domain: 'news',
      text: 'coffee',
      rel: 'nofollow',
      region: 'main',
      status: 'new',
      minScore: 40,
      flag: 'reciprocal',
      sort: 'firstSeen',
      descending: false,
    });
    expect(parseTableView(new URLSearchParams(tableViewQuery(v)))).toEqual(v);
  });

  it('leaves defaults out, so the plain report keeps a plain URL', () => {
    expect(tableViewQuery(DEFAULT_TABLE_VIEW)).toEqual([]);
    expect(isUnfiltered(DEFAULT_TABLE_VIEW)).toBe(true);
    expect(isUnfiltered(view({ sort: 'domain' }))).toBe(true);
    expect(isUnfiltered(view({ region: 'nav' }))).toBe(false);
  });

  it('ignores what is unknown or malformed, and bounds text', () => {
    const parsed = parseTableView(
      new URLSearchParams({
        url: TARGET,
        rel: 'bogus',
        region: 'sidebar',
        status: 'deleted',
        min: 'NaN',
        flag: '<script>',
        sort: 'constructor',
        domain: 'X'.repeat(5000),
      }),
    );
    expect(parsed).toEqual({ ...DEFAULT_TABLE_VIEW, domain: 'x'.repeat(MAX_FILTER_LENGTH) });
    expect(parseTableView(new URLSearchParams({ min: '250' })).minScore).toBe(100);
    expect(parseTableView(new URLSearchParams({ min: '-3' })).minScore).toBeNull();
  });
});

describe('export of the view', () => {
  it('writes CSV with quoting, and defuses formulas from hostile anchors', () => {
    const csv = rowsToCsv(applyTableView(rows, view({ sort: 'domain', descending: false }), NOW));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      '\ufeffsource,source_title,source_domain,target,anchor,rel,followed,region,score,source_authority,flags,first_seen,last_seen,lost_at',
    );
    expect(lines[1]).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(lines[1]).toContain(',sponsored,no,main,40,,paid,');
    // The quoted anchor spans two physical lines: one record, quotes doubled.
    expect(csv).toContain('"beans, ""fresh""\nroasted"');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('writes JSON with the view that chose the rows', () => {
    const chosen = view({ region: 'main', sort: 'score' });
    const shown = applyTableView(rows, chosen, NOW);
    const json = JSON.parse(
      rowsToJson(shown, { url: TARGET, scope: 'page', view: chosen, exportedAt: NOW }),
    );
    expect(json).toMatchObject({
      kind: 'table-view',
      url: TARGET,
      scope: 'page',
      filters: { region: 'main' },
      exportedAt: new Date(NOW).toISOString(),
    });
    expect(json.links.map((l: { source: string }) => l.source)).toEqual(
      shown.map((r) => r.link.source),
    );
    expect(json.links[0]).toMatchObject({ score: 80, source_authority: 55, followed: true });
    for (const link of json.links as { first_seen: string }[]) {
      expect(Number.isNaN(Date.parse(link.first_seen))).toBe(false);
    }
  });

  it('counts "new" from the given clock', () => {
    const later = NOW + 60 * DAY;
    expect(applyTableView(rows, view({ status: 'new' }), later)).toEqual([]);
  });
});
