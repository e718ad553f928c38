import type { LookupKind } from '../core/index-protocol';
import type { LinkRecord } from '../core/types';
import type { ProviderMetric } from './providers/types';

/** What to look up: the page itself, or its whole site (registrable domain). */
export type { LookupKind };

/** A source's own figures, which may count more links than it sent (an index caps its lists). */
export interface SourceTotals {
  backlinks: number;
  referringDomains: number;
  referringPages: number;
  /** 0–100, when the source computes authority. */
  authority?: number;
}

/** What one source knows about a page or site: its links, canonical, under its shown name. */
export interface SourceAnswer {
  /** Shown as each link's provenance: "this browser", or a remote index's name. */
  name: string;
  links: LinkRecord[];
  totals?: SourceTotals;
  /** A service's own figures (DR, DA, TF…), labelled with the service: shown as it names them. */
  metrics?: ProviderMetric[];
}

/**
 * A lookup's outcome: an answer, a source the user has not turned on, or a failure said in
 * plain words (the popup shows it in one line and keeps the other sources' links).
 */
export type SourceResult =
  | { status: 'answered'; answer: SourceAnswer }
  | { status: 'off' }
  | { status: 'failed'; name: string; message: string };

/**
 * Which sources the user turned on, read once per lookup (sources-on.ts): a source that is off
 * is not asked at all, so a popup without any service costs no message and no read for it.
 */
export interface SourcesOn {
  /** Ids of the providers with a key that are on. */
  providers: ReadonlySet<string>;
  remoteIndex: boolean;
  /** Whether any search-engine export is imported. */
  engineImports: boolean;
}

/**
 * One source of backlinks. The local cache answers at once from this machine; the others
 * (a remote index, later bring-your-own-key services) are merged in as they answer.
 */
export interface BacklinkSource {
  /** Stable id, for the registry and for keys of cached answers. */
  readonly id: string;
  /** On this machine: read first and shown at once. */
  readonly local: boolean;
  /** Whether it is worth asking, given what is on; absent: always asked. */
  isOn?(on: SourcesOn): boolean;
  /** The links into `url` (kind 'url'), or into any page of its site (kind 'domain'). */
  lookup(kind: LookupKind, url: string): Promise<SourceResult>;
}
