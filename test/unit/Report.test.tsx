// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { groupsForRows, Report, type ReportProps } from '../../src/ui/components/Report';
import { summarizeBacklinks, summarizeSite, type SiteSummary } from '../../src/core/summary';
import type { LinkRecord } from '../../src/core/types';
import { summarizeProfile, profileTargetOf } from '../../src/core/profile';
import { scoreBacklinks } from '../../src/core/quality';
import { describeAnchorTarget } from '../../src/core/profile';
import { makeLink, T0 } from './helpers';
import { linkKey } from '../../src/core/types';
import { countsOf, findFlags } from '../../src/core/flags';
import type { FlagsState } from '../../src/ui/state';

const TARGET = 'http://xn--caf-dma.test/men%C3%BC';

/** The report of `links` into TARGET; `wholeSite`: as the report of that whole site. */
function renderReport(
  links: LinkRecord[],
  { site = null, wholeSite, ...limits }: Partial<ReportProps> & { wholeSite?: string } = {},
): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  const summary = summarizeBacklinks(links, {});
  render(
    <Report
      state={{
        status: 'ready',
        url: TARGET,
        page: null,
        summary,
        profile: summarizeProfile(summary, profileTargetOf(TARGET, null, summary), T0),
        redirect: null,
        variants: [],
        folded: [],
        choices: [],
        ...(wholeSite ? { site: { domain: wholeSite, complete: true } } : {}),
      }}
      site={site}
      perDomainLimit={limits.perDomainLimit ?? Infinity}
      domainLimit={limits.domainLimit ?? Infinity}
      firstRows={limits.firstRows}
      siteTopTargets={limits.siteTopTargets ?? 10}
      onFold={() => {}}
      notice={null}
      authority={limits.authority ?? null}
      quality={limits.quality}
      flags={limits.flags}
    />,
    root,
  );
  return root;
}

/** Visible text with runs of white space squashed, as a person reads it. */
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
/** A stat tile's parts: number, label and note (they are laid out apart, not spaced). */
const stat = (root: HTMLElement, name: string) =>
  Array.from(root.querySelectorAll(`[data-stat="${name}"] > span`), (el) => text(el));

afterEach(() => {
  document.body.innerHTML = '';
});

