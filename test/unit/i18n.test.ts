import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import {
  formatDate,
  formatNumber,
  formatPercent,
  t,
  tn,
  uiLanguage,
  useMessages,
} from '../../src/core/i18n';
import { importSummary, type ImportOutcome } from '../../src/core/import-stream';
import { parseExport } from '../../src/core/transfer';
import { describeRetention, pruneText } from '../../src/core/retention';
import { parseInfo } from '../../src/core/index-protocol';
import { readEngineExport } from '../../src/core/engine-exports';
import { describeFailure } from '../../src/sources/index-client';
import { providerError } from '../../src/sources/providers/http';
import { readLocale, useLocale } from '../support/i18n-setup';

const ROOT = process.cwd();
const LOCALES = readdirSync(join(ROOT, 'public', '_locales'));
const en = readLocale('en');

const slotsOf = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const PLURAL = /_(zero|one|two|few|many|other)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** A sentence: a capital, then at least two more words (not a key, a CSS class or a code). */
const SENTENCE = /^[“"]?[A-Z][a-z]*,?( [\w“”'’,.:;()…-]+){2,}/;

/** Text of a string or template literal, with ${…} as "…". */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => `…${s.literal.text}`).join('');
  }
  return null;
}

/**
 * Words written straight into what people read: JSX text, the attributes people read or hear,
 * and English sentences handed to a notice (`text:`), thrown as an error, or given to
 * runAction/withIndex as the failure's name. Logs (console.*) are for developers and pass.
 */
function hardCodedText(file: string, text = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const words = /[A-Za-z]{2,}/;
  const shown = (node: ts.Node | undefined) => {
    const literal = node && literalText(node);
    if (literal && SENTENCE.test(literal)) found.push(literal);
  };
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && node.name.getText() === 'text') shown(node.initializer);
    if (ts.isNewExpression(node) && /Error$/.test(node.expression.getText())) {
      shown(node.arguments?.[0]);
    }
    if (ts.isCallExpression(node) && /^(runAction|withIndex)$/.test(node.expression.getText())) {
      node.arguments.forEach(shown);
    }
    if (ts.isConditionalExpression(node) && ts.isPropertyAssignment(node.parent)) {
      if (node.parent.name.getText() === 'text') [node.whenTrue, node.whenFalse].forEach(shown);
    }
    if (ts.isJsxText(node) && words.test(node.text)) found.push(node.text.trim());
    if (
      ts.isJsxAttribute(node) &&
      /^(title|aria-label|placeholder|alt|label|aria-description)$/.test(node.name.getText()) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer) &&
      words.test(node.initializer.text) &&
      // An example address reads the same in every language.
      !/^\S+\.\S+$/.test(node.initializer.text)
    ) {
      found.push(`${node.name.getText()}="${node.initializer.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

afterEach(() => useLocale('en'));

describe('shipped locales', () => {
  it('ship English and at least one more language', () => {
    expect(LOCALES).toContain('en');
    expect(LOCALES.length).toBeGreaterThanOrEqual(2);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))(
    '%s has every English key, with the same slots',
    (lang) => {
      const messages = readLocale(lang);
      const singular = (key: string) => key.replace(PLURAL, '_other');
      // A language may have more plural forms than English, never fewer keys.
      const missing = Object.keys(en).filter((key) => !(key in messages));
      expect(missing).toEqual([]);
      const extra = Object.keys(messages).filter((key) => !(singular(key) in en));
      expect(extra).toEqual([]);
      for (const [key, { message }] of Object.entries(messages)) {
        expect(message.trim(), `${lang}: ${key} is empty`).not.toBe('');
        const english = en[key] ?? en[singular(key)]!;
        expect(
          slotsOf(message).filter((s) => s !== 'count'),
          `${lang}: ${key}`,
        ).toEqual(slotsOf(english.message).filter((s) => s !== 'count'));
      }
    },
  );

  it.each(LOCALES)('%s: keys and messages are what both browsers accept', (lang) => {
    for (const [key, value] of Object.entries(readLocale(lang))) {
      expect(key).toMatch(/^[A-Za-z0-9_@]+$/);
      // `$` starts the browsers' own placeholders; messages use {slots} instead.
      expect(value.message, `${lang}: ${key}`).not.toContain('$');
    }
  });

  it('every plural family has its "other" form', () => {
    for (const key of Object.keys(en).filter((k) => PLURAL.test(k))) {
      expect(en).toHaveProperty(key.replace(PLURAL, '_other'));
    }
  });

  it('the manifest names its words by key, and each key exists', () => {
    const manifest = readFileSync(join(ROOT, 'manifest.json'), 'utf8');
    expect(JSON.parse(manifest).default_locale).toBe('en');
    const keys = [...manifest.matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]!);
    expect(keys).toEqual(expect.arrayContaining(['extName', 'extDescription']));
    for (const key of keys) expect(en).toHaveProperty(key);
  });

  it('every English key is used somewhere', () => {
    const code = [...sourceFiles('src'), 'manifest.json']
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    // Named whole ('key', "key", __MSG_key__), or built from a family: `family_${...}`.
    const used = (key: string) => {
      const base = key.replace(PLURAL, '');
      // Every prefix ending in "_" may name a family built in code.
      const families = [...key.matchAll(/_/g)].map((m) => `\`${key.slice(0, m.index + 1)}\${`);
      const forms = [`'${key}'`, `'${base}'`, `"${base}"`, `__MSG_${key}__`, ...families];
      return forms.some((form) => code.includes(form));
    };
    const unused = Object.keys(en).filter((key) => !used(key));
    expect(unused).toEqual([]);
  });
});

