import { ENGINE_NAMES, engineOfName, isEngineSourceId } from '../../core/engines';
import { formatNumber, t, tn } from '../../core/i18n';
import type { RemoteStatus } from '../state';

/**
 * Who knows a link: "this browser", a remote index's name, or both. Names come from the
 * index's /v1/info and are rendered as text, like anchors.
 */
export function ProvenanceBadge({ names }: { names: readonly string[] }) {
  return (
    <>
      <span
        class="badge provenance"
        data-provenance={names.join('|')}
        title={`Known from ${names.join(' and ')}.`}
      >
        {names.join(' + ')}
      </span>
      <EngineMarks names={names} />
    </>
  );
}

/** "✓ confirmed by Google Search Console": a link a search engine counted itself, in words. */
function EngineMarks({ names }: { names: readonly string[] }) {
  return (
    <>
      {names.flatMap((name) => {
        const engine = engineOfName(name);
        if (!engine) return [];
        const slots = { engine: ENGINE_NAMES[engine] };
        return [
          <span
            key={engine}
            class="badge confirmed"
            data-confirmed={engine}
            title={t('engine_confirmed_title', slots)}
          >
            {t('engine_confirmed', slots)}
          </span>,
        ];
      })}
    </>
  );
}

type Settled = Exclude<RemoteStatus, { status: 'loading' }>;

function statusText(status: Settled, site: boolean): string {
  switch (status.status) {
    case 'failed':
      return t('remote_failed', { name: status.name, message: status.message });
    case 'answered': {
      const totals = status.totals;
      if (!totals || totals.backlinks + status.links === 0) {
        return t(site ? 'remote_site_knows_none' : 'remote_knows_none', { name: status.name });
      }
      const shown =
        status.links < totals.backlinks
          ? t('remote_listed', { count: formatNumber(status.links) })
          : '';
      return tn(site ? 'remote_site_knows' : 'remote_knows', totals.backlinks, {
        name: status.name,
        sites: tn('remote_sites', totals.referringDomains),
        shown,
      });
    }
  }
}

/**
 * One line per remote source the user turned on: what it knows or what went wrong, and one line
 * for those still asking. `site`: the lines speak of the whole site's links, not the page's.
 */
export function RemoteSources({
  statuses: all,
  site = false,
}: {
  statuses: readonly RemoteStatus[];
  site?: boolean;
}) {
  // An engine's imported links are read from this machine: nothing to wait for is said.
  const asking = all.filter((s) => s.status === 'loading' && !isEngineSourceId(s.id));
  const done = all.filter((s): s is Settled => s.status !== 'loading');
  if (asking.length + done.length === 0) return null;
  return (
    <div class="remote-sources">
      {done.map((s) => (
        <p
          key={s.id}
          class={`remote-source${s.status === 'failed' ? ' error' : ''}`}
          data-remote-source={s.id}
          data-remote-status={s.status}
          role="status"
        >
          {statusText(s, site)}
        </p>
      ))}
      {asking.length > 0 && (
        <p
          class="remote-source"
          data-remote-source={asking.map((s) => s.id).join(' ')}
          data-remote-status="loading"
          role="status"
        >
          {tn('remote_asking', asking.length)}
        </p>
      )}
    </div>
  );
}
