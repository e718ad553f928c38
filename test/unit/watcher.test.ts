// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Window } from 'happy-dom';
import {
  DEFAULT_WATCH_OPTIONS,
  watchPage,
  type Transport,
  type Watcher,
  type WatchOptions,
} from '../../src/content/watcher';
import type { RecordReply } from '../../src/core/messages';
import type { PageDelta, PageSnapshot } from '../../src/core/types';

const URL_ = 'https://example.com/app';

interface Sent {
  kind: 'snapshot' | 'delta';
  url: string;
  links: Array<[string, string, number]>;
}

const windows: Window[] = [];
const watchers: Watcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) w.stop();
  for (const w of windows.splice(0)) await w.happyDOM.close();
  vi.useRealTimers();
});

/** A page at URL_ with `body`, watched with fast timers, its messages recorded in `sent`. */
function setup(
  body: string,
  options: Partial<WatchOptions> = {},
  reply?: (m: Sent) => RecordReply | Promise<RecordReply>,
  prepare?: (doc: Document) => void,
  connected?: () => boolean,
) {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  const window = new Window({ url: URL_ });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.write(`<!doctype html><html><head><title>App</title></head><body>${body}</body></html>`);
  prepare?.(doc);
  const sent: Sent[] = [];
  /** The visit id of each snapshot sent, in order. */
  const visits: string[] = [];
  const answer = (kind: Sent['kind'], m: PageSnapshot | PageDelta) => {
    const entry: Sent = {
      kind,
      url: m.url,
      links: m.links.map((l) => [
        l.href.replace('https://example.com', ''),
        l.region,
        l.occurrences,
      ]),
    };
    sent.push(entry);
    return Promise.resolve(
      reply ? reply(entry) : ({ recorded: true, url: m.url, links: 0, added: 0, lost: 0 } as const),
    );
  };
  const transport: Transport = {
    snapshot: (s, visit) => {
      visits.push(visit);
      return answer('snapshot', s);
    },
    delta: (d) => answer('delta', d),
    ...(connected ? { connected } : {}),
  };
  const watcher = watchPage(doc, window as unknown as Parameters<typeof watchPage>[1], transport, {
    ...DEFAULT_WATCH_OPTIONS,
    debounceMs: 20,
    maxWaitMs: 100,
    rescansAfterMs: [],
    retryDelaysMs: [10, 10],
    pollMs: 20,
    ...options,
  });
  watchers.push(watcher);
  return { window, doc, sent, visits, watcher };
}

// Fake clocks: debounce windows and retries elapse exactly, however busy the machine is.
const settle = async (ms = 150) => {
  await vi.advanceTimersByTimeAsync(ms);
};

function addLink(doc: Document, href: string, text: string, parent = 'main') {
  const a = doc.createElement('a');
  a.href = href;
  a.textContent = text;
  doc.querySelector(parent)!.append(a);
  return a;
}

