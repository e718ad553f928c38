import { useSignal } from '@preact/signals';
import { countLabel } from '../../core/format';
import { displayUrl } from '../../core/idn';
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
import { downloadText } from '../download';
import { HostName } from './HostName';
import { SafeLink } from './SafeLink';
import { ProvenanceBadge } from './Provenance';

/** Rows rendered at first and per "show more": a long table must not freeze the page. */
export const TABLE_PAGE_SIZE = 200;

export interface LinkTableProps {
  url: string;
  scope: 'page' | 'site';
  rows: readonly TableRow[];
  view: TableView;
  onView: (view: TableView) => void;
  /** Flag kinds present in the rows, for the flag filter. */
  flagKinds: readonly string[];
  now: number;
}

const date = (t: number) => new Date(t).toLocaleDateString();

interface Column {
  sort?: SortKey;
  label: string;
  explain: string;
}

const COLUMNS: Column[] = [
  { sort: 'score', label: 'Score', explain: 'Quality score of the link, 0–100.' },
  { sort: 'domain', label: 'Linking page', explain: 'The page the link is on, by its domain.' },
  { sort: 'anchor', label: 'Anchor', explain: 'The words of the link.' },
  { label: 'Rel', explain: 'Whether the link passes authority, and its rel qualifiers.' },
  { sort: 'region', label: 'Where', explain: 'Where on the linking page the link sits.' },
  {
    sort: 'authority',
    label: 'Authority',
    explain: 'Authority of the linking page in your local link graph, 0–100.',
  },
  { sort: 'firstSeen', label: 'First seen', explain: 'When the link was first seen.' },
  { sort: 'lastSeen', label: 'Last seen', explain: 'When the linking page was last visited.' },
];

/** The whole site's table also says which of its pages each link points to. */
const SITE_COLUMNS: Column[] = [
  ...COLUMNS.slice(0, 2),
  { label: 'Links to', explain: 'The page of this site the link points to.' },
  ...COLUMNS.slice(2),
];

