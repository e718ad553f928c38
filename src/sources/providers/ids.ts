/**
 * The providers by id and shown name, without their adapters: the popup's sources and the
 * options page need only these, and the adapters pull in the Public Suffix List, which the
 * popup must not load (core/domain.ts). test/unit/provider-settings.test.ts holds the names
 * to the adapters' own.
 */
export const PROVIDER_IDS = ['open-pagerank', 'dataforseo', 'moz', 'ahrefs', 'majestic'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_NAMES: Record<ProviderId, string> = {
  'open-pagerank': 'Open PageRank',
  dataforseo: 'DataForSEO',
  moz: 'Moz',
  ahrefs: 'Ahrefs',
  majestic: 'Majestic',
};

export const isProviderId = (value: unknown): value is ProviderId =>
  typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