describe('Report', () => {
  it('renders its first domainLimit domains and counts the others as more', () => {
    const links = Array.from({ length: 10 }, (_, i) => makeLink(`https://s${i}.com/p`, TARGET));
    const root = renderReport(links, { domainLimit: 8 });
    expect(root.querySelectorAll('.group')).toHaveLength(8);
    expect(text(root.querySelector('.report > .more'))).toMatch(/\b2\b/);
  });

  it('renders the groups of its firstRows first, the others in the next task (the popup)', async () => {
    // 12 domains: the first three with 3 links each, the others with 1.
    const links = Array.from({ length: 18 }, (_, i) =>
      makeLink(`https://s${i < 9 ? Math.floor(i / 3) : i}.com/p${i}`, TARGET),
    );
    const root = renderReport(links, { perDomainLimit: 2, domainLimit: 10, firstRows: 5 });
    // 2 + 2 rows of the first two groups, then one more group reaches 5.
    const first = [...root.querySelectorAll('.group')].map((g) => g.getAttribute('data-domain'));
    expect(first).toHaveLength(3);
    expect(root.querySelectorAll('li.link')).toHaveLength(6);
    await vi.waitFor(() => expect(root.querySelectorAll('.group')).toHaveLength(10));
    const all = [...root.querySelectorAll('.group')].map((g) => g.getAttribute('data-domain'));
    // The first groups stay where they were, the others after them, in the summary's order.
    expect(all.slice(0, 3)).toEqual(first);
    expect(all).toEqual(
      summarizeBacklinks(links, {})
        .groups.slice(0, 10)
        .map((g) => g.domain),
    );
    expect(text(root.querySelector('.report > .more'))).toMatch(/\b2\b/);
  });

  it('groupsForRows: the groups holding the first rows, at least one', () => {
    const groups = summarizeBacklinks(
      [1, 3, 1, 2].flatMap((n, d) =>
        Array.from({ length: n }, (_, i) => makeLink(`https://d${d}.com/${i}`, TARGET)),
      ),
      {},
    ).groups;
    const sizes = groups.map((g) => g.links.length);
    const expected = (perDomain: number, rows: number) => {
      let shown = 0;
      const count = sizes.findIndex((n) => (shown += Math.min(perDomain, n)) >= rows) + 1;
      return count === 0 ? groups.length : count;
    };
    for (const perDomain of [1, 2, 5]) {
      for (const rows of [0, 1, 2, 3, 4, 5, 6, 7, 20]) {
        expect(groupsForRows(groups, perDomain, rows)).toBe(Math.max(1, expected(perDomain, rows)));
      }
    }
    expect(groupsForRows([], 5, 10)).toBe(0);
  });

  it('shows each row its own quality once scored, none before', () => {
    const links = [
      makeLink('https://good.com/a', TARGET, { anchor: 'a menu worth reading' }),
      makeLink('https://poor.com/b', TARGET, { region: 'footer', rel: ['sponsored'] }),
    ];
    expect(renderReport(links).querySelector('[data-quality]')).toBeNull();
    const summary = summarizeBacklinks(links, {});
    const quality = scoreBacklinks(summary, {
      authority: null,
      anchorTarget: describeAnchorTarget(profileTargetOf(TARGET, null, summary)),
    });
    const root = renderReport(links, { quality });
    const shown = (source: string) =>
      Number(
        root
          .querySelector(`li[data-source="${source}"] [data-quality]`)
          ?.getAttribute('data-quality'),
      );
    expect(shown('https://good.com/a')).toBe(
      quality.byKey().get(`https://good.com/a\n${TARGET}\na menu worth reading`)!.score,
    );
    expect(shown('https://good.com/a')).toBeGreaterThan(shown('https://poor.com/b'));
  });

  it('renders its groups again only when what their rows show changed', () => {
    const links = ['a', 'b', 'c'].flatMap((d) =>
      [1, 2].map((i) => makeLink(`https://${d}.com/p${i}`, TARGET)),
    );
    const summary = summarizeBacklinks(links, {});
    const scores = scoreBacklinks(summary, {
      authority: null,
      anchorTarget: describeAnchorTarget(profileTargetOf(TARGET, null, summary)),
    });
    // Each row asks for its quality when it renders.
    const of = vi.fn(scores.of);
    const quality = { of, byKey: scores.byKey };
    const root = document.createElement('div');
    document.body.append(root);
    const state: ReportProps['state'] = {
      status: 'ready',
      url: TARGET,
      page: null,
      summary,
      profile: null,
      redirect: null,
      variants: [],
      folded: [],
      choices: [],
    };
    const show = (more: Partial<ReportProps>) =>
      render(
        <Report
          state={state}
          site={null}
          perDomainLimit={5}
          domainLimit={30}
          siteTopTargets={0}
          onFold={() => {}}
          notice={null}
          authority={null}
          quality={quality}
          flags={null}
          {...more}
        />,
        root,
      );
    show({});
    expect(of).toHaveBeenCalledTimes(6);
    // The popup renders again for its notice, its arrival line, a stored risk line of counts
    // alone (no flag on any row): the rows do not.
    show({ notice: { text: 'Folded' } });
    const counts = countsOf([]);
    show({
      flags: {
        status: 'ready',
        view: { flags: [], byLink: new Map(), risks: 0, spam: [], counts, complete: true },
      },
    });
    expect(of).toHaveBeenCalledTimes(6);
    // Authority of a linking page: its row shows it.
    show({
      authority: {
        page: null,
        domain: null,
        computedAt: T0,
        sources: { 'https://a.com/p1': 0.5 },
        sourceDomains: {},
      },
    });
    expect(of).toHaveBeenCalledTimes(12);
    expect(root.querySelectorAll('[data-source-authority]')).toHaveLength(1);
  });

  it("opens one row's factor list at a time, each tied to its own badge", async () => {
    const links = [1, 2].map((i) => makeLink(`https://a.com/p${i}`, TARGET));
    const summary = summarizeBacklinks(links, {});
    const quality = scoreBacklinks(summary, {
      authority: null,
      anchorTarget: describeAnchorTarget(profileTargetOf(TARGET, null, summary)),
    });
    const root = renderReport(links, { quality });
    const badges = [...root.querySelectorAll<HTMLButtonElement>('button[data-quality]')];
    expect(badges).toHaveLength(2);
    const ids = badges.map((b) => b.getAttribute('aria-controls'));
    expect(new Set(ids).size).toBe(2);
    badges[1]!.click();
    await vi.waitFor(() => expect(badges[1]!.getAttribute('aria-expanded')).toBe('true'));
    expect(badges[0]!.getAttribute('aria-expanded')).toBe('false');
    const lists = root.querySelectorAll('.quality-factors');
    expect([...lists].map((l) => l.id)).toEqual([ids[1]]);
    expect(lists[0]!.closest('li')).toBe(badges[1]!.closest('li'));
    badges[1]!.click();
    await vi.waitFor(() => expect(root.querySelector('.quality-factors')).toBeNull());
  });

  it('shows authority only once loaded: in the heading, and on the rows of scored sources', () => {
    const links = [
      makeLink('https://scored.com/a', TARGET),
      makeLink('https://unscored.com/b', TARGET),
    ];
    const before = renderReport(links);
    expect(before.querySelector('.authority')).toBeNull();
    expect(before.querySelector('[data-source-authority]')).toBeNull();
    const root = renderReport(links, {
      authority: {
        computedAt: null,
        page: 30,
        domain: 20,
        sources: { 'https://scored.com/a': 12 },
      },
    });
    expect(root.querySelector('header.target [data-authority="page"]')?.textContent).toBe(
      'page 30',
    );
    const row = (source: string) => root.querySelector(`li[data-source="${source}"]`)!;
    expect(row('https://scored.com/a').querySelector('[data-source-authority]')?.textContent).toBe(
      'authority 12',
    );
    expect(row('https://unscored.com/b').querySelector('[data-source-authority]')).toBeNull();
  });

  it('shows the target URL readable, with the encoded URL as its title', () => {
    const a = renderReport([]).querySelector('header.target a')!;
    expect(a.textContent).toBe('http://café.test/menü');
    expect(a.getAttribute('title')).toBe(TARGET);
  });

  it('labels the totals in the singular for one', () => {
    const root = renderReport([makeLink('https://a.com/', TARGET)]);
    expect(stat(root, 'backlinks')).toEqual(['1', 'link to this page', '1 from another site']);
    expect(stat(root, 'domains')).toEqual(['1', 'referring domain']);
    expect(root.querySelector('[data-stat="domains"]')!.getAttribute('title')).toMatch(
      /Other sites/,
    );
  });

  it('labels the totals in the plural, counting internal links apart from other sites', () => {
    const root = renderReport([
      makeLink('https://a.com/', TARGET),
      makeLink('https://b.com/', TARGET),
      makeLink('http://blog.xn--caf-dma.test/', TARGET),
    ]);
    expect(stat(root, 'backlinks')).toEqual(['3', 'links to this page', '2 from other sites']);
    expect(stat(root, 'domains')).toEqual(['2', 'referring domains']);
  });

  it('heads each domain group with its readable name, encoded on hover, and a counted label', () => {
    const root = renderReport(
      [
        makeLink('http://xn--caf-dma.test/a', TARGET),
        makeLink('http://xn--caf-dma.test/b', TARGET),
        makeLink('https://a.com/', TARGET),
      ],
      { perDomainLimit: 1 },
    );
    const cafe = root.querySelector('section.group[data-domain="xn--caf-dma.test"]')!;
    expect(cafe.querySelector('h2 .host')!.getAttribute('title')).toBe('xn--caf-dma.test');
    const heading = (group: Element) => Array.from(group.querySelectorAll('h2 > *'), text);
    expect(heading(cafe)).toEqual(['café.test', 'internal', '2 live links']);
    expect(text(cafe.querySelector('.more'))).toBe('+1 more link from café.test');
    const other = root.querySelector('section.group[data-domain="a.com"]')!;
    expect(heading(other)).toEqual(['a.com', '1 live link']);
  });

  it('says how many referring domains are not listed', () => {
    const links = ['https://a.com/', 'https://b.com/', 'https://c.com/'].map((s) =>
      makeLink(s, TARGET),
    );
    expect(text(renderReport(links, { domainLimit: 2 }).querySelector('.report > .more'))).toBe(
      '+1 more referring domain',
    );
    document.body.innerHTML = '';
    expect(text(renderReport(links, { domainLimit: 1 }).querySelector('.report > .more'))).toBe(
      '+2 more referring domains',
    );
  });

  describe('site section', () => {
    const siteLinks = [
      makeLink('https://a.com/', TARGET),
      makeLink('https://a.com/2', 'http://xn--caf-dma.test/'),
      makeLink('https://b.com/', 'http://xn--caf-dma.test/'),
    ];
    const site = (complete: boolean): SiteSummary =>
      summarizeSite('xn--caf-dma.test', siteLinks, 10, complete);

    it('says what the site-wide counts count, keeping the data hooks bare numbers', () => {
      const root = renderReport([], { site: site(true) });
      const section = root.querySelector('section.site[data-site="xn--caf-dma.test"]')!;
      expect(text(section.querySelector('p'))).toBe(
        'Whole site: 3 links into café.test from 2 other sites (referring domains).',
      );
      expect(section.querySelector('[data-site-stat="backlinks"]')!.textContent).toBe('3');
      expect(section.querySelector('[data-site-stat="domains"]')!.textContent).toBe('2');
      const top = Array.from(section.querySelectorAll('.top-targets li')).map((li) => [
        li.getAttribute('data-target'),
        li.querySelector('.count')!.textContent,
        text(li),
      ]);
      expect(top).toEqual([
        ['http://xn--caf-dma.test/', '2', 'http://café.test/ 2 links from other sites'],
        [TARGET, '1', 'http://café.test/menü 1 link from another site'],
      ]);
    });

    it('says "at least" when only part of the site was read, and lists no pages in the popup', () => {
      const root = renderReport([], { site: site(false), siteTopTargets: 0 });
      expect(text(root.querySelector('section.site p'))).toMatch(/^Whole site: at least 3 links/);
      expect(root.querySelector('.top-targets')).toBeNull();
    });
  });

  it("passes each link's risk flags to its row once read, none before", () => {
    const links = [makeLink('https://a.com/post', TARGET), makeLink('https://b.com/', TARGET)];
    const byLink = new Map([[linkKey(links[0]!), ['reciprocal' as const]]]);
    const found = findFlags({
      target: { url: TARGET, domain: 'xn--caf-dma.test', title: '' },
      links,
      sources: {},
      now: T0,
    });
    const flags: FlagsState = {
      status: 'ready',
      view: { ...found, byLink, counts: countsOf(found.flags), complete: true },
    };
    const before = renderReport(links, { flags: null });
    expect(before.querySelector('.flag-badge')).toBeNull();
    document.body.innerHTML = '';
    const after = renderReport(links, { flags });
    const marked = [...after.querySelectorAll('[data-flags]')].map((el) => [
      el.closest('li.link')?.getAttribute('data-source'),
      el.getAttribute('data-flags'),
    ]);
    expect(marked).toEqual([['https://a.com/post', 'reciprocal']]);
  });
});

describe('Report of the whole site', () => {
  const renderSite = (links: LinkRecord[]) =>
    renderReport(links, { wholeSite: 'xn--caf-dma.test' });

  it('counts links into the site, not "to this page"', () => {
    const root = renderSite([
      makeLink('https://a.com/', TARGET),
      makeLink('https://b.com/', 'http://xn--caf-dma.test/'),
    ]);
    expect(stat(root, 'backlinks').slice(0, 2)).toEqual(['2', 'links into this site']);
    expect(root.querySelector('[data-stat="backlinks"]')?.getAttribute('title')).toMatch(
      /into any page of this site/,
    );
  });

  it('says when no other site links into it', () => {
    expect(text(renderSite([]).querySelector('.empty strong'))).toBe(
      'No links into this site from other sites yet.',
    );
  });
});
