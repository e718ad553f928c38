/**
 * Majestic: GetBackLinkData (a URL's or a site's backlinks), GetRefDomains (the domains linking
 * to it) and GetIndexItemInfo (Trust Flow, Citation Flow, Topical Trust Flow), GET /api/json with the key as `app_api_key`
 * (https://developer-support.majestic.com/api/). Every answer carries `Code` ("OK" or the
 * error's name) and `ErrorMessage`, at HTTP 200.
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
  relOf,
} from './adapter';
import { providerError, statusError } from './http';
import type {
  AuthorityCall,
  ProviderCall,
  ProviderDomains,
  ProviderLinks,
  ProviderSettings,
} from './types';

const NAME = 'Majestic';
const API = 'https://api.majestic.com';
const LIMIT = 100;

function command(cmd: string, query: Record<string, string>, settings: ProviderSettings) {
  // The key is a query parameter because that is how Majestic documents it; http.ts keeps
  // request URLs out of every message, and redact() catches an echo.
  return getRequest(originOf(settings, API), '/api/json', {
    app_api_key: settings.credentials.key,
    cmd,
    datasource: 'fresh',
    ...query,
  });
}

/** A data table's rows: DataTables.<name>.Data. */
function tableRows(body: unknown, table: string): unknown[] {
  const tables = objectOf(objectOf(body, NAME).DataTables, NAME);
  return arrayOf(objectOf(tables[table], NAME).Data, NAME);
}

/** Majestic writes "" or "0000-00-00" for a date it does not have. */
const dateOf = (value: unknown) =>
  typeof value === 'string' && /^[1-9]/.test(value) ? value : null;

const backlinks: ProviderCall<ProviderLinks> = {
  request: (target, settings) =>
    command('GetBackLinkData', { item: target, Count: String(LIMIT), Mode: '0' }, settings),
  parse(body, { now }) {
    const links = linksOf(
      tableRows(body, 'BackLinks'),
      (row) => ({
        source: row.SourceURL,
        target: row.TargetURL,
        anchor: row.AnchorText,
        rel: relOf(row.FlagNoFollow),
        firstSeen: dateOf(row.FirstIndexedDate),
        lastSeen: dateOf(row.LastSeenDate),
        lostAt: dateOf(row.DateLost),
        lost: row.FlagDeleted === 1 || row.FlagDeleted === '1' || row.FlagDeleted === true,
        metrics: [
          ...metricOf(NAME, 'TF', row.SourceTrustFlow, 'url', 100),
          ...metricOf(NAME, 'CF', row.SourceCitationFlow, 'url', 100),
        ],
      }),
      now,
    );
    return { ...links, metrics: [] };
  },
};

/**
 * The root domains linking to the URL or site (GetRefDomains, which replaced GetLinkedDomains):
 * its Results table, one row per domain with the links it has to the item (MatchedLinks) and its
 * own Trust Flow and Citation Flow. Retrieval units are charged per row returned, hence LIMIT.
 */
const referringDomains: ProviderCall<ProviderDomains> = {
  request: (target, settings) =>
    command('GetRefDomains', { item0: target, Count: String(LIMIT) }, settings),
  parse(body) {
    const domains = tableRows(body, 'Results').flatMap((row) => {
      const item = asObject(row);
      if (!item || typeof item.Domain !== 'string' || item.Domain === '') return [];
      const links = numberOf(item.MatchedLinks);
      return [
        {
          domain: item.Domain.toLowerCase(),
          ...(links === null ? {} : { backlinks: links }),
          metrics: [
            ...metricOf(NAME, 'TF', item.TrustFlow, 'domain', 100),
            ...metricOf(NAME, 'CF', item.CitationFlow, 'domain', 100),
          ],
        },
      ];
    });
    return { domains };
  },
};

/** TF, CF and the strongest Topical Trust Flow of the URL or the domain. */
const flowMetrics: AuthorityCall = {
  request: (target, settings) =>
    command('GetIndexItemInfo', { items: '1', item0: target, AddAllTopics: '0' }, settings),
  parse(body, { scope }) {
    const row = asObject(tableRows(body, 'Results')[0]);
    if (!row || (row.ResultCode !== undefined && row.ResultCode !== 'OK')) return [];
    const topic =
      typeof row.TopicalTrustFlow_Topic_0 === 'string' ? row.TopicalTrustFlow_Topic_0 : '';
    return [
      ...metricOf(NAME, 'TF', row.TrustFlow, scope, 100),
      ...metricOf(NAME, 'CF', row.CitationFlow, scope, 100),
      ...(topic ? metricOf(NAME, 'TTF', row.TopicalTrustFlow_Value_0, scope, 100, topic) : []),
    ];
  },
};

export const majestic = defineProvider({
  id: 'majestic',
  name: NAME,
  apiOrigin: API,
  metrics: ['TF', 'CF', 'TTF'],
  errorOf(body, status) {
    const object = asObject(body);
    const code = typeof object?.Code === 'string' ? object.Code : null;
    if (code === 'OK' || (code === null && status < 400)) return null;
    const message = typeof object?.ErrorMessage === 'string' ? object.ErrorMessage : null;
    const said = `${code ?? ''} ${message ?? ''}`;
    const detail = message || code;
    // Majestic names its errors rather than numbering them; they fall into these families.
    if (/insufficient|resunits|quota|exceeded|expired|subscription/i.test(said)) {
      return providerError('quota', NAME, detail);
    }
    if (/api ?key|access ?denied|auth|forbidden|not ?allowed/i.test(said)) {
      return providerError('bad-key', NAME, detail);
    }
    if (/throttl|rate|too ?many/i.test(said)) return providerError('rate-limit', NAME, detail);
    return statusError(status < 400 ? 400 : status, NAME, detail);
  },
  // GetSubscriptionInfo uses no resources and says what is left.
  testKey: {
    request: (_target, settings) => command('GetSubscriptionInfo', {}, settings),
    parse(body) {
      const vars = asObject(objectOf(body, NAME).GlobalVars);
      const left = numberOf(vars?.TotalRetrievalResUnits);
      return left === null
        ? {}
        : { quota: { remaining: left, unit: t('provider_unit_retrieval_units') } };
    },
  },
  backlinks,
  referringDomains,
  authority: [flowMetrics],
});
