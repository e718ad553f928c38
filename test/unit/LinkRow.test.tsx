// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { LinkRow } from '../../src/ui/components/LinkRow';
import { summarizeBacklinks, type BacklinkView } from '../../src/core/summary';
import type { PageRecord } from '../../src/core/types';
import { describeAnchorTarget } from '../../src/core/profile';
import { scoreLink, type LinkQuality } from '../../src/core/quality';
import { makeLink, makePage } from './helpers';

const TARGET = 'https://target.com/page';

/** The row's view as summarizeBacklinks builds it from one link and its source page. */
function viewOf(source: string, page: Partial<PageRecord> | null): BacklinkView {
  const sources = page ? { [source]: makePage(source, page) } : {};
  return summarizeBacklinks([makeLink(source, TARGET)], sources).groups[0]!.links[0]!;
}

function renderRow(view: BacklinkView, quality?: LinkQuality): HTMLElement {
  const list = document.createElement('ul');
  document.body.append(list);
  render(<LinkRow link={view} quality={quality} />, list);
  return list.querySelector('li.link')!;
}

/** The quality of a footer nofollow link from a page with 500 links, authority not computed yet. */
function poorQuality(view: BacklinkView): LinkQuality {
  return scoreLink(view, {
    authority: { computed: false },
    relevance: null,
    domainPages: 1,
    anchorTarget: describeAnchorTarget({ url: TARGET, domain: 'target.com', title: 'Page' }),
  });
}

afterEach(() => {
  document.body.innerHTML = '';
});

/** Let Preact apply a state change (it renders on a microtask). */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

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

  it('shows no quality badge until the link is scored', () => {
    const row = renderRow(viewOf('https://a.com/', {}));
    expect(row.querySelector('[data-quality]')).toBeNull();
    expect(row.querySelector('[data-factor]')).toBeNull();
  });

  it('shows the score as a button that opens and closes the factors behind it', async () => {
    const view = {
      ...viewOf('https://a.com/', { outboundCount: 500 }),
      region: 'footer' as const,
      rel: ['nofollow'],
    };
    const quality = poorQuality(view);
    const row = renderRow(view, quality);
    const badge = row.querySelector<HTMLButtonElement>('button[data-quality]')!;
    expect(badge.getAttribute('data-quality')).toBe(String(quality.score));
    expect(badge.textContent).toBe(`quality ${quality.score}`);
    expect(badge.getAttribute('title')).toMatch(
      new RegExp(`^Link quality ${quality.score} of 100: .*loses most to rel`),
    );
    expect(badge.getAttribute('aria-expanded')).toBe('false');
    expect(row.querySelector('[data-factor]')).toBeNull();

    badge.click();
    await flush();
    expect(badge.getAttribute('aria-expanded')).toBe('true');
    const region = row.querySelector(`#${badge.getAttribute('aria-controls')}`)!;
    expect(region.getAttribute('role')).toBe('region');
    const factors = Array.from(region.querySelectorAll('[data-factor]')).map((f) => ({
      factor: f.getAttribute('data-factor'),
      points: Number(f.getAttribute('data-points')),
      shown: f.querySelector('.factor-points')!.textContent,
      reason: f.querySelector('.factor-reason')!.textContent,
    }));
    expect(factors.map((f) => f.factor)).toEqual(quality.parts.map((p) => p.factor));
    expect(factors.reduce((a, f) => a + f.points, 0)).toBe(quality.score);
    const byFactor = Object.fromEntries(factors.map((f) => [f.factor, f]));
    expect(byFactor.authority!.reason).toBe('not known yet: authority has not been computed yet');
    expect(byFactor.authority!.shown).toMatch(/^\+\d+ of 35$/);
    expect(byFactor.rel!.shown).toMatch(/^−\d+$/);
    expect(byFactor.rel!.reason).toMatch(/nofollow/);
    expect(byFactor.dilution!.reason).toBe('the linking page has 500 links: each passes less');
    expect(byFactor.placement!.reason).toMatch(/footer/);

    badge.click();
    await flush();
    expect(badge.getAttribute('aria-expanded')).toBe('false');
    expect(row.querySelector('[data-factor]')).toBeNull();
  });

  it('gives each row its own factor list', async () => {
    const list = document.createElement('ul');
    document.body.append(list);
    const views = ['https://a.com/', 'https://b.com/'].map((u) => viewOf(u, {}));
    render(
      <>
        {views.map((v) => (
          <LinkRow link={v} quality={poorQuality(v)} key={v.source} />
        ))}
      </>,
      list,
    );
    const badges = list.querySelectorAll<HTMLButtonElement>('button[data-quality]');
    expect(badges[0]!.getAttribute('aria-controls')).not.toBe(
      badges[1]!.getAttribute('aria-controls'),
    );
    badges[1]!.click();
    await flush();
    expect(list.querySelectorAll('.quality-factors')).toHaveLength(1);
    expect(list.querySelector('li[data-source="https://b.com/"] .quality-factors')).not.toBeNull();
  });

  it('marks a link behind risk flags, naming each, and nothing on a link behind none', () => {
    const list = document.createElement('ul');
    document.body.append(list);
    const view = viewOf('https://a.com/post', null);
    render(
      <>
        <LinkRow link={view} flags={['reciprocal', 'sitewide']} />
        <LinkRow link={viewOf('https://b.com/post', null)} flags={[]} />
      </>,
      list,
    );
    const [flagged, clean] = list.querySelectorAll('li.link');
    const badge = flagged!.querySelector('.flag-badge')!;
    expect(badge.getAttribute('data-flags')).toBe('reciprocal sitewide');
    expect(badge.textContent).toBe('2 risks');
    expect(badge.getAttribute('title')).toBe(
      'Risks to look at, not verdicts: Reciprocal links; Sitewide link.',
    );
    expect(clean!.querySelector('.flag-badge')).toBeNull();
  });

  it('counts a declared sponsored link as noted, not as a risk', () => {
    const list = document.createElement('ul');
    document.body.append(list);
    render(
      <>
        <LinkRow link={viewOf('https://a.com/post', null)} flags={['paid-declared', 'burst']} />
        <LinkRow link={viewOf('https://b.com/post', null)} flags={['paid-declared']} />
      </>,
      list,
    );
    const [both, noted] = [...list.querySelectorAll('li.link .flag-badge')];
    expect(both!.getAttribute('data-flags')).toBe('paid-declared burst');
    expect(both!.textContent).toBe('risk');
    expect(both!.getAttribute('title')).toBe(
      'Risks to look at, not verdicts: Burst of new links. Also noted: Declared sponsored link.',
    );
    expect(noted!.getAttribute('data-flags')).toBe('paid-declared');
    expect(noted!.textContent).toBe('noted');
    expect(noted!.getAttribute('title')).toBe(
      'Seen and fine as it is, not a risk: Declared sponsored link.',
    );
  });
});
