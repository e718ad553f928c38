// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { LinkRow } from '../../src/ui/components/LinkRow';
import { summarizeBacklinks, type BacklinkView } from '../../src/core/summary';
import type { PageRecord } from '../../src/core/types';
import { makeLink, makePage } from './helpers';

const TARGET = 'https://target.com/page';

/** The row's view as summarizeBacklinks builds it from one link and its source page. */
function viewOf(source: string, page: Partial<PageRecord> | null): BacklinkView {
  const sources = page ? { [source]: makePage(source, page) } : {};
  return summarizeBacklinks([makeLink(source, TARGET)], sources).groups[0]!.links[0]!;
}

function renderRow(view: BacklinkView): HTMLElement {
  const list = document.createElement('ul');
  document.body.append(list);
  render(<LinkRow link={view} />, list);
  return list.querySelector('li.link')!;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('LinkRow', () => {
  it('shows an IDN source without title in Unicode, the encoded URL in hooks, href and title', () => {
    const row = renderRow(viewOf('http://xn--caf-dma.test/men%C3%BC', { title: '' }));
    const a = row.querySelector('.source a')!;
    expect(a.textContent).toBe('http://café.test/menü');
    expect(a.getAttribute('href')).toBe('http://xn--caf-dma.test/men%C3%BC');
    expect(a.getAttribute('title')).toBe('http://xn--caf-dma.test/men%C3%BC');
    expect(row.getAttribute('data-source')).toBe('http://xn--caf-dma.test/men%C3%BC');
    expect(row.querySelector('.source-url')).toBeNull();
  });

  it('shows the page title as the link and the readable URL under it', () => {
    const row = renderRow(viewOf('http://xn--caf-dma.test/', { title: 'Café' }));
    expect(row.querySelector('.source a')!.textContent).toBe('Café');
    const url = row.querySelector('.source-url')!;
    expect(url.textContent).toBe('http://café.test/');
    expect(url.getAttribute('title')).toBe('http://xn--caf-dma.test/');
  });

  it('keeps a mixed-script lookalike host encoded', () => {
    const row = renderRow(viewOf('http://xn--pple-43d.test/', { title: '' }));
    expect(row.querySelector('.source a')!.textContent).toBe('http://xn--pple-43d.test/');
  });

  it('badges the robots meta of the linking page: noindex, nofollow, both or none', () => {
    const badges = (page: Partial<PageRecord>) =>
      Array.from(
        renderRow(viewOf('https://a.com/', page)).querySelectorAll('[data-page-robots]'),
      ).map((b) => [b.getAttribute('data-page-robots'), b.textContent]);
    expect(badges({ robotsNoindex: true })).toEqual([['noindex', 'page noindex']]);
    expect(badges({ robotsNofollow: true })).toEqual([['nofollow', 'page nofollow']]);
    expect(badges({ robotsNoindex: true, robotsNofollow: true })).toEqual([
      ['nofollow', 'page nofollow'],
      ['noindex', 'page noindex'],
    ]);
    expect(badges({})).toEqual([]);
  });

  it('still counts a link from a noindex page as followed', () => {
    const row = renderRow(viewOf('https://a.com/', { robotsNoindex: true }));
    expect(row.querySelector('.badge.followed')).not.toBeNull();
  });
});