function SortHeader({
  column,
  view,
  onView,
}: { column: Column } & Pick<LinkTableProps, 'view' | 'onView'>) {
  if (!column.sort) return <th title={column.explain}>{column.label}</th>;
  const key = column.sort;
  const active = view.sort === key;
  const sort = active ? (view.descending ? 'descending' : 'ascending') : undefined;
  return (
    <th aria-sort={sort} title={column.explain}>
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
        {column.label}
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
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} key={o}>
            {o}
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
        Domain{' '}
        <input
          name="domain"
          type="search"
          value={view.domain}
          placeholder="e.g. news"
          onInput={(e) => set({ domain: e.currentTarget.value.trim().toLowerCase() })}
        />
      </label>
      <label>
        Words{' '}
        <input
          name="q"
          type="search"
          value={view.text}
          placeholder="in anchor or page"
          onInput={(e) => set({ text: e.currentTarget.value })}
        />
      </label>
      <Select
        name="rel"
        label="Rel"
        value={view.rel}
        options={REL_FILTERS}
        onChange={(rel) => set({ rel })}
      />
      <Select
        name="region"
        label="Where"
        value={view.region}
        options={LINK_REGIONS}
        onChange={(region) => set({ region })}
      />
      <Select
        name="status"
        label="Status"
        value={view.status}
        options={STATUS_FILTERS}
        onChange={(status) => set({ status })}
      />
      <Select
        name="flag"
        label="Flag"
        value={view.flag}
        options={flagKinds}
        onChange={(flag) => set({ flag })}
      />
      <label>
        Score at least{' '}
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

function Row({ row, showTarget }: { row: TableRow; showTarget: boolean }) {
  const { link } = row;
  return (
    <tr
      class={`table-link${link.lostAt !== null ? ' lost' : ''}`}
      data-source={link.source}
      data-target={link.target}
      data-anchor={link.anchor}
      data-score={row.score ?? ''}
      data-flags={row.flags.join(' ')}
    >
      <td class="num">{row.score ?? '–'}</td>
      <td>
        <SafeLink href={link.source}>{link.sourceTitle || displayUrl(link.source)}</SafeLink>
        <div class="source-url">
          <HostName host={link.sourceDomain} />
        </div>
        {row.provenance && <ProvenanceBadge names={row.provenance} />}
      </td>
      {showTarget && (
        <td data-links-to={link.target}>
          <SafeLink href={link.target}>{displayUrl(link.target)}</SafeLink>
        </td>
      )}
      <td>{link.anchor ? link.anchor : <em>no anchor text</em>}</td>
      <td data-rel={link.rel.join(' ')}>
        {link.unfollowed ? 'not followed' : 'followed'}
        {link.rel.length > 0 && ` (${link.rel.join(', ')})`}
      </td>
      <td data-region={link.region}>{link.region}</td>
      <td class="num">{row.authority ?? '–'}</td>
      <td>{date(link.firstSeen)}</td>
      <td>{link.lostAt !== null ? `lost ${date(link.lostAt)}` : date(link.lastSeen)}</td>
    </tr>
  );
}

/**
 * Every inbound link as a table: filter by domain, words, rel, region, status, flag and score,
 * sort by a column, and save what is shown as CSV or JSON. The view is the caller's (the report
 * page keeps it in its URL).
 */
export function LinkTable(props: LinkTableProps) {
  const { rows, view, onView, now } = props;
  const shownCount = useSignal(TABLE_PAGE_SIZE);
  const saved = useSignal<string | null>(null);
  const matching = applyTableView(rows, view, now);
  const shown = matching.slice(0, shownCount.value);
  const save = (format: 'csv' | 'json') => {
    const stamp = new Date(now).toISOString().slice(0, 10);
    try {
      if (format === 'csv') {
        downloadText(`backlinks-${stamp}.csv`, rowsToCsv(matching), 'text/csv');
      } else {
        const about = { url: props.url, scope: props.scope, view, exportedAt: Date.now() };
        downloadText(`backlinks-${stamp}.json`, rowsToJson(matching, about), 'application/json');
      }
      saved.value = `Saved ${countLabel(matching.length, 'link', 'links')} as ${format.toUpperCase()}.`;
    } catch (error) {
      saved.value = `Could not save the file: ${String(error)}`;
    }
  };
  return (
    <section class="link-table" aria-label="Links, as a table">
      <Filters view={view} onView={onView} flagKinds={props.flagKinds} />
      <p class="table-count" data-table-count={matching.length} aria-live="polite">
        {countLabel(matching.length, 'link', 'links')}
        {matching.length !== rows.length && ` of ${rows.length}`}
        {!isUnfiltered(view) && (
          <>
            {' '}
            <button
              type="button"
              data-clear-filters
              onClick={() =>
                onView({ ...DEFAULT_TABLE_VIEW, sort: view.sort, descending: view.descending })
              }
            >
              Clear filters
            </button>
          </>
        )}{' '}
        <button
          type="button"
          data-export="csv"
          disabled={matching.length === 0}
          onClick={() => save('csv')}
        >
          Export CSV
        </button>{' '}
        <button
          type="button"
          data-export="json"
          disabled={matching.length === 0}
          onClick={() => save('json')}
        >
          Export JSON
        </button>
      </p>
      {saved.value && (
        <p class="notice" role="status" data-export-notice>
          {saved.value}
        </p>
      )}
      {matching.length > 0 ? (
        <table>
          <thead>
            <tr>
              {(props.scope === 'site' ? SITE_COLUMNS : COLUMNS).map((c) => (
                <SortHeader column={c} view={view} onView={onView} key={c.label} />
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <Row row={r} showTarget={props.scope === 'site'} key={linkKey(r.link)} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="status">No link matches these filters.</p>
      )}
      {matching.length > shown.length && (
        <button
          type="button"
          class="more"
          data-show-more
          onClick={() => (shownCount.value += TABLE_PAGE_SIZE)}
        >
          Show {Math.min(TABLE_PAGE_SIZE, matching.length - shown.length)} more (of{' '}
          {matching.length - shown.length} not shown)
        </button>
      )}
    </section>
  );
}
