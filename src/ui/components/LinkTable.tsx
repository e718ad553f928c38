import { Fragment } from 'preact';
import { fittedPlaceholder } from '../placeholder';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { formatDate, formatNumber, t, tn, type MessageKey } from '../../core/i18n';
import { displaySitePath, displayUrl } from '../../core/idn';
import {
  applyTableView,
  DEFAULT_TABLE_VIEW,
  isUnfiltered,
  REL_FILTERS,
  STATUS_FILTERS,
  rowsToCsv,
  rowsToJson,
  type SortKey,
  type TableRow,
  type TableView,
} from '../../core/table';
import { LINK_REGIONS, linkKey } from '../../core/types';
import { flagLabel, type FlagKind } from '../../core/flag-counts';
import { downloadText } from '../download';
import { HostName } from './HostName';
import { safeLink } from './SafeLink';
import { ProvenanceBadge } from './Provenance';
import { regionLabel } from './LinkRow';
import { useAfterPaint } from '../after-paint';

/** nofollow, sponsored and ugc are the HTML's own words; the other two are ours. */
const relFilterLabel = (rel: (typeof REL_FILTERS)[number]): string =>
  rel === 'followed' ? t('row_followed') : rel === 'unfollowed' ? t('row_not_followed') : rel;

/** Rows rendered at first and per "show more": a long table must not freeze the page. */
export const TABLE_PAGE_SIZE = 200;

/** A row's least height in px: one line of text and its padding (styles.css, .link-table td). */
const MIN_ROW_PX = 26;

/** Rows that fill a first screen wherever the table starts on it: its height in smallest rows. */
export const firstScreenRows = (height: number): number => Math.ceil(height / MIN_ROW_PX);

export interface LinkTableProps {
  url: string;
  scope: 'page' | 'site';
  rows: readonly TableRow[];
  view: TableView;
  onView: (view: TableView) => void;
  /** Flag kinds present in the rows, for the flag filter. */
  flagKinds: readonly string[];
  now: number;
  /**
   * Set while `rows` are only the first of `total` (a hot page's head, ui/head-state.ts): they
   * are shown as they come, in the report's order, and a view they cannot answer waits.
   */
  head?: { total: number } | null;
}

interface Column {
  sort?: SortKey;
  /** Message keys of the heading and of what the column holds (on hover). */
  label: MessageKey;
  explain: MessageKey;
}

const COLUMNS: Column[] = [
  { sort: 'score', label: 'col_score', explain: 'col_score_explain' },
  { sort: 'domain', label: 'col_domain', explain: 'col_domain_explain' },
  { sort: 'anchor', label: 'col_anchor', explain: 'col_anchor_explain' },
  { label: 'col_rel', explain: 'col_rel_explain' },
  { sort: 'region', label: 'col_region', explain: 'col_region_explain' },
  { sort: 'authority', label: 'col_authority', explain: 'col_authority_explain' },
  { sort: 'firstSeen', label: 'col_first_seen', explain: 'col_first_seen_explain' },
  { sort: 'lastSeen', label: 'col_last_seen', explain: 'col_last_seen_explain' },
];

/** The whole site's table also says which of its pages each link points to. */
const SITE_COLUMNS: Column[] = [
  ...COLUMNS.slice(0, 2),
  { label: 'col_links_to', explain: 'col_links_to_explain' },
  ...COLUMNS.slice(2),
];

