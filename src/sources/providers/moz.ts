/**
 * Moz. The current API is JSON-RPC 2.0 at https://api.moz.com/jsonrpc with the token in the
 * `x-moz-token` header (https://moz.com/api/docs/guides/getting-started); errors come with
 * their HTTP status and an `error` object (…/guides/error-handling). A key of the legacy kind,
 * an access id and a secret, goes to the Links API v2 at https://lsapi.seomoz.com/v2 with
 * Basic auth (https://moz.com/help/links-api). Both give links, linking root domains and URL
 * metrics: Page Authority, Domain Authority, Spam Score.
 */
import { asObject } from '../../core/guards';
import { t } from '../../core/i18n';
import {
  arrayOf,
  basicAuth,
  defineProvider,
  linksOf,
  metricOf,
  numberOf,
  objectOf,
  originOf,
  relOf,
} from './adapter';
import { statusError } from './http';
import type {
  LookupScope,
  ProviderCall,
  ProviderDomains,
  ProviderLinks,
  ProviderMetric,
  ProviderRequest,
  ProviderSettings,
} from './types';

const NAME = 'Moz';
const API = 'https://api.moz.com';
const LEGACY_API = 'https://lsapi.seomoz.com';
const LIMIT = 50;

/** A key with a secret is a Links API v2 access id; a lone token is the current API's. */
const isLegacy = (settings: ProviderSettings) => Boolean(settings.credentials.secret);

function rpc(
  method: string,
  data: Record<string, unknown>,
  settings: ProviderSettings,
): ProviderRequest {
  return {
    url: `${originOf(settings, API)}/jsonrpc`,
    method: 'POST',
    headers: { 'x-moz-token': settings.credentials.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: crypto.randomUUID(), method, params: { data } }),
  };
}