describe('no words hard-coded in the UI', () => {
  it.each(sourceFiles('src/ui'))('%s', (file) => {
    expect(hardCodedText(file)).toEqual([]);
  });

  it('the check finds what it looks for', () => {
    const fixture = `
      export function Bad({ n }: { n: number }) {
        notice.value = { text: \`Deleted \${n} pages from the store.\` };
        notice.value = { text: ok ? 'Saved it to disk.' : t('fine') };
        void runAction(notice, go, 'Could not save it');
        if (n < 0) throw new Error('The count is below zero.');
        console.error('Logs are for developers and pass.');
        return (
          <p title="Shown on hover" class="status lost">
            Hello there {t('fine')}
          </p>
        );
      }`;
    expect(hardCodedText('fixture.tsx', fixture)).toEqual([
      'Deleted … pages from the store.',
      'Saved it to disk.',
      'Could not save it',
      'The count is below zero.',
      'title="Shown on hover"',
      'Hello there',
    ]);
  });

  it('passes messages, keys, codes and logs', () => {
    const fixture = `
      notice.value = { text: t('options_cleared') };
      throw new ImportError(t('import_empty'), 'import_empty');
      void runAction(notice, go, t('options_export_failed'));
      console.error(\`Backlink Lens could not read \${what}:\`, error);
      const el = <span class="badge rel" data-rel="nofollow">{r}</span>;`;
    expect(hardCodedText('fixture.tsx', fixture)).toEqual([]);
  });
});

