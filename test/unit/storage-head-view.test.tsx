// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { Report } from '../../src/ui/components/Report';
import { summarizeBacklinks } from '../../src/core/summary';
import { makeLink } from './helpers';

const TARGET = 'https://t.com/page';

afterEach(() => {
  document.body.innerHTML = '';
});

/** The popup's first render of a hot page: the shown groups only, the others counted. */
function renderHead(shownDomains: number, groups: number, liveGroups: number): HTMLElement {
  const links = Array.from({ length: shownDomains }, (_, i) =>
    makeLink(`https://s${i}.com/`, TARGET),
  );
  const root = document.createElement('div');
  document.body.append(root);
  render(
    <Report
      state={{
        status: 'ready',
        url: TARGET,
        page: null,
        summary: summarizeBacklinks(links, {}),
        profile: null,
        redirect: null,
        variants: [],
        folded: [],
        choices: [],
        head: { groups, liveGroups },
      }}
      site={null}
      perDomainLimit={5}
      domainLimit={2}
      siteTopTargets={0}
      onFold={() => {}}
      notice={null}
    />,
    root,
  );
  return root;
}

describe('Report of a head (storage/head.ts)', () => {
  it('names the groups not read as more domains, and leaves the profile for the full read', () => {
    const root = renderHead(2, 40, 31);
    expect(root.querySelectorAll('.group')).toHaveLength(2);
    expect(root.querySelector('.groups + .more')?.textContent).toContain('38');
    expect(root.querySelector('.profile')).toBeNull();
  });
});
