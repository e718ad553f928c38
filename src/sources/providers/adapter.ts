/**
 * What every provider shares: running a declared call through http.ts, the provider as a
 * BacklinkSource, and the readers that turn a service's row into our LinkRecord. A provider
 * file only says how its service is asked and how its answer reads.
 */
import { registrableDomain } from '../../core/domain';
import { asObject } from '../../core/guards';
import { t } from '../../core/i18n';
import { isPlausibleTime, MAX_ANCHOR_LENGTH, MAX_REL_TOKENS } from '../../core/limits';
import { linkKey, type LinkRecord } from '../../core/types';
import { canonicalizeUrl, hostOf } from '../../core/url';
import type { SourceResult } from '../types';
import { base64Utf8, providerError, requestJson } from './http';
import {
  ProviderError,
  type LookupScope,
  type MetricName,
  type ProviderAdapter,
  type ProviderAnswer,
  type ProviderCall,
  type ProviderLinks,
  type ProviderMetric,
  type ProviderRequest,
  type ProviderSettings,
  type ProviderSpec,
} from './types';

/** The credentials of `settings`, every one kept out of messages. */
const secretsOf = (settings: ProviderSettings): string[] =>
  [settings.credentials.key, settings.credentials.secret ?? ''].filter((s) => s !== '');

/** The spec as an adapter: its calls run through http.ts and it can serve as a source. */
export function defineProvider(spec: ProviderSpec): ProviderAdapter {
  const adapter: ProviderAdapter = {
    ...spec,
    async run<T>(
      call: ProviderCall<T>,
      target: string,
      settings: ProviderSettings,
      scope: LookupScope = 'url',
    ): Promise<T> {
      const body = await requestJson(call.request(target, settings, scope), spec, {
        secrets: secretsOf(settings),
        timeoutMs: settings.timeoutMs,
      });
      const now = (settings.now ?? Date.now)();
      try {
        return call.parse(body, { now, scope, target });
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        // A mapper that trips over an unexpected shape: the answer is refused, not half kept.
        throw providerError('malformed', spec.name);
      }
    },
    toSource(settings) {
      return {
        id: `provider:${spec.id}`,
        local: false,
        async lookup(kind, url): Promise<SourceResult> {
          try {
            return { status: 'answered', answer: await askProvider(adapter, kind, url, settings) };
          } catch (error) {
            const message =
              error instanceof ProviderError
                ? error.message
                : t('provider_error_not_asked', { name: spec.name });
            return { status: 'failed', name: spec.name, message };
          }
        },
      };
    },
  };
  return adapter;
}

/**
 * The page's (or site's) backlinks and authority from one provider, asked side by side. The
 * links decide the outcome; authority alone is still an answer for a service that has no
 * links (Open PageRank), and a failed authority call beside good links is left out quietly.
 * Rejects with a ProviderError (the worker reads its kind to hold back after a rate limit).
 */
export async function askProvider(
  adapter: ProviderAdapter,
  kind: LookupScope,
  url: string,
  settings: ProviderSettings,
): Promise<ProviderAnswer> {
  const target = kind === 'domain' ? registrableDomainOf(url) : url;
  const authorityCalls = (adapter.authority ?? []).filter(
    (c) => !c.scopes || c.scopes.includes(kind),
  );
  const [links, ...figures] = await Promise.all([
    adapter.backlinks ? adapter.run(adapter.backlinks, target, settings, kind) : null,
    ...authorityCalls.map((call) =>
      adapter.run(call, target, settings, kind).catch((error: unknown) => {
        if (adapter.backlinks) return [];
        throw error;
      }),
    ),
  ]);
  const authority = figures.flat();
  const metrics = [...(links?.metrics ?? []), ...authority];
  const headline = headlineAuthority(metrics, kind);
  return {
    name: adapter.name,
    links: links?.links ?? [],
    linkMetrics: links?.linkMetrics ?? {},
    metrics,
    totals: {
      backlinks: links?.total ?? links?.links.length ?? 0,
      referringDomains: new Set(links?.links.map((l) => l.sourceDomain)).size,
      referringPages: new Set(links?.links.map((l) => l.source)).size,
      ...(headline ? { authority: headline.value } : {}),
    },
  };
}

/** The 0–100 authority scores, page figures first; Spam Score and ranks are not authority. */
const AUTHORITY: readonly MetricName[] = ['UR', 'PA', 'DR', 'DA', 'TF'];

/** The figure that stands for the source's authority: of the thing looked up, where it has one. */
function headlineAuthority(
  metrics: readonly ProviderMetric[],
  kind: LookupScope,
): ProviderMetric | undefined {
  const ranked = AUTHORITY.flatMap((name) => metrics.filter((m) => m.name === name));
  return ranked.find((m) => m.subject === kind) ?? ranked[0];
}

function registrableDomainOf(url: string): string {
  const canonical = canonicalizeUrl(url);
  return canonical ? registrableDomain(hostOf(canonical)) : url;
}

// ---- Readers for a service's rows ----

/** `body` as an object, or the answer is refused as unreadable. */
export function objectOf(body: unknown, name: string): Record<string, unknown> {
  const object = asObject(body);
  if (!object) throw providerError('malformed', name);
  return object;
}

