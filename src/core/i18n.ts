/**
 * Words shown to people, in their language: every user-visible string is a key of
 * public/_locales/<lang>/messages.json, read through the browser's i18n (chrome.i18n in both
 * Chrome and Firefox). Numbers and dates are formatted by Intl in the browser's UI language.
 *
 * The browser's own substitution ($1, placeholders) is not used: messages carry named slots
 * such as {count}, filled here, so one message reads the same in every browser. Counts pick a
 * plural form by Intl.PluralRules: the key gets a suffix (_one, _other, and _few, _many ...
 * where the language has them), falling back to _other.
 */
import type english from '../../public/_locales/en/messages.json';

/** Every message key, checked by the compiler against the English file. */
export type MessageKey = keyof typeof english;

/** Keys that have plural forms, named without their suffix. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}_other` ? Base : never;
}[MessageKey];

export type Slots = Readonly<Record<string, string | number>>;

/** Reads one message of the current locale; '' when there is none. */
export type MessageLookup = (key: string) => string;

interface Locale {
  lookup: MessageLookup;
  language: string;
  plurals: Intl.PluralRules;
  numbers: Intl.NumberFormat;
  /** Made on first use, then kept: toLocaleString makes a formatter per call (quality's reasons). */
  percents?: Intl.NumberFormat;
  decimals: Map<number, Intl.NumberFormat>;
  /** Made on the first date shown: toLocaleDateString made one per call. */
  dates?: Intl.DateTimeFormat;
  /** Dates shown, by local day (dayOf): format() was a tenth of the popup's rows' render. */
  days: Map<number, string>;
}

function browserLocale(): Locale | null {
  const i18n = (globalThis as { chrome?: { i18n?: typeof chrome.i18n } }).chrome?.i18n;
  if (!i18n?.getMessage) return null;
  return localeOf((key) => i18n.getMessage(key), i18n.getUILanguage?.() ?? 'en');
}

function localeOf(lookup: MessageLookup, language: string): Locale {
  // Each message read once per page: a report renders a few lookups per row, hundreds of rows
  // at first, and chrome.i18n.getMessage was most of t()'s time there (issue 7, first rows).
  const read = new Map<string, string>();
  return {
    lookup: (key) => {
      let message = read.get(key);
      if (message === undefined) read.set(key, (message = lookup(key)));
      return message;
    },
    language,
    plurals: new Intl.PluralRules(language),
    numbers: new Intl.NumberFormat(language),
    decimals: new Map(),
    days: new Map(),
  };
}

let current: Locale | null = null;
const locale = (): Locale => (current ??= browserLocale() ?? localeOf(() => '', 'en'));

/** Use these messages (tests in Node, where there is no browser i18n). */
export function useMessages(lookup: MessageLookup, language: string): void {
  current = localeOf(lookup, language);
}

/** The language messages and numbers are shown in, as a BCP 47 tag. */
export const uiLanguage = (): string => locale().language;

function fill(message: string, slots: Slots | undefined): string {
  if (!slots) return message;
  return message.replace(/\{(\w+)\}/g, (slot, name: string) =>
    name in slots ? String(slots[name]) : slot,
  );
}

/**
 * The message for `key` with its slots filled. A missing message shows its key, so a
 * forgotten translation is visible rather than blank (and the locale test fails on it).
 */
export function t(key: MessageKey, slots?: Slots): string {
  return fill(locale().lookup(key) || key, slots);
}

/** The plural form of `key` for `count`, with {count} (formatted) and the other slots filled. */
export function tn(key: PluralKey, count: number, slots?: Slots): string {
  const { lookup, plurals } = locale();
  const form = `${key}_${plurals.select(count)}`;
  const message = lookup(form) || lookup(`${key}_other`) || form;
  return fill(message, { count: formatNumber(count), ...slots });
}

export const formatNumber = (n: number): string => locale().numbers.format(n);

/** A share (0.94) as a whole percentage, the UI language's way ("94%", German "94 %"). */
export function formatPercent(share: number): string {
  const now = locale();
  now.percents ??= new Intl.NumberFormat(now.language, {
    style: 'percent',
    maximumFractionDigits: 0,
  });
  return now.percents.format(share);
}

/** A number with exactly `digits` decimals, the UI language's way ("0,87" in German). */
export function formatDecimal(n: number, digits: number): string {
  const { decimals, language } = locale();
  let format = decimals.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(language, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    decimals.set(digits, format);
  }
  return format.format(n);
}

/** The local calendar day of a date, as one number: the same day, the same words. */
const dayOf = (date: Date): number =>
  (date.getFullYear() * 12 + date.getMonth()) * 31 + date.getDate();

/** Days kept formatted at most: a popup shows a few hundred dates, most of them on few days. */
const DAYS_KEPT = 2_000;

/**
 * As toLocaleDateString(language) shows it (the same default fields: year, month, day). Its
 * words depend on the local day only, so each day is formatted once: Intl's format() took
 * 2.1 of the popup's 38 ms of rows below the fold (CPU profile, 10k, 140 rows, 280 dates).
 */
export function formatDate(time: number): string {
  const now = locale();
  const date = new Date(time);
  const day = dayOf(date);
  let text = now.days.get(day);
  if (text === undefined) {
    if (now.days.size >= DAYS_KEPT) now.days.clear();
    now.dates ??= new Intl.DateTimeFormat(now.language);
    now.days.set(day, (text = now.dates.format(date)));
  }
  return text;
}

export const formatDateTime = (time: number): string =>
  new Date(time).toLocaleString(locale().language);
