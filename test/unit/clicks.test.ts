// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { Window } from 'happy-dom';
import { clickKind, watchClicks } from '../../src/content/clicks';
import type { LinkClick } from '../../src/core/referrals';

const PAGE = 'https://blog.example/post';

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

function setup(body: string) {
  const window = new Window({ url: PAGE });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.write(`<!doctype html><html><head><title>Post</title></head><body>${body}</body></html>`);
  const clicks: LinkClick[] = [];
  const stop = watchClicks(doc, window as unknown as Parameters<typeof watchClicks>[1], (c) =>
    clicks.push(c),
  );
  /** A mouse event as the browser makes one for a user (isTrusted), unless told otherwise. */
  const fire = (
    el: Element,
    type: 'click' | 'auxclick' | 'contextmenu',
    init: { button?: number; ctrlKey?: boolean } = {},
    trusted = true,
  ) => {
    const event = new window.MouseEvent(type, { bubbles: true, composed: true, ...init });
    Object.defineProperty(event, 'isTrusted', { value: trusted });
    el.dispatchEvent(event as unknown as Event);
  };
  return { doc, clicks, stop, fire };
}

describe('clickKind', () => {
  const event = (type: string, init: MouseEventInit = {}) =>
    ({
      type,
      button: 0,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      altKey: false,
      ...init,
    }) as MouseEvent;

  it('tells plain, modified and middle clicks and the menu apart', () => {
    expect(clickKind(event('click'))).toBe('click');
    expect(clickKind(event('click', { ctrlKey: true }))).toBe('modified');
    expect(clickKind(event('click', { metaKey: true }))).toBe('modified');
    expect(clickKind(event('click', { shiftKey: true }))).toBe('modified');
    expect(clickKind(event('auxclick', { button: 1 }))).toBe('middle');
    expect(clickKind(event('contextmenu', { button: 2 }))).toBe('menu');
  });

  it('a right-button auxclick or another button is no link click', () => {
    expect(clickKind(event('auxclick', { button: 2 }))).toBeNull();
    expect(clickKind(event('click', { button: 3 }))).toBeNull();
    expect(clickKind(event('mousedown'))).toBeNull();
  });
});

describe('watchClicks', () => {
  it('reports the href and anchor as extraction reads them, with the page and kind', () => {
    const body =
      '<main><a id="a" href="/shop?id=1">  Our   <b>shop</b> </a><a id="img" href="https://x.example/"><img alt="X logo"></a></main>';
    // One page per click: happy-dom follows a clicked link, as a browser does after our listener.
    const clicked = (id: string, type: 'click' | 'auxclick' | 'contextmenu', init = {}) => {
      const { doc, clicks, fire } = setup(body);
      fire(doc.querySelector(id)!, type, init);
      return clicks;
    };
    const shop = { page: PAGE, href: 'https://blog.example/shop?id=1', anchor: 'Our shop' };
    expect(clicked('#a b', 'click')).toEqual([{ ...shop, kind: 'click' }]);
    expect(clicked('#img', 'auxclick', { button: 1 })).toEqual([
      { page: PAGE, href: 'https://x.example/', anchor: 'X logo', kind: 'middle' },
    ]);
    expect(clicked('#a', 'click', { ctrlKey: true })).toEqual([{ ...shop, kind: 'modified' }]);
    expect(clicked('#a', 'contextmenu', { button: 2 })).toEqual([{ ...shop, kind: 'menu' }]);
  });

  it('ignores clicks a page script made (untrusted), and clicks off links', () => {
    const { doc, clicks, fire } = setup('<p id="p">text <a id="a" href="/x">x</a></p>');
    fire(doc.getElementById('a')!, 'click', {}, false);
    fire(doc.getElementById('p')!, 'click');
    fire(doc.getElementById('a')!, 'auxclick', { button: 2 });
    expect(clicks).toEqual([]);
  });

  it('ignores links that go nowhere: same-page fragments and javascript:', () => {
    const { doc, clicks, fire } = setup(
      '<a id="f" href="#top">top</a><a id="j" href="javascript:void 0">js</a>',
    );
    fire(doc.getElementById('f')!, 'click');
    fire(doc.getElementById('j')!, 'click');
    expect(clicks).toEqual([]);
  });

  it('finds links inside open shadow trees', () => {
    const { doc, clicks, fire } = setup('<div id="host"></div>');
    const shadow = doc.getElementById('host')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<a href="https://y.example/deep">deep link</a>';
    fire(shadow.querySelector('a')!, 'click');
    expect(clicks).toEqual([
      { page: PAGE, href: 'https://y.example/deep', anchor: 'deep link', kind: 'click' },
    ]);
  });

  it('stops reporting once stopped', () => {
    const { doc, clicks, fire, stop } = setup('<a id="a" href="/x">x</a>');
    stop();
    fire(doc.getElementById('a')!, 'click');
    expect(clicks).toEqual([]);
  });
});