function SortHeader({
  column,
  view,
  onView,
}: { column: Column } & Pick<LinkTableProps, 'view' | 'onView'>) {
  if (!column.sort) return <th title={t(column.explain)}>{t(column.label)}</th>;
  const key = column.sort;
  const active = view.sort === key;
  const sort = active ? (view.descending ? 'descending' : 'ascending') : undefined;
  return (
    <th aria-sort={sort} title={t(column.explain)}>
      <button
        type="button"
        data-sort={key}
        onClick={() =>
          // A new column starts with the most telling end: highest scores, newest dates, A first.
          onView({
            ...view,
            sort: key,
            descending: active ? !view.descending : !['domain', 'anchor', 'region'].includes(key),
          })
        }
      >
        {t(column.label)}
        {active ? (view.descending ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
}

function Select<T extends string>(props: {
  name: string;
  label: string;
  value: T | null;
  options: readonly T[];
  /** The option in words; the value stays the code the URL keeps. */
  optionLabel: (value: T) => string;
  onChange: (value: T | null) => void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select
        name={props.name}
        value={props.value ?? ''}
        onChange={(e) => props.onChange((e.currentTarget.value || null) as T | null)}
      >
        <option value="">{t('filter_any')}</option>
        {props.options.map((o) => (
          <option value={o} key={o}>
            {props.optionLabel(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

function Filters({
  view,
  onView,
  flagKinds,
}: Pick<LinkTableProps, 'view' | 'onView' | 'flagKinds'>) {
  const set = (patch: Partial<TableView>) => onView({ ...view, ...patch });
  return (
    <form class="table-filters" role="search" onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('filter_domain')}{' '}
        <input
          name="domain"
          type="search"
          value={view.domain}
          {...fittedPlaceholder(t('filter_domain_placeholder'))}
          onInput={(e) => set({ domain: e.currentTarget.value.trim().toLowerCase() })}
        />
      </label>
      <label>
        {t('filter_words')}{' '}
        <input
          name="q"
          type="search"
          value={view.text}
          {...fittedPlaceholder(t('filter_words_placeholder'))}
          onInput={(e) => set({ text: e.currentTarget.value })}
        />
      </label>
      <Select
        name="rel"
        label={t('col_rel')}
        value={view.rel}
        options={REL_FILTERS}
        optionLabel={relFilterLabel}
        onChange={(rel) => set({ rel })}
      />
      <Select
        name="region"
        label={t('col_region')}
        value={view.region}
        options={LINK_REGIONS}
        optionLabel={regionLabel}
        onChange={(region) => set({ region })}
      />
      <Select
        name="status"
        label={t('filter_status')}
        value={view.status}
        options={STATUS_FILTERS}
        optionLabel={(status) => t(`filter_status_${status}`)}
        onChange={(status) => set({ status })}
      />
      <Select
        name="flag"
        label={t('filter_flag')}
        value={view.flag}
        options={flagKinds}
        optionLabel={(kind) => flagLabel(kind as FlagKind)}
        onChange={(flag) => set({ flag })}
      />
      <label>
        {t('filter_min_score')}{' '}
        <input
          name="min"
          type="number"
          min={0}
          max={100}
          value={view.minScore ?? ''}
          onInput={(e) => {
            const n = e.currentTarget.valueAsNumber;
            set({ minScore: Number.isFinite(n) && n > 0 ? Math.min(100, Math.round(n)) : null });
          }}
        />
      </label>
    </form>
  );
}

/**
 * One row of the table. Called as a function, not rendered as a component, and with the links
 * and host names built in place: a component instance per row and per cell (three a row, each
 * tracked by the signals' integration) was most of the render of a first page of 200 rows.
 * safeLink and HostName take no hooks, so calling them gives the same elements.
 */
function tableRow(row: TableRow, showTarget: boolean) {
  const { link } = row;
  return (
    <tr
      class={`table-link${link.lostAt !== null ? ' lost' : ''}`}
      data-source={link.source}
      data-target={link.target}
      data-anchor={link.anchor}
      data-score={row.score ?? ''}
      data-flags={row.flags.join(' ')}
      key={linkKey(link)}
    >
      <td class="num">{row.score ?? '–'}</td>
      <td class="text">
        {safeLink(link.source, link.sourceTitle || displayUrl(link.source))}
        <div class="source-url">{HostName({ host: link.sourceDomain })}</div>
        {row.provenance && <ProvenanceBadge names={row.provenance} />}
      </td>
      {showTarget && (
        <td class="text" data-links-to={link.target}>
          {safeLink(link.target, displaySitePath(link.target, link.targetDomain))}
        </td>
      )}
      <td class="text">{link.anchor ? link.anchor : <em>{t('no_anchor_text')}</em>}</td>
      <td data-rel={link.rel.join(' ')}>
        {(link.unfollowed ? t('row_not_followed') : t('row_followed')) +
          (link.rel.length > 0 ? ` (${link.rel.join(', ')})` : '')}
      </td>
      <td data-region={link.region}>{regionLabel(link.region)}</td>
      <td class="num">{row.authority ?? '–'}</td>
      <td>{formatDate(link.firstSeen)}</td>
      <td>
        {link.lostAt !== null
          ? t('lost_on', { date: formatDate(link.lostAt) })
          : formatDate(link.lastSeen)}
      </td>
    </tr>
  );
}

/** The view as it opens: no filter, the default order. */
const isDefaultView = (view: TableView) =>
  isUnfiltered(view) &&
  view.sort === DEFAULT_TABLE_VIEW.sort &&
  view.descending === DEFAULT_TABLE_VIEW.descending;

/**
 * The line above a hot page's first rows, before the rest are read. The default view shows them
 * in the report's order, which is the full table's order until its scores are in: sorting a part
 * by score would show rows that the whole set then pushes down. Any other view waits for every
 * row rather than show a part of its answer as the whole (`shown` null).
 */
function HeadCount({ total, shown }: { total: number; shown: number | null }) {
  return (
    <p class="table-count status loading" aria-live="polite">
      {shown !== null
        ? tn('table_head_first', total, { shown: formatNumber(shown) })
        : tn('table_head_loading', total)}
    </p>
  );
}

function Rows({
  scope,
  view,
  onView,
  shown,
}: Pick<LinkTableProps, 'scope' | 'view' | 'onView'> & { shown: readonly TableRow[] }) {
  // A first screen of rows at once, the rest of the page once it is painted: a hot report's
  // 200 rows in one render held its first rows back.
  const rows = shown.slice(0, useAfterPaint(firstScreenRows(innerHeight), shown.length));
  return (
    // A narrow window scrolls the table in its box, not the whole page sideways.
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            {(scope === 'site' ? SITE_COLUMNS : COLUMNS).map((c) => (
              <SortHeader column={c} view={view} onView={onView} key={c.label} />
            ))}
          </tr>
        </thead>
        <tbody>{rows.map((r) => tableRow(r, scope === 'site'))}</tbody>
      </table>
    </div>
  );
}

/**
 * Every inbound link as a table: filter by domain, words, rel, region, status, flag and score,
 * sort by a column, and save what is shown as CSV or JSON. The view is the caller's (the report
 * page keeps it in its URL). A hot page's first rows (`head`) and then every row are shown by
 * this one element: the rows on screen stay when the rest arrive, updated in place, where a
 * table built anew showed a first screen of them again for a frame (the page got shorter).
 */
export function LinkTable(props: LinkTableProps) {
  const { rows, view, onView, now, head } = props;
  const shownCount = useSignal(TABLE_PAGE_SIZE);
  const saved = useSignal<string | null>(null);
  // A head answers the default view alone, in the report's order (HeadCount says why).
  const answered = !head || isDefaultView(view);
  const matching = !head ? applyTableView(rows, view, now) : answered ? rows : [];
  const shown = matching.slice(0, head ? TABLE_PAGE_SIZE : shownCount.value);
  const section = useRef<HTMLElement>(null);
  // "Show more" moves focus to the first row it showed: the last press removes the button, and
  // focus on a removed button falls back to the page's start.
  const focusRow = useRef<number | null>(null);
  useEffect(() => {
    if (focusRow.current === null) return;
    const row = section.current?.querySelectorAll('tr.table-link')[focusRow.current];
    row?.querySelector('a')?.focus();
    focusRow.current = null;
  });
  const save = (format: 'csv' | 'json') => {
    const stamp = new Date(now).toISOString().slice(0, 10);
    try {
      if (format === 'csv') {
        downloadText(`backlinks-${stamp}.csv`, rowsToCsv(matching), 'text/csv');
      } else {
        const about = { url: props.url, scope: props.scope, view, exportedAt: Date.now() };
        downloadText(`backlinks-${stamp}.json`, rowsToJson(matching, about), 'application/json');
      }
      saved.value = tn('table_saved', matching.length, { format: format.toUpperCase() });
    } catch (error) {
      saved.value = t('table_save_failed', { message: String(error) });
    }
  };
  return (
    <section
      class="link-table"
      aria-label={t('table_label')}
      data-table-head={head?.total}
      ref={section}
    >
      <Filters view={view} onView={onView} flagKinds={props.flagKinds} />
      {head ? (
        <HeadCount total={head.total} shown={answered ? shown.length : null} />
      ) : (
        <TableCount
          matching={matching.length}
          total={rows.length}
          view={view}
          onClear={() => {
            onView({ ...DEFAULT_TABLE_VIEW, sort: view.sort, descending: view.descending });
            // The button goes with the filters: focus on it would fall back to the page's start.
            section.current?.querySelector<HTMLInputElement>('input[name="domain"]')?.focus();
          }}
          onSave={save}
        />
      )}
      {saved.value && (
        <p class="notice" role="status" data-export-notice>
          {saved.value}
        </p>
      )}
      {shown.length > 0 ? (
        <Rows {...props} shown={shown} />
      ) : (
        !head && <p class="status">{t('table_no_match')}</p>
      )}
      {!head && matching.length > shown.length && (
        <button
          type="button"
          class="more"
          data-show-more
          onClick={() => {
            focusRow.current = shown.length;
            shownCount.value += TABLE_PAGE_SIZE;
          }}
        >
          {t('table_show_more', {
            count: formatNumber(Math.min(TABLE_PAGE_SIZE, matching.length - shown.length)),
            hidden: formatNumber(matching.length - shown.length),
          })}
        </button>
      )}
    </section>
  );
}

/** The formats the table saves its view in, with their buttons' labels. */
const EXPORTS = [
  ['csv', 'export_csv'],
  ['json', 'export_json'],
] as const;

/** How many rows the view holds of all, and its actions: clear the filters, save as CSV or JSON. */
function TableCount({
  matching,
  total,
  view,
  onClear,
  onSave,
}: Pick<LinkTableProps, 'view'> & {
  matching: number;
  total: number;
  onClear: () => void;
  onSave: (format: 'csv' | 'json') => void;
}) {
  return (
    <p class="table-count" data-table-count={matching} aria-live="polite">
      {matching !== total
        ? tn('table_count_of', matching, { total: formatNumber(total) })
        : tn('count_links', matching)}
      {!isUnfiltered(view) && (
        <>
          {' '}
          <button type="button" data-clear-filters onClick={onClear}>
            {t('table_clear_filters')}
          </button>
        </>
      )}
      {EXPORTS.map(([format, label]) => (
        <Fragment key={format}>
          {' '}
          <button
            type="button"
            data-export={format}
            disabled={matching === 0}
            onClick={() => onSave(format)}
          >
            {t(label)}
          </button>
        </Fragment>
      ))}
    </p>
  );
}
