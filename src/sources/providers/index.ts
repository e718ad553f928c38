import { ahrefs } from './ahrefs';
import { dataForSeo } from './dataforseo';
import { majestic } from './majestic';
import { moz } from './moz';
import { openPageRank } from './open-pagerank';
import type { ProviderAdapter, ProviderId } from './types';

/** Every bring-your-own-key provider, in the order the options page offers them. */
export const PROVIDERS: readonly ProviderAdapter[] = [
  openPageRank,
  dataForSeo,
  moz,
  ahrefs,
  majestic,
];

/** The provider with `id`, or undefined for an id no provider has (a stale setting). */
export const providerById = (id: string): ProviderAdapter | undefined =>
  PROVIDERS.find((p) => p.id === (id as ProviderId));
