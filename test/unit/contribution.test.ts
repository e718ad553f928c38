import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  contributionBody,
  DEBOUNCE_MS,
  describeContribution,
  dropPages,
  emptyContribution,
  enqueuePage,
  FIRST_BACKOFF_MS,
  markFailed,
  markSent,
  MAX_BACKOFF_MS,
  MAX_PENDING,
  nextAttemptAt,
  nextBatch,
  parseContributionState,
  type OutboundPage,
} from '../../src/core/contribution';
import { parseExport } from '../../src/core/transfer';
import type { PageRecord } from '../../src/core/types';
import { at, makeLink } from './helpers';

const NOW = at(10);
const url = (n: number) => `https://blog.example/posts/${n}`;

function makePage(pageUrl: string, overrides: Partial<PageRecord> = {}): PageRecord {
  return {
    url: pageUrl,
    host: new URL(pageUrl).hostname,
    domain: 'blog.example',
    title: 'My private reading list',
    canonical: null,
    lang: 'en',
    robotsNoindex: false,
    robotsNofollow: false,
    firstSeen: at(1),
    lastSeen: at(2),
    outboundCount: 2,
    truncated: false,
    visits: 7,
    visitIds: ['v1', 'v2'],
    ...overrides,
  };
}

const queued = (...urls: string[]) => urls.reduce((s, u) => enqueuePage(s, u), emptyContribution());

describe('the contribution queue', () => {
  it('keeps each page once, oldest first, and a page recorded again moves to the end', () => {
    const state = queued(url(1), url(2), url(1), url(3));
    expect(state.pending).toEqual([url(2), url(1), url(3)]);
    expect(nextBatch(state, 2)).toEqual([url(2), url(1)]);
  });

  it('is bounded: a long time offline drops the oldest pages', () => {
    const state = queued(...Array.from({ length: MAX_PENDING + 10 }, (_, i) => url(i)));
    expect(state.pending).toHaveLength(MAX_PENDING);
    expect(state.pending[0]).toBe(url(10));
    expect(state.pending.at(-1)).toBe(url(MAX_PENDING + 9));
  });

  it('reads stored state as untrusted: junk becomes an empty queue, bad fields their default', () => {
    expect(parseContributionState('nonsense')).toEqual(emptyContribution());
    expect(
      parseContributionState({
        pending: [url(1), 42, url(1), null, url(2)],
        failures: -3,
        notBefore: 'soon',
        sentPages: 4,
        sentLinks: 1.5,
        lastSentAt: NOW,
        lastError: { no: 1 },
      }),
    ).toEqual({
      ...emptyContribution(),
      pending: [url(1), url(2)],
      sentPages: 4,
      lastSentAt: NOW,
    });
    const big = parseContributionState({ pending: Array.from({ length: 900 }, (_, i) => url(i)) });
    expect(big.pending).toHaveLength(MAX_PENDING);
  });

  it('a sent batch leaves the queue with what was dropped, adds up the figures, clears the error', () => {
    const failed = markFailed(queued(url(1), url(2), url(3)), { message: 'down' }, NOW);
    const state = markSent(
      enqueuePage(failed, url(4)),
      { sent: [url(1)], dropped: [url(2)], pages: 1, links: 5 },
      NOW + 1,
    );
    expect(state).toMatchObject({
      pending: [url(3), url(4)],
      failures: 0,
      notBefore: 0,
      sentPages: 1,
      sentLinks: 5,
      lastSentAt: NOW + 1,
      lastError: null,
    });
    expect(dropPages(state, [url(4)]).pending).toEqual([url(3)]);
  });
});

