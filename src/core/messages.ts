import type { PageDelta, PageSnapshot } from './types';
import type { LinkClick } from './referrals';
import type { LookupKind } from './index-protocol';
import type { SourceResult } from '../sources/types';
import type { KeyCheck, ProviderCredentials, ProviderId } from '../sources/providers/types';

/**
 * The one message protocol between content script, service worker and extension pages.
 * Each request type maps to the shape of its reply; the worker's handler map (`Handlers`) must
 * cover exactly these types, so a message without a handler is a type error.
 */
export interface Requests {
  /**
   * Content script (any frame) -> worker: the links of the document on screen, after a load or
   * an in-app navigation. A new visit of the page: links no longer there are marked lost.
   * `visit` is the visit's random id (core/delivery): a resent snapshot is stored once.
   */
  'page/snapshot': { request: { snapshot: PageSnapshot; visit: string }; reply: RecordReply };
  /**
   * Content script -> worker: links that appeared since the last snapshot of the same URL.
   * Merged into the current visit; nothing is marked lost.
   */
  'page/links': { request: { delta: PageDelta }; reply: RecordReply };
  /**
   * Content script (any frame) -> worker: the user followed (or opened the menu of) a link. Held
   * until the navigation that follows confirms it (background/referrals.ts); nothing is stored
   * before that.
   */
  'referral/click': { request: { click: LinkClick }; reply: ClickReply };
  /** Extension page -> worker: stored data changed (cleared, imported); refresh badges. */
  'data/changed': { request: Record<never, never>; reply: { ok: true } };
  /**
   * Extension page (popup, report) -> worker: what the user's remote index knows of a page
   * (kind 'url') or its site ('domain'). Sent only when the user opens the popup or report,
   * never on page load; 'off' unless the user added and turned on an index.
   */
  'remote/lookup': { request: { kind: LookupKind; url: string }; reply: SourceResult };
  /**
   * Extension page (popup, report) -> worker: what one bring-your-own-key provider knows of a
   * page or its site. Sent only when the user opens the popup or report; 'off' unless the user
   * added that provider's key and it is on.
   */
  'provider/lookup': {
    request: { provider: ProviderId; kind: LookupKind; url: string };
    reply: SourceResult;
  };
  /**
   * Options page -> worker: try a provider's key with its cheapest documented call. With
   * `credentials`, those (a key being added); without, the stored ones.
   */
  'provider/test': {
    request: { provider: ProviderId; credentials?: ProviderCredentials };
    reply: ProviderTestReply;
  };
  /**
   * Popup -> worker: build the aggregates of these hot targets (canonical URLs) that have none
   * (storage/target-stats.ts), and of the first one's site (storage/site-stats.ts), so that the
   * page's next popup reads only what it shows. Sent after a full read; the worker builds,
   * since the popup may close before it is done.
   */
  'stats/build': { request: { targets: string[] }; reply: { built: number } };
  /**
   * Popup, report -> worker: store the risk line of this page (a canonical URL), which it had
   * to compute from every link (none stored, or stale), so that its next popup reads one record
   * (storage/risk-summary.ts). Built a moment later, in the background.
   */
  'risk/build': { request: { url: string }; reply: { queued: boolean } };
}

/** A key that works, with the quota left where the service says; or why not, in plain words. */
export type ProviderTestReply = ({ ok: true } & KeyCheck) | { ok: false; message: string };

export type RecordReply =
  | { recorded: true; url: string; links: number; added: number; lost: number }
  | { recorded: false; reason: string };

/** 'noted': held until its navigation; otherwise why not (the privacy gate's reasons too). */
export type ClickReply = { noted: true } | { noted: false; reason: string };

export type MessageType = keyof Requests;
export type Message<T extends MessageType = MessageType> = { type: T } & Requests[T]['request'];
export type Reply<T extends MessageType> = Requests[T]['reply'];

/** One handler per message type, no more, no less: the worker's dispatch is derived from it. */
export type Handlers<Sender> = {
  [T in MessageType]: (message: Message<T>, sender: Sender) => Promise<Reply<T>>;
};

/**
 * Route a value received from runtime.onMessage to its handler. Undefined for anything that is
 * not one of our messages (another listener may answer it, or nobody).
 */
export function dispatch<Sender>(
  handlers: Handlers<Sender>,
  value: unknown,
  sender: Sender,
): Promise<unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) return undefined;
  // The handler parses its own payload: the message is untrusted beyond its type.
  const handler = handlers[type as MessageType] as (m: unknown, s: Sender) => Promise<unknown>;
  return handler(value, sender);
}
