/**
 * Ahrefs API v3, Site Explorer (v2 was shut down on 1 November 2025). GET requests with the
 * key as a Bearer token and a `select` of the columns wanted (https://docs.ahrefs.com/docs/api/):
 * all-backlinks, refdomains, domain-rating, url-rating-history. Errors come as HTTP statuses
 * with `{"error": "…"}`.
 */
import { asObject } from '../../core/guards';
import { t } from '../../core/i18n';
import {
  arrayOf,
  defineProvider,
  getRequest,
  linksOf,
  metricOf,
  numberOf,
  objectOf,
  originOf,
} from './adapter';
import { statusError } from './http';
import type {
  AuthorityCall,
  LookupScope,
  ProviderCall,
  ProviderDomains,
  ProviderLinks,
  ProviderSettings,
} from './types';

const NAME = 'Ahrefs';
const API = 'https://api.ahrefs.com';
const LIMIT = 100;

function get(path: string, query: Record<string, string>, settings: ProviderSettings) {
  return getRequest(
    originOf(settings, API),
    `/v3/${path}`,
    { ...query, output: 'json' },
    {
      Authorization: `Bearer ${settings.credentials.key}`,
    },
  );
}

/** The target and how much of it: one exact page, or the whole domain with its subdomains. */
const targetQuery = (target: string, scope: LookupScope) => ({
  target,
  mode: scope === 'url' ? 'exact' : 'domain',
});

/** Ahrefs' report date: today, in UTC. */
const today = (settings: ProviderSettings) =>
  new Date((settings.now ?? Date.now)()).toISOString().slice(0, 10);

const backlinks: ProviderCall<ProviderLinks> = {
  request: (target, settings, scope) =>
    get(
      'site-explorer/all-backlinks',
      {
        ...targetQuery(target, scope),
        select:
          'url_from,url_to,anchor,is_dofollow,is_nofollow,is_ugc,is_sponsored,first_seen,last_visited,lost_date,domain_rating_source',
        limit: String(LIMIT),
        aggregation: 'similar_links',
        history: 'live',
      },
      settings,
    ),
  parse(body, { now }) {
    const rows = arrayOf(objectOf(body, NAME).backlinks, NAME);
    const links = linksOf(
      rows,
      (row) => ({
        source: row.url_from,
        target: row.url_to,
        anchor: row.anchor,
        rel: [
          ...(row.is_nofollow === true || row.is_dofollow === false ? ['nofollow'] : []),
          ...(row.is_ugc === true ? ['ugc'] : []),
          ...(row.is_sponsored === true ? ['sponsored'] : []),
        ],
        firstSeen: row.first_seen,
        lastSeen: row.last_visited,
        lostAt: row.lost_date,
        metrics: metricOf(NAME, 'DR', row.domain_rating_source, 'domain', 100),
      }),
      now,
    );
    return { ...links, metrics: [] };
  },
};

const referringDomains: ProviderCall<ProviderDomains> = {
  request: (target, settings, scope) =>
    get(
      'site-explorer/refdomains',
      {
        ...targetQuery(target, scope),
        select: 'domain,domain_rating,links_to_target',
        limit: String(LIMIT),
        history: 'live',
      },
      settings,
    ),
  parse(body) {
    const domains = arrayOf(objectOf(body, NAME).refdomains, NAME).flatMap((row) => {
      const item = asObject(row);
      if (!item || typeof item.domain !== 'string' || item.domain === '') return [];
      return [
        {
          domain: item.domain.toLowerCase(),
          backlinks: numberOf(item.links_to_target) ?? undefined,
          metrics: metricOf(NAME, 'DR', item.domain_rating, 'domain', 100),
        },
      ];
    });
    return { domains };
  },
};

/** DR of the target's domain; for a page also its UR, the latest point of its history. */
export const domainRating: AuthorityCall = {
  request: (target, settings) =>
    get('site-explorer/domain-rating', { target, date: today(settings) }, settings),
  parse(body) {
    const rating = asObject(objectOf(body, NAME).domain_rating);
    return metricOf(NAME, 'DR', rating?.domain_rating, 'domain', 100);
  },
};

export const urlRating: AuthorityCall = {
  request: (target, settings) => {
    const now = (settings.now ?? Date.now)();
    // A month back is enough for the latest point, and keeps the answer to a few rows.
    const from = new Date(now - 31 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    return get(
      'site-explorer/url-rating-history',
      { target, date_from: from, date_to: today(settings) },
      settings,
    );
  },
  parse(body) {
    const points = arrayOf(objectOf(body, NAME).url_ratings, NAME);
    const latest = asObject(points[points.length - 1]);
    return metricOf(NAME, 'UR', latest?.url_rating, 'url', 100);
  },
};

export const ahrefs = defineProvider({
  id: 'ahrefs',
  name: NAME,
  apiOrigin: API,
  metrics: ['DR', 'UR'],
  errorOf(body, status) {
    const said = asObject(body)?.error;
    // A 403 about units is the plan's limit, not the key: statusError reads the words.
    return status < 400 ? null : statusError(status, NAME, typeof said === 'string' ? said : null);
  },
  // subscription-info/limits-and-usage is free and says the units left.
  testKey: {
    request: (_target, settings) => get('subscription-info/limits-and-usage', {}, settings),
    parse(body) {
      const usage = asObject(objectOf(body, NAME).limits_and_usage);
      const limit = numberOf(usage?.units_limit_workspace);
      const used = numberOf(usage?.units_usage_workspace);
      return limit !== null && used !== null
        ? { quota: { remaining: Math.max(0, limit - used), unit: t('provider_unit_api_units') } }
        : {};
    },
  },
  backlinks,
  referringDomains,
  authority: [domainRating, { ...urlRating, scopes: ['url'] }],
});
