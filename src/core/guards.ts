/** Small readers for untrusted values (messages, imported files, stored settings). */
import { isPlausibleTime, MAX_URL_LENGTH } from './limits';

export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A string cut to `max` characters: for text, where a shorter text still says the same. */
export function asString(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(0, max) : null;
}

/**
 * A URL string within MAX_URL_LENGTH, or null. Never cut: the first 8,192 characters of a
 * longer URL are another address, which nobody linked to.
 */
export function asUrlString(value: unknown): string | null {
  return typeof value === 'string' && value.length <= MAX_URL_LENGTH ? value : null;
}

export function asStringArray(value: unknown, maxItems: number, maxLength: number): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((t): t is string => typeof t === 'string')
    .slice(0, maxItems)
    .map((t) => t.slice(0, maxLength));
}

/** A time in ms since the epoch that could be real (core/limits#isPlausibleTime), or null. */
export function asTime(value: unknown, now: number = Date.now()): number | null {
  return typeof value === 'number' && isPlausibleTime(value, now) ? value : null;
}

/** A whole number in [0, max], or null. */
export function asCount(value: unknown, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.min(Math.floor(value), max)
    : null;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
