/**
 * The report page's view as its address holds it: the page reported on, the scope, the list
 * shown and the table's view (core/table.ts). Read once as the page loads, then written back
 * whole, so the address holds only what the page shows: a parameter it does not know is
 * dropped, and one it could not read says the default it got (by being left out).
 */
import { parseTableView, tableViewQuery, type TableView } from './table';
import { shareableUrl } from './url';

export interface ReportView {
  /** The page reported on, in its shareable form ('' when none, or its path is a secret). */
  url: string;
  scope: 'page' | 'site';
  list: 'table' | 'domains';
  table: TableView;
}

/** The view a report page's query asks for; anything unknown or malformed gets the default. */
export function parseReportView(query: URLSearchParams): ReportView {
  return {
    url: shareableUrl(query.get('url') ?? ''),
    scope: query.get('scope') === 'site' ? 'site' : 'page',
    list: query.get('list') === 'domains' ? 'domains' : 'table',
    table: parseTableView(query),
  };
}

/** The query that says `view`, defaults left out, in a fixed order: equal views, equal URLs. */
export function reportViewQuery(view: ReportView): string {
  const query = new URLSearchParams([['url', view.url]]);
  if (view.scope === 'site') query.set('scope', 'site');
  if (view.list === 'domains') query.set('list', 'domains');
  for (const [k, v] of tableViewQuery(view.table)) query.set(k, v);
  return `?${query.toString()}`;
}