describe('messages in use', () => {
  it('fills slots and picks English plural forms', () => {
    expect(t('profile_new_recent', { days: 30 })).toBe('new in 30 days');
    expect(tn('week_new_links', 1)).toBe('1 new link');
    expect(tn('week_new_links', 2)).toBe('2 new links');
    expect(tn('week_new_links', 1234)).toBe('1,234 new links');
  });

  it('reads German with its own plural forms and number format', () => {
    useLocale('de');
    expect(uiLanguage()).toBe('de');
    expect(tn('week_new_links', 1)).toBe('1 neuer Link');
    expect(tn('week_new_links', 3)).toBe('3 neue Links');
    expect(formatNumber(1234567)).toBe('1.234.567');
    // German sets a (no-break) space before the percent sign.
    expect(formatPercent(0.944)).toBe('94\u00a0%');
    expect(t('profile_diversity_diverse')).toBe(
      'Die Links kommen von vielen unabhängigen Websites.',
    );
  });

  it('words what core builds (import notices and errors, retention) in German', () => {
    useLocale('de');
    const outcome: ImportOutcome = {
      status: 'done',
      bytesRead: 10,
      totalBytes: 10,
      pages: 1,
      links: 12000,
      redirects: 0,
      referrals: 2,
      skipped: 1,
      excluded: 0,
      marked: 0,
      markedLeftOut: 0,
      aboutLinks: null,
    };
    expect(importSummary(outcome)).toBe(
      '1 Seite und 12.000 Links importiert, 2 Besuche über Links, 1 ungültige Zeile übersprungen ' +
        '(eine zu lange Adresse, keine Webseite oder ein Einmal-Geheimnis, oder ein unmögliches Datum).',
    );
    expect(importSummary({ ...outcome, skipped: 0, marked: 1, markedLeftOut: 2 })).toBe(
      '1 Seite und 12.000 Links importiert, 2 Besuche über Links, 1 verwandte Seite markiert, ' +
        '2 verwandte Seiten nicht markiert (höchstens 20 werden behalten).',
    );
    expect(() => parseExport('{"format":"other"}')).toThrow(
      'Die Datei ist kein Export von Backlink Lens.',
    );
    expect(providerError('bad-key', 'Moz', 'invalid token', 30).message).toBe(
      'Moz hat den Schlüssel nicht angenommen. Prüfen Sie ihn in den Einstellungen. ' +
        'Moz meldete: „invalid token“. (es bat, 30 s zu warten)',
    );
    expect(() => parseInfo({})).toThrow('Der Index schickte für den Namen keinen Text.');
    expect(describeFailure(new TypeError('Failed to fetch')).message).toBe(
      'Der Index war nicht erreichbar (Failed to fetch).',
    );
    expect(() => readEngineExport('')).toThrow('Die Datei ist leer.');
    expect(describeRetention(12)).toBe('1 Jahr');
    expect(pruneText(3, 6)).toBe(
      '3 Seiten, die in den letzten 6 Monaten nicht besucht wurden, samt ihren Links gelöscht.',
    );
  });

  it('shows the key of a missing message rather than nothing', () => {
    useLocale('en');
    expect(t('not_a_key' as never)).toBe('not_a_key');
  });

  it('asks the browser for each message once per locale, a missing one too', () => {
    const asked: string[] = [];
    const messages = readLocale('en');
    useMessages((key) => (asked.push(key), messages[key]?.message ?? ''), 'en');
    for (let row = 0; row < 3; row++) {
      expect(t('row_followed')).toBe('followed');
      expect(tn('week_new_links', row)).toBe(`${row} new link${row === 1 ? '' : 's'}`);
      expect(t('not_a_key' as never)).toBe('not_a_key');
    }
    expect(asked.sort()).toEqual(
      ['not_a_key', 'row_followed', 'week_new_links_one', 'week_new_links_other'].sort(),
    );
    // Another locale reads its own messages, not the first one's.
    useLocale('de');
    expect(tn('week_new_links', 3)).toBe('3 neue Links');
    useLocale('en');
  });

  it('formats each local day once, however many times of it are shown', () => {
    useMessages(() => '', 'en');
    // format is a getter of a bound function: each use reads it once.
    const format = vi.spyOn(Intl.DateTimeFormat.prototype as { format: unknown }, 'format', 'get');
    const days = [Date.UTC(2024, 2, 11, 12), Date.UTC(2024, 2, 12, 12), Date.UTC(2024, 2, 13, 12)];
    // A popup's 150 rows: a first and a last sighting each, on three days.
    const times = Array.from({ length: 300 }, (_, i) => days[i % 3]! + (i % 7) * 60_000);
    const shown = times.map(formatDate);
    expect(format).toHaveBeenCalledTimes(3);
    format.mockRestore();
    expect(shown).toEqual(times.map((time) => new Date(time).toLocaleDateString('en')));
    useLocale('en');
  });

  it('shows dates as toLocaleDateString does, in each language', () => {
    const times = [0, Date.UTC(2024, 1, 29, 23, 59), Date.UTC(2026, 10, 26, 12)];
    for (const language of ['en', 'de', 'ja', 'ar']) {
      useMessages(() => '', language);
      for (const time of times) {
        expect(formatDate(time)).toBe(new Date(time).toLocaleDateString(language));
      }
    }
    useLocale('en');
  });
});
