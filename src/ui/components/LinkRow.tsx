import type { BacklinkView } from '../../core/summary';
import { SafeLink } from './SafeLink';
import { ViaBadge } from './ViaBadge';

const date = (t: number) => new Date(t).toLocaleDateString();

/** One inbound link: where from, with what words, and how it is qualified. */
export function LinkRow({ link }: { link: BacklinkView }) {
  const lost = link.lostAt !== null;
  return (
    <li class={`link${lost ? ' lost' : ''}`} data-source={link.source} data-target={link.target}>
      <div class="source">
        <SafeLink href={link.source}>{link.sourceTitle || link.source}</SafeLink>
      </div>
      {link.sourceTitle && <div class="source-url">{link.source}</div>}
      <div class="anchor" data-anchor={link.anchor}>
        {link.anchor ? `“${link.anchor}”` : <em>no anchor text</em>}
      </div>
      <div class="badges">
        {lost && <span class="badge badge-lost">lost {date(link.lostAt!)}</span>}
        {link.via && <ViaBadge via={link.via} target={link.target} />}
        {link.rel.map((r) => (
          <span class={`badge rel rel-${r}`} data-rel={r} key={r}>
            {r}
          </span>
        ))}
        {link.pageNofollow && <span class="badge rel">page nofollow</span>}
        {!link.unfollowed && <span class="badge followed">followed</span>}
        <span class="badge region" data-region={link.region}>
          {link.region}
        </span>
        <span class="seen">
          first seen {date(link.firstSeen)} · last seen {date(link.lastSeen)}
        </span>
      </div>
    </li>
  );
}
