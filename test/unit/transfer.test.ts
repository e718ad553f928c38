import { describe, expect, it } from 'vitest';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  exportDocument,
  ImportError,
  type ExportFile,
  linksToCsv,
  parseExport,
  withoutExcludedSites,
} from '../../src/core/transfer';
import { DAY, T0, at, makeLink, makePage, makeRedirect } from './helpers';
import { MAX_URL_LENGTH } from '../../src/core/limits';
import { MAX_RELATED_PAGES } from '../../src/core/settings';
import { exportText } from '../support/export-file';

/** A minimal RFC 4180 reader, to check that what linksToCsv writes reads back cell for cell. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('parseExport: the file as a whole', () => {
  it.each([
    ['not JSON', 'this is not json'],
    ['truncated JSON', exportText([], []).slice(0, 30)],
    ['an empty file', ''],
  ])('rejects %s with ImportError', (_label, text) => {
    expect(() => parseExport(text)).toThrow(ImportError);
    expect(() => parseExport(text)).toThrow(/not JSON/);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '42'],
    ['an object without format', '{"version":1,"pages":[],"links":[]}'],
    ['another format', JSON.stringify({ format: 'other-tool', version: 1, pages: [], links: [] })],
  ])('rejects %s as not an export', (_label, text) => {
    expect(() => parseExport(text)).toThrow(ImportError);
    expect(() => parseExport(text)).toThrow(/not a Backlink Lens export/);
  });

  it('rejects a future version, naming it and the versions it reads', () => {
    const text = exportText([], [], { version: EXPORT_VERSION + 3 });
    expect(() => parseExport(text)).toThrow(ImportError);
    expect(() => parseExport(text)).toThrow(
      `This file is an export of version ${EXPORT_VERSION + 3}, from a newer Backlink Lens; ` +
        `this version of Backlink Lens reads versions 1 to ${EXPORT_VERSION}. ` +
        'Update the extension to import it.',
    );
  });

  it.each([
    ['a string version', '1', '"1"'],
    ['no version', undefined, 'none'],
    ['version 0', 0, '0'],
    ['a negative version', -1, '-1'],
    ['a fractional version', 0.5, '0.5'],
  ])('rejects %s as not valid', (_label, version, shown) => {
    const text = exportText([], [], { version });
    expect(() => parseExport(text)).toThrow(ImportError);
    expect(() => parseExport(text)).toThrow(
      `This file's export version (${shown}) is not valid; ` +
        `this version of Backlink Lens reads versions 1 to ${EXPORT_VERSION}.`,
    );
  });

  it('rejects an export without page or link lists', () => {
    expect(() => parseExport(exportText([], [], { pages: undefined }))).toThrow(ImportError);
    expect(() => parseExport(exportText([], [], { links: {} }))).toThrow(/no pages or links/);
  });

  it('ImportError is an Error', () => {
    try {
      parseExport('nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(ImportError);
    }
  });

  it('accepts an empty export', () => {
    expect(parseExport(exportText([], []))).toEqual({
      relatedPages: [],
      pages: [],
      links: [],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
  });
});

describe('parseExport: marked related pages (version 5)', () => {
  const RIVAL = 'https://rival.example/page';

  it('reads them canonical, once each; junk, overlong and secret addresses left out', () => {
    const relatedPages = [
      'HTTPS://Rival.example/page#top',
      RIVAL,
      'https://a.example/p?sid=0123456789abcdef&x=1',
      `https://a.example/${'x'.repeat(20_000)}`,
      'https://a.example/magic-link/abc',
      'javascript:alert(1)',
      'ftp://files.example/',
      42,
      null,
      { url: RIVAL },
    ];
    const parsed = parseExport(exportText([], [], { relatedPages }));
    expect(parsed.relatedPages).toEqual([RIVAL, 'https://a.example/p?x=1']);
    // Pages that are no web page are no rows: nothing is counted skipped for them.
    expect(parsed.skipped).toBe(0);
  });

  it(`keeps at most ${MAX_RELATED_PAGES}, and reads a list that is none as none`, () => {
    const many = Array.from({ length: 1000 }, (_, i) => `https://r${i}.example/`);
    const parsed = parseExport(exportText([], [], { relatedPages: many }));
    expect(parsed.relatedPages).toEqual(many.slice(0, MAX_RELATED_PAGES));
    for (const relatedPages of [RIVAL, { 0: RIVAL }, 7, null, undefined]) {
      expect(parseExport(exportText([], [], { relatedPages })).relatedPages).toEqual([]);
    }
  });

  it('reads none from a version 4 file (or older), which had none, and its rows as before', () => {
    const page = makePage('https://example.com/a');
    const link = makeLink('https://example.com/a', 'https://other.org/');
    for (const version of [1, 2, 3, 4]) {
      const text = exportText([page], [link], { version, relatedPages: [RIVAL] });
      const parsed = parseExport(text);
      expect(parsed.relatedPages).toEqual([]);
      const before = JSON.parse(exportText([page], [link], { version }));
      expect(parsed).toEqual(parseExport(JSON.stringify(before)));
      expect(parsed.pages.map((p) => p.url)).toEqual(['https://example.com/a']);
      expect(parsed.links).toHaveLength(1);
    }
  });

  it('is the version this extension writes; version 6 is refused in plain words', () => {
    expect(EXPORT_VERSION).toBe(5);
    expect(() => parseExport(exportText([], [], { version: 6, relatedPages: [RIVAL] }))).toThrow(
      'This file is an export of version 6, from a newer Backlink Lens; this version of ' +
        'Backlink Lens reads versions 1 to 5. Update the extension to import it.',
    );
  });

  it('leaves the marked pages of an excluded site: they are not recorded data', () => {
    const parsed = parseExport(exportText([], [], { relatedPages: [RIVAL] }));
    expect(withoutExcludedSites(parsed, ['rival.example']).data.relatedPages).toEqual([RIVAL]);
  });
});

describe('parseExport: redirects', () => {
  const hop = makeRedirect('https://old.com/a', 'https://new.com/a', {
    status: 308,
    firstSeen: at(1),
    lastSeen: at(2),
  });

  it('keeps valid hops', () => {
    expect(parseExport(exportText([], [], { redirects: [hop] })).redirects).toEqual([hop]);
  });

  it('validates every field, skipping bad hops and counting them', () => {
    const parsed = parseExport(
      exportText([], [], {
        redirects: [
          hop,
          null,
          [hop],
          { ...hop, from: 'javascript:alert(1)' },
          { ...hop, to: 42 },
          { ...hop, to: hop.from },
          { ...hop, status: 200 },
          { ...hop, status: '301' },
          { ...hop, status: 304 },
          { ...hop, firstSeen: 'then' },
          { ...hop, lastSeen: -5 },
        ],
      }),
    );
    expect(parsed.redirects).toEqual([hop]);
    expect(parsed.skipped).toBe(10);
  });

  it('re-canonicalizes both ends, drops extra fields and repairs the dates', () => {
    const parsed = parseExport(
      exportText([], [], {
        redirects: [
          {
            from: 'HTTPS://Old.com/a?utm_source=x#f',
            to: 'https://new.com:443/a',
            status: 301,
            firstSeen: at(5),
            lastSeen: at(2),
            note: '<script>',
          },
          { ...hop, from: 'https://same.com/a?fbclid=1', to: 'https://same.com/a' },
        ],
      }),
    );
    expect(parsed.redirects).toEqual([
      makeRedirect('https://old.com/a', 'https://new.com/a', { firstSeen: at(2), lastSeen: at(2) }),
    ]);
    expect(parsed.skipped).toBe(1);
  });

  it('needs the list from version 3 on, and reads none before', () => {
    expect(() => parseExport(exportText([], [], { redirects: undefined }))).toThrow(
      /no redirects list/,
    );
    for (const version of [1, 2]) {
      const old = exportText([], [], { version, redirects: [hop] });
      expect(parseExport(old)).toEqual({
        relatedPages: [],
        pages: [],
        links: [],
        redirects: [],
        referrals: [],
        skipped: 0,
      });
    }
  });
});

describe('parseExport: rows', () => {
  it('keeps valid pages and links unchanged', () => {
    const page = makePage('https://example.com/a', {
      title: 'A',
      canonical: 'https://example.com/canonical',
      robotsNofollow: true,
      firstSeen: at(0),
      lastSeen: at(3),
      outboundCount: 12,
      truncated: true,
    });
    const alias = makePage('https://example.com/canonical', { aliasOf: 'https://example.com/a' });
    const link = makeLink('https://example.com/a', 'https://other.org/x', {
      rel: ['nofollow', 'ugc'],
      region: 'comments',
      firstSeen: at(0),
      lastSeen: at(1),
      lostAt: at(3),
    });
    expect(parseExport(exportText([page, alias], [link]))).toEqual({
      relatedPages: [],
      pages: [page, alias],
      links: [link],
      redirects: [],
      referrals: [],
      skipped: 0,
    });
  });

  it('skips invalid rows and counts them', () => {
    const good = makePage('https://example.com/a');
    const goodLink = makeLink('https://example.com/a', 'https://other.org/');
    const parsed = parseExport(
      exportText(
        [
          good,
          null,
          'https://example.com/b',
          [good],
          { ...good, url: 'javascript:alert(1)' },
          { ...good, url: 'ftp://example.com/' },
          { ...good, url: 42 },
          { ...good, firstSeen: undefined },
          { ...good, lastSeen: '2024-01-01' },
          { ...good, firstSeen: -1 },
        ],
        [
          goodLink,
          7,
          { ...goodLink, source: 'mailto:a@example.com' },
          { ...goodLink, target: 'data:text/html,x' },
          { ...goodLink, target: undefined },
          { ...goodLink, lastSeen: null },
          { ...goodLink, firstSeen: 'yesterday' },
        ],
      ),
    );
    expect(parsed.pages).toEqual([good]);
    expect(parsed.links).toEqual([goodLink]);
    expect(parsed.skipped).toBe(9 + 6);
  });

  it('re-canonicalizes URLs and recomputes host and domains instead of trusting the file', () => {
    const parsed = parseExport(
      exportText(
        [
          {
            ...makePage('https://x.example/'),
            url: 'HTTPS://Blog.Example.CO.UK:443/a/../post?utm_source=feed&id=3#comments',
            host: 'evil.test',
            domain: 'evil.test',
            canonical: 'https://blog.example.co.uk/post?id=3&fbclid=1',
            aliasOf: 'HTTPS://blog.example.co.uk/p?id=3#x',
          },
        ],
        [
          {
            ...makeLink('https://x.example/', 'https://y.example/'),
            source: 'http://WWW.Source.com:80/a/./b?gclid=1',
            target: 'https://bücher.example/%7ebook#top',
            sourceDomain: 'evil.test',
            targetDomain: 'evil.test',
          },
        ],
      ),
    );
    expect(parsed.skipped).toBe(0);
    expect(parsed.pages[0]).toMatchObject({
      url: 'https://blog.example.co.uk/post?id=3',
      host: 'blog.example.co.uk',
      domain: 'example.co.uk',
      canonical: 'https://blog.example.co.uk/post?id=3',
      aliasOf: 'https://blog.example.co.uk/p?id=3',
    });
    expect(parsed.links[0]).toMatchObject({
      source: 'http://www.source.com/a/b',
      target: 'https://xn--bcher-kva.example/~book',
      sourceDomain: 'source.com',
      targetDomain: 'xn--bcher-kva.example',
    });
  });

  it('drops an invalid canonical or aliasOf but keeps the page', () => {
    const parsed = parseExport(
      exportText(
        [
          {
            ...makePage('https://example.com/a'),
            canonical: 'javascript:1',
            aliasOf: 'mailto:x@y.z',
          },
        ],
        [],
      ),
    );
    expect(parsed.pages).toHaveLength(1);
    expect(parsed.pages[0]!.canonical).toBeNull();
    expect(parsed.pages[0]).not.toHaveProperty('aliasOf');
  });

  it('repairs fields: first seen never after last seen, bad values defaulted, strings capped', () => {
    const parsed = parseExport(
      exportText(
        [
          {
            ...makePage('https://example.com/a'),
            firstSeen: at(5),
            lastSeen: at(2),
            title: 't'.repeat(1000),
            lang: 'l'.repeat(100),
            robotsNoindex: 'yes',
            robotsNofollow: 1,
            outboundCount: -4,
            truncated: 'true',
          },
        ],
        [
          {
            ...makeLink('https://example.com/a', 'https://other.org/'),
            firstSeen: at(5),
            lastSeen: at(2),
            anchor: 'a'.repeat(1000),
            rel: 'nofollow',
            region: 'sidebar',
          },
          {
            ...makeLink('https://example.com/a', 'https://other.org/2'),
            anchor: 42,
            rel: ['ugc', 3, 'x'.repeat(100)],
            lostAt: null,
          },
        ],
      ),
    );
    expect(parsed.pages[0]).toMatchObject({
      firstSeen: at(2),
      lastSeen: at(2),
      title: 't'.repeat(300),
      lang: 'l'.repeat(35),
      robotsNoindex: false,
      robotsNofollow: false,
      outboundCount: 0,
      truncated: false,
    });
    expect(parsed.links[0]).toMatchObject({
      firstSeen: at(2),
      lastSeen: at(2),
      anchor: 'a'.repeat(200),
      rel: [],
      region: 'other',
      lostAt: null,
    });
    expect(parsed.links[1]).toMatchObject({
      anchor: '',
      rel: ['ugc', 'x'.repeat(40)],
      lostAt: null,
    });
  });
});

describe('parseExport: values bounded, secrets kept out', () => {
  const NOW = at(10);
  const A = 'https://example.com/a';
  const long = `https://example.com/${'x'.repeat(MAX_URL_LENGTH)}`;

  it('skips and counts rows with a time before 1990 or over a day ahead', () => {
    const parsed = parseExport(
      exportText(
        [
          makePage(A),
          makePage('https://example.com/far', { lastSeen: 1e20 }),
          makePage('https://example.com/old', { firstSeen: Date.UTC(1989, 11, 31) }),
        ],
        [
          makeLink(A, 'https://other.org/'),
          makeLink(A, 'https://other.org/1', { lastSeen: 1e20 }),
          makeLink(A, 'https://other.org/2', { lostAt: 1e20 }),
          makeLink(A, 'https://other.org/3', { lostAt: NOW + 2 * DAY }),
          makeLink(A, 'https://other.org/4', { lostAt: NOW + DAY / 2 }),
        ],
        {
          redirects: [makeRedirect(A, 'https://example.com/b', { firstSeen: -1 })],
          referrals: [{ source: 'https://other.org/', target: A, href: A, anchor: '', at: 1e20 }],
        },
      ),
      NOW,
    );
    expect(parsed.pages.map((p) => p.url)).toEqual([A]);
    // Half a day ahead is a clock running fast, not an impossible time.
    expect(parsed.links.map((l) => l.target)).toEqual([
      'https://other.org/',
      'https://other.org/4',
    ]);
    expect(parsed.redirects).toEqual([]);
    expect(parsed.referrals).toEqual([]);
    expect(parsed.skipped).toBe(2 + 3 + 1 + 1);
  });

  it('skips a URL over the limit instead of cutting it', () => {
    const parsed = parseExport(
      exportText([makePage(long)], [makeLink(A, long), makeLink(long, A)]),
      NOW,
    );
    expect(parsed).toMatchObject({ pages: [], links: [], skipped: 3 });
  });

  it('strips secret parameters and leaves out secret paths', () => {
    const reset = 'https://example.com/reset-password/8d2f0e6a41b94c3e9a7f';
    const parsed = parseExport(
      exportText(
        [
          makePage(`${A}?sessionid=8f14e45fceea167a5a36dedd4bea2543&page=2`, { canonical: reset }),
          makePage(reset),
        ],
        [
          makeLink(A, 'https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Signature=abc&X-Amz-Date=1'),
          makeLink(A, reset),
        ],
      ),
      NOW,
    );
    expect(parsed.pages).toMatchObject([{ url: `${A}?page=2`, canonical: null }]);
    expect(parsed.links.map((l) => l.target)).toEqual(['https://bucket.s3.amazonaws.com/f.pdf']);
    expect(parsed.skipped).toBe(2);
  });
});

describe('exportDocument', () => {
  const data: ExportFile = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(T0).toISOString(),
    relatedPages: ['https://rival.example/page'],
    pages: [makePage('https://example.com/a')],
    // Stored before times were bounded: it must not end the export with a RangeError.
    links: [makeLink('https://example.com/a', 'https://other.org/', { lastSeen: 1e20 })],
    redirects: [],
    referrals: [],
  };

  it('names the file after the export day, and writes JSON that reads back', () => {
    const file = exportDocument(data, 'json');
    expect(file).toMatchObject({ name: 'backlink-lens-2024-01-01.json', type: 'application/json' });
    expect(JSON.parse(file.text)).toMatchObject({ pages: [{ url: 'https://example.com/a' }] });
    expect(parseExport(file.text).relatedPages).toEqual(['https://rival.example/page']);
  });

  it('writes CSV with an empty cell for a time no Date holds', () => {
    const file = exportDocument(data, 'csv');
    expect(file.name).toBe('backlink-lens-links-2024-01-01.csv');
    const [, row] = readCsv(file.text);
    expect(row!.slice(-3)).toEqual([new Date(T0).toISOString(), '', '']);
  });
});

describe('linksToCsv', () => {
  const HEADER = [
    'source',
    'target',
    'anchor',
    'rel',
    'region',
    'also_in',
    'occurrences',
    'source_domain',
    'target_domain',
    'first_seen',
    'last_seen',
    'lost_at',
  ];

  it('writes only the header row for no links, after the byte order mark Excel reads UTF-8 by', () => {
    expect(linksToCsv([])).toBe(`\ufeff${HEADER.join(',')}\r\n`);
  });

  it('writes one row per link with ISO dates and an empty lost_at for live links', () => {
    const csv = linksToCsv([
      makeLink('https://a.com/p', 'https://b.com/', {
        anchor: 'Plain anchor',
        rel: ['nofollow', 'ugc'],
        region: 'nav',
        regions: ['nav', 'footer', 'comments'],
        occurrences: 3,
        firstSeen: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
        lastSeen: Date.UTC(2024, 5, 30),
      }),
      makeLink('https://c.com/', 'https://b.com/', {
        anchor: '',
        firstSeen: T0,
        lastSeen: T0,
        lostAt: Date.UTC(2025, 11, 31, 23, 59, 59),
      }),
    ]);
    expect(csv.split('\r\n')).toEqual([
      `\ufeff${HEADER.join(',')}`,
      'https://a.com/p,https://b.com/,Plain anchor,nofollow ugc,nav,footer comments,3,a.com,b.com,2024-01-02T03:04:05.006Z,2024-06-30T00:00:00.000Z,',
      'https://c.com/,https://b.com/,,,main,,1,c.com,b.com,2024-01-01T00:00:00.000Z,2024-01-01T00:00:00.000Z,2025-12-31T23:59:59.000Z',
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks so the cells read back intact', () => {
    const anchors = ['a, b', 'say "hi"', 'line\nbreak', 'cr\rlf\r\n', '"', ','];
    const csv = linksToCsv(
      anchors.map((anchor) => makeLink('https://a.com/', 'https://b.com/', { anchor })),
    );
    expect(csv).toContain('"a, b"');
    expect(csv).toContain('"say ""hi"""');
    const rows = readCsv(csv);
    expect(rows).toHaveLength(anchors.length + 1);
    expect(rows.slice(1).map((r) => r[2])).toEqual(anchors);
    expect(rows.every((r) => r.length === HEADER.length)).toBe(true);
  });

  it.each([
    [
      '=HYPERLINK("http://evil.example","click")',
      `"'=HYPERLINK(""http://evil.example"",""click"")"`,
    ],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['=1,2', `"'=1,2"`],
  ])('defuses the formula-like anchor %j', (anchor, cell) => {
    const csv = linksToCsv([makeLink('https://a.com/', 'https://b.com/', { anchor })]);
    const line = csv.split('\r\n')[1]!;
    expect(line).toContain(`,${cell},`);
    // Read back, the cell is the text with one leading apostrophe.
    expect(readCsv(csv)[1]![2]).toBe(`'${anchor}`);
  });

  it('leaves ordinary cells, including ones with = or - inside, alone', () => {
    const csv = linksToCsv([
      makeLink('https://a.com/?q=1', 'https://b.com/x-y', {
        anchor: 'a = b - c',
        rel: ['noopener'],
      }),
    ]);
    expect(readCsv(csv)[1]!.slice(0, 4)).toEqual([
      'https://a.com/?q=1',
      'https://b.com/x-y',
      'a = b - c',
      'noopener',
    ]);
  });
});

describe('withoutExcludedSites', () => {
  it('leaves out pages of excluded sites, their links and redirects touching them', () => {
    const data = {
      pages: [makePage('https://kept.com/'), makePage('https://www.private.com/x')],
      links: [
        makeLink('https://kept.com/', 'https://private.com/'),
        makeLink('https://www.private.com/x', 'https://kept.com/'),
      ],
      redirects: [
        {
          from: 'https://private.com/old',
          to: 'https://kept.com/',
          status: 301,
          firstSeen: T0,
          lastSeen: T0,
        },
        {
          from: 'https://kept.com/a',
          to: 'https://kept.com/b',
          status: 308,
          firstSeen: T0,
          lastSeen: T0,
        },
      ],
      referrals: [],
      skipped: 1,
    };
    const { data: kept, excluded } = withoutExcludedSites(data, ['private.com']);
    expect(kept.pages.map((p) => p.url)).toEqual(['https://kept.com/']);
    // A link from a kept page into the excluded site is a fact about the kept page: it stays.
    expect(kept.links.map((l) => l.source)).toEqual(['https://kept.com/']);
    expect(kept.redirects.map((r) => r.from)).toEqual(['https://kept.com/a']);
    expect(kept.skipped).toBe(1);
    expect(excluded).toBe(3);
  });

  it('keeps everything when nothing is excluded', () => {
    const data = {
      pages: [makePage('https://a.com/')],
      links: [],
      redirects: [],
      referrals: [],
      skipped: 0,
    };
    expect(withoutExcludedSites(data, [])).toEqual({ data, excluded: 0 });
  });
});