describe('watchPage', () => {
  it('sends the page as it is at once, folded', async () => {
    const { sent } = setup(
      '<nav><a href="/x">X</a></nav><main><a href="/x">X</a><a href="/y">Y</a></main>',
    );
    await settle(10);
    expect(sent).toEqual([
      {
        kind: 'snapshot',
        url: URL_,
        links: [
          ['/x', 'main', 2],
          ['/y', 'main', 1],
        ],
      },
    ]);
  });

  it('sends only links added later, batched', async () => {
    const { doc, sent } = setup('<main><a href="/first">first</a></main>');
    for (let i = 0; i < 20; i++) addLink(doc, `/late/${i}`, `late ${i}`);
    await settle();
    expect(sent.map((m) => m.kind)).toEqual(['snapshot', 'delta']);
    expect(sent[1]!.links).toHaveLength(20);
    expect(sent[1]!.links[0]).toEqual(['/late/0', 'main', 1]);
  });

  it('sends a known link again only when it shows up in a new place, not when re-rendered', async () => {
    const { doc, sent } = setup('<nav></nav><main><a href="/x">X</a></main>');
    // A framework replaces the element with an equal one: not a second occurrence.
    doc.querySelector('main')!.innerHTML = '<a href="/x">X</a>';
    await settle();
    expect(sent).toHaveLength(1);
    addLink(doc, '/x', 'X', 'nav');
    await settle();
    expect(sent[1]).toEqual({ kind: 'delta', url: URL_, links: [['/x', 'main', 2]] });
  });

  it('reads a link whose href changed as the link it now is', async () => {
    const { doc, sent } = setup('<main><a href="/before">go</a></main>');
    doc.querySelector('a')!.setAttribute('href', '/after');
    await settle();
    expect(sent[1]).toEqual({ kind: 'delta', url: URL_, links: [['/after', 'main', 1]] });
  });

  it('reads shadow trees of components added later, and watches them', async () => {
    const { doc, sent } = setup('<main></main>');
    const host = doc.createElement('x-card');
    host.attachShadow({ mode: 'open' }).innerHTML = '<a href="/in-shadow">s</a>';
    doc.querySelector('main')!.append(host);
    await settle();
    expect(sent[1]?.links).toEqual([['/in-shadow', 'main', 1]]);
    const more = doc.createElement('a');
    more.href = '/in-shadow-later';
    more.textContent = 'later';
    host.shadowRoot!.append(more);
    await settle();
    expect(sent[2]?.links).toEqual([['/in-shadow-later', 'main', 1]]);
  });

  it('stops reading at the per-visit cap and says so', async () => {
    const { doc, sent, watcher } = setup('<main></main>', {
      extract: { ...DEFAULT_WATCH_OPTIONS.extract, maxLinks: 10 },
    });
    for (let i = 0; i < 25; i++) addLink(doc, `/p/${i}`, `p ${i}`);
    await settle();
    expect(watcher.idle).toBe('cap');
    expect(sent.flatMap((m) => m.links)).toHaveLength(10);
    addLink(doc, '/after-cap', 'x');
    await settle();
    expect(sent.flatMap((m) => m.links)).toHaveLength(10);
  });

  it('looks at no more than its per-minute budget of elements', async () => {
    const { doc, sent } = setup('<main></main>', { perMinute: 15 });
    for (let i = 0; i < 40; i++) addLink(doc, `/p/${i}`, `p ${i}`);
    await settle();
    expect(sent.flatMap((m) => m.links)).toHaveLength(15);
    // More changes meanwhile wait too; the new minute's budget reads the next 15.
    addLink(doc, '/meanwhile', 'm');
    await settle(30_000);
    expect(sent.flatMap((m) => m.links)).toHaveLength(15);
    await settle(30_000);
    // The rescan passes the 15 known links at a tenth of the cost and reads new ones.
    const read = sent.flatMap((m) => m.links).length;
    expect(read).toBeGreaterThan(25);
    expect(read).toBeLessThan(41);
  });

  it('starts a new visit on an in-app navigation, and gives earlier changes to the earlier URL', async () => {
    const { window, doc, sent } = setup('<main><a href="/home-link">home</a></main>');
    addLink(doc, '/seen-before-navigating', 'before');
    // The poll (no Navigation API here) notices the new URL; the app renders its new view.
    await settle(40);
    window.history.pushState({}, '', '/app/about');
    doc.querySelector('main')!.innerHTML = '<a href="/about-link">about</a>';
    await settle(300);
    const kinds = sent.map((m) => [m.kind, m.url]);
    expect(kinds).toEqual([
      ['snapshot', URL_],
      ['delta', URL_],
      ['snapshot', 'https://example.com/app/about'],
    ]);
    expect(sent[1]!.links).toEqual([['/seen-before-navigating', 'main', 1]]);
    expect(sent[2]!.links).toEqual([['/about-link', 'main', 1]]);
  });

  it('ignores a change of the fragment alone', async () => {
    const { window, sent } = setup('<main><a href="/x">x</a></main>');
    window.location.hash = '#section-2';
    await settle();
    expect(sent).toHaveLength(1);
  });

  it('stops for good when the worker will never record the page', async () => {
    const { doc, sent, watcher } = setup('<main></main>', {}, () => ({
      recorded: false,
      reason: 'excluded',
    }));
    await settle(10);
    expect(watcher.idle).toBe('refused: excluded');
    addLink(doc, '/x', 'x');
    await settle();
    expect(sent).toHaveLength(1);
  });

  it('sends the whole page again when the worker has no visit to merge into', async () => {
    let first = true;
    const { doc, sent } = setup('<main><a href="/a">a</a></main>', {}, (m) => {
      if (m.kind === 'delta' && first) {
        first = false;
        return { recorded: false, reason: 'no-visit' };
      }
      return { recorded: true, url: m.url, links: 0, added: 0, lost: 0 };
    });
    addLink(doc, '/b', 'b');
    await settle();
    expect(sent.map((m) => m.kind)).toEqual(['snapshot', 'delta', 'snapshot']);
    expect(sent[2]!.links).toEqual([
      ['/a', 'main', 1],
      ['/b', 'main', 1],
    ]);
  });

  it('retries a message that got no answer, then carries its links in the next one', async () => {
    let failures = 0;
    const { doc, sent } = setup('<main></main>', {}, (m) => {
      if (m.kind === 'delta' && failures < 3) {
        failures++;
        throw new Error('Could not establish connection. Receiving end does not exist.');
      }
      return { recorded: true, url: m.url, links: 0, added: 0, lost: 0 };
    });
    addLink(doc, '/a', 'a');
    await settle(200);
    // One try and two retries, all failed: the link waits for the next change.
    expect(sent.filter((m) => m.kind === 'delta')).toHaveLength(3);
    addLink(doc, '/b', 'b');
    await settle(200);
    expect(sent.at(-1)!.links).toEqual([
      ['/a', 'main', 1],
      ['/b', 'main', 1],
    ]);
  });

  it('resends a snapshot that got no answer, under the same visit id, until one comes', async () => {
    // What a stopped or killed worker looks like: the polyfill resolves nothing when the worker
    // died before replying, sending throws while it restarts, and a write can fail as it stops.
    const replies: Array<(url: string) => RecordReply> = [
      () => undefined as unknown as RecordReply,
      () => {
        throw new Error('Could not establish connection. Receiving end does not exist.');
      },
      () => ({ recorded: false, reason: 'error' }),
      (url) => ({ recorded: true, url, links: 1, added: 1, lost: 0 }),
    ];
    const { doc, sent, visits } = setup(
      '<main><a href="/a">a</a></main>',
      { retryDelaysMs: [10, 20, 40] },
      (m) => (replies.length > 1 ? replies.shift()! : replies[0]!)(m.url),
    );
    await settle(100);
    expect(sent.map((m) => m.kind)).toEqual(['snapshot', 'snapshot', 'snapshot', 'snapshot']);
    expect(new Set(visits).size).toBe(1);
    // Answered: the visit is accepted, later links go as a delta of it.
    addLink(doc, '/b', 'b');
    await settle();
    expect(sent.slice(4)).toEqual([{ kind: 'delta', url: URL_, links: [['/b', 'main', 1]] }]);
  });

  it('does not resend a snapshot the worker refused', async () => {
    const { sent, watcher } = setup('<main><a href="/a">a</a></main>', {}, () => ({
      recorded: false,
      reason: 'excluded',
    }));
    await settle();
    expect(sent).toHaveLength(1);
    expect(watcher.idle).toBe('refused: excluded');
  });

  it('sends a snapshot never answered again with the next change, as the same visit', async () => {
    let snapshots = 0;
    const { doc, sent, visits } = setup('<main><a href="/a">a</a></main>', {}, (m) =>
      m.kind === 'snapshot' && ++snapshots <= 3
        ? (undefined as unknown as RecordReply)
        : { recorded: true, url: m.url, links: 0, added: 0, lost: 0 },
    );
    await settle();
    // One try and two retries, none answered: the page waits for a change.
    expect(sent.map((m) => m.kind)).toEqual(['snapshot', 'snapshot', 'snapshot']);
    addLink(doc, '/b', 'b');
    await settle();
    // The snapshot again (the worker stores one visit id once), then what is new since.
    expect(sent.slice(3)).toEqual([
      { kind: 'snapshot', url: URL_, links: [['/a', 'main', 1]] },
      { kind: 'delta', url: URL_, links: [['/b', 'main', 1]] },
    ]);
    expect(new Set(visits).size).toBe(1);
  });

  it('gives every visit its own id', async () => {
    const { window, visits } = setup('<main><a href="/a">a</a></main>');
    await settle();
    window.history.pushState({}, '', '/app/next');
    await settle();
    expect(visits).toHaveLength(2);
    expect(visits[0]).not.toBe(visits[1]);
  });

  it('stops watching a page hidden for long, and reads what changed when it is shown again', async () => {
    // A link already read stays as it was: the rescan on showing sends only what is new.
    const { window, doc, sent, watcher } = setup('<main><a href="/kept">kept</a></main>', {
      hiddenMs: 30,
    });
    const setVisibility = (state: 'hidden' | 'visible') => {
      Object.defineProperty(doc, 'visibilityState', { value: state, configurable: true });
      doc.dispatchEvent(new window.Event('visibilitychange') as unknown as Event);
    };
    setVisibility('hidden');
    await settle(60);
    expect(watcher.idle).toBe('hidden');
    addLink(doc, '/while-hidden', 'h');
    await settle();
    expect(sent).toHaveLength(1);
    setVisibility('visible');
    await settle();
    expect(watcher.idle).toBeNull();
    expect(sent[1]?.links).toEqual([['/while-hidden', 'main', 1]]);
  });

  it('waits for a prerendered page to be shown before it counts as a visit', async () => {
    const { window, doc, sent, watcher } = setup(
      '<main><a href="/a">a</a></main>',
      {},
      undefined,
      (d) => Object.defineProperty(d, 'prerendering', { value: true, configurable: true }),
    );
    await settle();
    expect(watcher.idle).toBe('prerendering');
    expect(sent).toEqual([]);
    Object.defineProperty(doc, 'prerendering', { value: false, configurable: true });
    doc.dispatchEvent(new window.Event('prerenderingchange') as unknown as Event);
    await settle();
    expect(watcher.idle).toBeNull();
    expect(sent).toEqual([{ kind: 'snapshot', url: URL_, links: [['/a', 'main', 1]] }]);
  });

  it('starts at most visitsPerMinute visits a minute, however often the app changes its URL', async () => {
    const { window, sent } = setup('<main></main>', { visitsPerMinute: 3 });
    for (let i = 1; i <= 20; i++) {
      window.history.pushState({}, '', `/app/step-${i}`);
      await settle(100);
    }
    // The page's first visit and two navigations; the rest wait for the next minute.
    expect(sent).toHaveLength(3);
    expect(sent[0]?.url).toBe(URL_);
    expect(new Set(sent.map((m) => m.url)).size).toBe(3);
    await settle(60_000);
    expect(sent.at(-1)?.url).toBe('https://example.com/app/step-20');
    expect(sent).toHaveLength(4);
  });

  it('reads a link whose words change again, and skips unchanged ones on a rescan', async () => {
    const { doc, sent } = setup('<main><a href="/a">before</a><a href="/b">b</a></main>', {
      perMinute: 1,
    });
    doc.querySelector('a')!.textContent = 'after';
    await settle();
    // One read in the budget: the changed link, not the unchanged one.
    expect(sent[1]?.links).toEqual([['/a', 'main', 1]]);
    expect(sent).toHaveLength(2);
  });

  it('stops for good once the extension was updated or removed (an orphaned script)', async () => {
    let connected = true;
    const { doc, sent, watcher } = setup(
      '<main></main>',
      {},
      (m) => {
        if (m.kind === 'delta') throw new Error('Extension context invalidated.');
        return { recorded: true, url: m.url, links: 0, added: 0, lost: 0 };
      },
      undefined,
      () => connected,
    );
    connected = false;
    addLink(doc, '/a', 'a');
    await settle();
    expect(watcher.idle).toBe('orphaned');
    // No retries, and nothing more is read.
    expect(sent.map((m) => m.kind)).toEqual(['snapshot', 'delta']);
    addLink(doc, '/b', 'b');
    await settle();
    expect(sent).toHaveLength(2);
  });

  it('counts known links a little, so a page re-inserting a big block runs out of budget', async () => {
    const block = Array.from({ length: 100 }, (_, i) => `<a href="/k/${i}">k${i}</a>`).join('');
    const { doc, sent } = setup(`<main><div id="block">${block}</div></main>`, { perMinute: 25 });
    for (let round = 0; round < 3; round++) {
      const el = doc.getElementById('block')!;
      el.remove();
      doc.querySelector('main')!.append(el);
      await settle(300);
    }
    // 250 known links looked at (a tenth each): over budget, a new link waits for the minute.
    addLink(doc, '/new', 'new');
    await settle(300);
    expect(sent).toHaveLength(1);
    await settle(60_000);
    expect(sent.at(-1)?.links).toEqual([['/new', 'main', 1]]);
  });
});