/** `value` as an array, or the answer is refused as unreadable. */
export function arrayOf(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw providerError('malformed', name);
  return value;
}

/** A finite number, from a number or a numeric string ("6" in Open PageRank's rank). */
export function numberOf(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** A service's time ("2021-02-15 06:41:31 +00:00", ISO, "2024-01-31") in ms, or null. */
export function timeOf(value: unknown, now: number): number | null {
  if (typeof value !== 'string' || value === '') return null;
  // "YYYY-MM-DD hh:mm:ss +00:00" is not one Date.parse reads everywhere; make it ISO.
  const iso = value.replace(
    /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ?([+-]\d{2}:\d{2})$/,
    '$1T$2$3',
  );
  const time = Date.parse(iso);
  return isPlausibleTime(time, now) ? time : null;
}

// eslint-disable-next-line no-control-regex -- anchors must not carry control characters
const CONTROLS = /[\u0000-\u001f\u007f]+/g;

/** Anchor text as plain text: tags and entities a service left in are not markup here. */
export function plainAnchor(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e] ?? ' ')
    .replace(CONTROLS, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_ANCHOR_LENGTH);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
};

/** What a service says about one link, before it is held to our rules. */
export interface ServiceLink {
  source: unknown;
  target: unknown;
  anchor?: unknown;
  rel?: string[];
  firstSeen?: unknown;
  lastSeen?: unknown;
  /** When the service found it gone; null or absent while live. */
  lostAt?: unknown;
  /** The service says it is gone but not when: lost as of its last sighting. */
  lost?: boolean;
  /** The service's figures of the linking page or site (its DR, TF, DA…). */
  metrics?: ProviderMetric[];
}

/**
 * The link as our LinkRecord, canonical as the local cache stores it so the merge finds a
 * link both know; null when either end is not an http(s) URL we would record, or the link
 * points at its own page. A service that gives no dates is taken as seeing it now.
 */
export function linkOf(link: ServiceLink, now: number): LinkRecord | null {
  const source = typeof link.source === 'string' ? canonicalizeUrl(link.source) : null;
  const target = typeof link.target === 'string' ? canonicalizeUrl(link.target) : null;
  if (!source || !target || source === target) return null;
  const lastSeen = timeOf(link.lastSeen, now) ?? now;
  const firstSeen = Math.min(timeOf(link.firstSeen, now) ?? lastSeen, lastSeen);
  const lostAt = timeOf(link.lostAt, now) ?? (link.lost ? lastSeen : null);
  const rel = [...new Set(link.rel ?? [])].slice(0, MAX_REL_TOKENS);
  return {
    source,
    target,
    anchor: plainAnchor(link.anchor),
    rel,
    region: 'other',
    regions: ['other'],
    rels: rel,
    occurrences: 1,
    sourceDomain: registrableDomain(hostOf(source)),
    targetDomain: registrableDomain(hostOf(target)),
    firstSeen,
    lastSeen,
    lostAt,
  };
}

/** Every row that maps, the rest dropped (a row the service got wrong costs one link). */
export function linksOf(
  rows: readonly unknown[],
  read: (row: Record<string, unknown>) => ServiceLink,
  now: number,
): Pick<ProviderLinks, 'links' | 'linkMetrics'> {
  const links: LinkRecord[] = [];
  const linkMetrics: Record<string, ProviderMetric[]> = {};
  for (const row of rows) {
    const object = asObject(row);
    const said = object && read(object);
    const link = said && linkOf(said, now);
    if (!link) continue;
    links.push(link);
    if (said.metrics?.length) linkMetrics[linkKey(link)] = said.metrics;
  }
  return { links, linkMetrics };
}

/** A metric when the service gave a number for it; values off the scale are refused. */
export function metricOf(
  source: string,
  name: MetricName,
  value: unknown,
  subject: 'url' | 'domain',
  max?: number,
  topic?: string,
): ProviderMetric[] {
  const n = numberOf(value);
  if (n === null || n < 0 || (max !== undefined && n > max)) return [];
  return [
    {
      source,
      name,
      value: n,
      subject,
      ...(max !== undefined ? { max } : {}),
      ...(topic ? { topic } : {}),
    },
  ];
}

/** The rel tokens of a service's nofollow flag. */
export const relOf = (nofollow: unknown): string[] =>
  nofollow === true || nofollow === 1 || nofollow === '1' ? ['nofollow'] : [];

/** A basic-auth header value for a pair (DataForSEO's login:password, Moz v2's id:secret). */
export const basicAuth = (user: string, password: string): string =>
  `Basic ${base64Utf8(`${user}:${password}`)}`;

/** A GET of `path` on `origin` with `params` as its query string, asking for JSON. */
export const getRequest = (
  origin: string,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): ProviderRequest => ({
  url: `${origin}${path}?${new URLSearchParams(params)}`,
  method: 'GET',
  headers: { Accept: 'application/json', ...headers },
});

/** The API origin a request goes to: the service's own, or the test server's. */
export const originOf = (settings: ProviderSettings, apiOrigin: string): string =>
  (settings.endpoint ?? apiOrigin).replace(/\/+$/, '');
