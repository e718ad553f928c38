// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import {
  CameFrom,
  ReferralCount,
  ReferralSources,
  TrafficSenders,
} from '../../src/ui/components/Referrals';
import { Outreach, RelatedPages } from '../../src/ui/components/Outreach';
import { summarizeReferrals } from '../../src/core/referrals';
import type { OutreachView } from '../../src/ui/referral-model';
import { DAY, T0, makeLink } from './helpers';

function mount(node: preact.ComponentChild): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return root;
}

afterEach(() => {
  document.body.innerHTML = '';
});

const SOURCE = 'https://blog.com/post';
const TARGET = 'https://shop.com/item';

describe('ReferralCount', () => {
  it('shows the visits a link sent, and when, in words', () => {
    const root = mount(<ReferralCount tally={{ count: 3, firstVisit: T0, lastVisit: T0 + DAY }} />);
    const badge = root.querySelector('[data-referrals]')!;
    expect(badge.getAttribute('data-referrals')).toBe('3');
    expect(badge.textContent).toBe('sent you 3 visits');
    expect(badge.getAttribute('title')).toMatch(
      /^You followed this link to this page 3 times, from .+ to .+\./,
    );
  });

  it('says one visit in the singular, and shows nothing for none', () => {
    const one = mount(<ReferralCount tally={{ count: 1, firstVisit: T0, lastVisit: T0 }} />);
    expect(one.textContent).toBe('sent you 1 visit');
    expect(one.querySelector('[data-referrals]')?.getAttribute('title')).toMatch(/1 time, on /);
    expect(mount(<ReferralCount />).innerHTML).toBe('');
  });
});

describe('CameFrom', () => {
  const arrival = { source: SOURCE, target: TARGET, anchor: 'the item', at: T0 };

  it('names the page and the link the user followed to this page', () => {
    const root = mount(<CameFrom arrival={arrival} url={TARGET} />);
    expect(root.querySelector('[data-came-from]')?.getAttribute('data-came-from')).toBe(SOURCE);
    expect(root.textContent).toBe(
      'You came here from https://blog.com/post by the link “the item”.',
    );
    expect(root.querySelector('a')?.getAttribute('href')).toBe(SOURCE);
  });

  it('shows nothing for another page, or without an arrival', () => {
    expect(mount(<CameFrom arrival={arrival} url="https://shop.com/" />).innerHTML).toBe('');
    expect(mount(<CameFrom arrival={null} url={TARGET} />).innerHTML).toBe('');
  });
});

describe('ReferralSources', () => {
  it('lists each page that sent visits, with its count', () => {
    const view = summarizeReferrals(
      [
        {
          source: SOURCE,
          target: TARGET,
          href: TARGET,
          anchor: 'a',
          at: T0,
          sourceDomain: 'blog.com',
          targetDomain: 'shop.com',
        },
        {
          source: SOURCE,
          target: TARGET,
          href: TARGET,
          anchor: 'a',
          at: T0 + 1,
          sourceDomain: 'blog.com',
          targetDomain: 'shop.com',
        },
      ],
      [],
    );
    const root = mount(<ReferralSources view={view} />);
    expect(root.querySelector('h2')?.textContent).toBe('You came here by following links 2 times');
    const item = root.querySelector(`[data-referral-source="${SOURCE}"]`)!;
    expect(item.getAttribute('data-count')).toBe('2');
    expect(mount(<ReferralSources view={summarizeReferrals([], [])} />).innerHTML).toBe('');
  });
});

describe('TrafficSenders', () => {
  it('lists each sender with how often the user visited its page', () => {
    const link = makeLink(SOURCE, TARGET, { anchor: 'great shop' });
    const root = mount(<TrafficSenders senders={[{ link, visits: 5, referrals: null }]} />);
    expect(root.querySelector(`[data-sender="${SOURCE}"] [data-visits]`)?.textContent).toBe(
      'you visited it 5 times',
    );
    expect(root.querySelector('h2')?.getAttribute('title')).toMatch(/at least 3 times/);
  });

  it('says why the list is empty', () => {
    expect(mount(<TrafficSenders senders={[]} />).querySelector('.empty')?.textContent).toMatch(
      /^None yet/,
    );
  });
});

describe('Outreach', () => {
  const view: OutreachView = {
    senders: [],
    site: [
      {
        domain: 'news.com',
        targets: 1,
        pages: [{ source: 'https://news.com/1', target: 'https://shop.com/', anchor: 'shop' }],
      },
    ],
    intersect: [],
    related: ['https://rival.com/a'],
    url: TARGET,
  };

  it('lists site hints with the page to open, and asks for a second related page', () => {
    const root = mount(<Outreach view={view} notice={null} onMark={() => {}} />);
    const hint = root.querySelector('[data-outreach="site"]')!;
    expect(hint.getAttribute('data-domain')).toBe('news.com');
    expect(hint.querySelector('a[href="https://news.com/1"]')).not.toBeNull();
    expect(root.textContent).toContain('Mark two or more related or competitor pages');
  });

  it('marks this page, unmarks it when marked, and removes a listed one', () => {
    const onMark = vi.fn();
    const root = mount(<Outreach view={view} notice={null} onMark={onMark} />);
    (root.querySelector('[data-mark-related="on"]') as HTMLButtonElement).click();
    expect(onMark).toHaveBeenLastCalledWith(TARGET, true);
    (
      root.querySelector('[data-related="https://rival.com/a"] button') as HTMLButtonElement
    ).click();
    expect(onMark).toHaveBeenLastCalledWith('https://rival.com/a', false);
    const marked = mount(
      <Outreach view={{ ...view, related: [TARGET] }} notice={{ text: 'done' }} onMark={onMark} />,
    );
    (marked.querySelector('[data-mark-related="off"]') as HTMLButtonElement).click();
    expect(onMark).toHaveBeenLastCalledWith(TARGET, false);
    expect(marked.querySelector('[data-outreach-notice]')?.textContent).toBe('done');
  });

  it('adds a page typed into the form', () => {
    const onMark = vi.fn();
    const root = mount(<Outreach view={view} notice={null} onMark={onMark} />);
    const input = root.querySelector('#related-input') as HTMLInputElement;
    input.value = 'https://rival.com/b';
    input.dispatchEvent(new Event('input'));
    (root.querySelector('form') as HTMLFormElement).dispatchEvent(
      new Event('submit', { cancelable: true }),
    );
    expect(onMark).toHaveBeenCalledWith('https://rival.com/b', true);
  });
});

describe('RelatedPages', () => {
  it('says when none are marked, and gives each a labelled remove button', () => {
    expect(mount(<RelatedPages pages={[]} onRemove={() => {}} />).textContent).toBe(
      'No related pages marked yet.',
    );
    const root = mount(<RelatedPages pages={['https://rival.com/a']} onRemove={() => {}} />);
    expect(root.querySelector('button')?.getAttribute('aria-label')).toBe(
      'Remove https://rival.com/a from the related pages',
    );
  });
});
