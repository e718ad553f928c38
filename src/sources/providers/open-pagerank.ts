/**
 * Open PageRank (DomCop): a domain's PageRank from Common Crawl's link graph, free with a key.
 * One documented call, GET /api/v1.0/getPageRank?domains[]=…, key in the `API-OPR` header
 * (https://www.domcop.com/openpagerank/documentation). It has no link lists: authority only.
 */
import { registrableDomain } from '../../core/domain';
import { asObject } from '../../core/guards';
import { canonicalizeUrl, hostOf } from '../../core/url';
import {
  arrayOf,
  defineProvider,
  getRequest,
  metricOf,
  numberOf,
  objectOf,
  originOf,
} from './adapter';
import { statusError } from './http';
import type { ProviderCall, ProviderMetric, ProviderSettings } from './types';

const NAME = 'Open PageRank';
const API = 'https://openpagerank.com';

/** The domain Open PageRank keys on, from a URL or a domain. */
function domainOf(target: string): string {
  const canonical = canonicalizeUrl(target.includes('://') ? target : `https://${target}/`);
  return canonical ? registrableDomain(hostOf(canonical)) : target;
}

function pageRankRequest(domain: string, settings: ProviderSettings) {
  return getRequest(
    originOf(settings, API),
    '/api/v1.0/getPageRank',
    { 'domains[]': domainOf(domain) },
    { 'API-OPR': settings.credentials.key },
  );
}

/** The one row of the answer, or null when the service does not know the domain (its 404 row). */
function rowOf(body: unknown): Record<string, unknown> | null {
  const rows = arrayOf(objectOf(body, NAME).response, NAME);
  const row = objectOf(rows[0], NAME);
  return numberOf(row.status_code) === 200 ? row : null;
}

const authority: ProviderCall<ProviderMetric[]> = {
  request: (target, settings) => pageRankRequest(target, settings),
  parse(body) {
    const row = rowOf(body);
    if (!row) return [];
    return [
      ...metricOf(NAME, 'OPR', row.page_rank_decimal, 'domain', 10),
      ...metricOf(NAME, 'OPR rank', row.rank, 'domain'),
    ];
  },
};

export const openPageRank = defineProvider({
  id: 'open-pagerank',
  name: NAME,
  apiOrigin: API,
  metrics: ['OPR', 'OPR rank'],
  errorOf(body, status) {
    const object = asObject(body) ?? {};
    // Its envelope repeats an HTTP status; anything else there is not one, and HTTP's own counts.
    const said = numberOf(object.status_code);
    const code = said !== null && said >= 100 && said < 600 ? said : status;
    const error = typeof object.error === 'string' ? object.error : null;
    // Its 404 is a row for an unknown domain, not a failure.
    if (code >= 400 && code !== 404) return statusError(code, NAME, error);
    return null;
  },
  // The cheapest call is the lookup itself, of one well-known domain; the service reports no quota.
  testKey: {
    request: (_target, settings) => pageRankRequest('google.com', settings),
    parse(body) {
      rowOf(body);
      return {};
    },
  },
  authority: [authority],
});
