import browser from 'webextension-polyfill';
import type { Message, MessageType, Reply } from '../core/messages';

/** Typed send over the one protocol in core/messages. */
export function send<T extends MessageType>(message: Message<T>): Promise<Reply<T>> {
  return browser.runtime.sendMessage(message) as Promise<Reply<T>>;
}
