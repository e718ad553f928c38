import type { PageSnapshot } from './types';

/**
 * The one message protocol between content script, service worker and extension pages.
 * Each request type maps to the shape of its reply.
 */
export interface Requests {
  /** Content script -> worker: the links of the page that just loaded. */
  'page/snapshot': { request: { snapshot: PageSnapshot }; reply: RecordReply };
  /** Extension page -> worker: stored data changed (cleared, imported); refresh badges. */
  'data/changed': { request: object; reply: { ok: true } };
}

export type RecordReply =
  | { recorded: true; url: string; links: number; lost: number }
  | { recorded: false; reason: string };

export type MessageType = keyof Requests;
export type Message<T extends MessageType = MessageType> = { type: T } & Requests[T]['request'];
export type Reply<T extends MessageType> = Requests[T]['reply'];

export function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'page/snapshot' || type === 'data/changed';
}
