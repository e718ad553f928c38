/**
 * The server reads exports with the extension's own parsers, whose errors are messages
 * (src/core/i18n.ts): in Node there is no browser i18n, so they are read in English here.
 */
import { readFileSync } from 'node:fs';
import { useMessages } from '../../src/core/i18n';

const file = new URL('../../public/_locales/en/messages.json', import.meta.url);
const messages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { message: string }>;

useMessages((key) => messages[key]?.message ?? '', 'en');
