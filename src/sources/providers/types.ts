/**
 * The shape every bring-your-own-key backlink service is held to (issue 9). A provider is one
 * file in this folder exporting one ProviderAdapter: pure request builders and response
 * mappers per lookup, which http.ts runs, and `toSource` for the sources registry. Wiring a
 * provider in is then a line in the registry and one host permission (`apiOrigin`).
 */
import type { LinkRecord } from '../../core/types';
import type { BacklinkSource, SourceAnswer } from '../types';

export type { ProviderId } from './ids';
import type { ProviderId } from './ids';

/** The services' own metric names, kept as they call them. */
export type MetricName =
  'DR' | 'UR' | 'DA' | 'PA' | 'Spam Score' | 'TF' | 'CF' | 'TTF' | 'OPR' | 'OPR rank' | 'Rank';

/** One figure a service computed, labelled with the service and what it is about. */
export interface ProviderMetric {
  /** The service's shown name ("Ahrefs"): where the figure comes from. */
  source: string;
  name: MetricName;
  value: number;
  /** The top of the service's scale (100 for DR, 10 for OPR); absent for a rank. */
  max?: number;
  /** A page's figure or its site's. */
  subject: 'url' | 'domain';
  /** Topical Trust Flow's topic ("Computers/Internet"). */
  topic?: string;
}

/**
 * What the user pasted: one key, or a login and a password / an access id and a secret
 * (DataForSEO, Moz's legacy Links API v2).
 */
export interface ProviderCredentials {
  key: string;
  secret?: string;
}

export interface ProviderSettings {
  credentials: ProviderCredentials;
  /** The API's origin; only tests (a fake server on 127.0.0.1) change it. */
  endpoint?: string;
  timeoutMs?: number;
  /** For tests: the clock that bounds link times. */
  now?: () => number;
}

/** One HTTP request, built without touching the network (unit tests read it). */
export interface ProviderRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** What a backlinks lookup gives: links in our shape, and the service's own figures. */
export interface ProviderLinks {
  links: LinkRecord[];
  /** Figures of each link's linking page or site, by core/types#linkKey of the link. */
  linkMetrics: Record<string, ProviderMetric[]>;
  metrics: ProviderMetric[];
  /** How many the service counts in all (it sends a capped list). */
  total?: number;
}

/** One site linking to the target, as the service counts it. */
export interface ReferringDomain {
  domain: string;
  backlinks?: number;
  metrics: ProviderMetric[];
}

export interface ProviderDomains {
  domains: ReferringDomain[];
  total?: number;
}

/** A key that works, with what is left of the plan where the service says. */
export interface KeyCheck {
  quota?: { remaining: number; unit: string };
}

export type LookupScope = 'url' | 'domain';

/** One documented call: how to ask, and how to read the answer (throws ProviderError). */
export interface ProviderCall<T> {
  request(target: string, settings: ProviderSettings, scope: LookupScope): ProviderRequest;
  parse(body: unknown, context: { now: number; scope: LookupScope; target: string }): T;
}

/** What a provider file declares; adapter.ts turns it into a ProviderAdapter. */
export interface ProviderSpec {
  id: ProviderId;
  /** Shown as the provenance of its links and the label of its metrics. */
  name: string;
  /** The origin to ask a host permission for, when the user adds the key. */
  apiOrigin: string;
  /** Other origins one kind of key is sent to (Moz's legacy Links API v2). */
  otherOrigins?: readonly string[];
  /** The metric names it can show. */
  metrics: readonly MetricName[];
  /**
   * The service's own error in a body (DataForSEO and Majestic answer errors with 200), as a
   * ProviderError of the right kind; null when the body is not an error.
   */
  errorOf(body: unknown, status: number): ProviderError | null;
  /** The cheapest documented call that proves the key. */
  testKey: ProviderCall<KeyCheck>;
  backlinks?: ProviderCall<ProviderLinks>;
  referringDomains?: ProviderCall<ProviderDomains>;
  /** Authority figures of the target: each call asked for the scopes it serves. */
  authority?: readonly AuthorityCall[];
}

/** A call for authority figures; one that serves only pages (Ahrefs' UR) says so. */
export interface AuthorityCall extends ProviderCall<ProviderMetric[]> {
  scopes?: readonly LookupScope[];
}

/** A source's answer with the service's own figures beside the links. */
export interface ProviderAnswer extends SourceAnswer {
  metrics: ProviderMetric[];
  linkMetrics: Record<string, ProviderMetric[]>;
}

export interface ProviderAdapter extends ProviderSpec {
  /** Ask the service, through http.ts: timeout, size cap, Retry-After, plain-words errors. */
  run<T>(
    call: ProviderCall<T>,
    target: string,
    settings: ProviderSettings,
    scope?: LookupScope,
  ): Promise<T>;
  /** The provider as one source of the registry, with the user's key. */
  toSource(settings: ProviderSettings): BacklinkSource;
}

/** Why a request to a service failed, as one of the kinds the UI words differently. */
export type ProviderErrorKind =
  'bad-key' | 'quota' | 'rate-limit' | 'down' | 'timeout' | 'unreachable' | 'malformed' | 'refused';

/**
 * A failure of a provider request, whose message a person can act on. The message is built
 * from fixed words and the service's name, never from the request, so it cannot carry the key.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** Seconds the service asked to wait (429 Retry-After), when it said. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
