// @vitest-environment happy-dom
/** The watcher passes the capture on: link context and image flag in snapshots and deltas,
 * page terms and signals with every snapshot, the new visit of a single-page app included. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Window } from 'happy-dom';
import { DEFAULT_WATCH_OPTIONS, watchPage, type Watcher } from '../../src/content/watcher';
import type { PageDelta, PageSnapshot } from '../../src/core/types';

const URL_ = 'https://example.com/app';
const windows: Window[] = [];
const watchers: Watcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) w.stop();
  for (const w of windows.splice(0)) await w.happyDOM.close();
  vi.useRealTimers();
});

function setup(body: string) {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  const window = new Window({ url: URL_ });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.write(
    `<!doctype html><html><head><title>Coffee app</title></head><body>${body}</body></html>`,
  );
  const sent: Array<['snapshot', PageSnapshot] | ['delta', PageDelta]> = [];
  const ok = { recorded: true, url: URL_, links: 0, added: 0, lost: 0 } as const;
  const watcher = watchPage(
    doc,
    window as unknown as Parameters<typeof watchPage>[1],
    {
      snapshot: (s) => (sent.push(['snapshot', s]), Promise.resolve(ok)),
      delta: (d) => (sent.push(['delta', d]), Promise.resolve(ok)),
    },
    { ...DEFAULT_WATCH_OPTIONS, debounceMs: 20, maxWaitMs: 100, rescansAfterMs: [], pollMs: 20 },
  );
  watchers.push(watcher);
  return { window, doc, sent };
}
const settle = (ms = 150) => vi.advanceTimersByTimeAsync(ms);

describe('watchPage: the capture', () => {
  it('sends the page terms and signals with the snapshot, and each link’s context', async () => {
    const { sent } = setup(
      '<main><h1>Grinders</h1><p>Our pick is <a href="/encore">the Encore</a> for beginners.</p>' +
        '<a href="/contact">Contact</a></main>',
    );
    await settle(10);
    const [kind, snapshot] = sent[0]!;
    expect(kind).toBe('snapshot');
    const s = snapshot as PageSnapshot;
    expect(s.terms).toMatchObject({ grinders: 4, coffee: 3 });
    expect(s.signals).toMatchObject({ contactLinked: true, aboutLinked: false, favicon: false });
    expect(s.links[0]).toMatchObject({
      context: 'Our pick is the Encore for beginners.',
      image: false,
    });
  });

  it('sends context and image flag with links that come later', async () => {
    const { doc, sent } = setup('<main><p>first</p></main>');
    await settle(10);
    doc
      .querySelector('main')!
      .insertAdjacentHTML(
        'beforeend',
        '<p>Late words <a href="/late">late link</a> after.</p><a href="/pic"><img alt="Pic" src="p.png"></a>',
      );
    await settle();
    const [kind, delta] = sent[1]!;
    expect(kind).toBe('delta');
    expect(delta.links.map((l) => [l.href, l.context, l.image])).toEqual([
      ['https://example.com/late', 'Late words late link after.', false],
      ['https://example.com/pic', '', true],
    ]);
  });

  it('sends the new view’s terms with the snapshot of an in-app navigation', async () => {
    const { window, doc, sent } = setup('<main><h1>Grinders</h1></main>');
    await settle(10);
    window.history.pushState({}, '', '/app/kettles');
    doc.querySelector('main')!.innerHTML = '<h1>Kettles</h1><a href="/k">gooseneck kettle</a>';
    await settle(300);
    const last = sent[sent.length - 1]!;
    expect(last[0]).toBe('snapshot');
    expect((last[1] as PageSnapshot).url).toBe('https://example.com/app/kettles');
    expect((last[1] as PageSnapshot).terms).toHaveProperty('kettles');
    expect((last[1] as PageSnapshot).terms).not.toHaveProperty('grinders');
  });
});
