/**
 * DataForSEO Backlinks API (pay as you go). Basic auth with the API login and password, a POST
 * of a JSON array of one task, and an envelope whose `status_code` says what HTTP does not
 * (errors mostly come with HTTP 200): https://docs.dataforseo.com/v3/backlinks/backlinks/live/,
 * https://docs.dataforseo.com/v3/appendix/errors/.
 */
import { asObject } from '../../core/guards';
import {
  arrayOf,
  basicAuth,
  defineProvider,
  linksOf,
  metricOf,
  numberOf,
  objectOf,
  originOf,
} from './adapter';
import { providerError } from './http';
import type {
  LookupScope,
  ProviderCall,
  ProviderDomains,
  ProviderLinks,
  ProviderSettings,
} from './types';

const NAME = 'DataForSEO';
const API = 'https://api.dataforseo.com';
/** Rows asked per lookup: the popup shows a page's links, not an audit. */
const LIMIT = 100;
/** A task that found nothing: an empty answer. */
const NO_RESULTS = 40102;

function post(path: string, settings: ProviderSettings, task?: Record<string, unknown>) {
  const { key, secret = '' } = settings.credentials;
  return {
    url: `${originOf(settings, API)}${path}`,
    method: task ? ('POST' as const) : ('GET' as const),
    headers: {
      Authorization: basicAuth(key, secret),
      'Content-Type': 'application/json',
    },
    ...(task ? { body: JSON.stringify([task]) } : {}),
  };
}

/** A page is asked as its absolute URL, a site as its domain without scheme or www (the docs' rule). */
const targetOf = (target: string, scope: LookupScope) =>
  scope === 'url'
    ? target
    : target
        .replace(/^https?:\/\//, '')
        .replace(/^www\./, '')
        .replace(/\/.*$/, '');

/** The first task's first result; the envelope's and the task's codes are checked by errorOf. */
function resultOf(body: unknown): Record<string, unknown> {
  const task = objectOf(arrayOf(objectOf(body, NAME).tasks, NAME)[0], NAME);
  if (task.result === null && numberOf(task.status_code) === NO_RESULTS) return {};
  return objectOf(arrayOf(task.result, NAME)[0], NAME);
}

const backlinks: ProviderCall<ProviderLinks> = {
  request: (target, settings, scope) =>
    post('/v3/backlinks/backlinks/live', settings, {
      target: targetOf(target, scope),
      mode: 'as_is',
      limit: LIMIT,
    }),
  parse(body, { now }) {
    const result = resultOf(body);
    const links = linksOf(
      arrayOf(result.items ?? [], NAME),
      (item) => ({
        source: item.url_from,
        target: item.url_to,
        anchor: item.anchor,
        rel: [
          ...(item.dofollow === false ? ['nofollow'] : []),
          ...(Array.isArray(item.attributes)
            ? item.attributes.filter((a): a is string => typeof a === 'string')
            : []),
        ],
        firstSeen: item.first_seen,
        lastSeen: item.last_seen,
        lost: item.is_lost === true,
        metrics: metricOf(NAME, 'Rank', item.domain_from_rank, 'domain', 1000),
      }),
      now,
    );
    return { ...links, metrics: [], total: numberOf(result.total_count) ?? undefined };
  },
};

const referringDomains: ProviderCall<ProviderDomains> = {
  request: (target, settings, scope) =>
    post('/v3/backlinks/referring_domains/live', settings, {
      target: targetOf(target, scope),
      limit: LIMIT,
    }),
  parse(body) {
    const result = resultOf(body);
    const domains = arrayOf(result.items ?? [], NAME).flatMap((row) => {
      const item = asObject(row);
      const domain = typeof item?.domain === 'string' ? item.domain.toLowerCase() : null;
      if (!item || !domain) return [];
      return [
        {
          domain,
          backlinks: numberOf(item.backlinks) ?? undefined,
          metrics: metricOf(NAME, 'Rank', item.rank, 'domain', 1000),
        },
      ];
    });
    return { domains, total: numberOf(result.total_count) ?? undefined };
  },
};

/** The summary's rank (0–1000) and the target's spam score (0–100). */
const authority: ProviderCall<ReturnType<typeof metricOf>> = {
  request: (target, settings, scope) =>
    post('/v3/backlinks/summary/live', settings, { target: targetOf(target, scope) }),
  parse(body, { scope }) {
    const result = resultOf(body);
    return [
      ...metricOf(NAME, 'Rank', result.rank, scope, 1000),
      ...metricOf(NAME, 'Spam Score', result.backlinks_spam_score, scope, 100),
    ];
  },
};

export const dataForSeo = defineProvider({
  id: 'dataforseo',
  name: NAME,
  apiOrigin: API,
  metrics: ['Rank', 'Spam Score'],
  errorOf(body) {
    const envelope = asObject(body);
    if (!envelope) return null;
    const task = asObject(Array.isArray(envelope.tasks) ? envelope.tasks[0] : null);
    // The envelope's code first (auth, money), then the task's (its own limits).
    for (const part of [envelope, task]) {
      const code = numberOf(part?.status_code);
      if (code === null || code < 40000 || code === NO_RESULTS) continue;
      const message = typeof part?.status_message === 'string' ? part.status_message : null;
      return providerError(kindOf(code), NAME, message);
    }
    return null;
  },
  // GET /v3/appendix/user_data costs nothing and says the balance.
  testKey: {
    request: (_target, settings) => post('/v3/appendix/user_data', settings),
    parse(body) {
      const money = asObject(resultOf(body).money);
      const balance = numberOf(money?.balance);
      return balance === null ? {} : { quota: { remaining: balance, unit: 'USD' } };
    },
  },
  backlinks,
  referringDomains,
  authority: [authority],
});

/**
 * The kind of a documented internal status code (appendix/errors): 40100 not authorised;
 * 40101 the upstream failed; 40102 "No Search Results" is an empty answer, not an error;
 * 40202/40203/40209 per-minute, per-day and simultaneous-request limits; the other 402xx are
 * money or plan (40200 payment required, 40210 insufficient funds); 5xxxx the service's own.
 */
function kindOf(code: number) {
  if (code === 40100) return 'bad-key' as const;
  if (code === 40101 || code >= 50000) return 'down' as const;
  if (code === 40202 || code === 40203 || code === 40209) return 'rate-limit' as const;
  if (code >= 40200 && code < 40300) return 'quota' as const;
  return 'refused' as const;
}
