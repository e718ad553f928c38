/**
 * The server's settings, from the environment (and a token file). A setting that cannot be
 * right stops the start with a ConfigError that names it, rather than a server that half works.
 */
import { readFileSync } from 'node:fs';
import {
  HASH_HEX_LENGTH,
  MAX_ENTRIES,
  MAX_LINKS_PER_ENTRY,
  type IndexLimits,
} from '../../src/core/index-protocol';

export interface ServerConfig {
  host: string;
  port: number;
  /** PGlite's data folder, when no DATABASE_URL. */
  dataDir: string;
  databaseUrl?: string;
  name: string;
  minPrefixLength: number;
  maxPrefixLength: number;
  /** Bearer tokens that may contribute; none means contributions are off. */
  tokens: string[];
  limits: IndexLimits;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A token shorter than this is guessable; refused at start. */
export const MIN_TOKEN_LENGTH = 16;

export const DEFAULT_LIMITS: IndexLimits = {
  maxLinksPerEntry: 50,
  maxEntries: 200,
  maxBodyBytes: 5 * 1024 * 1024,
  ratePerMinute: 120,
};

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  }
  return value;
}

/** Tokens from INDEX_TOKENS (comma- or space-separated) and INDEX_TOKENS_FILE (one a line, # comments). */
function readTokens(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.INDEX_TOKENS ?? '').split(/[\s,]+/);
  let filed: string[] = [];
  if (env.INDEX_TOKENS_FILE) {
    try {
      filed = readFileSync(env.INDEX_TOKENS_FILE, 'utf8')
        .split('\n')
        .map((line) => line.replace(/#.*/, ''));
    } catch (error) {
      throw new ConfigError(`INDEX_TOKENS_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  const tokens = [...listed, ...filed].map((t) => t.trim()).filter(Boolean);
  const short = tokens.find((t) => t.length < MIN_TOKEN_LENGTH);
  if (short !== undefined) {
    throw new ConfigError(
      `Every contribution token must have at least ${MIN_TOKEN_LENGTH} characters.`,
    );
  }
  return [...new Set(tokens)];
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const minPrefixLength = integer(env, 'INDEX_MIN_PREFIX', 2, 1, HASH_HEX_LENGTH);
  const maxPrefixLength = integer(env, 'INDEX_MAX_PREFIX', 16, minPrefixLength, HASH_HEX_LENGTH);
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8787, 0, 65535),
    dataDir: env.INDEX_DATA_DIR || './index-data',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    name: (env.INDEX_NAME || 'Backlink Lens index').slice(0, 100),
    minPrefixLength,
    maxPrefixLength,
    tokens: readTokens(env),
    limits: {
      maxLinksPerEntry: integer(
        env,
        'INDEX_MAX_LINKS',
        DEFAULT_LIMITS.maxLinksPerEntry,
        1,
        MAX_LINKS_PER_ENTRY,
      ),
      maxEntries: integer(env, 'INDEX_MAX_ENTRIES', DEFAULT_LIMITS.maxEntries, 1, MAX_ENTRIES),
      maxBodyBytes: integer(
        env,
        'INDEX_MAX_BODY_BYTES',
        DEFAULT_LIMITS.maxBodyBytes,
        1024,
        512 * 1024 * 1024,
      ),
      ratePerMinute: integer(
        env,
        'INDEX_RATE_PER_MINUTE',
        DEFAULT_LIMITS.ratePerMinute,
        1,
        1_000_000,
      ),
    },
  };
}
