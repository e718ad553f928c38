/**
 * Node has no browser i18n: tests read the English messages the extension ships, so a
 * component renders the words a person with an English browser sees.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useMessages } from '../../src/core/i18n';

export type MessagesFile = Record<string, { message: string; description?: string }>;

export function readLocale(language: string): MessagesFile {
  // Paths from the project root: under happy-dom, import.meta.url is not a file URL.
  const file = join(process.cwd(), 'public', '_locales', language, 'messages.json');
  return JSON.parse(readFileSync(file, 'utf8')) as MessagesFile;
}

export function useLocale(language: string): void {
  const messages = readLocale(language);
  useMessages((key) => messages[key]?.message ?? '', language);
}

useLocale('en');
