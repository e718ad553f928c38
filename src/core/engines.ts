/**
 * The search engines whose link exports can be imported, and the names they are shown under.
 * Apart from core/engine-exports.ts so that the popup can name them without loading the parser
 * (and the Public Suffix List it needs).
 */
export type Engine = 'google' | 'bing';

export const ENGINES: readonly Engine[] = ['google', 'bing'];

/** The provenance shown on each imported link. */
export const ENGINE_NAMES: Readonly<Record<Engine, string>> = {
  google: 'Google Search Console',
  bing: 'Bing Webmaster Tools',
};

/** The engine whose imported links a provenance name stands for, or null for another source. */
export function engineOfName(name: string): Engine | null {
  return ENGINES.find((e) => ENGINE_NAMES[e] === name) ?? null;
}

/** The id of an engine's source in the registry (sources/engines.ts). */
export const engineSourceId = (engine: Engine): string => `engine-${engine}`;

/** True for an engine's source: read from this machine, so it has no "asking …" line. */
export const isEngineSourceId = (id: string): boolean =>
  ENGINES.some((e) => engineSourceId(e) === id);
