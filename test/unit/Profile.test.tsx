// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { Profile } from '../../src/ui/components/Profile';
import { summarizeProfile } from '../../src/core/profile';
import { summarizeBacklinks } from '../../src/core/summary';
import type { LinkRecord } from '../../src/core/types';
import { at, makeLink } from './helpers';
import { useLocale } from '../support/i18n-setup';

const TARGET = 'https://coffee-blog.com/brewing-guide';
const NOW = at(100);

function renderProfile(links: LinkRecord[]): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  const summary = summarizeBacklinks(links, {});
  const target = { url: TARGET, domain: 'coffee-blog.com', title: '' };
  render(<Profile profile={summarizeProfile(summary, target, NOW)} />, root);
  return root;
}

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
const counts = (root: HTMLElement, hook: string) =>
  Object.fromEntries(
    Array.from(root.querySelectorAll(`[data-${hook}]`), (li) => [
      li.getAttribute(`data-${hook}`),
      Number(li.getAttribute('data-count')),
    ]),
  );

afterEach(() => {
  document.body.innerHTML = '';
  useLocale('en');
});

describe('Profile', () => {
  it('labels figures in the singular for one', () => {
    const root = renderProfile([makeLink('https://a.com/', TARGET, { firstSeen: NOW })]);
    expect(text(root.querySelector('[data-profile="referring-pages"]'))).toBe(
      '1 page on other sites',
    );
    expect(text(root.querySelector('[data-profile="followed-share"]'))).toBe(
      '100% of links followed',
    );
    expect(text(root.querySelector('[data-profile="new-recent"]'))).toBe('1 new in 30 days');
    expect(text(root.querySelector('[data-diversity-line]'))).toBe(
      'All links from other sites come from one domain.',
    );
    expect(text(root.querySelector('[data-profile="tlds"]'))).toBe('TLDs: .com 1 domain');
    expect(text(root.querySelector('[data-profile="country-codes"]'))).toBe(
      'Country codes: 0 of 1 domain (0%)',
    );
  });

  it('shows anchor classes and link types with their counts and a text alternative', () => {
    const root = renderProfile([
      makeLink('https://a.com/', TARGET, { anchor: 'brewing guide' }),
      makeLink('https://b.org/', TARGET, { anchor: 'click here', region: 'footer' }),
      makeLink('https://c.net/', TARGET, { anchor: 'Coffee Blog', region: 'nav' }),
    ]);
    expect(counts(root, 'anchor-class')).toMatchObject({
      exact: 1,
      generic: 1,
      branded: 1,
      empty: 0,
    });
    expect(counts(root, 'link-type')).toMatchObject({ editorial: 1, navigation: 2 });
    expect(text(root.querySelector('[data-link-type="navigation"]'))).toBe(
      'nav, header, footer 2 links',
    );
    expect(text(root.querySelector('[data-profile="referring-pages"]'))).toBe(
      '3 pages on other sites',
    );
    expect(root.querySelector('[data-profile="diversity"]')!.getAttribute('data-index')).toBe(
      '0.67',
    );
    // The SVG pictures are hidden from screen readers: the legend and table carry the numbers.
    for (const svg of root.querySelectorAll('svg'))
      expect(svg.getAttribute('aria-hidden')).toBe('true');
  });

  it('draws 12 weeks of new and lost links with a table of the same numbers', () => {
    const root = renderProfile([
      makeLink('https://a.com/', TARGET, { firstSeen: NOW - 1000 }),
      makeLink('https://b.com/', TARGET, { firstSeen: at(0), lostAt: NOW - 1000 }),
    ]);
    const rows = root.querySelectorAll('[data-profile="timeline"] tr[data-week]');
    expect(rows).toHaveLength(12);
    const last = rows[11]!;
    expect([last.getAttribute('data-new'), last.getAttribute('data-lost')]).toEqual(['1', '1']);
    expect(text(last)).toContain('1 new link');
    expect(text(rows[0]!)).toContain('0 lost links');
    expect(root.querySelectorAll('[data-profile="timeline"] rect')).toHaveLength(24);
    // The colours and the scale, in words beside the bars.
    expect(Array.from(root.querySelectorAll('[data-week-legend] li'), (li) => text(li))).toEqual([
      'New',
      'Lost',
      'tallest bar: 1 link',
    ]);
  });

  it('leaves the bars out when no link is live', () => {
    const root = renderProfile([
      makeLink('https://a.com/', TARGET, { firstSeen: at(0), lostAt: NOW - 1000 }),
    ]);
    expect(root.querySelector('[data-profile="anchors"]')).toBeNull();
    expect(text(root.querySelector('[data-profile="followed-share"]'))).toBe('– of links followed');
    expect(text(root.querySelector('[data-profile="diversity"]'))).toBe(
      'No links from other sites yet.',
    );
  });

  it("writes the diversity index, shares and the weeks' first days the UI language's way", () => {
    useLocale('de');
    const root = renderProfile([
      makeLink('https://a.com/', TARGET, { firstSeen: NOW - 1000 }),
      makeLink('https://b.org/', TARGET, { firstSeen: NOW - 1000 }),
      makeLink('https://c.net/', TARGET, { firstSeen: NOW - 1000 }),
    ]);
    expect(text(root.querySelector('[data-profile="diversity"] .value'))).toBe('Vielfalt 0,67:');
    expect(text(root.querySelector('[data-profile="followed-share"]'))).toBe(
      '100 % der Links gefolgt',
    );
    // The day the week starts on in this time zone, as German dates read; data-week keeps ISO.
    const last = root.querySelector('[data-profile="timeline"] tr[data-week]:last-child')!;
    const start = NOW - 7 * 24 * 60 * 60 * 1000;
    expect(text(last.querySelector('th'))).toBe(new Date(start).toLocaleDateString('de'));
    expect(last.getAttribute('data-week')).toBe(new Date(start).toISOString().slice(0, 10));
    expect(root.querySelector('[data-profile="timeline"] svg title')!.textContent).toMatch(
      /^Woche ab \d{1,2}\.\d{1,2}\.\d{4}: /,
    );
  });
});
