// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { ProvenanceBadge, RemoteSources } from '../../src/ui/components/Provenance';
import { LinkRow } from '../../src/ui/components/LinkRow';
import { summarizeBacklinks } from '../../src/core/summary';
import { makeLink } from './helpers';

afterEach(() => {
  document.body.innerHTML = '';
});

function mount(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return root;
}

describe('ProvenanceBadge', () => {
  it('names every source that knows the link, as text', () => {
    const root = mount(<ProvenanceBadge names={['this browser', '<b>Team</b> index']} />);
    const badge = root.querySelector('[data-provenance]')!;
    expect(badge.getAttribute('data-provenance')).toBe('this browser|<b>Team</b> index');
    expect(badge.textContent).toBe('this browser + <b>Team</b> index');
    expect(root.querySelector('b')).toBeNull();
  });
});

describe('engine-confirmed links', () => {
  it('marks a link a search engine counted with words, beside who knows it', () => {
    const root = mount(
      <ProvenanceBadge names={['this browser', 'Google Search Console', 'Bing Webmaster Tools']} />,
    );
    const marks = [...root.querySelectorAll('[data-confirmed]')];
    expect(marks.map((m) => m.getAttribute('data-confirmed'))).toEqual(['google', 'bing']);
    expect(marks.map((m) => m.textContent)).toEqual([
      '✓ confirmed by Google Search Console',
      '✓ confirmed by Bing Webmaster Tools',
    ]);
  });

  it('says nothing while an engine source is read, and its count once read', () => {
    const root = mount(
      <RemoteSources
        statuses={[
          { id: 'engine-google', status: 'loading' },
          { id: 'remote-index', status: 'loading' },
          {
            id: 'engine-bing',
            status: 'answered',
            name: 'Bing Webmaster Tools',
            links: 2,
            totals: { backlinks: 2, referringDomains: 2, referringPages: 2 },
          },
        ]}
      />,
    );
    const lines = [...root.querySelectorAll('[data-remote-source]')];
    // What sources said first, then one line for those still asking.
    expect(lines.map((l) => l.getAttribute('data-remote-source'))).toEqual([
      'engine-bing',
      'remote-index',
    ]);
    expect(lines[0]!.textContent).toBe(
      "Bing Webmaster Tools knows 2 links to this page from 2 sites, merged with this browser's below.",
    );
  });

  it('has no mark for a link no engine confirmed', () => {
    const root = mount(<ProvenanceBadge names={['this browser', 'Team index']} />);
    expect(root.querySelector('[data-confirmed]')).toBeNull();
  });
});

describe('LinkRow from a remote index', () => {
  it('renders markup in an anchor as text and shows the provenance', () => {
    const link = makeLink('https://spam.example/', 'https://target.com/', {
      anchor: '<img src=x onerror=alert(1)>',
    });
    const view = summarizeBacklinks([link], {}).groups[0]!.links[0]!;
    const root = mount(
      <ul>
        <LinkRow link={view} provenance={['Team index']} />
      </ul>,
    );
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.anchor')!.textContent).toBe('“<img src=x onerror=alert(1)>”');
    expect(root.querySelector('[data-provenance]')!.textContent).toBe('Team index');
  });

  it('shows no provenance while only this browser is asked', () => {
    const view = summarizeBacklinks([makeLink('https://a.com/', 'https://target.com/')], {})
      .groups[0]!.links[0]!;
    const root = mount(
      <ul>
        <LinkRow link={view} />
      </ul>,
    );
    expect(root.querySelector('[data-provenance]')).toBeNull();
  });
});

describe('RemoteSources', () => {
  it('says in one line what the index knows, and what went wrong when it failed', () => {
    const root = mount(
      <RemoteSources
        statuses={[
          {
            id: 'a',
            status: 'answered',
            name: 'Team index',
            links: 2,
            totals: { backlinks: 40, referringDomains: 9, referringPages: 30 },
          },
          {
            id: 'b',
            status: 'failed',
            name: 'Other',
            message: 'The index did not answer in time.',
          },
          { id: 'c', status: 'loading' },
        ]}
      />,
    );
    const lines = [...root.querySelectorAll('[data-remote-status]')].map((p) => p.textContent);
    expect(lines).toEqual([
      "Team index knows 40 links to this page from 9 sites (2 of them listed), merged with this browser's below.",
      "Other could not be used: The index did not answer in time. The links shown are this browser's only.",
      'Asking one more source…',
    ]);
    expect(root.querySelector('[data-remote-status="failed"]')!.className).toContain('error');
  });

  it("speaks of the whole site's links in the site view", () => {
    const answered = {
      id: 'a',
      status: 'answered' as const,
      name: 'Team index',
      links: 3,
      totals: { backlinks: 3, referringDomains: 2, referringPages: 3 },
    };
    const root = mount(<RemoteSources statuses={[answered]} site />);
    expect(root.textContent).toBe(
      "Team index knows 3 links into this site from 2 sites, merged with this browser's below.",
    );
  });

  it('shows nothing when no remote source is on', () => {
    expect(mount(<RemoteSources statuses={[]} />).innerHTML).toBe('');
  });
});
