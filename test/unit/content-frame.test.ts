// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const sent = vi.hoisted(() => [] as Array<{ type: string }>);
vi.mock('webextension-polyfill', () => ({ default: { runtime: { id: 'backlink-lens' } } }));
vi.mock('../../src/platform/messaging', () => ({
  send: (message: { type: string }) => {
    sent.push(message);
    return Promise.resolve({ recorded: true, url: '', added: 0, lost: [] });
  },
}));

/** Size the window the script runs in, as the browser sizes a frame (resize fires on a change). */
const setViewport = (size: { width: number; height: number }) =>
  (window as unknown as { happyDOM: { setViewport(v: typeof size): void } }).happyDOM.setViewport(
    size,
  );

/** The content script loaded in a frame of another page (its top is another window). */
async function loadInFrame(width: number, height: number) {
  setViewport({ width, height });
  document.body.innerHTML = '<a href="https://target.example/page">read on</a>';
  vi.resetModules();
  await import('../../src/content/content');
}

/** Snapshots sent, once what the script started has run (it sends from a queue). */
async function snapshots(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return sent.filter((m) => m.type === 'page/snapshot').length;
}

describe('the content script in a frame', () => {
  beforeEach(() => {
    sent.length = 0;
    Object.defineProperty(window, 'top', { value: {}, configurable: true });
  });
  afterEach(() => {
    Object.defineProperty(window, 'top', { value: window, configurable: true });
  });

  it('reads a frame with room at once', async () => {
    await loadInFrame(400, 200);
    expect(await snapshots()).toBe(1);
  });

  it('reads a frame measured 0 × 0 at document_idle once it is given room', async () => {
    // A frame of another site (another process) learns its size from the embedding page's
    // layout, which on a busy machine comes after the frame's document is idle.
    await loadInFrame(0, 0);
    expect(await snapshots()).toBe(0);
    setViewport({ width: 400, height: 200 });
    expect(await snapshots()).toBe(1);
  });

  it('never reads a frame too small to be seen', async () => {
    await loadInFrame(1, 1);
    setViewport({ width: 0, height: 0 });
    expect(await snapshots()).toBe(0);
  });
});