describe('when the next batch goes', () => {
  it('a minute after the last recording, and not at all with nothing queued', () => {
    expect(nextAttemptAt(emptyContribution(), NOW)).toBeNull();
    expect(nextAttemptAt(queued(url(1)), NOW)).toBe(NOW + DEBOUNCE_MS);
  });

  it('backs off doubling from a minute after each failure in a row, up to six hours', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([1, 2, 4, 8].map((m) => m * 60_000));
    expect(backoffMs(100)).toBe(MAX_BACKOFF_MS);
    let state = queued(url(1));
    state = markFailed(state, { message: 'The index could not be reached.' }, NOW);
    state = markFailed(state, { message: 'The index could not be reached.' }, NOW);
    expect(state.failures).toBe(2);
    expect(state.notBefore).toBe(NOW + 2 * FIRST_BACKOFF_MS);
    expect(state.pending).toEqual([url(1)]);
    // A recording during the backoff does not bring the retry forward.
    expect(nextAttemptAt(state, NOW + 1)).toBe(NOW + 2 * FIRST_BACKOFF_MS);
  });

  it("waits at least as long as the index's Retry-After, within the cap", () => {
    const busy = markFailed(queued(url(1)), { message: 'busy', retryAfterSeconds: 600 }, NOW);
    expect(busy.notBefore).toBe(NOW + 600_000);
    expect(backoffMs(1, 5)).toBe(FIRST_BACKOFF_MS);
    expect(backoffMs(1, 10 ** 9)).toBe(MAX_BACKOFF_MS);
  });

  it('says what happened in the options page: nothing yet, sent, or the last error', () => {
    expect(describeContribution(queued(url(1)))).toEqual({ kind: 'idle', pending: 1 });
    const sent = markSent(
      queued(url(1), url(2)),
      { sent: [url(1)], dropped: [], pages: 1, links: 3 },
      NOW,
    );
    expect(describeContribution(sent)).toEqual({
      kind: 'sent',
      pages: 1,
      links: 3,
      at: NOW,
      pending: 1,
    });
    const failed = markFailed(sent, { message: 'The index refused access (403).' }, NOW);
    expect(describeContribution(failed)).toEqual({
      kind: 'failed',
      message: 'The index refused access (403).',
      retryAt: NOW + FIRST_BACKOFF_MS,
      pending: 1,
    });
  });
});

describe('the batch sent', () => {
  const pageWith = (n: number, links: number): OutboundPage => ({
    page: makePage(url(n)),
    links: Array.from({ length: links }, (_, i) =>
      makeLink(url(n), `https://shop.example/item/${i}`, {
        anchor: `item ${i}`,
        context: 'words the user read around the link',
        lostAt: i === 0 ? at(3) : null,
      }),
    ),
  });

  it('is an export the index reads back: the pages and their live links, nothing about the visits', () => {
    const { body, included } = contributionBody([pageWith(1, 3), pageWith(2, 2)], 'x');
    expect(included.map((p) => p.page.url)).toEqual([url(1), url(2)]);
    const read = parseExport(body, NOW);
    expect(read.skipped).toBe(0);
    expect(read.pages.map((p) => p.url)).toEqual([url(1), url(2)]);
    // The link found gone is not sent as live: the index takes it from the page's crawl.
    expect(read.links.map((l) => `${l.source} ${l.anchor}`)).toEqual([
      `${url(1)} item 1`,
      `${url(1)} item 2`,
      `${url(2)} item 1`,
    ]);
    // Version 4: an upload carries no marked pages, so an index that reads up to 4 takes it.
    expect(JSON.parse(body)).toMatchObject({ format: 'backlink-lens', version: 4 });
    expect(body).not.toContain('relatedPages');
    expect(body).not.toContain('My private reading list');
    expect(body).not.toContain('visitIds');
    expect(body).not.toContain('words the user read');
    expect(read.pages[0]).toMatchObject({ title: '', firstSeen: at(1), lastSeen: at(2) });
    // Each live link as last seen at its page's last visit (stored earlier, found unchanged).
    expect(read.links.map((l) => l.lastSeen)).toEqual([at(2), at(2), at(2)]);
  });

  it('leaves pages for the next batch once the body would pass its size, but always sends one', () => {
    const pages = [pageWith(1, 40), pageWith(2, 40), pageWith(3, 40)];
    const whole = contributionBody(pages, 'x').body.length;
    const cut = contributionBody(pages, 'x', Math.ceil(whole / 2));
    expect(cut.included.map((p) => p.page.url)).toEqual([url(1)]);
    expect(new TextEncoder().encode(cut.body).length).toBeLessThanOrEqual(whole / 2);
    expect(contributionBody(pages, 'x', 10).included).toHaveLength(1);
  });
});
