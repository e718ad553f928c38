/**
 * The popup as a click on the toolbar icon opens it, not in a tab: the worker calls
 * action.openPopup() for the active tab, and the popup's own document is timed from its
 * navigation start, as timeToReport times a tab (popup.ts). In headless Chromium 156 the popup is
 * a target Playwright does not list as a page, so it is reached over the browser's DevTools
 * endpoint: the browser is launched with --remote-debugging-port=0 and, while a popup opens
 * (only then: other pages would wait for us too), every new target waits for us (auto-attach),
 * which puts the same watch in the popup before any of its scripts ran.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from '../support/browser';
import { PAGE_PHASES, watchForReport, type PagePhases } from './popup';

/** Flags the browser needs for openToolbarPopups. */
export const TOOLBAR_POPUP_ARGS = ['--remote-debugging-port=0'];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

interface TargetInfo {
  type: string;
  url: string;
}

export interface ToolbarPopup<T> {
  ms: number;
  /** When its first rows (or empty state) were in the DOM, as timeToReport's firstRows. */
  firstRows: number;
  phases: PagePhases;
  after: T;
}

export interface ToolbarPopups {
  /**
   * Opens the popup for `tab` (brought to the front: the popup is the active tab's), waits for
   * `done` to hold in it, reads `then` (an expression) and closes it.
   */
  open<T>(tab: Page, done: string, then: string, timeout?: number): Promise<ToolbarPopup<T>>;
  close(): void;
}

/** Connects to the DevTools endpoint of a browser launched with TOOLBAR_POPUP_ARGS. */
export async function toolbarPopups(ext: ExtensionBrowser): Promise<ToolbarPopups> {
  const [port, path] = readFileSync(join(ext.userDataDir, 'DevToolsActivePort'), 'utf8')
    .trim()
    .split('\n');
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const answers = new Map<number, (message: Message) => void>();
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      answers.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result!)));
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const evaluate = async (sessionId: string, expression: string): Promise<unknown> => {
    const answer = await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId);
    return (answer.result as { value?: unknown } | undefined)?.value;
  };

  /** The popup's session, handed over once the watch is in, before its document starts. */
  let awaited: { source: string; resolve: (sessionId: string) => void } | undefined;
  socket.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(String(data)) as Message;
    if (message.id !== undefined) {
      answers.get(message.id)?.(message);
      answers.delete(message.id);
      return;
    }
    if (message.method !== 'Target.attachedToTarget') return;
    const { sessionId, targetInfo, waitingForDebugger } = message.params as {
      sessionId: string;
      targetInfo: TargetInfo;
      waitingForDebugger: boolean;
    };
    void (async () => {
      // The popup arrives as an "other" target with no URL yet; anything else goes on at once.
      const popup =
        waitingForDebugger && targetInfo.type === 'other' && targetInfo.url === '' && awaited;
      if (popup) {
        const { source, resolve } = awaited!;
        awaited = undefined;
        await send('Page.enable', {}, sessionId); // without it the script below is not run
        await send('Page.addScriptToEvaluateOnNewDocument', { source }, sessionId);
        resolve(sessionId);
      }
      if (waitingForDebugger) await send('Runtime.runIfWaitingForDebugger', {}, sessionId);
      if (!popup) await send('Target.detachFromTarget', { sessionId });
    })().catch(() => {}); // a target gone meanwhile: nothing to time there
  });
  /** Attached only while a popup opens: a page opened meanwhile waits for us (each open's tab). */
  const autoAttach = (on: boolean) =>
    send('Target.setAutoAttach', { autoAttach: on, waitForDebuggerOnStart: on, flatten: true });

  return {
    async open<T>(tab: Page, done: string, then: string, timeout = 30_000) {
      await tab.bringToFront();
      const session = new Promise<string>((resolve, reject) => {
        awaited = { source: watchForReport(done), resolve };
        setTimeout(() => reject(new Error('toolbar popup: no popup opened')), timeout);
      });
      session.catch(() => {}); // awaited below; not unhandled if the open throws first
      await autoAttach(true);
      try {
        // The worker's own call, as its context-menu and command handlers would make it.
        await ext.worker.evaluate(() => chrome.action.openPopup());
        const sessionId = await session;
        try {
          const start = Date.now();
          let ms: unknown;
          // Asked every 20 ms from here: each ask is one tiny task in the popup.
          while ((ms = await evaluate(sessionId, 'window.__benchReady')) === undefined) {
            if (Date.now() - start > timeout) throw new Error(`toolbar popup: no "${done}"`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const firstRows = (await evaluate(sessionId, 'window.__benchFirstRows')) as number;
          const phases = (await evaluate(sessionId, PAGE_PHASES)) as PagePhases;
          const after = (await evaluate(sessionId, then)) as T;
          return { ms: ms as number, firstRows: firstRows ?? Number.NaN, phases, after };
        } finally {
          await evaluate(sessionId, 'window.close()').catch(() => {});
        }
      } finally {
        awaited = undefined;
        // Off once the popup is closed: it detaches the popup's session too.
        await autoAttach(false);
      }
    },
    close: () => socket.close(),
  };
}
