import { describe, expect, it } from 'vitest';
import { linkIntersect, siteOutreach } from '../../src/core/outreach';
import { T0, makeLink } from './helpers';

const PAGE = 'https://mysite.com/guide';
const OTHER = 'https://mysite.com/recipes';
const HOME = 'https://mysite.com/';

describe('siteOutreach', () => {
  const pageLinks = [makeLink('https://fan.com/a', PAGE)];
  const siteLinks = [
    ...pageLinks,
    makeLink('https://fan.com/b', OTHER), // links here already: no hint
    makeLink('https://news.com/1', OTHER),
    makeLink('https://news.com/2', HOME),
    makeLink('https://news.com/3', HOME),
    makeLink('https://blog.com/x', HOME),
    makeLink('https://gone.com/x', HOME, { lostAt: T0 }),
    makeLink('https://mysite.com/about', OTHER), // the site's own page
  ];

  it('lists domains linking to other pages of the site but not to this page, widest first', () => {
    expect(siteOutreach('mysite.com', siteLinks, pageLinks)).toEqual([
      {
        domain: 'news.com',
        targets: 2,
        pages: [
          { source: 'https://news.com/2', target: HOME, anchor: `to ${HOME}` },
          { source: 'https://news.com/1', target: OTHER, anchor: `to ${OTHER}` },
        ],
      },
      {
        domain: 'blog.com',
        targets: 1,
        pages: [{ source: 'https://blog.com/x', target: HOME, anchor: `to ${HOME}` }],
      },
    ]);
  });

  it('a domain whose link here was lost is a hint again (link reclamation)', () => {
    const lost = [makeLink('https://fan.com/a', PAGE, { lostAt: T0 })];
    const hints = siteOutreach('mysite.com', [...siteLinks, ...lost], lost);
    expect(hints.map((d) => d.domain)).toEqual(['news.com', 'blog.com', 'fan.com']);
  });

  it('is empty when every referring domain already links here', () => {
    expect(siteOutreach('mysite.com', pageLinks, pageLinks)).toEqual([]);
  });
});

describe('linkIntersect', () => {
  const A = 'https://rival-a.com/guide';
  const B = 'https://rival-b.com/guide';
  const C = 'https://rival-c.com/howto';
  const related = [
    {
      url: A,
      domain: 'rival-a.com',
      links: [
        makeLink('https://dir.com/list', A),
        makeLink('https://mag.com/best', A),
        makeLink('https://fan.com/a', A),
        makeLink('https://rival-a.com/', A), // its own site
        makeLink('https://rival-b.com/vs', A), // a rival linking to a rival: its own site
      ],
    },
    {
      url: B,
      domain: 'rival-b.com',
      // Through an address that redirects to B: it still counts for B.
      links: [
        makeLink('https://dir.com/list', 'https://rival-b.com/old'),
        makeLink('https://mag.com/other', B),
        makeLink('https://fan.com/b', B),
        makeLink('https://rival-b.com/', B),
        makeLink('https://rival-a.com/vs', B),
      ],
    },
    {
      url: C,
      domain: 'rival-c.com',
      links: [
        makeLink('https://dir.com/list', C),
        makeLink('https://once.com/', C),
        makeLink('https://old.com/', C, { lostAt: T0 }),
      ],
    },
  ];
  const pageLinks = [makeLink('https://fan.com/c', PAGE)];

  it('lists domains linking to two or more related pages but not here, each with the page to open', () => {
    expect(linkIntersect('mysite.com', related, pageLinks)).toEqual([
      {
        domain: 'dir.com',
        targets: 3,
        pages: [
          { source: 'https://dir.com/list', target: A, anchor: `to ${A}` },
          { source: 'https://dir.com/list', target: B, anchor: `to https://rival-b.com/old` },
          { source: 'https://dir.com/list', target: C, anchor: `to ${C}` },
        ],
      },
      {
        domain: 'mag.com',
        targets: 2,
        pages: [
          { source: 'https://mag.com/best', target: A, anchor: `to ${A}` },
          { source: 'https://mag.com/other', target: B, anchor: `to ${B}` },
        ],
      },
    ]);
  });

  it('needs two related pages: one alone gives nothing', () => {
    expect(linkIntersect('mysite.com', related.slice(2), pageLinks)).toEqual([]);
  });

  it('leaves out this site linking to its rivals', () => {
    const own = [
      { ...related[0]!, links: [makeLink('https://mysite.com/x', A)] },
      { ...related[1]!, links: [makeLink('https://mysite.com/x', B)] },
    ];
    expect(linkIntersect('mysite.com', own, [])).toEqual([]);
  });
});
