// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { Flags } from '../../src/ui/components/Flags';
import { countsOf, findFlags, type Flag } from '../../src/core/flags';
import type { FlagsState } from '../../src/ui/state';
import { makeLink, makePage, T0 } from './helpers';

function mount(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return root;
}

afterEach(() => {
  document.body.innerHTML = '';
});

const TARGET = 'https://shop.com/widgets';

/** An exchange with a.com, a declared sponsored link from b.com, a spammy c-h-e-a-p.top. */
function ready(): FlagsState {
  const links = [
    makeLink('https://a.com/post', TARGET, { anchor: 'nice shop' }),
    makeLink('https://b.com/', TARGET, { rel: ['sponsored'], rels: ['sponsored'] }),
    makeLink('http://c-h-e-a-p.top/', TARGET),
  ];
  const sources = Object.fromEntries(
    links.map((l) => [l.source, makePage(l.source, { title: 'A long enough title' })]),
  );
  const report = findFlags({
    target: { url: TARGET, domain: 'shop.com', title: 'Widgets' },
    links,
    sources,
    crossLinks: [makeLink('https://shop.com/friends', 'https://a.com/')],
    now: T0,
  });
  return { status: 'ready', view: { ...report, counts: countsOf(report.flags), complete: true } };
}

describe('Flags', () => {
  it('in the popup: one line with the count, and the declared link as a note', () => {
    const root = mount(<Flags state={ready()} detailed={false} />);
    const section = root.querySelector('[data-risk-count]')!;
    expect(section.getAttribute('data-risk-count')).toBe('2');
    expect(root.querySelector('.risk-summary')?.textContent).toBe(
      '2 risks to look at: reciprocal links with 1 site, spam signals on 1 linking site.',
    );
    expect(root.querySelector('.risk-summary')?.getAttribute('title')).toMatch(/not a verdict/);
    expect(root.querySelector('[data-note-count]')?.textContent).toBe(
      'Also noted: declared sponsored links from 1 site, marked as paid links should be.',
    );
    expect(root.querySelector('[data-flag]')).toBeNull();
  });

  it('in the report: each flag with its evidence and, for spam, each rule by name', () => {
    const root = mount(<Flags state={ready()} detailed />);
    const flags = [...root.querySelectorAll('[data-flag]')].map((li) => [
      li.getAttribute('data-flag'),
      li.getAttribute('data-flag-domain'),
    ]);
    expect(flags).toEqual([
      ['reciprocal', 'a.com'],
      ['paid-declared', 'b.com'],
      ['spam-signals', 'c-h-e-a-p.top'],
    ]);
    const exchange = root.querySelector('[data-flag="reciprocal"]')!;
    // A native <details>: opened by click, Enter or Space, with nothing more to wire.
    expect(exchange.querySelector('details > summary')).not.toBeNull();
    expect(
      [...exchange.querySelectorAll('[data-evidence-source]')].map((e) => [
        e.getAttribute('data-evidence-source'),
        e.getAttribute('data-evidence-target'),
      ]),
    ).toEqual([
      ['https://a.com/post', TARGET],
      ['https://shop.com/friends', 'https://a.com/'],
    ]);
    const rules = root.querySelectorAll('[data-flag="spam-signals"] [data-rule-state="fired"]');
    expect([...rules].map((r) => r.getAttribute('data-rule'))).toEqual([
      'no-https',
      'domain-name',
      'abused-tld',
    ]);
    expect(root.querySelector('[data-spam-domain="a.com"]')?.textContent).toBe(
      'a.com: 0 of 9 rules fired, 4 not known yet',
    );
  });

  it("in the report, many flags: the first screen's with the flags, the others after a paint", async () => {
    // A sitewide flag from each of 150 sites (a 5,000-link page had a thousand), one link each.
    const domains = Array.from({ length: 150 }, (_, i) => `site${i}.com`);
    const flags: Flag[] = domains.map((domain) => ({
      kind: 'sitewide',
      severity: 'risk',
      domain,
      summary: `${domain} links from 5 of its pages`,
      evidence: [{ source: `https://${domain}/`, target: TARGET }],
    }));
    const spam = domains.map((domain) => ({ domain, rules: [], fired: 0, unknown: 0 }));
    const view = { flags, byLink: new Map(), risks: 150, spam, counts: countsOf(flags) };
    // The stored line first (its counts, no flags yet) and painted, then the flags computed.
    const stored = { ...view, flags: [], spam: [], complete: true, building: true as const };
    const root = mount(<Flags state={{ status: 'ready', view: stored }} detailed />);
    await new Promise((resolve) => setTimeout(resolve, 100));
    render(<Flags state={{ status: 'ready', view: { ...view, complete: true } }} detailed />, root);
    const first = Math.ceil(innerHeight / 24);
    const listed = () => root.querySelectorAll('.flag-list [data-flag]');
    expect(first).toBeLessThan(150);
    expect(listed()).toHaveLength(first);
    expect(listed()[0]!.querySelector('.evidence')?.getAttribute('data-evidence-source')).toBe(
      'https://site0.com/',
    );
    expect(root.querySelector('.flag-list')?.hasAttribute('data-flags-pending')).toBe(true);
    expect(root.querySelector('.spam-all')).toBeNull();
    await vi.waitFor(() => expect(listed()).toHaveLength(150), { timeout: 10_000 });
    expect(root.querySelector('.flag-list')?.hasAttribute('data-flags-pending')).toBe(false);
    expect(root.querySelectorAll('.spam-all [data-spam-domain]')).toHaveLength(150);
    expect([...listed()].map((li) => li.getAttribute('data-flag-domain'))).toEqual(domains);
  }, 20_000);

  it("says while the site's bursts are still checked, and marks the line for it", () => {
    const state = ready();
    if (state.status !== 'ready') throw new Error('not ready');
    const view = { ...state.view, sitePending: true as const };
    const pending = mount(<Flags state={{ status: 'ready', view }} detailed={false} />);
    expect(pending.querySelector('.flags')?.hasAttribute('data-site-pending')).toBe(true);
    expect(pending.querySelector('.risk-summary')?.textContent).toMatch(
      / Checking the whole site for bursts…$/,
    );
    const done = mount(<Flags state={state} detailed={false} />);
    expect(done.querySelector('.flags')?.hasAttribute('data-site-pending')).toBe(false);
    expect(done.querySelector('.risk-summary')?.textContent).not.toMatch(/Checking/);
  });

  it('says when a capped read may have left flags out, and how many links are not listed', () => {
    const state = ready();
    if (state.status !== 'ready') throw new Error('not ready');
    const [first, ...rest] = state.view.flags;
    const view = { ...state.view, complete: false, flags: [{ ...first!, more: 12 }, ...rest] };
    const root = mount(<Flags state={{ status: 'ready', view }} detailed />);
    expect(root.querySelector('.risk-summary')?.textContent).toMatch(
      /\. Some reads were capped: flags may be missing\.$/,
    );
    expect(root.querySelector('[data-flag="reciprocal"] .more')?.textContent).toBe(
      '+12 more links not listed',
    );
  });

  it('says when it is still checking, and when it could not', () => {
    expect(mount(<Flags state={null} detailed={false} />).textContent).toBe(
      'Checking these links for risks…',
    );
    document.body.innerHTML = '';
    const root = mount(<Flags state={{ status: 'error', message: 'boom' }} detailed />);
    expect(root.textContent).toBe('Could not check these links for risks: boom');
  });
});