function legacy(
  path: string,
  body: Record<string, unknown>,
  settings: ProviderSettings,
): ProviderRequest {
  const { key, secret = '' } = settings.credentials;
  return {
    url: `${originOf(settings, LEGACY_API)}/v2/${path}`,
    method: 'POST',
    headers: { Authorization: basicAuth(key, secret), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

const siteQuery = (target: string, scope: LookupScope) => ({
  query: target,
  scope: scope === 'url' ? 'url' : 'domain',
});

/** The JSON-RPC `result`, or the v2 body itself. */
const resultOf = (body: unknown) => {
  const object = objectOf(body, NAME);
  return 'jsonrpc' in object ? objectOf(object.result, NAME) : object;
};

/**
 * A page field the APIs give without a scheme ("moz.com/blog") as a URL we can canonicalize:
 * the looked-up page's own URL when it is that page (so the merge meets the local record),
 * else http://, which a server upgrades; the scheme is not in the answer.
 */
function pageUrl(value: unknown, lookedUp: string): unknown {
  if (typeof value !== 'string' || value === '' || /^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  const bare = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return bare(value) === bare(lookedUp) ? lookedUp : `http://${value}`;
}

/**
 * A list into the page or site: v2's body (links or linking root domains, external only), or the
 * current API's site query with that method's own paging fields.
 */
function listRequest(
  v2Path: string,
  method: string,
  paging: Record<string, unknown>,
  target: string,
  settings: ProviderSettings,
  scope: LookupScope,
): ProviderRequest {
  return isLegacy(settings)
    ? legacy(
        v2Path,
        {
          target,
          target_scope: scope === 'url' ? 'page' : 'root_domain',
          filter: 'external',
          limit: LIMIT,
        },
        settings,
      )
    : rpc(method, { site_query: siteQuery(target, scope), ...paging }, settings);
}

const backlinks: ProviderCall<ProviderLinks> = {
  request: (target, settings, scope) =>
    listRequest(
      'links',
      'data.site.link.list',
      { filter: 'external', limit: LIMIT },
      target,
      settings,
      scope,
    ),
  parse(body, { now, target: lookedUp }) {
    const result = resultOf(body);
    const rows = arrayOf(result.links ?? result.results ?? [], NAME);
    const links = linksOf(
      rows,
      (row) => {
        const source = asObject(row.source);
        const target = asObject(row.target);
        return {
          source: pageUrl(source?.page, lookedUp),
          target: pageUrl(target?.page, lookedUp),
          anchor: row.anchor_text,
          rel: relOf(row.nofollow),
          firstSeen: row.date_first_seen,
          lastSeen: row.date_last_seen,
          lostAt: row.date_disappeared || row.date_lost || null,
          metrics: [
            ...metricOf(NAME, 'PA', source?.page_authority, 'url', 100),
            ...metricOf(NAME, 'DA', source?.domain_authority, 'domain', 100),
          ],
        };
      },
      now,
    );
    return { ...links, metrics: [] };
  },
};

/**
 * The root domains linking to the page or site, each with the pages on it that link and its DA.
 * Current API: data.site.linking-domain.list, its rows' `site_metrics` and `targeted_pages`
 * (moz.com/api/docs/methods/DataSiteLinkingDomainListAction). v2: /v2/linking_root_domains,
 * its results' `root_domain`, `domain_authority` and `to_target.pages`
 * (moz.com/help/links-api/making-calls/linking-root-domains).
 */
const referringDomains: ProviderCall<ProviderDomains> = {
  request: (target, settings, scope) =>
    listRequest(
      'linking_root_domains',
      'data.site.linking-domain.list',
      { offset: { limit: LIMIT } },
      target,
      settings,
      scope,
    ),
  parse(body) {
    const result = resultOf(body);
    const rows = arrayOf(result.linking_domains ?? result.results ?? [], NAME);
    const domains = rows.flatMap((row) => {
      const item = asObject(row);
      // v2 puts the domain's fields on the row; the current API nests them in site_metrics.
      const site = asObject(item?.site_metrics) ?? item;
      const domain = site?.root_domain;
      if (!item || !site || typeof domain !== 'string' || domain === '') return [];
      const pages = numberOf(item.targeted_pages) ?? numberOf(asObject(item.to_target)?.pages);
      return [
        {
          domain: domain.toLowerCase(),
          ...(pages === null ? {} : { backlinks: pages }),
          metrics: [
            ...metricOf(NAME, 'DA', site.domain_authority, 'domain', 100),
            ...metricOf(NAME, 'Spam Score', site.spam_score, 'domain', 100),
          ],
        },
      ];
    });
    return { domains };
  },
};

/** PA, DA and Spam Score of the page (or the site's home page for a domain lookup). */
const authority: ProviderCall<ProviderMetric[]> = {
  request: (target, settings, scope) =>
    isLegacy(settings)
      ? legacy('url_metrics', { targets: [target] }, settings)
      : rpc('data.site.metrics.fetch', { site_query: siteQuery(target, scope) }, settings),
  parse(body, { scope }) {
    const result = resultOf(body);
    const metrics =
      asObject(result.site_metrics) ?? asObject(arrayOf(result.results ?? [], NAME)[0]);
    if (!metrics) return [];
    return [
      ...(scope === 'url' ? metricOf(NAME, 'PA', metrics.page_authority, 'url', 100) : []),
      ...metricOf(NAME, 'DA', metrics.domain_authority, 'domain', 100),
      // Spam Score is -1 when Moz has not computed it; metricOf refuses negatives.
      ...metricOf(NAME, 'Spam Score', metrics.spam_score, 'domain', 100),
    ];
  },
};

export const moz = defineProvider({
  id: 'moz',
  name: NAME,
  apiOrigin: API,
  otherOrigins: [LEGACY_API],
  metrics: ['PA', 'DA', 'Spam Score'],
  errorOf(body, status) {
    const object = asObject(body);
    const error = asObject(object?.error);
    if (!error && status < 400) return null;
    const data = asObject(error?.data);
    const message =
      typeof error?.message === 'string'
        ? error.message
        : typeof object?.message === 'string'
          ? object.message
          : null;
    const issue = typeof data?.issue === 'string' ? data.issue : '';
    // Its error object carries the HTTP status too; `issue` names the family ("quota-exceeded").
    return statusError(
      numberOf(error?.status) ?? status,
      NAME,
      message,
      `${issue} ${message ?? ''}`,
    );
  },
  // quota.lookup costs nothing and says the rows left; v2's usage_data says the rows used.
  testKey: {
    request: (_target, settings) =>
      isLegacy(settings)
        ? legacy('usage_data', {}, settings)
        : rpc('quota.lookup', { path: 'api.limits.data.rows' }, settings),
    parse(body) {
      const result = resultOf(body);
      const quota = asObject(result.quota);
      const allotted = numberOf(quota?.allotted);
      const used = numberOf(quota?.used);
      if (allotted !== null && used !== null) {
        return {
          quota: { remaining: Math.max(0, allotted - used), unit: t('provider_unit_rows') },
        };
      }
      return {};
    },
  },
  backlinks,
  referringDomains,
  authority: [authority],
});
