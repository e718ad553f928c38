import type { ComponentChild } from 'preact';
import { t, type MessageKey } from '../core/i18n';

/**
 * A message whose slots hold elements (a link inside a sentence): translators move the slot
 * where their language puts it, and the element is never built from translated markup.
 */
export function richText(key: MessageKey, parts: Readonly<Record<string, ComponentChild>>) {
  return t(key)
    .split(/(\{\w+\})/)
    .map((piece) => {
      const name = /^\{(\w+)\}$/.exec(piece)?.[1];
      return name !== undefined && name in parts ? parts[name] : piece;
    });
}
